"""Pure: what the text of a legal document, or a page about one, says about the document.

- ``labeled_fields``   "Số hiệu: 187/KH-UBND Loại văn bản: Kế hoạch" → ``doc_number``, ``doc_type``.
- ``document_header``  the national-motto header of a legal text: agency, "Số:", place and date.
- ``heading``          the capitalised heading under it: "BỘ LUẬT" / "HÌNH SỰ" → ("Bộ luật", title).
- ``type_and_number``  a title that starts "Nghị định số 217/2026/NĐ-CP …".

Citations inside the text are ``indexer.cite.citations``' job; this module reads only the metadata.
"""

from __future__ import annotations

import re

from indexer.read.dates import find_date

__all__ = [
    "DOC_TYPES", "DOCUMENT_EVIDENCE", "METADATA_CHARS", "labeled_fields", "apply_label", "is_label", "label_at",
    "document_header", "heading", "type_and_number", "canonical_doc_type", "find_motto", "squash", "is_upper",
    "is_separator",
]

# Document types in their usual spelling; a heading "QUYẾT ĐỊNH" or a title "Nghị định số …" maps
# onto these. Longest first so "Thông tư liên tịch" wins over "Thông tư".
DOC_TYPES = tuple(sorted((
    "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Lệnh", "Sắc lệnh", "Nghị quyết", "Nghị quyết liên tịch",
    "Nghị định", "Quyết định", "Chỉ thị", "Thông tư", "Thông tư liên tịch", "Văn bản hợp nhất",
    "Kế hoạch", "Công văn", "Công điện", "Thông báo", "Thông tri", "Hướng dẫn", "Kết luận",
    "Chương trình", "Báo cáo", "Quy chế", "Quy định", "Đề án", "Phương án", "Tờ trình", "Án lệ",
), key=len, reverse=True))
_TYPE_BY_FOLD = {t.casefold(): t for t in DOC_TYPES}

# Metadata labels as the portals print them, and the Document field each fills. ``None`` marks a
# label that is recognised only so that it ends the value before it ("Ngày công báo: …").
# "Hiệu lực" is a date on congbao ("Hiệu lực: 01/07/2026") and a status on vbpl ("Còn hiệu lực").
_LABELS = {
    "Số ký hiệu": "doc_number", "Số hiệu": "doc_number", "Số văn bản": "doc_number",
    "Số án lệ": "doc_number",
    "Loại văn bản": "doc_type",
    "Cơ quan ban hành": "agency", "Nơi ban hành": "agency",
    "Người ký": "signer",
    "Ngày ban hành": "date", "Ban hành": "date", "Ngày thông qua": "date", "Ngày ký": "date",
    "Ngày có hiệu lực": "effective_date", "Ngày hiệu lực": "effective_date",
    "Ngày áp dụng": "effective_date", "Hiệu lực": "effective_or_status",
    "Tình trạng hiệu lực": "status", "Tình trạng": "status", "Trạng thái": "status",
    "Lĩnh vực": "field", "Lĩnh vực, ngành": "field",
    "Trích yếu": "title", "Tên án lệ": "title", "Tên văn bản": "title",
    "Ngày tạo": "published", "Ngày đăng": "published", "Đăng ngày": "published",
    "Ngày xuất bản": "published", "Cập nhật": "updated", "Ngày cập nhật": "updated",
    "Tác giả": "author",
    "Ngày hết hiệu lực": None, "Ngày công báo": None, "Ngày đăng công báo": None, "Số công báo": None,
    "Nguồn thu thập": None, "Phạm vi": None, "Chức danh": None, "Tên án lệ khác": None,
}
_LABEL_BY_FOLD = {label.casefold(): target for label, target in _LABELS.items()}
# Labels that make a page a legal-document page (not a news article).
DOCUMENT_EVIDENCE = {"doc_number", "doc_type", "signer", "date", "effective_date"}
_DATE_FIELDS = {"date", "effective_date", "published", "updated"}

# Values that mean "unknown" on the portals, e.g. phapluatcongdong.vn "Ngày hiệu lực: Đang cập nhật".
_PLACEHOLDERS = {"đang cập nhật", "đang cập nhập", "không có", "không số", "chưa có", "---", "...", "…"}

