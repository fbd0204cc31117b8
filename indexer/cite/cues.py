"""Cue phrases of relations between documents, kept as data in one place (matched on ``fold(text)``).

Sources (each cue says which it follows):

* [CB]   Gazette full texts, ``../shared/data/congbao_8chude_fulltext`` (414 laws, decrees, circulars):
         "Căn cứ" lines, "Điều … Hiệu lực thi hành" articles, amending articles. Counts of sentences
         with a number nearby are in ``../shared/DOMAIN.md`` §6.
* [CBW]  Gazette web pages, ``../shared/data/congbao_phapdien_webtext`` (page metadata such as
         "Được thay thế bởi Nghị định số 74/2024/NĐ-CP").
* [BD]   Bình Dương "văn bản chỉ đạo điều hành" abstracts, ``../shared/data/binhduong_van_ban_chi_dao_dieu_hanh``
         ("triển khai thực hiện Chỉ thị số …").
* [SEED] The Thanh Hóa page in ``../shared/seeds`` ("Kế hoạch thực hiện Kết luận số 44-KL/TW").
* [VBPL] vbpl.vn's "Lược đồ" group names (``DOMAIN.md`` §6), for the labels.

A cue is a regular expression over folded text (lowercase, no diacritics, đ → d; one character for one,
so offsets hold). Each relation's cues are alternatives; ``\\s+`` between words absorbs line breaks.
"""

from __future__ import annotations

__all__ = ["RELATIONS", "ACTIVE", "PASSIVE", "BASIS", "IMPLEMENTS", "SUBJECT_CUES", "NOT_ACTIVE_BEFORE",
           "GAP_WORDS", "PROVISION_WORDS", "NEGATION", "LABELS", "REVERSE_LABELS", "STRENGTH",
           "PASSIVE_GAP_WORDS", "STRONG_LEAD", "NOT_SUBJECT_BETWEEN", "NOT_SUBJECT_BEFORE",
           "WHERE_GAP", "WHERE_GAP_RELATIONS", "OUTLINE", "OUTLINE_HEADING"]

# Every relation value, in the order the entry page shows its groups.
RELATIONS = ("can_cu", "huong_dan", "sua_doi", "thay_the", "bai_bo", "het_hieu_luc", "thuc_hien",
             "bi_huong_dan", "bi_sua_doi", "bi_thay_the", "bi_bai_bo", "bi_het_hieu_luc", "dan_chieu")

# When one entry cites a document several ways, the pair is shown under the strongest.
STRENGTH = ("thay_the", "bai_bo", "het_hieu_luc", "sua_doi", "huong_dan", "can_cu", "thuc_hien",
            "bi_thay_the", "bi_bai_bo", "bi_het_hieu_luc", "bi_sua_doi", "bi_huong_dan", "dan_chieu")

# A sentence that starts with one of these rests on every document it names. [CB]
# e.g. "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;", "Căn cứ vào Nghị quyết số 18-NQ/TW …",
# "Căn cứ Luật Bảo hiểm xã hội số 58/2014/QH13 đã được sửa đổi, bổ sung bởi Luật số 35/2018/QH14;"
BASIS = r"can\s+cu(?:\s+vao)?\b"

# A sentence that starts with one of these implements the documents it names. [BD] [SEED]
# e.g. "Thực hiện Chỉ thị số 18/CT-TTg ngày 09/7/2018 của Thủ tướng Chính phủ, …",
# "Triển khai Kế hoạch số 93/KH-UBND …", "Quán triệt Nghị quyết số 27-NQ/TW …"
IMPLEMENTS = r"(?:thuc\s+hien|trien\s+khai(?:\s+thuc\s+hien)?|quan\s+triet|tiep\s+tuc\s+thuc\s+hien)\b"

