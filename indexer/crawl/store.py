"""A crawled page as saved in the corpus folder: the page's own bytes, then one ``vnlex-crawl`` block.

The block is a JSON ``<script>`` appended to the page (``script`` is never page text), e.g.
``<script type="application/json" id="vnlex-crawl">{"url": "https://portal.vn/tin/93",
"attachments": [{"name": "KH93.pdf", "url": "…", "text": "…"}]}</script>``. ``indexer.read.html``
reads it: ``url`` becomes the entry's ``url`` (and its id when the page states no og:url/canonical);
the attachments' ``text`` is the entry's body when the page itself has no full text. Nothing in the
block changes unless the page or an attachment did, so ``update`` sees exactly the pages that changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.read.html import CRAWL_BLOCK_ID

__all__ = ["BLOCK_ID", "compose", "page_bytes", "write_atomic"]

BLOCK_ID = CRAWL_BLOCK_ID  # the reader looks for it (indexer.read.html)
_OPEN = f'\n<script type="application/json" id="{BLOCK_ID}">'.encode("ascii")
_UTF16_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def compose(raw: bytes, url: str, attachments: list[dict]) -> bytes:
    """The bytes to save: ``raw`` (re-encoded as UTF-8 when it is UTF-16/32), then the block (ASCII)."""
    if raw.startswith(_UTF16_32):  # an ASCII block cannot be appended to UTF-16 bytes
        raw = raw.decode("utf-32" if raw.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")) else "utf-16"
                         ).encode("utf-8")
    data = {"url": url, "attachments": attachments}
    block = json.dumps(data, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")  # never ends the script
    return raw + _OPEN + block.encode("ascii") + b"</script>\n"


def page_bytes(saved: bytes) -> bytes:
    """The page's own bytes of a saved file (the block removed)."""
    cut = saved.rfind(_OPEN)
    return saved[:cut] if cut >= 0 else saved


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: a kill leaves the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")  # hidden: the reader never sees a half-written page
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
