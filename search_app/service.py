"""The app's one ``SearchService`` (it owns the searchers), created with the app."""

from __future__ import annotations

from flask import Flask, current_app

from search_app.search import SearchService


def get_service() -> SearchService:
    """The search service of the current app."""
    return current_app.extensions["vnlex_search"]


def init_app(app: Flask) -> None:
    app.extensions["vnlex_search"] = SearchService(app.config["INDEX_DIR"], cache_mb=app.config.get("CACHE_MB"))
