"""Shared fixtures: where the third-party data lives (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VNLEX_SHARED", REPO.parent / "shared"))
SHARED_DATA = Path(os.environ.get("VNLEX_SHARED_DATA", SHARED / "data"))
SEEDS = SHARED / "seeds"


def shared_path(relative: str) -> Path:
    """Path of a file under ``../shared/data`` (or ``VNLEX_SHARED_DATA``); skip the test when absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set VNLEX_SHARED_DATA to the shared/data folder)")
    return path


def seed_path(name: str = "thanhhoa-article-2023-04-22.txt") -> Path:
    """Path of a seed page under ``../shared/seeds``; skip the test when absent."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed page not found: {path} (set VNLEX_SHARED to the shared folder)")
    return path
