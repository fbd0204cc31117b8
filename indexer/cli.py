"""The ``python -m indexer`` command line: a thin click shell over build, update, stats, verify, cite, adopt.

Defaults come from ``VNLEX_CORPUS_DIR`` (``corpus``) and ``VNLEX_INDEX_DIR`` (``var/index``).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

import click

from indexer.index import postarrays
from indexer.index.build import BuildError, build, is_stale, live_dir
from indexer.index.folders import DEFAULT_INDEX, NO_ROOM, REPORT_FILE, WriteError, os_reason
from indexer.read.reader import MAX_RECORD_BYTES, CorpusError, ReadProgress
from indexer.index.lock import IndexLock, LockedError
from indexer.progress import Progress, megabytes

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _default_corpus() -> tuple[str, ...]:
    return (os.environ.get("VNLEX_CORPUS_DIR", "corpus"),)


def _default_index() -> str:
    return os.environ.get("VNLEX_INDEX_DIR", DEFAULT_INDEX)


corpus_option = click.option("--corpus", "corpus", multiple=True, type=click.Path(path_type=Path),
                             default=_default_corpus, show_default="$VNLEX_CORPUS_DIR or corpus",
                             help="Corpus folder or file; repeat for several.")
index_option = click.option("--index", "index", type=click.Path(path_type=Path), default=_default_index,
                            show_default="$VNLEX_INDEX_DIR or var/index", help="Index location.")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(1, 64), default=lambda: min(2, os.cpu_count() or 1),
                           show_default="cores, at most 2", help="Segmenting worker processes.")


@click.group(context_settings=CONTEXT)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, not only the summary.")
def main(verbose: bool) -> None:
    """Build and inspect the vnlex search index."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


max_record_option = click.option(
    "--max-record-bytes", type=click.IntRange(1_000), default=MAX_RECORD_BYTES, show_default=True,
    help="Largest record (one line or list item of a records file) or page file read; larger ones are "
         "reported and skipped. Records files themselves may be of any size.")
strict_option = click.option("--strict", is_flag=True,
                             help="Exit with status 2 when any file or record was skipped (for scheduled jobs).")

EXIT_SKIPPED = 2  # --strict: the index was written, but some input was skipped


def strict_failure(what: str) -> None:
    """``--strict`` and something was skipped or failed: one ``Error:`` line, exit ``EXIT_SKIPPED``."""
    click.echo(f"Error: {what} (--strict)", err=True)
    sys.exit(EXIT_SKIPPED)


def _os_message(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in NO_ROOM:
        return (f"no room to write{where}: {os_reason(exc)}; free disk space (or raise the file size limit) and "
                f"run the command again; the live index is unchanged")
    if exc.filename:
        return f"{exc.strerror}: '{exc.filename}'"
    return exc.strerror or str(exc)


def _clean_errors(command):
    """Expected failures become one ``Error: …`` line and exit status 1, never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (BuildError, WriteError, LockedError, CorpusError) as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(_os_message(exc)) from None
        except sqlite3.OperationalError as exc:  # the segmentation cache beside the index
            raise click.ClickException(f"cannot write the segmentation cache: {exc}; free disk space and run "
                                       f"the command again; the live index is unchanged") from None
        except KeyboardInterrupt:
            click.echo("Error: interrupted; the live index is unchanged", err=True)
            sys.exit(130)
    return wrapper


class _BuildProgress(Progress):
    """Reading (by bytes of the corpus files, with records and files counted), then indexing (entries)."""

    def __init__(self):
        super().__init__(sys.stderr)

    def read(self, p: ReadProgress) -> None:
        if self.label != "reading":
            self.phase("reading", p.bytes_total, "MB", fmt=megabytes)
        self.update(p.bytes_done, f"{p.records_done:,} records, {p.files_done:,}/{p.files_total:,} files")

    def entries(self, total: int) -> None:
        self.phase("indexing", total, "entries")


def _progress() -> _BuildProgress:
    return _BuildProgress()


def _build_problems(index: Path, stats) -> tuple[Path, list[str]]:
    """The live build's corpus report and its problem lines (none unless something was skipped)."""
    report = live_dir(index) / REPORT_FILE
    skipped = stats.files_skipped or stats.records_skipped
    return report, report.read_text(encoding="utf-8").splitlines()[1:] if skipped else []


def _report_skipped(problems: list[str], report: Path | None, strict: bool) -> None:
    """Each problem once, on stderr; with ``strict``, exit 2 after the summary was printed."""
    if not problems:
        return
    where = f" (also in {report})" if report is not None else ""
    click.echo(f"skipped input{where}:", err=True)
    for line in problems:
        click.echo(f"  {line}", err=True)
    if strict:
        strict_failure(f"{len(problems)} problems in the input")


@main.command("build", context_settings=CONTEXT)
@corpus_option
@index_option
@jobs_option
@click.option("--if-stale", is_flag=True, help="Do nothing when the index is newer than every corpus file.")
@click.option("--fresh", is_flag=True,
              help="Analyse and write every entry, even when most are unchanged in the live index.")
@max_record_option
@strict_option
@_clean_errors
def build_cmd(corpus, index, jobs, if_stale, fresh, max_record_bytes, strict):
    """Rebuild the whole index into a fresh directory, verify it, then switch to it atomically.

    When most entries are unchanged, the new directory starts as the live index's files and only
    new or changed entries are written (--fresh: write them all). A failed build removes what it
    wrote; the live index is never touched until the switch.

    \b
    Example:
        python -m indexer build --corpus corpus --index var/index
        python -m indexer build --corpus exports/ --index var/index --strict   # from cron
    """
    if if_stale and not is_stale(list(corpus), index):
        live, added = live_dir(Path(index)), 0
        if live is not None:  # an index of an older version: its arrays files, under the index's lock
            with IndexLock(Path(index)):
                added = postarrays.write_missing(live)
        click.echo(f"index {index} is up to date with {', '.join(map(str, corpus))}"
                   + (f" (posting arrays written for {added} segment(s))" if added else ""))
        return
    progress = _progress()
    try:
        stats = build(list(corpus), index, jobs=jobs, progress=progress.advance, on_total=progress.entries,
                      fresh=fresh, max_record_bytes=max_record_bytes, on_read=progress.read)
    finally:
        progress.close()
    report, problems = _build_problems(index, stats)
    click.echo(f"built {index}: {stats.summary()}")
    _report_skipped(problems, report, strict)


@main.command("update", context_settings=CONTEXT)
@corpus_option
@index_option
@jobs_option
@max_record_option
@strict_option
@_clean_errors
def update_cmd(corpus, index, jobs, max_record_bytes, strict):
    """Apply only added, changed and removed corpus files: written into a new build folder and
    switched to, so a running server keeps answering.

    \b
    Example:
        python -m indexer update --corpus corpus --index var/index
        python -m indexer update --corpus exports/ --index var/index --strict   # from cron
    """
    from indexer.index.update import update

    progress = _progress()
    try:
        stats = update(list(corpus), index, jobs=jobs, progress=progress.advance, on_total=progress.entries,
                       max_record_bytes=max_record_bytes)
    finally:
        progress.close()
    click.echo(f"updated {index}: {stats.summary()}")
    _report_skipped(list(stats.problems), None, strict)


@main.command("stats", context_settings=CONTEXT)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_clean_errors
def stats_cmd(index, as_json):
    """Counts by kind, type, agency and year; most-cited documents; size and build time.

    \b
    Example:
        python -m indexer stats --index var/index
    """
    from indexer.index.overview import index_stats, format_stats

    data = index_stats(index)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else format_stats(data))


