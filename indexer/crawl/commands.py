"""``python -m indexer crawl`` and ``refresh``: the portal → the corpus folder (→ the index).

Registered on the ``indexer.cli`` group (imported at its end); the shared options and error handling
are the CLI's own.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from indexer.cli import (CONTEXT, _build_problems, _clean_errors, _default_corpus, _progress,
                         _report_skipped, index_option, jobs_option, main, max_record_option, strict_failure)
from indexer.crawl.config import CrawlConfig, CrawlError, load_config
from indexer.index.build import build, live_dir
from indexer.progress import Progress




crawl_strict_option = click.option(
    "--strict", is_flag=True,
    help="Exit with status 2 when a URL failed (refresh: or some corpus input was skipped); for scheduled jobs.")


def _crawl_options(command):
    """The options of ``crawl`` and ``refresh`` (a settings file's values are overridden by them)."""
    options = [
        click.option("--site", "sites", multiple=True, metavar="URL",
                     help="Start page (a listing) of a portal; repeat for several. Only its host is crawled."),
        click.option("--corpus", type=click.Path(path_type=Path), default=lambda: _default_corpus()[0],
                     show_default="$VNLEX_CORPUS_DIR or corpus", help="Folder the pages are saved in."),
        click.option("--config", "config_file", type=click.Path(path_type=Path), metavar="FILE",
                     help="A site's settings (TOML, [crawl] table: sites, include, exclude, delay, contact …)."),
        click.option("--include", multiple=True, metavar="REGEX", help="Only page URLs matching one of these."),
        click.option("--exclude", multiple=True, metavar="REGEX", help="Never page URLs matching one of these."),
        click.option("--max-pages", type=click.IntRange(0), help="Pages fetched per run (0: all) [default: 0]."),
        click.option("--delay", type=click.FloatRange(0), metavar="SECONDS",
                     help="Between two requests to a host; robots.txt's Crawl-delay may ask more [default: 1]."),
        click.option("--timeout", type=click.FloatRange(0.01), metavar="SECONDS", help="Per request [default: 20]."),
        click.option("--retries", type=click.IntRange(0, 10), help="After a timeout or 5xx [default: 2]."),
        click.option("--max-bytes", type=click.IntRange(1_000), help="Largest response read [default: 20000000]."),
        click.option("--contact", metavar="EMAIL_OR_URL", help="Sent in the User-Agent so the portal can reach you."),
        click.option("--max-removals", type=click.FloatRange(0, 1), metavar="SHARE",
                     help="Largest share of saved pages one run may remove [default: 0.2]."),
        click.option("--allow-removals", is_flag=True, default=None,
                     help="Remove pages gone twice in a row even beyond --max-removals."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _crawl_config(corpus, config_file, **given) -> CrawlConfig:
    values = load_config(config_file) if config_file else {}
    values.update({k: (tuple(v) if isinstance(v, tuple) else v) for k, v in given.items()
                   if v not in (None, (), False)})
    if not values.get("sites"):
        raise CrawlError("no site to crawl: give --site URL (or sites = [...] in --config FILE)")
    return CrawlConfig(corpus=corpus, **values)


def _run_crawl(config: CrawlConfig):
    from indexer.crawl.crawler import crawl, report_path

    progress = Progress(sys.stderr)

    def step(done: int, total: int, url: str) -> None:
        if not progress.label:  # the first URL: nothing is printed for a crawl that cannot start
            progress.phase("crawling", total, "URLs")
        progress.total = total
        progress.update(done, url)

    try:
        report = crawl(config, progress=step)
    finally:
        progress.close()
    click.echo(f"crawled {', '.join(config.sites)} into {config.corpus} (run {report.run}"
               f"{', resumed' if report.resumed else ''}): {report.summary()}")
    for line in report.lines()[1:]:
        click.echo(f"  {line}", err=True)
    click.echo(f"report: {report_path(config.corpus)}")
    if report.removals_blocked:
        raise CrawlError(f"{report.removals_blocked} saved pages are gone (404/410 twice in a row), more than "
                         f"{config.max_removals:.0%} of them: check the portal, then run again with "
                         f"--allow-removals (nothing was removed)")
    return report


def _crawl_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CrawlError as exc:
            raise click.ClickException(str(exc)) from None
    return _clean_errors(wrapper)


@main.command("crawl", context_settings=CONTEXT)
@_crawl_options
@crawl_strict_option
@_crawl_errors
def crawl_cmd(corpus, config_file, strict, **given):
    """Fetch a portal's pages into the corpus folder: robots.txt, sitemaps, feeds, listing pages.

    Politely (one request at a time, --delay between two, conditional GET so an unchanged page costs
    a 304) and resumably (state in CORPUS.crawl.sqlite beside the folder: a killed crawl goes on where
    it stopped). The report is printed and written to CORPUS.crawl-report.json.

    \b
    Example:
        python -m indexer crawl --site https://pbgdpl.thanhhoa.gov.vn/tin-tuc --corpus var/portal \\
            --contact it@stp.thanhhoa.gov.vn
    """
    report = _run_crawl(_crawl_config(corpus, config_file, **given))
    if strict and report.failed:
        strict_failure(f"{len(report.failed)} URLs failed")


@main.command("refresh", context_settings=CONTEXT)
@_crawl_options
@index_option
@jobs_option
@max_record_option
@crawl_strict_option
@_crawl_errors
def refresh_cmd(corpus, config_file, index, jobs, max_record_bytes, strict, **given):
    """Crawl the portal (as `crawl`), then `update` the index (or `build` it when there is none).

    \b
    Example:
        python -m indexer refresh --site https://pbgdpl.thanhhoa.gov.vn/tin-tuc --corpus var/portal \\
            --index var/index --strict     # from cron
    """
    from indexer.index.update import update

    report = _run_crawl(_crawl_config(corpus, config_file, **given))
    progress = _progress()
    try:
        if live_dir(index) is None:
            stats = build([corpus], index, jobs=jobs, progress=progress.advance, on_total=progress.entries,
                          on_read=progress.read, max_record_bytes=max_record_bytes)
            _, problems = _build_problems(index, stats)
            summary = f"built {index}: {stats.summary()}"
        else:
            stats = update([corpus], index, jobs=jobs, progress=progress.advance, on_total=progress.entries,
                           max_record_bytes=max_record_bytes)
            problems, summary = list(stats.problems), f"updated {index}: {stats.summary()}"
    finally:
        progress.close()
    click.echo(summary)
    _report_skipped(problems, None, False)
    if strict and (report.failed or problems):
        strict_failure(f"{len(report.failed)} URLs failed, {len(problems)} problems in the input")
