"""Code tables for Vietnamese document numbers, kept as data in one place.

Sources (each table says which it follows):

* [ND30]  Nghị định 30/2020/NĐ-CP on administrative documents, Phụ lục III (type abbreviations)
          and Phụ lục I §II.3 (number/symbol layout); summarised in ``../shared/DOMAIN.md`` §2.
* [LBH]   Luật Ban hành văn bản quy phạm pháp luật 80/2015/QH13, Điều 4 (normative types).
* [QD66]  Quy định 66-QĐ/TW (2017) and Hướng dẫn 36-HD/VPTW (2018): Party document types and the
          ``number-TYPE/ORGAN`` layout.
* [DATA]  Observed in the shared corpora (Pháp điển source notes pair a number with its issuer:
          ``src_so_hieu`` / ``src_co_quan_ban_hanh`` of ``phapdien_articles``; Bình Dương ``so_ky_hieu``;
          gazette "Căn cứ" lines of ``congbao_8chude``). Codes seen there but absent from [ND30] are
          marked ``# [DATA]``.

Codes are written in their official casing (``TTg``, ``CTr``, ``QĐi``). Matching folds case and
diacritics; where two codes fold alike (``HD`` Hướng dẫn / ``HĐ`` Hợp đồng) the spelling in the text
decides.
"""

from __future__ import annotations

__all__ = [
    "STATE_TYPES", "PARTY_TYPES", "ISSUERS", "PARTY_ORGANS", "CONTEXT_ISSUERS", "TYPE_WORDS",
    "LAW_HEADS", "LAW_NAMES", "ISSUER_PHRASES", "TERM_NUMBERED", "NOT_A_DOCUMENT_BEFORE",
    "NOT_A_LAW_BEFORE", "NAME_GENERIC_FIRST", "NAME_STOP", "NAME_STOP_PAIRS", "NAME_CAP_STOP",
    "NAME_FIRST_STOP", "NAME_COMMA_CONTINUES", "ORGAN_WORDS", "ISSUER_STOP_PAIRS",
]

# Type code → type name in state document symbols ("93/KH-UBND", "30/2020/NĐ-CP"). [ND30] [LBH]
STATE_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
    "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản",
    "TTr": "Tờ trình", "HĐ": "Hợp đồng", "CĐ": "Công điện", "BGN": "Bản ghi nhớ",
    "BTT": "Bản thỏa thuận", "GUQ": "Giấy ủy quyền", "GM": "Giấy mời", "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép", "PG": "Phiếu gửi", "PC": "Phiếu chuyển", "PB": "Phiếu báo",
    # normative types [LBH]
    "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch", "NQLT": "Nghị quyết liên tịch",
    "PL": "Pháp lệnh", "L": "Lệnh", "VBHN": "Văn bản hợp nhất",
    # older or non-standard codes that occur in real numbers [DATA]
    "QĐLT": "Quyết định liên tịch", "TTLB": "Thông tư liên bộ", "SL": "Sắc lệnh", "LCT": "Lệnh",
    "KL": "Kết luận", "CV": "Công văn", "QCPH": "Quy chế phối hợp",
}

# Type code → type name in Party symbols ("44-KL/TW"). [QD66]
PARTY_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐ": "Quyết định", "QĐi": "Quy định",
    "QC": "Quy chế", "HD": "Hướng dẫn", "TB": "Thông báo", "TT": "Thông tri", "KH": "Kế hoạch",
    "CTr": "Chương trình", "BC": "Báo cáo", "TTr": "Tờ trình", "CV": "Công văn", "ĐA": "Đề án",
    # Pre-1992 state numbers share the hyphen layout: "Luật số 18-L/CTN", "10-LCT/HĐNN8". [DATA]
    "L": "Luật", "LCT": "Lệnh", "SL": "Sắc lệnh",
}

