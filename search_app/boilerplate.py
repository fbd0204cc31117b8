"""Question boilerplate: the words of how a question is asked, not of what it asks about.

Researchers paste exam-style questions ("…, đúng hay sai?", "Điều nào sau đây …"); those words are in
every question and in few law articles, so they only add noise to the ranking. ``strip_boilerplate``
removes them (compared folded, so unaccented questions lose the same words) unless nothing would be left.

    >>> strip_boilerplate("Hợp đồng lữ hành phải lập thành văn bản, đúng hay sai?")
    'Hợp đồng lữ hành phải lập thành văn bản'
"""

from __future__ import annotations

import re

from indexer.text.normalize import fold

__all__ = ["BOILERPLATE", "strip_boilerplate"]

# Folded phrases, each with a real ALQAC question (../shared/data/alqac2023_2024/beir/queries.jsonl) using it.
BOILERPLATE = (
    r"dung\s+hay\s+sai",                 # a23train:DS-1 "…cai nghiện ma túy tự nguyện, đúng hay sai?"
    r"(?:dieu|phat\s+bieu|nhan\s+dinh|y)\s+nao\s+(?:sau|duoi)\s+day(?:\s+la)?",  # "Điều nào sau đây là …"
    r"nao\s+(?:sau|duoi)\s+day",         # "Hành vi nào sau đây …", "Trường hợp nào dưới đây …"
    r"theo\s+quy\s+dinh\s+cua\s+phap\s+luat(?:\s+hien\s+hanh)?",  # "Theo quy định của pháp luật, …"
    r"nhu\s+the\s+nao",                  # "… được quy định như thế nào?"
    r"la\s+gi",                          # "… được gọi là gì?"
    r"gom\s+nhung\s+(?:gi|ai)",          # "… gồm những gì?"
)
# "có được … không?": the frame of a yes/no question around its content, e.g. "Người lao động có
# được đơn phương chấm dứt hợp đồng không?" → "Người lao động được đơn phương chấm dứt hợp đồng"
_YES_NO = re.compile(r"(?<!\w)co(?=\s+(?:duoc|phai|bi|can|the)(?!\w))|(?<!\w)khong\W*$")
_PHRASES = re.compile(r"(?<!\w)(?:" + "|".join(BOILERPLATE) + r")(?!\w)")
_SPACES = re.compile(r"\s+")


def strip_boilerplate(text: str) -> str:
    """``text`` without the question's boilerplate; unchanged when only boilerplate is there."""
    folded = fold(text).lower()  # same length as ``text``: cut the original at the folded offsets
    if len(folded) != len(text):
        return text
    cuts = [m.span() for m in _PHRASES.finditer(folded)]
    frame = [m.span() for m in _YES_NO.finditer(folded)]
    if len(frame) >= 2 and folded[frame[-1][0]:].startswith("khong"):  # both "có" and the final "không"
        cuts += frame
    if not cuts:
        return text
    keep, last = [], 0
    for start, end in sorted(cuts):
        if start >= last:
            keep.append(text[last:start])
        last = max(last, end)
    keep.append(text[last:])
    out = _SPACES.sub(" ", " ".join(keep)).strip(" ,.;:?!")
    return out if any(ch.isalnum() for ch in out) else text