# A document number as printed: "93/KH-UBND", "217/2026/NĐ-CP", "44-KL/TW", "03/VBHN-VPQH".
_NUMBER = r"\d{1,6}(?:\s?[/-]\s?[0-9A-Za-zĐđƠơƯư]+)+"
# The national motto that opens every state document, e.g. "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
_MOTTO_RE = re.compile(r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM")
# The number line of the header, e.g. "Số: 93/KH-UBND", "Số:\n3713/QĐ-UBND", "Số: Không số".
_HEADER_NUMBER_RE = re.compile(r"(?<!\w)Số\s*:\s*(?P<number>" + _NUMBER + r"|Không số)")
# A title that starts with its type and number, e.g. "Nghị định số 217/2026/NĐ-CP quy định …".
_TYPE_NUMBER_RE = re.compile(
    r"(?P<type>" + "|".join(map(re.escape, DOC_TYPES)) + r")\s+(?:số\s+)?(?P<number>" + _NUMBER + r")",
    re.IGNORECASE,
)
# A section start that ends a heading, e.g. "LỜI NÓI ĐẦU", "Chương I", "Điều 1.", "Căn cứ …".
_SECTION_RE = re.compile(r"(?:LỜI NÓI ĐẦU|LỜI MỞ ĐẦU|PHẦN|CHƯƠNG|MỤC|ĐIỀU|CĂN CỨ)\b", re.IGNORECASE)
# The authority line under a heading, e.g. "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THANH HÓA".
_AUTHORITY_RE = re.compile(
    r"(?:(?:KT|TM|Q|TL|TUQ)\.\s*)?(?:CHỦ TỊCH|BỘ TRƯỞNG|THỦ TƯỚNG|ỦY BAN|UỶ BAN|HỘI ĐỒNG"
    r"|GIÁM ĐỐC|TỔNG GIÁM ĐỐC|TỔNG CỤC TRƯỞNG|TỔNG KIỂM TOÁN|CHÁNH ÁN|CHÁNH VĂN PHÒNG|VIỆN TRƯỞNG"
    r"|QUỐC HỘI|CHÍNH PHỦ)\b"
)
# A label value that starts with a date, e.g. "19/06/2026 - Hiệu lực: …", "Thứ tư, 17/10/2018", "ngày 5 …";
# "Nghị định có hiệu lực từ ngày 01/7/2023" is a sentence, not a date value.
_DATE_VALUE_RE = re.compile(r"(?:(?:thứ\s+\S+|chủ\s+nhật),?\s+)?(?:ngày\s+)?\d", re.IGNORECASE)
# A separator line, e.g. "-------", "__", "***", "|".
_SEPARATOR_RE = re.compile(r"[\s\-_=*~.|–—]*")
_LABEL_RE = re.compile(
    r"(?<![\w/])(?P<label>" + "|".join(map(re.escape, sorted(_LABELS, key=len, reverse=True)))
    + r")\s*(?::|\|)[ \t]*"
)
METADATA_CHARS = 3000  # labels are read only near the top: an article body may quote "Người ký: …"


def squash(text: str) -> str:
    """Whitespace runs → one space, ends trimmed: ``" Số  hiệu\n"`` → ``"Số hiệu"``."""
    return " ".join(text.split())


def is_upper(line: str) -> bool:
    """True when every letter is a capital: ``"TỈNH THANH HÓA"``; a line without letters is not."""
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def is_separator(line: str) -> bool:
    """A rule drawn with characters: ``"-------"``, ``"__"``, ``"|"`` (or an empty line)."""
    return bool(_SEPARATOR_RE.fullmatch(line))


def label_at(line: str) -> tuple[str, int] | None:
    """(field, end offset) of a label that starts the line: ``"Ngày tạo: 22/04/2023"`` → ``("published", 9)``."""
    match = _LABEL_RE.match(line)
    return (_LABELS[match["label"]] or "", match.end()) if match else None


def find_motto(text: str) -> int:
    """Offset of the national motto in the top of a text, or -1."""
    match = _MOTTO_RE.search(text[:METADATA_CHARS])
    return match.start() if match else -1


def canonical_doc_type(text: str) -> str:
    """``"QUYẾT ĐỊNH"`` → ``"Quyết định"``; an unknown type is returned as written."""
    text = squash(text)
    return _TYPE_BY_FOLD.get(text.casefold(), text)


def is_label(cell: str) -> bool:
    """True when the cell is a known metadata label (with or without a field to fill)."""
    return squash(cell).rstrip(":").strip().casefold() in _LABEL_BY_FOLD


def _value(target: str, raw: str) -> tuple[str, str]:
    """(field, value) for a label's raw value; dates → ISO; placeholders → ``""``."""
    value = squash(raw).strip(" ,;|")
    if value.casefold() in _PLACEHOLDERS:
        return target, ""
    date = find_date(value[:40]) if _DATE_VALUE_RE.match(value) else ""
    if target == "effective_or_status":
        return ("effective_date", date) if date else ("status", value)
    return target, date if target in _DATE_FIELDS else value


# A label that also states the type, e.g. "Số án lệ" on anle.toaan.gov.vn: the page is an Án lệ.
_LABEL_IMPLIES = {"số án lệ": ("doc_type", "Án lệ")}


def apply_label(out: dict[str, str], label: str, raw: str) -> None:
    """Fill ``out`` from one label/value pair; the first non-empty value of a field wins."""
    key = squash(label).rstrip(":").strip().casefold()
    target = _LABEL_BY_FOLD.get(key)
    if not target:
        return
    target, value = _value(target, raw)
    if value and not out.get(target):
        out[target] = value
        implied = _LABEL_IMPLIES.get(key)
        if implied and not out.get(implied[0]):
            out[implied[0]] = implied[1]


def labeled_fields(text: str) -> dict[str, str]:
    """``"Số hiệu: 187/KH-UBND Loại văn bản: Kế hoạch"`` → ``{"doc_number": …, "doc_type": …}``."""
    region = text[:METADATA_CHARS]
    matches = list(_LABEL_RE.finditer(region))
    out: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(region)
        raw = re.split(r"[\n|]", region[match.end():end], maxsplit=1)[0]
        apply_label(out, match["label"], raw[:300])
    return out


def type_and_number(title: str) -> tuple[str, str]:
    """``"Nghị định số 217/2026/NĐ-CP quy định …"`` → ``("Nghị định", "217/2026/NĐ-CP")``."""
    match = _TYPE_NUMBER_RE.match(title.strip())
    if not match:
        return "", ""
    return canonical_doc_type(match["type"]), re.sub(r"\s", "", match["number"])


def heading(lines: list[str]) -> tuple[str, str]:
    """(doc_type, title) of a legal text's capitalised heading: ``["BỘ LUẬT", "HÌNH SỰ", "__"]``."""
    taken: list[str] = []
    for line in lines:
        line = squash(line)
        if not line or is_separator(line):
            if taken:
                break
            continue
        if not is_upper(line) or _SECTION_RE.match(line) or _AUTHORITY_RE.match(line):
            break
        taken.append(line)
        if len(taken) == 6:
            break
    if not taken:
        return "", ""
    first = taken[0].casefold()
    doc_type = _TYPE_BY_FOLD.get(first, "")
    return doc_type, " ".join(taken)


def document_header(text: str) -> dict[str, str]:
    """Agency, number, date and heading from a legal text's header (empty dict if it has none)."""
    motto = _MOTTO_RE.search(text[:METADATA_CHARS])
    if not motto:
        return {}
    out: dict[str, str] = {}
    agency: list[str] = []
    for line in reversed(text[:motto.start()].splitlines()):
        line = squash(line.replace("|", " "))
        if not line or is_separator(line) or _HEADER_NUMBER_RE.match(line):
            continue
        if not is_upper(line):
            break
        agency.insert(0, line)
    out["agency"] = " ".join(agency)
    after = text[motto.end():motto.end() + 600]
    number = _HEADER_NUMBER_RE.search(text[max(0, motto.start() - 300):motto.end() + 300])
    if number and number["number"] != "Không số":
        out["doc_number"] = re.sub(r"\s", "", number["number"])
    out["date"] = find_date(after)
    date_line = re.search(r"năm\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", after)
    if date_line:
        rest = text[motto.end() + date_line.end():].splitlines()[1:40]
        out["doc_type"], out["title"] = heading(rest)
    return {k: v for k, v in out.items() if v}