# Issuer code → full name, for codes that name one body nationwide. [ND30] [DATA]
ISSUERS: dict[str, str] = {
    "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội", "CTN": "Chủ tịch nước",
    "CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "VPCP": "Văn phòng Chính phủ",
    "VPQH": "Văn phòng Quốc hội", "TTCP": "Thanh tra Chính phủ", "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "KTNN": "Kiểm toán nhà nước", "TANDTC": "Tòa án nhân dân tối cao",
    "VKSNDTC": "Viện kiểm sát nhân dân tối cao", "HĐTP": "Hội đồng Thẩm phán Tòa án nhân dân tối cao",
    "HĐNN": "Hội đồng Nhà nước", "HĐBT": "Hội đồng Bộ trưởng", "UBDT": "Ủy ban Dân tộc",
    "BQP": "Bộ Quốc phòng", "BCA": "Bộ Công an", "BNG": "Bộ Ngoại giao", "BTP": "Bộ Tư pháp",
    "BTC": "Bộ Tài chính", "BCT": "Bộ Công Thương", "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BGTVT": "Bộ Giao thông vận tải", "BXD": "Bộ Xây dựng", "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BTTTT": "Bộ Thông tin và Truyền thông", "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch", "BKHCN": "Bộ Khoa học và Công nghệ",
    "BGDĐT": "Bộ Giáo dục và Đào tạo", "BYT": "Bộ Y tế", "BNV": "Bộ Nội vụ",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    # ministries formed in the 2025 merger (the codes above stay valid for older documents) [DATA]
    "BNNMT": "Bộ Nông nghiệp và Môi trường", "BDTTG": "Bộ Dân tộc và Tôn giáo",
    # older names still cited [DATA]
    "BNN": "Bộ Nông nghiệp và Phát triển nông thôn", "BVHTT": "Bộ Văn hóa - Thông tin",
    "BTM": "Bộ Thương mại", "VKSTC": "Viện kiểm sát nhân dân tối cao", "TCT": "Tổng cục Thuế",
    "TLĐ": "Tổng Liên đoàn Lao động Việt Nam", "BHXH": "Bảo hiểm xã hội Việt Nam",
}

# Issuer codes whose holder depends on where the document comes from: resolved to a full name only
# from context that states it ("UBND" of a Thanh Hóa article = "UBND tỉnh Thanh Hóa"). [ND30] [DATA]
CONTEXT_ISSUERS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "VPUB": "Văn phòng Ủy ban nhân dân",
    "BCĐ": "Ban Chỉ đạo", "BĐH": "Ban Điều hành", "HĐPH": "Hội đồng phối hợp",
    "SNV": "Sở Nội vụ", "STP": "Sở Tư pháp", "STC": "Sở Tài chính", "SYT": "Sở Y tế",
    "SLĐTBXH": "Sở Lao động - Thương binh và Xã hội", "SGDĐT": "Sở Giáo dục và Đào tạo",
    "SXD": "Sở Xây dựng", "SCT": "Sở Công Thương", "STNMT": "Sở Tài nguyên và Môi trường",
    "SKHĐT": "Sở Kế hoạch và Đầu tư", "SVHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "SGTVT": "Sở Giao thông vận tải", "STTTT": "Sở Thông tin và Truyền thông",
    "SNNPTNT": "Sở Nông nghiệp và Phát triển nông thôn", "SKHCN": "Sở Khoa học và Công nghệ",
}

# Party organs in "number-TYPE/ORGAN". [QD66] [DATA]
PARTY_ORGANS: dict[str, str] = {
    "TW": "Trung ương", "VPTW": "Văn phòng Trung ương Đảng", "BTCTW": "Ban Tổ chức Trung ương",
    "BTGTW": "Ban Tuyên giáo Trung ương", "UBKTTW": "Ủy ban Kiểm tra Trung ương",
    "BDVTW": "Ban Dân vận Trung ương", "BNCTW": "Ban Nội chính Trung ương",
    "BKTTW": "Ban Kinh tế Trung ương", "BĐNTW": "Ban Đối ngoại Trung ương", "QUTW": "Quân ủy Trung ương",
    "TU": "Tỉnh ủy", "TƯ": "Trung ương", "HU": "Huyện ủy", "QU": "Quận ủy", "ThU": "Thành ủy",
    "ĐU": "Đảng ủy", "BCĐ": "Ban Chỉ đạo", "BCĐTW": "Ban Chỉ đạo Trung ương",
    "VPTU": "Văn phòng Tỉnh ủy", "BTGTU": "Ban Tuyên giáo Tỉnh ủy", "BDVTU": "Ban Dân vận Tỉnh ủy",
    "BTCTU": "Ban Tổ chức Tỉnh ủy", "UBKTTU": "Ủy ban Kiểm tra Tỉnh ủy", "VPHU": "Văn phòng Huyện ủy",
}

