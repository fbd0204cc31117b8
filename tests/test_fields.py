"""The registry of filters and facets: one table of every field, canonical values, masks and counts."""

import numpy as np
import pytest
from werkzeug.datastructures import MultiDict

from indexer.index.entries import canonical_field, canonical_status
from indexer.index.schema import FACETS as INDEX_FACETS
from indexer.index.schema import build_schema
from search_app.fields import BY_PARAM, FACETS, PARAM_LABELS
from search_app.params import ParamError, parse_params


def test_every_facet_is_an_index_column_with_a_vietnamese_label():
    schema = build_schema()
    assert [(f.param, f.field, f.label) for f in FACETS] == [
        ("type", "doc_type", "Loại văn bản"), ("agency", "agency", "Cơ quan ban hành"),
        ("field", "field", "Lĩnh vực"), ("status", "status", "Tình trạng hiệu lực"),
        ("signer", "signer", "Người ký"), ("year", "year", "Năm"), ("kind", "kind", "Loại mục")]
    assert set(INDEX_FACETS) == {f.field for f in FACETS}
    for facet in FACETS:
        assert schema[facet.field].column_type is not None, facet.field  # a column: cheap counts
        assert PARAM_LABELS[facet.param] == facet.label


@pytest.mark.parametrize("raw, canonical", [
    # binhduong.gov.vn "văn bản chỉ đạo điều hành" listing wording (hieu_luc)
    ("Văn bản đang có hiệu lực", "Còn hiệu lực"),
    ("Văn bản còn hiệu lực một phần", "Hết hiệu lực một phần"),
    ("Văn bản hết hiệu lực", "Hết hiệu lực toàn bộ"),
    # corpus/documents.jsonl and vbpl.vn's own values
    ("Hết hiệu lực", "Hết hiệu lực toàn bộ"),
    ("Còn hiệu lực", "Còn hiệu lực"),
    ("Hết hiệu lực một phần", "Hết hiệu lực một phần"),
    ("Chưa có hiệu lực", "Chưa có hiệu lực"),
    ("  Còn   hiệu lực ", "Còn hiệu lực"),
    ("Ngưng hiệu lực", "Ngưng hiệu lực"),  # not clearly one of the four: kept as given
    ("", ""),
])
def test_status_values_take_the_vbpl_wording(raw, canonical):
    assert canonical_status(raw) == canonical


@pytest.mark.parametrize("raw, canonical", [
    ("Phổ biến, giáo dục pháp luật; Dân tộc", "Phổ biến, giáo dục pháp luật; Dân tộc"),  # corpus/documents.jsonl
    ("Phổ biến, giáo dục pháp luật ;Hoà giải ở cơ sở", "Phổ biến, giáo dục pháp luật; Hòa giải ở cơ sở"),
    ("Hòa giải ở cơ sở; Hoà giải ở cơ sở", "Hòa giải ở cơ sở"),
    ("", ""),
])
def test_field_values_are_one_spelling_joined_by_semicolons(raw, canonical):
    assert canonical_field(raw) == canonical


# Columns as the engine reads them: a code per entry and the sorted distinct labels.
LABELS = ["", "Dân tộc", "Phổ biến, giáo dục pháp luật", "Phổ biến, giáo dục pháp luật; Dân tộc"]
CODES = np.array([2, 3, 0, 1, 2, 3])


def test_a_multi_valued_facet_filters_and_counts_each_part():
    field = BY_PARAM["field"]
    assert field.mask(CODES, LABELS, ["Dân tộc"]).tolist() == [False, True, False, True, False, True]
    assert field.mask(CODES, LABELS, ["Phổ biến, giáo dục pháp luật"]).sum() == 4
    everything = np.ones(len(CODES), dtype=bool)
    assert field.counts(CODES, LABELS, everything) == {"Phổ biến, giáo dục pháp luật": 4, "Dân tộc": 3}


def test_years_count_newest_first_and_agencies_canonicalise_typed_values():
    years = ["", "2012", "2019", "2023"]
    counts = BY_PARAM["year"].counts(np.array([1, 1, 1, 2, 3, 0]), years, np.ones(6, dtype=bool))
    assert list(counts) == ["2023", "2019", "2012"]
    agencies = ["UBND tỉnh Thanh Hóa"]
    assert BY_PARAM["agency"].mask(np.array([0]), agencies, ["Uỷ ban nhân dân tỉnh Thanh Hoá"]).tolist() == [True]


@pytest.mark.parametrize("args, param, message", [
    ({"year": "abc"}, "year", "Năm phải gồm 4 chữ số, ví dụ 2023."),
    ({"kind": "blog"}, "kind", "Loại mục phải là một trong: Bài viết, Văn bản, Văn bản được trích dẫn."),
    ({"from": "12/0"}, "from", "«12/0» không phải là một ngày: hãy nhập theo dạng ngày/tháng/năm (dd/mm/yyyy), "
                               "ví dụ 18/04/2023."),
    ({"per_page": "5"}, "per_page", "Số kết quả mỗi trang phải là một số từ 10 đến 50."),
])
def test_bad_values_are_named_in_vietnamese(args, param, message):
    with pytest.raises(ParamError) as err:
        parse_params(args)
    assert (err.value.param, err.value.message) == (param, message)


def test_params_round_trip_to_a_url_with_only_what_is_set():
    args = MultiDict([("q", "pháp luật"), ("type", "Kế hoạch"), ("type", "Chỉ thị"), ("year", "2019"),
                      ("from", "2015-01-01"), ("to", ""), ("sort", "relevance"), ("per_page", "20"), ("agency", "")])
    params = parse_params(args)
    assert params.args() == [("q", "pháp luật"), ("type", "Kế hoạch"), ("type", "Chỉ thị"), ("year", "2019"),
                             ("from", "01/01/2015"), ("per_page", "20")]
    assert parse_params(MultiDict(params.args())) == params
    assert params.without("type", "Kế hoạch").values("type") == ("Chỉ thị",)
    assert params.without("from").date_from is None
    # a filter added from a facet takes its place in the registry's order; the page goes back to 1
    assert params.with_filter("status", "Còn hiệu lực").args() == [
        ("q", "pháp luật"), ("type", "Kế hoạch"), ("type", "Chỉ thị"), ("status", "Còn hiệu lực"), ("year", "2019"),
        ("from", "01/01/2015"), ("per_page", "20")]
