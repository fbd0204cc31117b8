"""Pure: URLs → one spelling per page, the site they belong to, and the file a page is saved to.

``normalize("HTTP://Portal.vn:80/a/../tin?utm_source=zalo&id=5#top")`` → ``"http://portal.vn/tin?id=5"``:
so a page linked with tracking parameters, a fragment, a default port or an upper-case host is fetched once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from indexer.read.files import TRACKING_RE as _TRACKING_RE

__all__ = ["normalize", "host_key", "same_site", "skipped_type", "page_file"]

# Links to files that are neither HTML nor PDF: never requested ("Tải về biểu mẫu .docx").
_SKIPPED_SUFFIXES = {".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".rtf", ".zip", ".rar",
                     ".7z", ".gz", ".tar", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp",
                     ".mp3", ".mp4", ".avi", ".mov", ".wmv", ".flv", ".css", ".js", ".exe", ".apk", ".dmg"}
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SLUG_CHARS = 60


def normalize(url: str, base: str = "") -> str:
    """An absolute http(s) URL in one spelling (see the module docstring), or ``""`` for other schemes."""
    try:
        parts = urlsplit(urljoin(base, url.strip()) if base else url.strip())
        port = parts.port
    except ValueError:  # "http://a:99999/", "http://[::1"
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    netloc = parts.hostname.lower().rstrip(".")
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING_RE.fullmatch(k))
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def host_key(url: str) -> str:
    """The host (and a port other than the default) without ``www.``: ``https://www.a.vn/x`` → ``a.vn``."""
    return urlsplit(url).netloc.lower().removeprefix("www.")


def same_site(url: str, sites: set[str]) -> bool:
    """Whether ``url`` is on one of ``sites`` (``host_key`` values); ``www.`` or not is the same site."""
    return host_key(url) in sites


def _suffix(url: str) -> str:
    name = urlsplit(url).path.rpartition("/")[2].lower()
    return name[name.rfind("."):] if "." in name else ""


def skipped_type(url: str) -> str:
    """``".docx"`` when the link names a file that is neither HTML nor PDF (never requested), else ``""``."""
    suffix = _suffix(url)
    return suffix if suffix in _SKIPPED_SUFFIXES else ""


def page_file(url: str) -> str:
    """The path, under the corpus folder, a page is saved to; the same URL always gives the same name.

    ``http://portal.vn/tin-tuc/ke-hoach-93.html?id=5`` → ``portal.vn/tin-tuc-ke-hoach-93-html-id-5-1a2b3c4d5e.html``
    (a readable slug, then 10 hex digits of the URL's SHA-1 so that two URLs never share a file).
    """
    parts = urlsplit(url)
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
    words = unicodedata.normalize("NFKD", (parts.path + " " + parts.query).replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", words.encode("ascii", "ignore").decode().lower()).strip("-")[:_SLUG_CHARS]
    folder = parts.netloc.lower().replace(":", "_")
    return f"{folder}/{slug.strip('-') or 'index'}-{digest}.html"