# Issuer codes that carry a term number ("QH14" = Quốc hội khóa XIV, "HĐND9"): the digits are dropped
# from ``issuer_code`` but kept in the number. [ND30] [DATA]
TERM_NUMBERED: frozenset[str] = frozenset({"QH", "UBTVQH", "HĐND", "HĐNN", "NHNN"})

# Folded phrases that must appear in a stated issuer ("của Ban Bí thư") for it to be accepted as the
# holder of an issuer code. Codes not listed accept a phrase containing their table name.
ISSUER_PHRASES: dict[str, tuple[str, ...]] = {
    "TW": ("trung uong", "bo chinh tri", "ban bi thu"),
    "TƯ": ("trung uong", "bo chinh tri", "ban bi thu"),
    "TU": ("tinh uy",), "HU": ("huyen uy",), "ThU": ("thanh uy",), "QU": ("quan uy",),
    "ĐU": ("dang uy",), "VPTU": ("tinh uy",), "BTGTU": ("tinh uy",), "BDVTU": ("tinh uy",),
    "BTCTU": ("tinh uy",), "UBKTTU": ("tinh uy",), "VPHU": ("huyen uy",),
    "UBND": ("uy ban nhan dan", "ubnd"), "HĐND": ("hoi dong nhan dan", "hdnd"),
    "TTg": ("thu tuong",), "CP": ("chinh phu",), "QH": ("quoc hoi",),
    "UBTVQH": ("uy ban thuong vu quoc hoi",), "NHNN": ("ngan hang nha nuoc", "thong doc"),
    "BCĐ": ("ban chi dao",), "VPUB": ("van phong",),
}

# Type words written before a number ("Kế hoạch số 93/KH-UBND"), canonical spelling. The matcher
# folds them, so "ke hoach so", "KẾ HOẠCH SỐ" match too. "Văn bản" alone takes its type from the code.
TYPE_WORDS: tuple[str, ...] = (
    "Nghị quyết liên tịch", "Thông tư liên tịch", "Quyết định liên tịch", "Thông tư liên bộ",
    "Văn bản hợp nhất", "Thông báo kết luận", "Nghị quyết", "Quyết định", "Chỉ thị", "Kết luận",
    "Kế hoạch", "Nghị định", "Thông tư", "Thông tri", "Công văn", "Công điện", "Thông báo",
    "Thông cáo", "Hướng dẫn", "Chương trình", "Quy định", "Quy chế", "Tờ trình", "Báo cáo", "Đề án",
    "Phương án", "Dự án", "Biên bản", "Hợp đồng", "Giấy mời", "Bộ luật", "Luật", "Pháp lệnh",
    "Sắc lệnh", "Lệnh", "Hiến pháp", "Án lệ", "Văn bản",
)

# Heads of a law cited by name ("Luật hoạt động Chữ thập đỏ"). [LBH]
LAW_HEADS: tuple[str, ...] = ("Bộ luật", "Luật", "Pháp lệnh", "Hiến pháp")

