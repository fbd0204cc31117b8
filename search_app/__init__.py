"""vnlex search UI and JSON API over the index that ``indexer`` builds (read-only)."""

from __future__ import annotations

import os

from flask import Flask

from indexer.index.folders import DEFAULT_INDEX


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: ``INDEX_DIR`` from ``VNLEX_INDEX_DIR`` (default ``var/index``), ``CACHE_MB``
    (the engine's caches, ``None``: in proportion to the index), then ``test_config``."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("VNLEX_INDEX_DIR", DEFAULT_INDEX),
        CACHE_MB=None,
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    from search_app import api, service, views, web

    service.init_app(app)
    web.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    return app
