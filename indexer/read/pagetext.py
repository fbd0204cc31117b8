"""Pure: the text of a web page (as lines or paragraphs) → the fields users filter on.

Used by ``corpus`` for page-text dumps (.txt) and, after bs4 has turned HTML into paragraphs, for
HTML pages too, so both formats follow the same rules:

- ``build_page``       article or legal-document page? (metadata labels or a national-motto header
                       make it a document, read by ``indexer.read.legaltext``), then its fields.
- ``tidy_article``     an article body without comment form, share widgets, attachment block,
                       repeated paragraphs (``drop_repeats``); the trailing author line split off.
- ``parse_text_page``  a page-text dump: its title, date line and banner found first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.read.dates import find_date, parse_date
from indexer.read.legaltext import (
    DOCUMENT_EVIDENCE, METADATA_CHARS, document_header, find_motto, is_separator, is_upper, label_at,
    labeled_fields, squash, type_and_number,
)

__all__ = ["PageFields", "build_page", "parse_text_page", "tidy_article", "drop_repeats", "publisher",
           "is_date_line", "is_file_name"]

# Lines that are page furniture wherever they occur, e.g. "Chia sẻ: Facebook Twitter Zalo".
_BOILERPLATE_RE = re.compile(
    r"(?:chia sẻ|share)\b.*"             # share widgets: "Chia sẻ: Facebook Twitter Zalo"
    r"|(?:facebook|twitter|zalo|email|in bài viết|in trang|bản in|quay lại|về đầu trang|lên đầu trang)"
    r"|(?:lượt xem|số lượt xem)\s*:?\s*[\d.]*"  # view counters: "Lượt xem: 1.234"
    r"|nhập (?:nội dung ý kiến|tên|email|mã xác nhận)(?: của bạn)?\.?"  # comment form fields
    r"|gửi (?:ý kiến|bình luận)|ý kiến (?:của bạn|bạn đọc)|mã xác nhận:?",
    re.IGNORECASE,
)
# A line after which the rest of the page is furniture, e.g. "File đính kèm", "Tin liên quan".
_TAIL_RE = re.compile(
    r"(?:file|tệp|tài liệu) đính kèm:?|nhập nội dung ý kiến của bạn\.?|ý kiến bạn đọc|gửi ý kiến"
    r"|(?:các |những )?(?:bài viết|tin)(?: cùng chuyên mục| liên quan| khác)|tin cùng chuyên mục|xem thêm",
    re.IGNORECASE,
)
_ATTACHMENT_HEAD_RE = re.compile(r"(?:file|tệp|tài liệu) đính kèm:?\s*(?P<rest>.*)", re.IGNORECASE)
# A file name in an attachment block, e.g. "KH 93-KH-UBND.pdf".
_FILE_NAME_RE = re.compile(r"\S.{0,200}?\.(?:pdf|docx?|xlsx?|pptx?|odt|rtf|zip|rar|7z|jpe?g|png|txt)(?!\w)",
                           re.IGNORECASE)

# A credit line that may follow the author, e.g. "Theo tuyenquang.gov.vn", "Nguồn: Báo Thanh Hóa".
_CREDIT_RE = re.compile(r"(?:Theo|Nguồn)\b.*")
# A weekday date line under a title, e.g. "Thứ tư 17/10/2018 22:09:45 Địa phương".
_WEEKDAY_LINE_RE = re.compile(r"(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|Chủ\s+nhật)\b", re.IGNORECASE)
# The site owner in a footer, e.g. "Cơ quan chủ quản: Sở Tư pháp tỉnh Thanh Hóa".
_PUBLISHER_RE = re.compile(r"(?:Cơ quan chủ quản|Đơn vị chủ quản|Cơ quan quản lý)\s*:\s*(?P<value>[^\n|;]+)")
_PUBLISHER_END_RE = re.compile(r"\.(?:\s|$)|\s[-–]\s|\s*(?:Địa chỉ|Điện thoại|ĐT|Email|Fax|Giấy phép|Chịu trách"
                               r"|Trưởng ban|Người chịu)\b|\.\.\.|…")

_MIN_REPEAT_CHARS = 80  # shorter repeats ("Điều 1.") are normal writing, not copy-paste
_MAX_TITLE_CHARS = 1000


@dataclass(frozen=True)
class PageFields:
    """What one page says about itself; strings stay ``""`` when the page does not say."""

    title: str = ""
    body: tuple[str, ...] = ()
    kind: str = "article"
    date: str = ""
    doc_number: str = ""
    doc_type: str = ""
    agency: str = ""
    signer: str = ""
    effective_date: str = ""
    status: str = ""
    field: str = ""
    author: str = ""
    attachments: tuple[str, ...] = ()


def is_file_name(text: str) -> bool:
    """``"KH 93-KH-UBND.pdf"`` → True: a link text that names an attached file."""
    return bool(_FILE_NAME_RE.fullmatch(text.strip()))


def is_date_line(line: str) -> bool:
    """A line that is only an article date: ``"Ngày tạo: 22/04/2023 16:23:56"``."""
    label = label_at(line.strip())
    if label and label[0] in ("published", "updated"):
        return bool(parse_date(line.strip()[label[1]:]))
    return bool(parse_date(line))


def publisher(text: str) -> str:
    """The site owner a footer names: ``"Cơ quan chủ quản: Sở Tư pháp tỉnh Thanh Hóa. Địa chỉ…"``."""
    match = _PUBLISHER_RE.search(text)
    if not match:
        return ""
    value = _PUBLISHER_END_RE.split(match["value"], maxsplit=1)[0]
    return squash(value)[:150]


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """Drop a paragraph repeated verbatim, and a long earlier paragraph copied into a later one."""
    kept: list[str] = []
    seen: set[str] = set()
    for para in paragraphs:
        if para in seen:
            continue
        for earlier in kept:
            if len(earlier) >= _MIN_REPEAT_CHARS and earlier in para and earlier != para:
                para = _cut_sentence_run(para, earlier)
        if para and para not in seen:
            seen.add(para)
            kept.append(para)
    return kept


def _cut_sentence_run(para: str, run: str) -> str:
    """Remove ``run`` from ``para`` where it stands as whole sentences (at a sentence boundary)."""
    start = para.find(run)
    while start != -1:
        end = start + len(run)
        before_ok = start == 0 or para[:start].rstrip()[-1:] in ".!?;:…”\""
        after_ok = end == len(para) or para[end] == " "
        if before_ok and after_ok:
            return squash(para[:start] + " " + para[end:])
        start = para.find(run, start + 1)
    return para


def _split_tail(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(body, attachment names): the body stops at "File đính kèm", the comment form, "Tin liên quan"."""
    for i, para in enumerate(paragraphs):
        head = _ATTACHMENT_HEAD_RE.fullmatch(para)
        if head or _TAIL_RE.fullmatch(para):
            return paragraphs[:i], _attachment_names([head["rest"]] + paragraphs[i + 1:]) if head else []
    return paragraphs, []