# Laws, codes and ordinances cited by name. Used to find where a name ends when the words after it
# would be ambiguous ("Luật Phòng cháy và chữa cháy", "Luật Đất đai và các văn bản…"). Names not
# listed are still found, by the word rules in ``lawnames.py``. [DATA]: the "Căn cứ Luật … ngày/số"
# lines of congbao_8chude and congbao_phapdien_webtext, and the Pháp điển source notes.
LAW_NAMES: tuple[str, ...] = (
    # Bộ luật
    "Bộ luật Dân sự", "Bộ luật Hình sự", "Bộ luật Lao động", "Bộ luật Tố tụng dân sự",
    "Bộ luật Tố tụng hình sự", "Bộ luật Hàng hải Việt Nam", "Bộ luật Hàng hải",
    # Luật
    "Luật An ninh mạng", "Luật An ninh quốc gia", "Luật An toàn thông tin mạng", "Luật An toàn thực phẩm",
    "Luật An toàn, vệ sinh lao động", "Luật Ban hành văn bản quy phạm pháp luật", "Luật Báo chí",
    "Luật Bảo hiểm tiền gửi", "Luật Bảo hiểm xã hội", "Luật Bảo hiểm y tế",
    "Luật Bảo vệ bí mật nhà nước", "Luật Bảo vệ dữ liệu cá nhân", "Luật Bảo vệ môi trường",
    "Luật Bảo vệ quyền lợi người tiêu dùng", "Luật Bảo vệ và kiểm dịch thực vật",
    "Luật Bảo vệ và phát triển rừng", "Luật Bảo vệ, chăm sóc và giáo dục trẻ em",
    "Luật Bảo vệ sức khỏe nhân dân", "Luật Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân",
    "Luật Biên giới quốc gia", "Luật Biên phòng Việt Nam", "Luật Biển Việt Nam", "Luật Bình đẳng giới",
    "Luật Bưu chính", "Luật Các tổ chức tín dụng", "Luật Cán bộ, công chức", "Luật Căn cước",
    "Luật Căn cước công dân", "Luật Cảnh sát cơ động", "Luật Cảnh sát biển Việt Nam", "Luật Cạnh tranh",
    "Luật Cảnh vệ", "Luật Chăn nuôi", "Luật Chất lượng sản phẩm, hàng hóa", "Luật Chứng khoán",
    "Luật Chuyển giao công nghệ", "Luật Chuyển giao người đang chấp hành án phạt tù",
    "Luật Chuyển đổi số", "Luật Cơ quan đại diện nước Cộng hòa xã hội chủ nghĩa Việt Nam ở nước ngoài",
    "Luật Cơ yếu", "Luật Công an nhân dân", "Luật Công chứng", "Luật Công đoàn", "Luật Công nghệ cao",
    "Luật Công nghệ thông tin", "Luật Công nghiệp công nghệ số",
    "Luật Công nghiệp quốc phòng, an ninh và động viên công nghiệp", "Luật Cư trú",
    "Luật Đa dạng sinh học", "Luật Đặc xá", "Luật Dẫn độ", "Luật Dân quân tự vệ", "Luật Đất đai",
    "Luật Đấu giá tài sản", "Luật Dầu khí", "Luật Đấu thầu", "Luật Đầu tư", "Luật Đầu tư công",
    "Luật Đầu tư theo phương thức đối tác công tư", "Luật Dạy nghề", "Luật Đê điều",
    "Luật Di sản văn hóa", "Luật Địa chất và khoáng sản", "Luật Điện ảnh", "Luật Điện lực",
    "Luật Điều ước quốc tế", "Luật Đo đạc và bản đồ", "Luật Đo lường", "Luật Doanh nghiệp",
    "Luật Du lịch", "Luật Dữ liệu", "Luật Dự trữ quốc gia", "Luật Dược", "Luật Đường bộ",
    "Luật Đường sắt", "Luật Giá", "Luật Giám định tư pháp", "Luật Giao dịch điện tử", "Luật Giáo dục",
    "Luật Giáo dục đại học", "Luật Giáo dục nghề nghiệp", "Luật Giáo dục quốc phòng và an ninh",
    "Luật Giao thông đường bộ", "Luật Giao thông đường thủy nội địa", "Luật Hải quan",
    "Luật Hàng không dân dụng Việt Nam", "Luật Hộ tịch", "Luật Hỗ trợ doanh nghiệp nhỏ và vừa",
    "Luật Hóa chất", "Luật Hòa giải ở cơ sở", "Luật Hòa giải, đối thoại tại Tòa án",
    "Luật Hoạt động giám sát của Quốc hội và Hội đồng nhân dân", "Luật Hoạt động giám sát của Quốc hội", "Luật hoạt động Chữ thập đỏ",
    "Luật Hôn nhân và gia đình", "Luật Hợp tác xã", "Luật Kế toán", "Luật Khám bệnh, chữa bệnh",
    "Luật Khí tượng thủy văn", "Luật Khiếu nại", "Luật Khiếu nại, tố cáo", "Luật Khoa học và công nghệ",
    "Luật Khoa học, công nghệ và đổi mới sáng tạo", "Luật Khoáng sản", "Luật Kiểm toán độc lập",
    "Luật Kiểm toán nhà nước", "Luật Kiến trúc", "Luật Kinh doanh bảo hiểm",
    "Luật Kinh doanh bất động sản", "Luật Ký kết, gia nhập và thực hiện điều ước quốc tế",
    "Luật Lâm nghiệp", "Luật Luật sư", "Luật Lực lượng dự bị động viên",
    "Luật Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở", "Luật Lưu trữ", "Luật Lý lịch tư pháp",
    "Luật Mặt trận Tổ quốc Việt Nam", "Luật Năng lượng nguyên tử", "Luật Ngân hàng Nhà nước Việt Nam",
    "Luật Ngân sách nhà nước", "Luật Nghĩa vụ quân sự", "Luật Người cao tuổi", "Luật Người khuyết tật",
    "Luật Người lao động Việt Nam đi làm việc ở nước ngoài theo hợp đồng", "Luật Nhà giáo", "Luật Nhà ở",
    "Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam",
    "Luật Nuôi con nuôi", "Luật Phá sản", "Luật Phí và lệ phí", "Luật Phòng bệnh",
    "Luật Phòng cháy và chữa cháy", "Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "Luật Phòng, chống bạo lực gia đình", "Luật Phòng, chống bệnh truyền nhiễm",
    "Luật Phòng, chống HIV/AIDS", "Luật Phòng, chống khủng bố", "Luật Phòng, chống ma túy",
    "Luật Phòng, chống mua bán người", "Luật Phòng, chống rửa tiền",
    "Luật Phòng, chống tác hại của rượu, bia", "Luật Phòng, chống tác hại của thuốc lá",
    "Luật Phòng, chống tham nhũng", "Luật Phòng, chống thiên tai", "Luật Phổ biến, giáo dục pháp luật",
    "Luật Phục hồi, phá sản", "Luật Quản lý ngoại thương", "Luật Quản lý nợ công", "Luật Quản lý thuế",
    "Luật Quản lý và đầu tư vốn nhà nước tại doanh nghiệp", "Luật Quản lý, sử dụng tài sản công",
    "Luật Quản lý, sử dụng tài sản nhà nước",
    "Luật Quản lý, sử dụng vốn nhà nước đầu tư vào sản xuất, kinh doanh tại doanh nghiệp",
    "Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ", "Luật Quảng cáo", "Luật Quốc phòng",
    "Luật Quốc tịch Việt Nam", "Luật Quy hoạch", "Luật Quy hoạch đô thị",
    "Luật Quy hoạch đô thị và nông thôn", "Luật Sĩ quan Quân đội nhân dân Việt Nam",
    "Luật Sở hữu trí tuệ", "Luật Tài nguyên nước", "Luật Tài nguyên, môi trường biển và hải đảo",
    "Luật Tần số vô tuyến điện", "Luật Thanh niên", "Luật Thanh tra", "Luật Thi đua, khen thưởng",
    "Luật Thi hành án dân sự", "Luật Thi hành án hình sự", "Luật Thi hành tạm giữ, tạm giam",
    "Luật Thỏa thuận quốc tế", "Luật Thống kê", "Luật Thủ đô", "Luật Thư viện", "Luật Thú y",
    "Luật Thực hành tiết kiệm, chống lãng phí", "Luật Thực hiện dân chủ ở cơ sở",
    "Luật Thuế bảo vệ môi trường", "Luật Thuế giá trị gia tăng", "Luật Thuế sử dụng đất nông nghiệp",
    "Luật Thuế sử dụng đất phi nông nghiệp", "Luật Thuế tài nguyên", "Luật Thuế thu nhập cá nhân",
    "Luật Thuế thu nhập doanh nghiệp", "Luật Thuế tiêu thụ đặc biệt", "Luật Thuế xuất khẩu, thuế nhập khẩu",
    "Luật Thương mại", "Luật Thủy lợi", "Luật Thủy sản", "Luật Tiếp cận thông tin", "Luật Tiếp công dân",
    "Luật Tiêu chuẩn và quy chuẩn kỹ thuật", "Luật Tín ngưỡng, tôn giáo", "Luật Tố cáo",
    "Luật Tổ chức Chính phủ", "Luật Tổ chức chính quyền địa phương",
    "Luật Tổ chức Cơ quan điều tra hình sự", "Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân",
    "Luật Tổ chức Quốc hội", "Luật Tổ chức Tòa án nhân dân", "Luật Tổ chức Viện kiểm sát nhân dân",
    "Luật Tố tụng hành chính", "Luật Trách nhiệm bồi thường của Nhà nước", "Luật Trẻ em",
    "Luật Trí tuệ nhân tạo", "Luật Trợ giúp pháp lý", "Luật Trọng tài thương mại", "Luật Trồng trọt",
    "Luật Trưng mua, trưng dụng tài sản", "Luật Trật tự, an toàn giao thông đường bộ",
    "Luật Tư pháp người chưa thành niên", "Luật Tương trợ tư pháp", "Luật Tương trợ tư pháp về dân sự",
    "Luật Tương trợ tư pháp về hình sự", "Luật Việc làm", "Luật Viên chức",
    "Luật Viễn thông", "Luật Xây dựng", "Luật Xử lý vi phạm hành chính", "Luật Xuất bản",
    "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam", "Luật Trưng cầu ý dân", "Luật Dân số",
    "Luật Hiến, lấy, ghép mô, bộ phận cơ thể người và hiến, lấy xác", "Luật Phòng không nhân dân",
    "Luật Sử dụng năng lượng tiết kiệm và hiệu quả", "Luật Tình trạng khẩn cấp", "Luật Thể dục, thể thao",
    "Luật Quân nhân chuyên nghiệp, công nhân và viên chức quốc phòng", "Luật Kinh doanh bảo hiểm",
    # Pháp lệnh
    "Pháp lệnh Án phí, lệ phí Tòa án", "Pháp lệnh Bảo vệ bí mật nhà nước", "Pháp lệnh Công an xã",
    "Pháp lệnh Chống bán phá giá hàng hóa nhập khẩu vào Việt Nam", "Pháp lệnh Cựu chiến binh",
    "Pháp lệnh Giống cây trồng", "Pháp lệnh Giống vật nuôi",
    "Pháp lệnh Khai thác và bảo vệ công trình thủy lợi", "Pháp lệnh Ngoại hối",
    "Pháp lệnh Phí và lệ phí", "Pháp lệnh về phí và lệ phí", "Pháp lệnh Phòng, chống mại dâm", "Pháp lệnh Quản lý thị trường",
    "Pháp lệnh Thủ tục bắt giữ tàu biển", "Pháp lệnh Thủ tục bắt giữ tàu bay",
    "Pháp lệnh Tín ngưỡng, tôn giáo", "Pháp lệnh Tổ chức điều tra hình sự",
    "Pháp lệnh Ưu đãi người có công với cách mạng", "Pháp lệnh Xử lý vi phạm hành chính",
    "Pháp lệnh Pháp điển hệ thống quy phạm pháp luật", "Pháp lệnh Cán bộ, công chức",
    "Pháp lệnh Thủ tục giải quyết các vụ án hành chính", "Pháp lệnh Thủ tục giải quyết các vụ án dân sự",
    "Pháp lệnh Khai thác và bảo vệ công trình khí tượng thủy văn",
    "Pháp lệnh Bảo vệ công trình quan trọng liên quan đến an ninh quốc gia",
    "Pháp lệnh về nhập cảnh, xuất cảnh, cư trú của người nước ngoài tại Việt Nam",
    "Pháp lệnh về quyền ưu đãi, miễn trừ dành cho cơ quan đại diện ngoại giao, cơ quan lãnh sự và "
    "cơ quan đại diện của tổ chức quốc tế tại Việt Nam",
)


