"""Whatever people type, and whatever a corpus holds: never a 5xx, and nothing a browser would run.

Two halves:

- fuzzing (hypothesis) of ``/api/search`` and ``/`` over the real ``tiny_index`` with random Unicode,
  Whoosh syntax, long queries, NUL bytes and bad parameters: every answer is a 200 or a 400 that
  names the parameter;
- injection: an index built from records written here with ``<script>``, attribute-breaking quotes
  and ``javascript:`` URLs in every field; every page and the API render them inert, and every page
  carries the security headers.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app import create_app
from search_app.web import CSP

# --- the app -------------------------------------------------------------------------------------


# Every parameter a search request may carry, and so every name a 400 may give as ``param``.
PARAMS = ("q", "type", "agency", "kind", "year", "from", "to", "sort", "page", "per_page")

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Unicode that can travel in a URL: no lone surrogates (UTF-8 cannot encode them).
UNICODE = st.characters(exclude_categories=("Cs",))

# Query syntax of Whoosh and of search engines people know, real Vietnamese words, document numbers,
# and bytes that break naive code. The app has its own parser: none of this may reach Whoosh's.
SYNTAX = ["AND", "OR", "NOT", "(", ")", "*", "?", "~", "^", ":", "[", "TO", "]", "{", "}", '"', "-", "+",
          "||", "&&", "\\", "'", "a*", "*a*", "?b", "*", "**", "chữ~2", "hòa^3", "title:", "body:x", "id:*",
          "[a TO z]", "{0 TO 9}", "date:[2020 TO]", "43-CT/TW", "93/KH-UBND", "30/2020/NĐ-CP", "chỉ thị 43",
          "chi thi so 43", "hòa giải", "chu thap do", "Ủy ban nhân dân", "\x00", "\u0301", "Ð", "%", "%00",
          "<script>", "&amp;", "\u202e", "\ufeff", "𝕏", "09/7/2018", "1.500.000"]
QUERY = st.one_of(
    st.text(UNICODE, max_size=80),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(UNICODE, min_size=1, max_size=8)),
             max_size=40).map(" ".join),
    st.lists(st.sampled_from(SYNTAX), min_size=1, max_size=400).map("".join),
)
# Values that are valid, nearly valid, or nonsense for every parameter.
VALUE = st.one_of(
    st.sampled_from(["", "1", "2", "10", "20", "50", "0", "-1", "1000", "1001", "99999999", "1e3", " 3 ",
                     "relevance", "date", "date_asc", "article", "document", "cited", "2023-04-18",
                     "18/4/2023", "31/02/2023", "2023-13-01", "Kế hoạch", "Chỉ thị", "UBND tỉnh Thanh Hóa",
                     "2018", "\x00", "x" * 301]),
    st.text(UNICODE, max_size=30),
)
PARAM_LISTS = st.lists(st.tuples(st.sampled_from(PARAMS + ("q", "zzz", "page[]")), VALUE), max_size=8)


def _check_api(response) -> None:
    """A 200 with a result page, or a 400 in the one error shape naming a real parameter."""
    body = response.get_json()
    assert (response.status_code, response.mimetype) in ((200, "application/json"), (400, "application/json"))
    if response.status_code == 400:
        assert set(body) == {"error"}
        assert (body["error"]["status"], body["error"]["param"] in PARAMS, type(body["error"]["message"])) == (
            400, True, str)
    else:
        assert {"total", "page", "per_page", "results", "facets"} <= set(body)


def _check_page(response) -> None:
    assert (response.status_code, response.mimetype) in ((200, "text/html"), (400, "text/html"))
    if response.status_code == 400:
        assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True)


@FUZZ
@given(q=QUERY)
def test_any_query_is_answered_by_the_api(client, q):
    _check_api(client.get("/api/search", query_string={"q": q}))


@FUZZ
@given(q=QUERY)
def test_any_query_is_answered_by_the_search_page(client, q):
    _check_page(client.get("/", query_string={"q": q}))


@FUZZ
@given(args=PARAM_LISTS)
def test_any_parameters_give_a_page_or_a_400_naming_one(client, args):
    _check_api(client.get("/api/search", query_string=args))
    _check_page(client.get("/", query_string=args))


@FUZZ
@given(tail=st.text(UNICODE, min_size=1, max_size=60))
def test_any_entry_or_number_path_is_a_page_or_a_404(client, tail):
    quoted = quote(tail, safe="")
    for path, mimetype in ((f"/entry/{quoted}", "text/html"), (f"/van-ban/{quoted}", "text/html"),
                           (f"/api/entries/{quoted}", "application/json"),
                           (f"/api/citations/{quoted}", "application/json")):
        response = client.get(path)
        assert (response.status_code in (200, 404), response.mimetype) == (True, mimetype), path


# Pathological queries, each from a known way search engines are attacked or break: a leading
# wildcard, a 10 kB paste, a 400-way OR, NUL bytes, unbalanced syntax. Each is answered (200) or
# refused (400), never a 5xx.
PATHOLOGICAL = [
    "*a*", "*", "?", "a" * 10_000, "chữ thập đỏ " * 900, " OR ".join(["hòa giải"] * 400), "a OR " * 2_000,
    "\x00" * 100, "hòa\x00giải", "(" * 500, ")" * 500, '"' * 501, "-" * 1000, "- - -", "NOT NOT NOT",
    "[a TO z]", "title:x AND body:y", "43-CT/TW " * 300, " ".join(f"{n}/KH-UBND" for n in range(1, 500)),
    " ".join(f"-x{n}" for n in range(400)), '"' + "a b " * 600 + '"', "chỉ thị 43 " * 300,
    "\u0301" * 2000, "𝕏" * 3000, "\u202e" + "43-CT/TW", "đ" * 5000,
]


@pytest.mark.parametrize("q", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_queries_are_answered_or_refused(client, q):
    _check_api(client.get("/api/search", query_string={"q": q, "per_page": "50"}))
    _check_page(client.get("/", query_string={"q": q}))


# Measured on a 10,000-article phapdien index (RELIABILITY.md): each OR alternative, phrase or number
# adds a subquery that Whoosh evaluates over every candidate document, so 90 alternatives of a common
# word took 50 s and 90 phrases took 3.7 s, all within MAX_QUERY_CHARS. One query may keep only a few
# of each; the words of one part are already capped by MAX_TERMS.
MAX_PARTS = {"groups": 8, "phrases": 4, "excluded": 8, "number_keys": 8}
MANY_PARTS = {
    "groups": " OR ".join(["quy định"] * 300),
    "phrases": " ".join(['"của và"', '"các được"', '"theo người"'] * 100),
    "excluded": " ".join(f"-từ{n}" for n in range(300)) + " luật",
    "number_keys": " ".join(f"{n}/QĐ-TTg" for n in range(1, 300)),
}


@pytest.mark.parametrize("part", sorted(MANY_PARTS))
def test_one_query_keeps_a_bounded_number_of_parts(part):
    from search_app.query import parse_query

    assert len(getattr(parse_query(MANY_PARTS[part]), part)) <= MAX_PARTS[part]


# "Có phải bạn muốn tìm": each unknown word is compared with every word of the index of a similar length
# (search_app/spelling.py). With Whoosh's corrector, measured on 10,000 phapdien articles, 64 junk words
# of 8 letters took 9.4 s and one 1,000-letter word 11 s; no Vietnamese syllable has more than 7 letters.
MAX_SUGGEST = {"words": 8, "letters": 12}


EIGHT_UNKNOWN = [f"zq{n:03d}xk" for n in range(MAX_SUGGEST["words"])]


@pytest.mark.parametrize("q, probed", [
    (" ".join(f"zq{n:03d}xk" for n in range(64)), []),
    ("x" * 10_000, []),
    ("chu thap do " + "qwertyuiopasdfghjklzxcvbnm" * 3, []),
    (" ".join(EIGHT_UNKNOWN), EIGHT_UNKNOWN),
], ids=["64 unknown words", "10 kB word", "a long unknown word after real ones", "8 unknown words"])
def test_the_spelling_suggester_looks_up_few_short_words(client, monkeypatch, q, probed):
    from search_app.spelling import Spelling

    probes: list[str] = []
    scan = Spelling.nearest

    def counted(self, word):  # a spy: the real scan runs, its probes are recorded
        probes.append(word)
        return scan(self, word)

    monkeypatch.setattr(Spelling, "nearest", counted)
    assert client.get("/api/search", query_string={"q": q}).status_code == 200
    assert probes == probed


@pytest.mark.parametrize("query_string, param", [
    ("page=0", "page"), ("page=1001", "page"), ("page=abc", "page"), ("page=99999999", "page"),
    ("per_page=5", "per_page"), ("per_page=51", "per_page"), ("per_page=%00", "per_page"),
    ("sort=%00", "sort"), ("sort=score", "sort"), ("kind=%3Cscript%3E", "kind"),
    ("from=2023-13-01", "from"), ("to=31/02/2023", "to"), ("from=2024-01-01&to=2023-01-01", "from"),
    ("type=" + "x" * 301, "type"), ("agency=" + "đ" * 301, "agency"),
])
def test_bad_parameters_are_a_400_naming_them(client, query_string, param):
    body = client.get("/api/search?" + query_string).get_json()
    assert (body["error"]["status"], body["error"]["param"]) == (400, param)
    page = client.get("/?" + query_string)
    assert (page.status_code, f"<code>{param}</code>" in page.get_data(as_text=True)) == (400, True)


# --- injection -----------------------------------------------------------------------------------

SCRIPT = '<script>alert("vnlex")</script>'
ATTR = '"><img src=x onerror=alert(1)>'
SQUOTE = "'><svg onload=alert(2)>"
BAD_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]
# A real-looking http URL that tries to break out of the href attribute.
BREAKING_URL = 'https://example.vn/a"><script>alert(3)</script>'

# Records with a hostile value in every field the pages show; each cites a real number so that the
# citation views (cites, cited by, number page) show hostile text too.
HOSTILE_RECORDS = [
    {"id": "xss-doc", "kind": "document", "doc_number": "93/KH-UBND",
     "title": f"Kế hoạch phòng chống ma túy {SCRIPT}",
     "body": f"Thực hiện Chỉ thị số 43-CT/TW ngày 05/3/2015, phòng chống ma túy {SCRIPT} và {ATTR} "
             f"cùng {SQUOTE}.\n\nĐoạn hai: hòa giải ở cơ sở {SCRIPT}",
     "date": "18/04/2023", "doc_type": f"Kế hoạch{ATTR}", "agency": f"UBND tỉnh {ATTR}", "signer": SCRIPT,
     "status": SQUOTE, "field": ATTR, "author": SCRIPT, "effective_date": "20/04/2023", "source": SCRIPT,
     "url": BAD_URLS[0],
     "attachments": [{"name": f"{ATTR}.pdf", "url": url} for url in BAD_URLS] + [
         {"name": "ok.pdf", "url": BREAKING_URL}]},
    {"id": 'xss-id"><script>alert(4)</script>', "kind": "article",
     "title": f"Bài viết {ATTR} về phòng chống ma túy",
     "body": f"Bài viết trích dẫn Kế hoạch số 93/KH-UBND ngày 18/4/2023 {SQUOTE} phòng chống ma túy "
             f"và Luật Phòng, chống ma túy {SCRIPT}. Ký tự \x00script\x01alert(5)\x00/script\x01 lạ.",
     "date": "22/04/2023", "agency": SQUOTE, "url": BREAKING_URL},
    {"id": "xss-url-case", "kind": "article", "title": f"Phòng chống ma túy {SQUOTE}",
     "body": f"Nội dung {SCRIPT}", "url": BAD_URLS[1], "date": "23/04/2023"},
    {"id": "xss-url-space", "kind": "article", "title": "Phòng chống ma túy ba",
     "body": f"Nội dung {ATTR}", "url": BAD_URLS[2], "date": "24/04/2023"},
]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from indexer.index.build import build

    root = tmp_path_factory.mktemp("hostile")
    (root / "corpus").mkdir()
    with open(root / "corpus" / "records.jsonl", "w", encoding="utf-8") as f:
        for record in HOSTILE_RECORDS:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    stats = build([root / "corpus"], root / "index", jobs=1)
    assert (stats.documents, stats.articles, stats.files_skipped) == (1, 3, 0)
    return create_app({"INDEX_DIR": str(root / "index"), "TESTING": True}).test_client()


class _Markup(HTMLParser):
    """Every element and attribute of a page, as a browser's tokenizer would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Elements that run or load something; the templates use none of them.
