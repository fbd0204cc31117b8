"""indexer.read.dates: every date form the portals print → ISO; impossible dates → ""."""

from __future__ import annotations

import pytest

from indexer.read.dates import find_date, iso_date, parse_date


@pytest.mark.parametrize("text, expected", [
    # seeds/thanhhoa-article-2023-04-22.txt: "Ngày tạo:  22/04/2023 16:23:56"
    ("22/04/2023 16:23:56", "2023-04-22"),
    ("22/04/2023", "2023-04-22"),
    ("22-4-2023", "2023-04-22"),
    ("22.04.2023", "2023-04-22"),
    # the seed body: "Ngày 18 tháng 4 năm 2023, Ủy ban nhân dân tỉnh Thanh Hóa …"
    ("ngày 18 tháng 4 năm 2023", "2023-04-18"),
    ("Ngày 18 tháng 4 năm 2023", "2023-04-18"),
    # vbpl.html (vbpl_vn_html_samples): the date line broken over several source lines
    ("ngày\n 27 tháng\n 11 năm\n 2015", "2015-11-27"),
    ("2023-04-22", "2023-04-22"),
    # the portal template's meta article:published_time
    ("2023-04-22T16:23:56+07:00", "2023-04-22"),
    ("2023-04-22T09:23:56Z", "2023-04-22"),
    # web_page_excerpts (congantuyenquang.vn): "Thứ tư 17/10/2018 22:09:45"
    ("Thứ tư 17/10/2018 22:09:45", "2018-10-17"),
    ("Chủ nhật, 12/03/2023", "2023-03-12"),
    ("  09/7/2018 ", "2018-07-09"),
    ("29/02/2024", "2024-02-29"),
])
def test_parse_date_accepts_every_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "31/02/2023",       # no such day
    "29/02/2023",       # not a leap year
    "00/01/2023",
    "12/13/2023",       # month first is not a Vietnamese form
    "22/04/23",         # two-digit year
    "22/4-2023",        # mixed separators
    "2023-4-22",        # ISO needs two-digit month and day
    "01/01/0999",       # outside MIN_YEAR..MAX_YEAR
    "Đang cập nhật",    # phapluatcongdong.vn placeholder
    "22/04/2023 và 23/04/2023",
    "",
])
def test_parse_date_rejects_what_is_not_exactly_one_valid_date(text):
    assert parse_date(text) == ""


@pytest.mark.parametrize("text, expected", [
    # vbpl.html: the header of the Bộ luật Hình sự
    ("Hà Nội, ngày 27 tháng 11 năm 2015", "2015-11-27"),
    # the seed: "Kế hoạch số 108 - KH/TU ngày 16/02/2023 của Ban Thường vụ Tỉnh ủy"
    ("Kế hoạch số 108 - KH/TU ngày 16/02/2023 của Ban Thường vụ Tỉnh ủy", "2023-02-16"),
    # congbao_phapdien_webtext: "Ban hành: 19/06/2026 - Hiệu lực: 01/07/2026"
    ("Ban hành: 19/06/2026 - Hiệu lực: 01/07/2026", "2026-06-19"),
    # an invalid date is passed over for the next valid one
    ("ngày 31/02/2023, sửa ngày 01/03/2023", "2023-03-01"),
    # the earliest date wins whichever form it has
    ("ngày 5 tháng 6 năm 2020 và 01/01/2021", "2020-06-05"),
    # numbers glued to digits are not dates: "1122/04/20230"
    ("số 1122/04/20230", ""),
    ("Kế hoạch số 93/KH-UBND", ""),
])
def test_find_date_returns_the_first_valid_date(text, expected):
    assert find_date(text) == expected


def test_iso_date_checks_the_calendar():
    assert [iso_date(2023, 4, 22), iso_date(2023, 2, 31), iso_date(1799, 1, 1)] == ["2023-04-22", "", ""]