# Active cues: the citing entry does this to the documents named right after the cue.
ACTIVE: dict[str, tuple[str, ...]] = {
    "thay_the": (
        r"thay\s+the(?:\s+cho)?",                  # e.g. "Nghị định này thay thế Nghị định số 123/2016/NĐ-CP" [CB]
    ),
    "bai_bo": (
        r"bai\s+bo",                               # e.g. "Bãi bỏ Điều 5 Thông tư số 12/2015/TT-BTC" [CB]
        r"thu\s+hoi",                              # e.g. "thu hồi quyết định số 4460/qđ-ubnd ngày 30/12/2014" [BD]
    ),
    "het_hieu_luc": (
        r"(?:het|cham\s+dut)\s+hieu\s+luc(?:\s+thi\s+hanh)?\s+(?:doi\s+voi|cua)",  # e.g. "chấm dứt hiệu lực của Quyết định số …" [CB]
    ),
    "sua_doi": (
        r"sua\s+doi(?:\s*,\s*|\s+va\s+|\s+)bo\s+sung",  # e.g. "sửa đổi, bổ sung một số điều của Nghị định số 126/2020/NĐ-CP" [CB]
        r"dieu\s+chinh(?:\s*,\s*bo\s+sung)?",  # e.g. "điều chỉnh khoản 1 điều 2 tại quyết định số 2362/qđ-ubnd" [BD]
        r"sua\s+doi", r"bo\s+sung",                # e.g. "Sửa đổi khoản 2 Điều 3 Thông tư số …" [CB]
        r"dinh\s+chinh",                           # e.g. "Đính chính Nghị định số …" [CB]
    ),
    "huong_dan": (
        r"quy\s+dinh\s+chi\s+tiet(?:\s+va\s+huong\s+dan\s+thi\s+hanh)?",  # e.g. "Quy định chi tiết một số điều của Luật …" [CB]
        r"huong\s+dan\s+(?:thi\s+hanh|thuc\s+hien|trien\s+khai)",  # e.g. "hướng dẫn thi hành Nghị định số …" [CB]
        r"huong\s+dan",                            # e.g. "Thông tư hướng dẫn Nghị định số 15/2020/NĐ-CP" [CB]
    ),
    "thuc_hien": (
        r"(?:to\s+chuc\s+)?trien\s+khai(?:\s+thuc\s+hien|\s+thi\s+hanh)?",  # e.g. "triển khai thực hiện Chỉ thị số 18/CT-TTg" [BD]
        r"(?:hoc\s+tap\s*,\s*)?quan\s+triet(?:\s*,\s*trien\s+khai)?(?:\s+va\s+thuc\s+hien)?",  # e.g. "quán triệt Nghị quyết số …" [BD]
        r"(?:tiep\s+tuc\s+|to\s+chuc\s+)?thuc\s+hien",  # e.g. "Kế hoạch thực hiện Kết luận số 44-KL/TW" [SEED]
    ),
}

# Cues whose subject is the document named *before* them: "Thông tư số … hết hiệu lực kể từ ngày …". [CB]
SUBJECT_CUES: dict[str, tuple[str, ...]] = {
    "het_hieu_luc": (
        r"(?:het|cham\s+dut)\s+hieu\s+luc",        # e.g. "Luật bảo hiểm xã hội số 71/2006/QH11 hết hiệu lực kể từ ngày …" [CB]
    ),
}

# Passive cues: the citing entry is the one affected, by the document named right after. [CBW]
# e.g. "Được thay thế bởi Nghị định số 74/2024/NĐ-CP", "Bị bãi bỏ bởi Thông tư số …",
# "Được sửa đổi, bổ sung bởi …", "Hết hiệu lực bởi Quyết định số …", "Được hướng dẫn bởi …"
PASSIVE: dict[str, tuple[str, ...]] = {
    "bi_thay_the": (r"(?:duoc|bi)\s+thay\s+the\s+(?:boi|bang|theo)",),  # e.g. "Mẫu này được thay thế theo …" [CB]
    "bi_bai_bo": (r"(?:duoc|bi)\s+bai\s+bo\s+(?:boi|tai|theo)",),
    "bi_sua_doi": (r"(?:duoc|bi)\s+sua\s+doi\s*,\s*bo\s+sung(?:\s*,\s*(?:thay\s+the|bai\s+bo))+\s+(?:boi|tai|theo)",
                   # e.g. "Được sửa đổi, bổ sung, thay thế bởi Nghị định số 77/2024/NĐ-CP" [CB]
                   r"(?:duoc|bi)\s+(?:sua\s+doi(?:\s*,\s*|\s+va\s+|\s+)bo\s+sung|sua\s+doi|bo\s+sung)"
                   r"(?:\s+mot\s+so\s+dieu)?\s+(?:boi|tai|theo)",),  # e.g. "đã được sửa đổi, bổ sung một số điều theo Luật số …" [CB]
    "bi_het_hieu_luc": (r"(?:bi\s+)?(?:het|cham\s+dut)\s+hieu\s+luc\s+(?:boi|theo)",),
    "bi_huong_dan": (r"(?:duoc|bi)\s+(?:huong\s+dan|quy\s+dinh\s+chi\s+tiet)\s+(?:boi|tai|theo)",),
}

