"""A crawl's settings: defaults here, a site's TOML file (``--config``), then command-line options.

A settings file, e.g. ``thanhhoa.toml``::

    [crawl]
    sites = ["https://pbgdpl.thanhhoa.gov.vn/tin-tuc", "https://pbgdpl.thanhhoa.gov.vn/van-ban"]
    include = ["/tin-tuc/", "/van-ban/"]     # regular expressions a page URL must match (one of them)
    exclude = ["/tag/", "[?&]print="]
    delay = 2.0                              # seconds between two requests (robots.txt may ask more)
    contact = "it@stp.thanhhoa.gov.vn"       # in the User-Agent, so the portal's staff can reach you
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from indexer.crawl.urls import normalize

__all__ = ["CrawlError", "CrawlConfig", "load_config"]


class CrawlError(Exception):
    """A crawl that cannot start or must stop: ``str(err)`` says what to do."""


@dataclass(frozen=True)
class CrawlConfig:
    """Everything a crawl needs; ``sites`` are start URLs (listing pages) whose hosts bound the crawl."""

    sites: tuple[str, ...]
    corpus: Path
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    max_pages: int = 0            # pages fetched per run; 0: no limit (the rest wait for the next run)
    delay: float = 1.0
    timeout: float = 20.0
    retries: int = 2
    max_bytes: int = 20_000_000   # one response, decompressed; the reader's page limit too
    max_wait: float = 120.0       # the longest Retry-After honoured
    max_removals: float = 0.2     # the share of saved pages one run may remove without allow_removals
    allow_removals: bool = False
    max_attachments: int = 5      # PDFs fetched per page
    contact: str = ""

    def __post_init__(self):
        sites = tuple(normalize(s) for s in self.sites)
        bad = [given for given, s in zip(self.sites, sites) if not s]
        if bad or not sites:
            raise CrawlError(f"not an http(s) URL: {bad[0]!r}" if bad else "no site to crawl: give --site URL")
        for pattern in self.include + self.exclude:
            try:
                re.compile(pattern)
            except re.error as err:
                raise CrawlError(f"bad pattern {pattern!r}: {err}") from None
        if self.delay < 0 or self.timeout <= 0 or self.retries < 0:
            raise CrawlError("--delay and --retries must be ≥ 0 and --timeout > 0")
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "corpus", Path(self.corpus))


_LISTS = {"sites", "include", "exclude", "sitemaps", "feeds"}


def load_config(path: Path) -> dict:
    """The ``[crawl]`` table of a TOML file as ``CrawlConfig`` keyword arguments (unknown keys refused)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("crawl", {})
    except OSError as err:
        raise CrawlError(f"cannot read the settings file {path}: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CrawlError(f"settings file {path} is not valid TOML: {err}") from None
    known = {f.name for f in fields(CrawlConfig)} - {"corpus"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise CrawlError(f"unknown setting {unknown[0]!r} in {path} (known: {', '.join(sorted(known))})")
    out = {}
    for key, value in data.items():
        if key in _LISTS:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise CrawlError(f"{key} in {path} must be a list of strings")
            value = tuple(value)
        elif not _fits(value, _DEFAULTS[key]):
            raise CrawlError(f"{key} in {path} must be {_KIND[type(_DEFAULTS[key])]}, not {value!r}")
        out[key] = value
    return out


_DEFAULTS = {f.name: f.default for f in fields(CrawlConfig)}
_KIND = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}


def _fits(value, default) -> bool:
    """Whether a TOML value has the type of a setting's default (an integer is a fine number of seconds)."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))
