"""Pure date parsing for Vietnamese pages and records: every accepted form → ISO ``YYYY-MM-DD``.

``parse_date(text)``  the whole string is one date (a time or a weekday around it is allowed).
``find_date(text)``   the first valid date anywhere in the text.

Accepted forms (day first, as Vietnamese writes them):
``22/04/2023``, ``22-4-2023``, ``22.04.2023``, ``ngày 22 tháng 4 năm 2023``, ISO ``2023-04-22``,
and any of them followed by a time (``22/04/2023 16:23:56``, ``2023-04-22T16:23:56+07:00``).
An impossible date (``31/02/2023``) gives ``""``: nothing is invented.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["parse_date", "find_date", "iso_date", "MIN_YEAR", "MAX_YEAR"]

# Years outside this range are typing errors, not legal documents (the oldest in vbpl.vn are 1945).
MIN_YEAR = 1800
MAX_YEAR = 2199

_DAY = r"(?P<d>0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?P<m>0?[1-9]|1[0-2])"
_YEAR = r"(?P<y>\d{4})"

_PIECES = {
    # Day first with one separator used twice, e.g. "22/04/2023", "22-4-2023", "22.04.2023".
    "dmy": _DAY + r"\s*(?P<sep>[/.-])\s*" + _MONTH + r"\s*(?P=sep)\s*" + _YEAR,
    # Written out, "ngày" optional, e.g. "ngày 22 tháng 4 năm 2023", "27 tháng 11 năm 2015".
    "words": r"(?:ngày\s+)?" + _DAY + r"\s+tháng\s+" + _MONTH + r"\s+năm\s+" + _YEAR,
    # ISO, e.g. "2023-04-22", "2023-04-22T16:23:56+07:00".
    "iso": _YEAR + r"-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])",
}

# One alternation per form, so a match says which groups to read. Digits must not touch the date:
# "122/04/20231" is not a date.
_FORMS = [
    (name, re.compile(r"(?<!\d)" + pattern + r"(?!\d)", re.IGNORECASE))
    for name, pattern in _PIECES.items()
]

# What may surround a date in a field: a weekday ("Thứ tư", "Chủ nhật"), a time
# ("16:23:56", "T16:23:56+07:00", "16h23"), commas and spaces, e.g. "Thứ tư, 17/10/2018 22:09:45".
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)\s*,?\s*"
_TIME = r"(?:[T\s,]+\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|AM|PM|SA|CH))?)?"
_WHOLE = re.compile(r"\s*(?:" + _WEEKDAY + r")?(?P<date>.+?)" + _TIME + r"\s*\.?\s*", re.IGNORECASE | re.DOTALL)


def iso_date(year: int, month: int, day: int) -> str:
    """``(2023, 4, 22)`` → ``"2023-04-22"``; an impossible day or a far year → ``""``."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return ""
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _from_match(match: re.Match) -> str:
    return iso_date(int(match["y"]), int(match["m"]), int(match["d"]))


def parse_date(text: str) -> str:
    """The whole string as a date: ``"22/04/2023 16:23:56"`` → ``"2023-04-22"``; else ``""``."""
    if not text:
        return ""
    whole = _WHOLE.fullmatch(text)
    if not whole:
        return ""
    core = whole["date"]
    for _name, form in _FORMS:
        match = form.fullmatch(core)
        if match:
            return _from_match(match)
    return ""


def find_date(text: str) -> str:
    """The first valid date in the text: ``"Hà Nội, ngày 27 tháng 11 năm 2015"`` → ``"2015-11-27"``."""
    if not text:
        return ""
    best: tuple[int, str] | None = None
    for _name, form in _FORMS:
        for match in form.finditer(text):
            iso = _from_match(match)
            if iso:
                if best is None or match.start() < best[0]:
                    best = (match.start(), iso)
                break
    return best[1] if best else ""