# Words right before an active cue that make it no act of the citing entry: a proposal, a report on
# someone else's act, a negation, or a reference ("theo hướng dẫn tại Công văn số …"). [CB] [BD]
# e.g. "đề nghị bãi bỏ", "kiến nghị sửa đổi", "chưa thay thế", "theo hướng dẫn của Sở Tư pháp tại …",
# "việc thực hiện theo Nghị định số …", "dự thảo Nghị định sửa đổi …", "nghiên cứu, sửa đổi", and the
# passive "được sửa đổi tại …" that ``PASSIVE`` reads
NOT_ACTIVE_BEFORE = (r"(?:duoc|bi|thuoc|de\s+nghi|kien\s+nghi|de\s+xuat|xem\s+xet|nghien\s+cuu|du\s+thao|du\s+kien|chua|khong|"
                     r"se|theo|ket\s+qua|tinh\s+hinh|trach\s+nhiem|can|phai)\s*,?\s*$")

# Right before a subject cue, what makes it no declaration: a negation ("chưa hết hiệu lực", "không hết
# hiệu lực"), or a report of a past fact ("… đã hết hiệu lực pháp luật"). [CB] [CBW]
NEGATION = r"(?:chua|khong|van\s+con|con|da)\s+$"

# Words allowed between a cue and the document it governs (folded). [CB]
# e.g. "sửa đổi, bổ sung [một số điều của] Nghị định số …", "bãi bỏ [toàn bộ] Quyết định số …",
# "thay thế [cho] Thông tư số …", "triển khai thực hiện [có hiệu quả] Chỉ thị số …",
# "thay thế [các Thông tư:] Thông tư số …", "Thay thế cụm từ “…” [bằng] cụm từ “…” tại khoản 9 Điều 1 Thông tư số …"
GAP_WORDS = (r"mot\s+so\s+dieu|mot\s+so\s+noi\s+dung|cac\s+dieu|cac\s+van\s+ban|van\s+ban|toan\s+bo|cac|cua|tai|bang|"
             r"cac\s+(?:thong\s+tu|nghi\s+dinh|quyet\s+dinh|nghi\s+quyet)(?:\s+sau(?:\s+day)?)?\s*:|"
             r"cho|nhung|noi\s+dung|tinh\s+than|sau\s+day|sau|nghiem\s+tuc|co\s+hieu\s+qua|hieu\s+qua|tot|va|"
             r"mot\s+phan|doi\s+voi|quy\s+dinh|phu\s+luc\s*[ivx\d]*|ban\s+hanh\s+kem\s+theo|kem\s+theo")

# Provisions named between a repeal or an amendment and the document: the act then touches part of it.
# e.g. "Bãi bỏ Điều 5, khoản 2 Điều 7 Thông tư số …", "bãi bỏ điểm a khoản 1 Điều 3 của Nghị định số …" [CB]
PROVISION_WORDS = r"(?:dieu|khoan|diem|chuong|muc|phu\s+luc|mau|cum\s+tu|mot\s+so\s+dieu|mot\s+phan)\b"

# vbpl.vn's names for each group (``DOMAIN.md`` §6) as the citing entry's page lists what it cites. [VBPL]
LABELS = {
    "can_cu": "Văn bản căn cứ", "huong_dan": "Văn bản được hướng dẫn", "sua_doi": "Văn bản được sửa đổi, bổ sung",
    "thay_the": "Văn bản bị thay thế", "bai_bo": "Văn bản bị bãi bỏ", "het_hieu_luc": "Văn bản hết hiệu lực",
    "thuc_hien": "Thực hiện", "bi_huong_dan": "Được hướng dẫn bởi", "bi_sua_doi": "Được sửa đổi, bổ sung bởi",
    "bi_thay_the": "Bị thay thế bởi", "bi_bai_bo": "Bị bãi bỏ bởi", "bi_het_hieu_luc": "Hết hiệu lực theo",
    "dan_chieu": "Văn bản dẫn chiếu",
}
# The same relations as the cited document's page lists who cites it ("cited by"). [VBPL]
REVERSE_LABELS = {
    "can_cu": "Là căn cứ của", "huong_dan": "Văn bản hướng dẫn", "sua_doi": "Văn bản sửa đổi, bổ sung",
    "thay_the": "Văn bản thay thế", "bai_bo": "Văn bản bãi bỏ", "het_hieu_luc": "Văn bản quy định hết hiệu lực",
    "thuc_hien": "Được thực hiện bởi", "bi_huong_dan": "Văn bản được hướng dẫn",
    "bi_sua_doi": "Văn bản được sửa đổi, bổ sung", "bi_thay_the": "Văn bản bị thay thế",
    "bi_bai_bo": "Văn bản bị bãi bỏ", "bi_het_hieu_luc": "Văn bản hết hiệu lực", "dan_chieu": "Được dẫn chiếu bởi",
}