# --- word lists used by the rules in citations.py, docnumbers.py and lawnames.py -----------------
# Lowercase words compared with diacritics, so "về" and "vệ" (as in "Bảo vệ") stay apart.

# Before a number: a form, an account or a licence, not a document ("Mẫu số 01/TNCN"). Folded.
NOT_A_DOCUMENT_BEFORE: tuple[str, ...] = ("mau", "bieu", "phu luc", "to khai", "tai khoan", "ma",
                                          "giay phep")

# Before a head word: not a law cited by name ("Đại học Luật", "dự thảo Luật", "các Luật"). Folded.
NOT_A_LAW_BEFORE: tuple[str, ...] = (
    "dai hoc", "truong", "khoa", "cu nhan", "thac si", "tien si", "nganh", "tap chi", "hoc vien",
    "vien", "du an", "du thao", "bao", "hoi", "van phong", "cong ty", "phap", "cac", "nhung", "moi")

# A name never starts with these lowercase words ("Luật này", "Luật sư", "luật thi đấu").
NAME_GENERIC_FIRST: frozenset[str] = frozenset(
    "này đó trên khác mới hiện chuyên liên các và hoặc của thì là được đã đang có quy về số sư gia "
    "học pháp cũ nói định cơ điều trong trang thi".split())

# Lowercase words that end a name ("Luật Đất đai năm 2013", "Luật Đầu tư và các văn bản…").
NAME_STOP: frozenset[str] = frozenset(
    "số ngày năm này đã được đang thì theo tại về của và điều khoản điểm chương mục như để cho đối từ "
    "đến khi mà nếu hoặc với bằng bởi gồm phải cần là các những hay vì sau trước trên dưới thuộc kể "
    "hết nhằm không chưa cùng giữa nên đây do hiện mới trong sẽ nhưng song tuy gửi kèm gọi bao".split())

