"""The Whoosh schema: one index for articles, documents and the documents they cite.

The text of an entry (title, a blank line, body) is indexed three ways (see ``analysis``): ``text``
syllables, ``text_w`` pyvi words, and ``text_b`` pairs of adjacent folded syllables: a phrase or a
pair of query syllables is one (rare) term there, which the search engine (``search_app.engine``)
scores like any other term. Folded syllables (``text_f``, what a query typed without diacritics
matches) are not written: the engine sums the postings of the ``text`` syllables that fold alike,
which is exactly what a folded field would hold, and the build writes a quarter less. No field
keeps positions: pairs answer phrases (a quoted phrase of three or more syllables is then checked
on the stored text). One field per view, not one per view and part: Whoosh scores each field's
terms with its own matchers, and a query over six text fields was several times slower than over
three. The title is indexed once more on its own (``title``) so a match there can count extra.
``body`` is stored only, for display and snippets. Facet and filter fields are single-term ``ID``
columns so counts over a result set are cheap; ``field`` holds several lĩnh vực joined by ``"; "``
in one column value, which the search app's facet splits.
"""

from __future__ import annotations

import json
from pathlib import Path

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.text.analysis import pair_analyzer, syllable_analyzer, word_analyzer

__all__ = ["build_schema", "built_schema_version", "KINDS", "FACETS", "SCHEMA_VERSION", "WRITER_OPTIONS", "INFO_FILE"]

# Bump when the schema or the analysis changes: an index of another version is rebuilt, not updated.
# v7: signer, status and field (lĩnh vực) became columns (filters and facets); status and field are
# stored in their canonical form (``entries.canonical_status`` / ``canonical_field``).
# v8: the analyzers pickled into the index moved with the pipeline's sub-packages
# (``indexer.analysis`` → ``indexer.text.analysis``): an index of v7 would not unpickle.
# v9: each stored citation carries its relation (``cites``: relation, cue, sentence, partial,
# effect_date), real documents their ``cite_count``, and ``status_basis`` says where the status comes
# from (the record, or the entry that ends or amends the document): an index of v8 lacks them.
SCHEMA_VERSION = 9

INFO_FILE = "build_info.json"  # written beside the index by every build: counts, report, schema version

# Every writer writes plain segment files: Whoosh reads a compound segment file by copying each part
# (postings, terms) into memory per searcher: 340 MB per serving thread on the 62k index.
WRITER_OPTIONS = {"compound": False}

KINDS = ("article", "document", "cited")
FACETS = ("doc_type", "agency", "year", "kind", "field", "signer", "status")


def build_schema() -> Schema:
    """The schema of every index this project writes."""
    syl, word = syllable_analyzer(), word_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        source_file=ID(stored=True),          # corpus file the entry came from ("" for cited entries)
        title=TEXT(analyzer=syl, stored=True, phrase=False),
        body=STORED(),
        text=TEXT(analyzer=syl, phrase=False),      # title + "\n\n" + body, as ``entries.entry_text``
        text_w=TEXT(analyzer=word, phrase=False),
        text_b=TEXT(analyzer=pair_analyzer(), phrase=False),
        date=DATETIME(stored=True, sortable=True),
        undated=NUMERIC(sortable=True, signed=True),  # 1 without a date: sorts after the dated ones
        year=ID(stored=True, sortable=True),
        doc_number=STORED(),
        doc_key=ID(stored=True),              # number key of the entry itself, e.g. "93/kh-ubnd"
        doc_type=ID(stored=True, sortable=True),
        agency=ID(stored=True, sortable=True),
        citations=KEYWORD(stored=True, commas=True, lowercase=False, scorable=True),
        cites=STORED(),                       # citation dicts found in title + "\n\n" + body, with offsets
        cite_count=NUMERIC(stored=True, sortable=True, signed=True),
        signer=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),   # canonical: "Còn hiệu lực", "Hết hiệu lực toàn bộ", …
        status_basis=STORED(),                   # {"record": …, "derived": …, "by": {id, number, date, relation, …}}
        field=ID(stored=True, sortable=True),    # canonical "; "-separated lĩnh vực, split by the facet
        effective_date=STORED(),
        author=STORED(), url=STORED(), source=STORED(), attachments=STORED(),
        content_hash=STORED(), path=STORED(), subject=STORED(),
        entry_hash=ID(sortable=True),  # digest of the whole entry: a rebuild rewrites only what changed
    )


def built_schema_version(index_dir: Path):
    """The schema version an index's ``build_info.json`` names; ``None`` when it is unreadable."""
    try:
        return json.loads((index_dir / INFO_FILE).read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError):
        return None