@main.command("verify", context_settings=CONTEXT)
@corpus_option
@index_option
@click.option("--sample", type=click.IntRange(1), default=200, show_default=True,
              help="How many entries to compare field by field.")
@_clean_errors
def verify_cmd(corpus, index, sample):
    """Open the index and check its counts and a sample of stored fields against the corpus.

    \b
    Example:
        python -m indexer verify --corpus corpus --index var/index
    """
    from indexer.index.overview import verify

    problems, checked = verify(list(corpus), index, sample=sample)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problems found: rebuild with `python -m indexer build`")
    click.echo(f"index {index} is consistent with the corpus ({checked} entries compared)")


@main.command("cite", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_clean_errors
def cite_cmd(files):
    """Print the legal documents cited in text, one JSON object per line, each with its
    "relation" (can_cu, huong_dan, sua_doi, thay_the, bai_bo, het_hieu_luc, thuc_hien, bi_…,
    dan_chieu) read from its sentence.

    Reads FILES, or standard input when none are given; given several files, each line also names
    its "file".

    \b
    Example:
        echo "Kế hoạch thực hiện Kết luận số 44-KL/TW" | python -m indexer cite
    """
    from indexer.cite.citations import extract_citations
    from indexer.cite.relations import read_relations
    from indexer.text.normalize import clean

    for name in files or ("-",):
        try:
            raw = click.get_text_stream("stdin", encoding="utf-8").read() if name == "-" else \
                Path(name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(f"{name}: not UTF-8 text") from None
        text = clean(raw)
        found = extract_citations(text)
        for cite, reading in zip(found, read_relations(text, found)):
            out = {"file": str(name)} if len(files) > 1 else {}
            out.update(cite.to_dict(), **reading.to_dict())
            click.echo(json.dumps(out, ensure_ascii=False))


@main.command("adopt", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(path_type=Path))
@index_option
@_clean_errors
def adopt_cmd(folder, index):
    """On a replica: check a build folder copied from the primary, then switch the index to it.

    FOLDER is in the index's builds folder (var/index.builds/NAME), by path or by NAME. It is read
    end to end (every segment file, the build's info, manifest and report, the schema version)
    before the index link is switched to it in one rename; a folder that fails is never served.
    Adopting the live build again does nothing. The recipe for N replicas: README, "Replicas".

    \b
    Example:
        rsync -a --link-dest=../$(readlink var/index | xargs basename) \\
            primary:/srv/vnlex/var/index.builds/NAME/ var/index.builds/NAME.tmp/
        mv -T var/index.builds/NAME.tmp var/index.builds/NAME
        python -m indexer adopt NAME --index var/index
    """
    from indexer.index.replica import AdoptError, adopt

    try:
        done = adopt(folder, index)
    except AdoptError as exc:
        raise click.ClickException(str(exc)) from None
    if done.already_live:
        click.echo(f"{done.name} is already live at {index} ({done.entries} entries): nothing to do")
    else:
        click.echo(f"adopted {done.name} at {index}: {done.entries} entries (was {done.previous or 'no index'})")


from indexer.crawl import commands as _crawl_commands  # noqa: E402,F401  (registers crawl and refresh)