def _attachment_names(lines: list[str]) -> list[str]:
    """File names listed under "File đính kèm", up to the next piece of page furniture."""
    names: list[str] = []
    for line in lines:
        if _TAIL_RE.fullmatch(line) or _BOILERPLATE_RE.fullmatch(line):
            break
        names += [match.group(0).strip() for match in _FILE_NAME_RE.finditer(line)]
    return names


def _is_name(line: str) -> bool:
    """A person's name on its own line: "Lâm Anh", "Nguyễn Thị Thu Hà" (2–5 capitalised words)."""
    words = line.split()
    return 2 <= len(words) <= 5 and len(line) <= 40 and all(
        word.isalpha() and word[0].isupper() and (word[1:].islower() or len(word) == 1) for word in words)


def tidy_article(paragraphs: list[str], title: str = "") -> tuple[list[str], list[str], str]:
    """(body, attachment names, author) of an article's paragraphs; see the module docstring."""
    body, names = _split_tail([squash(p) for p in paragraphs])
    body = [p for p in body if not is_separator(p) and not _BOILERPLATE_RE.fullmatch(p)
            and not is_date_line(p) and p != squash(title)]
    body = drop_repeats(body)
    author = ""
    for back in (1, 2):
        if len(body) > back and _is_name(body[-back]) and (back == 1 or _CREDIT_RE.fullmatch(body[-1])):
            author = body.pop(-back)
            break
    return body, names, author


def _title_line(line: str) -> bool:
    """A line that can be a page title: has lower case, ≥ 3 words, not a label, list item or motto."""
    return (not is_upper(line) and len(line.split()) >= 3 and len(line) <= _MAX_TITLE_CHARS
            and not label_at(line) and not line.startswith(("-", "•", "*", "+"))
            and not _BOILERPLATE_RE.fullmatch(line) and "Độc lập - Tự do" not in line
            and not is_date_line(line))


