"""``python -m search_app serve``: the app under waitress, a multi-threaded production WSGI server."""

from __future__ import annotations

import errno
import logging
import os
import resource

import click

from indexer.index.folders import DEFAULT_INDEX

CONTEXT = {"help_option_names": ["-h", "--help"]}
# Seconds the server waits, before it listens, for the index's common terms to be scored (a few
# seconds on 62k entries); past that it listens and the scoring goes on in the background.
WARM_UP_WAIT = 30.0


def _raise_open_files_limit() -> None:
    """Each serving thread's searcher keeps every segment's files open (~14 a segment; a large index has
    dozens of segments): allow the process as many as the system lets it, not the usual 1,024."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError) as exc:  # not allowed here: the usual limit it is
        logging.getLogger(__name__).warning("open files limit not raised: %s", exc)


@click.group(context_settings=CONTEXT)
def main() -> None:
    """Serve the vnlex search UI and JSON API."""


def _bind_error(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another server is running there?): stop it, or "
                f"choose another port with --port or VNLEX_PORT")
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port} on {host}: choose a port above 1023 with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: it is not an address of this machine (try 127.0.0.1 or 0.0.0.0)"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


@main.command(context_settings=CONTEXT)
@click.option("--index", default=lambda: os.environ.get("VNLEX_INDEX_DIR", DEFAULT_INDEX),
              show_default="$VNLEX_INDEX_DIR or var/index", help="Index location (read-only).")
@click.option("--host", default=lambda: os.environ.get("VNLEX_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=click.IntRange(1, 65535), default=lambda: int(os.environ.get("VNLEX_PORT", "5000")),
              show_default="5000")
@click.option("--threads", type=click.IntRange(1, 64), default=lambda: int(os.environ.get("VNLEX_THREADS", "4")),
              show_default="4", help="Worker threads; each keeps its own searcher (memory), and searching is "
                                     "CPU-bound Python (more threads than cores add little).")
@click.option("--cache-mb", type=click.IntRange(64, None), default=lambda: os.environ.get("VNLEX_CACHE_MB"),
              show_default="$VNLEX_CACHE_MB or 5 KB an index entry, at least 320",
              help="Memory of the postings and scored-terms caches of an index version, in MB.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log one line per request.")
def serve(index: str, host: str, port: int, threads: int, cache_mb: int | None, access_log: bool) -> None:
    """Serve on http://HOST:PORT until stopped.

    \b
    Example:
        python -m search_app serve --index var/index --port 5000
    """
    from waitress import create_server

    from search_app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("search_app.access").setLevel(logging.INFO if access_log else logging.WARNING)
    _raise_open_files_limit()
    app = create_app({"INDEX_DIR": index, "CACHE_MB": cache_mb})
    try:
        app.extensions["vnlex_search"].warm_up(wait=WARM_UP_WAIT)
    except Exception as exc:  # noqa: BLE001 - no index yet is fine: pages say so (503) until a build
        click.echo(f"warning: {exc}", err=True)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="vnlex",
                               asyncore_use_poll=True)  # poll(), not select(): no limit of 1024 open files
    except OSError as exc:
        raise click.ClickException(_bind_error(exc, host, port)) from None
    caches = f"{cache_mb} MB of caches" if cache_mb else "caches in proportion to the index"
    click.echo(f"serving {index} on http://{host}:{port}/ with {threads} threads, {caches}")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped")
