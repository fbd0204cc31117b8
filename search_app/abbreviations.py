"""Common abbreviations of Vietnamese administrative writing, understood both ways.

``UBND`` in a query also finds "Ủy ban nhân dân", and "uy ban nhan dan" also finds ``UBND``: each entry
is a short form and its long form, compared as folded syllables (so accented and unaccented queries
behave alike). The type codes are those of Nghị định 30/2020/NĐ-CP, Phụ lục III (DOMAIN.md §2).

    >>> segments(["quyet", "dinh", "cua", "ubnd"])
    [(('quyet', 'dinh'), ('qd',)), (('cua',), None), (('ubnd',), ('uy', 'ban', 'nhan', 'dan'))]
"""

from __future__ import annotations

from indexer.text.normalize import fold

__all__ = ["ABBREVIATIONS", "segments"]

# short form → long form, as people write them
ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",          # e.g. "Quyết định của UBND tỉnh"
    "HĐND": "Hội đồng nhân dân",        # e.g. "Nghị quyết của HĐND tỉnh"
    "UBTVQH": "Ủy ban thường vụ Quốc hội",
    "MTTQ": "Mặt trận Tổ quốc",
    "TAND": "Tòa án nhân dân",
    "VKSND": "Viện kiểm sát nhân dân",
    "NĐ-CP": "Nghị định",               # e.g. "NĐ-CP về bảo vệ dữ liệu cá nhân"
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "QĐ": "Quyết định",
    "KH": "Kế hoạch",
    "CT": "Chỉ thị",
    "NQ": "Nghị quyết",
    "BLDS": "Bộ luật Dân sự",
    "BLHS": "Bộ luật Hình sự",
    "BLLĐ": "Bộ luật Lao động",
}


def _syllables(text: str) -> tuple[str, ...]:
    return tuple(fold(text).lower().replace("-", " ").split())


# folded syllables → the other form's folded syllables, longest first so "nd cp" wins over "nd"
_PAIRS: dict[tuple[str, ...], tuple[str, ...]] = {}
for _short, _long in ABBREVIATIONS.items():
    _PAIRS.setdefault(_syllables(_short), _syllables(_long))
    _PAIRS.setdefault(_syllables(_long), _syllables(_short))
_LONGEST = max(len(k) for k in _PAIRS)


def segments(folded: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...] | None]]:
    """``folded`` syllables cut into runs, each with the other form of the abbreviation it is, or ``None``."""
    out: list[tuple[tuple[str, ...], tuple[str, ...] | None]] = []
    i = 0
    while i < len(folded):
        for n in range(min(_LONGEST, len(folded) - i), 0, -1):
            run = tuple(folded[i:i + n])
            if run in _PAIRS:
                out.append((run, _PAIRS[run]))
                i += n
                break
        else:
            out.append(((folded[i],), None))
            i += 1
    return out