def _repeated_prefix(text: str) -> str:
    """The longest word-aligned start of a flattened page that occurs again later (its title)."""
    best = ""
    for match in re.finditer(r"\S+", text[:_MAX_TITLE_CHARS]):
        prefix = text[:match.end()]
        if text.find(prefix, match.end()) == -1:
            break
        best = prefix
    return best if len(best.split()) >= 3 else ""


def _anchor(lines: list[str]) -> int:
    """Index of the article date line near the top ("Ngày tạo: …", "Thứ tư 17/10/2018 …"), or -1."""
    for i, line in enumerate(lines[:15]):
        if is_date_line(line) or (_WEEKDAY_LINE_RE.match(line) and find_date(line[:40])):
            return i
    return -1


def _motto_line(lines: list[str]) -> int:
    """Index of the line where the national motto starts (it may be broken over lines), or -1."""
    joined = "\n".join(lines[:80])
    offset = find_motto(joined)
    return joined.count("\n", 0, offset) if offset >= 0 else -1


def _title_of(lines: list[str], header: dict[str, str]) -> tuple[str, int]:
    """(title, index of its line or -1): see ``parse_text_page`` for the order of the rules."""
    if lines and len(lines[0]) > _MAX_TITLE_CHARS:
        prefix = _repeated_prefix("\n".join(lines))
        if prefix:
            return prefix, 0
    anchor = _anchor(lines)
    for i in range(anchor - 1, -1, -1):
        if _title_line(lines[i]):
            return lines[i], i
    motto = _motto_line(lines)
    for i, line in enumerate(lines[:60] if motto < 0 else lines[:motto]):
        if _title_line(line):
            return line, i
    return header.get("title", ""), -1


def build_page(lines: list[str], *, title: str, body_start: int, known: dict[str, str]) -> PageFields:
    """Fields of a page from its lines, its title and what the markup already said (``known``)."""
    text = "\n".join(lines)
    labels = {**labeled_fields(text), **{k: v for k, v in known.items() if v}}
    header = document_header(text)
    if DOCUMENT_EVIDENCE & labels.keys() or header:
        return _document_page(lines[body_start:], title, labels, header)
    body, names, author = tidy_article(lines[body_start:], title)
    return PageFields(
        title=title, body=tuple(body), kind="article",
        date=labels.get("published") or labels.get("updated", ""),
        agency=labels.get("publisher") or publisher(text), author=labels.get("author") or author,
        attachments=tuple(names),
    )


def _document_page(lines: list[str], title: str, labels: dict[str, str], header: dict[str, str]) -> PageFields:
    title = labels.get("title") or title or header.get("title", "")
    title_type, title_number = type_and_number(title)
    top = len("\n".join(lines)[:METADATA_CHARS].splitlines())
    body = [line for i, line in enumerate(lines) if line != title
            and not is_separator(line) and not (i < top and label_at(line))]
    return PageFields(
        title=title, body=tuple(body), kind="document",
        date=labels.get("date") or header.get("date", ""),
        doc_number=labels.get("doc_number") or header.get("doc_number") or title_number,
        doc_type=labels.get("doc_type") or header.get("doc_type") or title_type,
        agency=labels.get("agency") or header.get("agency", ""), signer=labels.get("signer", ""),
        effective_date=labels.get("effective_date", ""), status=labels.get("status", ""),
        field=labels.get("field", ""), author=labels.get("author", ""),
    )


def parse_text_page(text: str) -> PageFields:
    """Fields of a page-text dump (one block per line), e.g. the Thanh Hóa seed article.

    Title: on a one-line (flattened) page, its longest start that recurs later; else the last
    title-like line above the article date line ("Ngày tạo: …"); else the first title-like line
    above the national motto; else the legal heading ("QUYẾT ĐỊNH …"). Banner lines above the
    title and the date line are not body.
    """
    lines = [squash(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    header = document_header("\n".join(lines))
    title, index = _title_of(lines, header)
    if index == 0 and title != lines[0]:
        lines = [title, lines[0][len(title):].strip()] + lines[1:]
    anchor = _anchor(lines)
    known = {"published": find_date(lines[anchor][:60])} if anchor >= 0 else {}
    return build_page(lines, title=title, body_start=max(index, anchor) + 1, known=known)