# Word pairs that end a name ("… quy định", "… có hiệu lực").
NAME_STOP_PAIRS: frozenset[tuple[str, str]] = frozenset({
    ("quy", "định"), ("hướng", "dẫn"), ("ban", "hành"), ("sửa", "đổi"), ("thực", "hiện"),
    ("thi", "hành"), ("áp", "dụng"), ("có", "hiệu"), ("người", "ký"), ("quy", "chuẩn"), ("nước", "cộng"),
    ("thông", "qua"), ("sử", "dụng"), ("hoạt", "động"), ("đáp", "ứng"), ("có", "ký"), ("có", "trách"),
    ("có", "liên"), ("có", "quy")})

# Capitalized words that start something else after a name ("Luật Chứng khoán Được bãi bỏ …").
NAME_CAP_STOP: frozenset[str] = frozenset(
    "Người Căn Điều Khoản Chương Mục Theo Trong Tại Ngày Số Văn Xem Trang Nơi Được Nằm Sửa Bổ Bãi "
    "Thay Tải Chia Gửi Lược Thuộc Hiệu Ban Quy Hướng Thực Kèm Phụ".split())

# Capitalized words that cannot start a name ("Luật Ký hiệu: …", "Luật Căn cứ …").
NAME_FIRST_STOP: frozenset[str] = frozenset(
    "Này Căn Khoản Chương Mục Xem Trang Nơi Được Nằm Tải Chia Lược Thuộc Hiệu Ký".split())

# Words after a comma that keep a name going ("Phòng, chống", "sửa đổi, bổ sung").
NAME_COMMA_CONTINUES: frozenset[str] = frozenset("chống bổ chữa khen tôn".split())

# Lowercase words that occur inside names of issuing bodies ("Ủy ban nhân dân tỉnh", "Ban Bí thư").
ORGAN_WORDS: frozenset[str] = frozenset(
    "nhân dân tỉnh thành phố huyện quận thị xã phường vụ thư ương ủy uỷ ban bộ đồng chính phủ tịch "
    "trưởng tướng nước đảng hội tối cao kiểm sát án hàng binh phòng tra toán nhà chỉ đạo trị chấp hành "
    "trung và -".split())

# Word pairs that end an issuer's name ("Thủ tướng Chính phủ phê duyệt …").
ISSUER_STOP_PAIRS: frozenset[tuple[str, str]] = frozenset({
    ("ban", "hành"), ("phê", "duyệt"), ("quy", "định"), ("hướng", "dẫn"), ("sửa", "đổi"),
    ("thực", "hiện")})
