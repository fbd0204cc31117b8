"""Cross-cutting HTTP behaviour: security headers, request ids, Vietnamese error pages."""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import urlencode

from flask import Flask, g, render_template, request

from search_app.params import ParamError
from search_app.searchers import NoIndexError

log = logging.getLogger("search_app.access")

# No inline script anywhere: the pages work without JavaScript.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _loggable(text: str) -> str:
    """A request path for the access log: control characters escaped, so no line can be forged."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)[:2000]


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, param: str | None = None):
    """One error shape for the API (``{"error": {status, message, param}}``), a page for people."""
    if _wants_json():
        return {"error": {"status": status, "message": message, "param": param}}, status
    return render_template("error.html", status=status, message=message, param=param), status


def init_app(app: Flask) -> None:
    from search_app import feeds  # the data views of a search (exports, feed, OpenSearch) ride along

    app.register_blueprint(feeds.bp)
    app.json.sort_keys = False  # facets keep their order in JSON (counts largest first, years newest first)

    @app.before_request
    def _start():
        given = request.headers.get("X-Request-Id", "")[:64]
        g.request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex[:16]
        g.started = time.perf_counter()

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Request-Id"] = g.get("request_id", "")
        log.info("%s %s %s %d %.1fms", g.get("request_id", "-"), request.method,
                 _loggable(request.full_path.rstrip("?")),
                 response.status_code, (time.perf_counter() - g.get("started", time.perf_counter())) * 1000)
        return response

    @app.errorhandler(ParamError)
    def _bad_param(exc: ParamError):
        if _wants_json():
            return error_response(400, exc.message, exc.param)
        # a person gets the box's Vietnamese name and a way back to the search without the bad value
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in (exc.param, "page") and v.strip()]
        back = request.path + ("?" + urlencode(args) if args else "")
        return render_template("error.html", status=400, message=exc.message, param=exc.param,
                               label=exc.label, back=back), 400

    @app.errorhandler(NoIndexError)
    def _no_index(exc: NoIndexError):
        return error_response(503, str(exc))

    @app.errorhandler(404)
    def _not_found(exc):
        return error_response(404, "Không tìm thấy trang hoặc văn bản này." if not _wants_json() else "not found")

    @app.errorhandler(405)
    def _method(exc):
        return error_response(405, "Phương thức này không được hỗ trợ." if not _wants_json() else "method not allowed")

    @app.errorhandler(500)
    def _internal(exc):
        log.exception("internal error on %s", request.path)
        return error_response(500, "internal error")
