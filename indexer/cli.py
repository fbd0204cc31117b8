"""The ``python -m indexer`` command line: a thin click shell over build, update, stats, verify, cite.

Defaults come from ``VNLEX_CORPUS_DIR`` (``corpus``) and ``VNLEX_INDEX_DIR`` (``var/index``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from indexer.build import BuildError, build, live_dir, is_stale
from indexer.lock import LockedError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _default_corpus() -> tuple[str, ...]:
    return (os.environ.get("VNLEX_CORPUS_DIR", "corpus"),)


def _default_index() -> str:
    return os.environ.get("VNLEX_INDEX_DIR", "var/index")


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


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


class _Progress:
    """A click progress bar that learns its length once the corpus has been read."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def total(self, n: int) -> None:
        self.bar = click.progressbar(length=n, label=self.label, file=sys.stderr, show_pos=True)
        self.bar.__enter__()

    def step(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command("build", context_settings=CONTEXT)
@corpus_option
@index_option
@jobs_option
@click.option("--if-stale", is_flag=True, help="Do nothing when the index is newer than every corpus file.")
@click.option("--fresh", is_flag=True,
              help="Analyse and write every entry, even when most are unchanged in the live index.")
def build_cmd(corpus, index, jobs, if_stale, fresh):
    """Rebuild the whole index into a fresh directory, verify it, then switch to it atomically.

    When most entries are unchanged, the new directory starts as the live index's files and only
    new or changed entries are written (--fresh: write them all).

    \b
    Example:
        python -m indexer build --corpus corpus --index var/index
    """
    if if_stale and not is_stale(list(corpus), index):
        click.echo(f"index {index} is up to date with {', '.join(map(str, corpus))}")
        return
    progress = _Progress("indexing")
    try:
        stats = build(list(corpus), index, jobs=jobs, progress=progress.step, on_total=progress.total, fresh=fresh)
    except (BuildError, LockedError, OSError) as exc:
        _fail(exc)
    finally:
        progress.close()
    if stats.files_skipped or stats.records_skipped:
        report = live_dir(index) / "corpus_report.txt"
        click.echo(f"skipped input (also in {report}):\n{report.read_text(encoding='utf-8').strip()}", err=True)
    click.echo(f"built {index}: {stats.summary()}")


@main.command("update", context_settings=CONTEXT)
@corpus_option
@index_option
@jobs_option
def update_cmd(corpus, index, jobs):
    """Apply only added, changed and removed corpus files to the live index.

    \b
    Example:
        python -m indexer update --corpus corpus --index var/index
    """
    from indexer.update import update

    try:
        stats = update(list(corpus), index, jobs=jobs)
    except (BuildError, LockedError, OSError) as exc:
        _fail(exc)
    for line in stats.problems:
        click.echo(f"skipped: {line}", err=True)
    click.echo(f"updated {index}: {stats.summary()}")


@main.command("stats", context_settings=CONTEXT)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats_cmd(index, as_json):
    """Counts by kind, type, agency and year; most-cited documents; size and build time.

    \b
    Example:
        python -m indexer stats --index var/index
    """
    from indexer.overview import index_stats, format_stats

    try:
        data = index_stats(index)
    except BuildError as exc:
        _fail(exc)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else format_stats(data))


@main.command("verify", context_settings=CONTEXT)
@corpus_option
@index_option
@click.option("--sample", type=click.IntRange(1), default=200, show_default=True,
              help="How many entries to compare field by field.")
def verify_cmd(corpus, index, sample):
    """Open the index and check its counts and a sample of stored fields against the corpus.

    \b
    Example:
        python -m indexer verify --corpus corpus --index var/index
    """
    from indexer.overview import verify

    try:
        problems, checked = verify(list(corpus), index, sample=sample)
    except BuildError as exc:
        _fail(exc)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problems found: rebuild with `python -m indexer build`")
    click.echo(f"index {index} is consistent with the corpus ({checked} entries compared)")


@main.command("cite", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8"))
def cite_cmd(files):
    """Print the legal documents cited in text, one JSON object per line.

    Reads FILES, or standard input when none are given.

    \b
    Example:
        echo "Kế hoạch số 93/KH-UBND ngày 18/4/2023" | python -m indexer cite
    """
    from indexer.citations import extract_citations
    from indexer.normalize import clean

    for stream in files or (click.get_text_stream("stdin", encoding="utf-8"),):
        for cite in extract_citations(clean(stream.read())):
            click.echo(json.dumps(cite.to_dict(), ensure_ascii=False))