# What may follow a passive cue before its document: "được thay thế bằng cụm từ “…” theo quy định tại …". [CB]
PASSIVE_GAP_WORDS = r"theo\s+quy\s+dinh\s+tai|theo|bang\s+cum\s+tu|cum\s+tu|bang"

# Right before a cue that ends a document, what shows the citing entry is its subject: nothing (the
# clause starts with it: "Bãi bỏ Thông tư số …"), "này" ("Thông tư này thay thế …"), a type word
# ("ban hành Thông tư bãi bỏ Thông tư liên tịch số …", "Quyết định có hiệu lực kể từ ngày ký và thay thế …")
# or other cues ("Sửa đổi, bãi bỏ một số điều …"). [CB]
STRONG_LEAD = (r"^(?:\(|\s|,|:|-|\d|va\b|sua\s+doi|bo\s+sung|thay\s+the|bai\s+bo)*$|^\s*(?:v/v|ve\s+viec)\s*$"
               r"|^(?:thong\s+tu|nghi\s+dinh|quyet\s+dinh|nghi\s+quyet|luat|chi\s+thi|ke\s+hoach)\s+co\s+hieu\s+luc"
               r"|(?<![a-z])nay(?![a-z])|(?:thong\s+tu|nghi\s+dinh|quyet\s+dinh|nghi\s+quyet|luat|chi\s+thi|"
               r"phap\s+lenh|thong\s+tu\s+lien\s+tich)\s*$")

# Between a document and "hết hiệu lực", what shows the subject is something else: its abstract
# ("Quyết định số … về việc công bố Danh mục văn bản … đã hết hiệu lực"), "văn bản", a time clause. [CBW] [CB]
NOT_SUBJECT_BETWEEN = r"\b(?:ve\s+viec|v/v|cong\s+bo|danh\s+muc|van\s+ban)\b"
NOT_SUBJECT_BEFORE = r"\b(?:den\s+ngay|den\s+khi|cho\s+den)\b"

# A repeal or an amendment may name what it removes in free words, then where that is: "Bãi bỏ điều kiện
# kinh doanh … quy định tại khoản 1 Điều 61 Nghị định số 52/2013/NĐ-CP" (a part of that document). [CB]
WHERE_GAP = r"[^;.\n]{0,200}?(?<![a-z])quy\s+dinh\s+tai\s+"
WHERE_GAP_RELATIONS = ("bai_bo", "sua_doi")

# A portal page's "Lược đồ" flattened into its text: "Văn bản căn cứ [2] 76/2015/QH13 Luật số 76/2015/QH13 …
# Văn bản dẫn chiếu [0] …"; the documents listed under a heading stand in that relation to the page's own
# (folded heading → relation). The headings that merge "thay thế" with "bãi bỏ", and "căn cứ văn bản
# này" (documents resting on this one: no relation of ours says that), are only references. [CBW] [VBPL]
OUTLINE = {
    "van ban can cu": "can_cu",
    "van ban can cu van ban nay": "dan_chieu",
    "van ban sua doi bo sung/dinh chinh": "bi_sua_doi",
    "van ban bi sua doi bo xung/duoc dinh chinh": "sua_doi",
    "van ban huong dan": "bi_huong_dan",
    "van ban duoc huong dan": "huong_dan",
    "van ban dan chieu": "dan_chieu",
}
OUTLINE_HEADING = r"van\s+ban\s+[a-z/ ,]{2,70}?\s*\[\d+\]"  # e.g. "Văn bản căn cứ [2]"