_ACTIVE_TAGS = {"script", "img", "svg", "math", "iframe", "frame", "object", "embed", "style", "base"}
_URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"}
# What browsers strip before reading a URL's scheme: leading C0 controls and spaces, and tabs/newlines anywhere.
_URL_JUNK = re.compile(r"[\t\n\r]")


def _scheme(url: str) -> str:
    m = _SCHEME.match(_URL_JUNK.sub("", url).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                     "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                                     "\x1d\x1e\x1f ").lower())
    return m.group(1) if m else ""


def _inert(html: str) -> list[str]:
    """What in ``html`` a browser would run: script-bearing elements, event handlers, active URLs."""
    page = _Markup(html)
    found = [f"<{t}>" for t in page.tags if t in _ACTIVE_TAGS]
    found += [f"{t} {a}=" for t, a, _ in page.attrs if a.startswith("on") or a == "style"]
    found += [f"{t} {a}={v!r}" for t, a, v in page.attrs
              if a in _URL_ATTRS and _scheme(v) not in ("", "http", "https")]
    return found


def test_the_inertness_check_catches_what_it_is_for():
    # the checker itself, on markup that would run: a test that cannot fail is a defect
    assert _inert(f'<p>{SCRIPT}</p><a href=" JaVa\tScript:x">a</a><p>{ATTR}</p><b style="x">') == [
        "<script>", "<img>", "img onerror=", "b style=", "a href=' JaVa\\tScript:x'"]


def _hostile_pages(client) -> dict[str, str]:
    pages = {}
    for path in ["/?q=ph%C3%B2ng+ch%E1%BB%91ng+ma+t%C3%BAy", "/?q=script+alert", "/?q=img+onerror",
                 "/?q=" + quote(SCRIPT), "/?q=" + quote(ATTR), "/?q=" + quote(SQUOTE),
                 "/?q=ma+t%C3%BAy&agency=" + quote(f"UBND tỉnh {ATTR}") + "&type=" + quote(f"Kế hoạch{ATTR}"),
                 "/?q=" + quote("ma túy 93/KH-UBND"), "/?q=mat+uy+" + quote(SCRIPT),
                 "/entry/xss-doc", "/entry/" + quote(HOSTILE_RECORDS[1]["id"], safe=""),
                 "/entry/xss-url-case", "/entry/xss-url-space", "/van-ban/93/KH-UBND", "/van-ban/43-CT/TW",
                 "/entry/cite:" + quote("luat:phong chong ma tuy"), "/van-ban/" + quote(SCRIPT, safe=""),
                 "/?page=0&q=" + quote(SCRIPT), "/nowhere/" + quote(SCRIPT, safe="")]:
        response = client.get(path)
        assert (path, response.mimetype) == (path, "text/html")
        pages[path] = response.get_data(as_text=True)
    return pages


def test_hostile_text_is_shown_escaped_on_every_page(hostile_client):
    pages = _hostile_pages(hostile_client)
    assert {path: _inert(html) for path, html in pages.items()} == {path: [] for path in pages}
    shown = "&lt;script&gt;alert(&#34;vnlex&#34;)&lt;/script&gt;"
    # the hostile text is really on the pages (escaped), so the check above saw it
    assert [p for p in ("/?q=ph%C3%B2ng+ch%E1%BB%91ng+ma+t%C3%BAy", "/entry/xss-doc", "/van-ban/93/KH-UBND",
                        "/?q=" + quote(SCRIPT)) if shown not in pages[p]] == []
    assert '&#34;&gt;&lt;img src=x onerror=alert(1)&gt;' in pages["/entry/xss-doc"]


def test_javascript_and_data_urls_are_never_links(hostile_client):
    pages = _hostile_pages(hostile_client)
    hrefs = {v for html in pages.values() for t, a, v in _Markup(html).attrs if a == "href"}
    assert sorted(h for h in hrefs if _scheme(h) not in ("", "http", "https")) == []
    # the http URL that tries to break out of its attribute stays one attribute value, whole
    assert BREAKING_URL in hrefs
    entry = pages["/entry/xss-doc"]
    assert (entry.count(">ok.pdf</a>"), entry.count("onerror=alert(1)&gt;.pdf</li>")) == (1, len(BAD_URLS))


def test_control_characters_in_a_body_never_become_markup(hostile_client):
    # linked_text marks its own tags with \x00 and \x01; a body holding them must not forge tags
    html = hostile_client.get("/entry/" + quote(HOSTILE_RECORDS[1]["id"], safe="")).get_data(as_text=True)
    assert (_inert(html), " script alert(5) /script " in html) == ([], True)


def test_the_api_returns_escaped_snippets_and_raw_fields(hostile_client):
    body = hostile_client.get("/api/search", query_string={"q": "phòng chống ma túy script"}).get_json()
    by_id = {r["id"]: r for r in body["results"]}
    doc = by_id["xss-doc"]
    assert (doc["title"], doc["url"]) == (f"Kế hoạch phòng chống ma túy {SCRIPT}", "javascript:alert(1)")
    assert [(r["id"], _inert(r["snippet"])) for r in body["results"]] == [(r["id"], []) for r in body["results"]]
    assert "&lt;<mark>script</mark>&gt;" in doc["snippet"]


@pytest.mark.parametrize("path", ["/api/search?q=" + quote(SCRIPT), "/api/entries/xss-doc",
                                  "/api/citations/93/KH-UBND", "/api/entries/" + quote(SCRIPT, safe="")])
def test_api_answers_are_json_that_browsers_do_not_sniff(hostile_client, path):
    response = hostile_client.get(path)
    assert (response.mimetype, response.headers["X-Content-Type-Options"]) == ("application/json", "nosniff")
    assert response.status_code in (200, 404)


# --- security headers ----------------------------------------------------------------------------

HEADER_PATHS = ["/", "/?q=hòa+giải", "/?page=0", "/entry/xss-doc", "/entry/nope", "/van-ban/93/KH-UBND",
                "/healthz", "/api/search?q=x", "/api/search?sort=x", "/api/entries/nope", "/static/style.css",
                "/nowhere"]


@pytest.mark.parametrize("path", HEADER_PATHS)
def test_every_answer_carries_the_security_headers(hostile_client, path):
    with hostile_client.get(path) as response:  # a static file is streamed: close it
        headers = response.headers
    assert {k: headers.get(k) for k in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")} == {
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


def test_the_csp_forbids_inline_script_and_framing():
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (p.strip() for p in CSP.split(";")) if d)
    assert (directives["script-src"], directives["frame-ancestors"], directives["object-src"],
            "unsafe-inline" in CSP, "unsafe-eval" in CSP) == ("'self'", "'none'", "'none'", False, False)


@pytest.mark.parametrize("path", ["/", "/?q=hòa+giải", "/entry/xss-doc", "/van-ban/93/KH-UBND", "/nowhere"])
def test_pages_have_no_inline_script_or_style(hostile_client, path):
    page = _Markup(hostile_client.get(path).get_data(as_text=True))
    assert ([t for t in page.tags if t in ("script", "style")],
            [(t, a) for t, a, _ in page.attrs if a == "style" or a.startswith("on")]) == ([], [])
