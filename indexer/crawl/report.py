"""What a crawl run did: ``CrawlReport`` (printed by the CLI, written to ``CORPUS.crawl-report.json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from indexer.crawl.state import State

__all__ = ["CrawlReport", "report_path", "run_report"]

# Outcomes of a page in a run; "listed" (a listing page, sitemap or feed read) and "missing" are not pages.
_PAGE_OUTCOMES = ("new", "changed", "unchanged", "removed", "gone", "failed", "skipped")


@dataclass(frozen=True)
class CrawlReport:
    """What a run did; ``failed`` and ``skipped`` are ``(url, reason)`` pairs, ``notes`` other remarks."""

    run: int
    resumed: bool
    new: int
    changed: int
    unchanged: int
    removed: int
    gone: int
    failed: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    requests: int
    bytes: int
    seconds: float
    pages_left: int = 0
    removals_blocked: int = 0

    def summary(self) -> str:
        return (f"pages: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, {self.removed} removed, "
                f"{self.gone} gone once, {len(self.failed)} failed, {len(self.skipped)} skipped; "
                f"{self.requests} requests, {self.bytes:,} bytes, {self.seconds:.1f} s")

    def lines(self) -> list[str]:
        """The summary, then one line per failure, skip and note."""
        out = [self.summary()]
        if self.pages_left:
            out.append(f"{self.pages_left} pages left for the next run (--max-pages)")
        out += [f"failed: {url}: {reason}" for url, reason in self.failed]
        out += [f"skipped: {url}: {reason}" for url, reason in self.skipped]
        return out + [f"note: {note}" for note in self.notes]

    def to_dict(self) -> dict:
        out = asdict(self)
        out["failed"] = [{"url": u, "reason": r} for u, r in self.failed]
        out["skipped"] = [{"url": u, "reason": r} for u, r in self.skipped]
        return out


def report_path(corpus: Path) -> Path:
    """``corpus/`` → ``corpus.crawl-report.json`` beside it."""
    corpus = Path(corpus)
    return corpus.with_name(corpus.name + ".crawl-report.json")


def run_report(state: State, left: int, blocked: int, max_removals: float) -> CrawlReport:
    """The report of ``state``'s run (all of it, also what a killed process did before a resume)."""
    rows = state.rows("done = ? AND kind != 'pdf'", state.run)
    count = {o: sum(r["outcome"] == o and r["kind"] == "page" for r in rows) for o in _PAGE_OUTCOMES}
    failed = tuple((r["url"], r["error"]) for r in state.robots_errors())
    failed += tuple((r["url"], r["error"] or "") for r in rows if r["outcome"] == "failed")
    skipped = tuple((r["url"], r["error"] or "") for r in rows if r["outcome"] == "skipped")
    notes = tuple(f"{r['url']}: {r['error']}" for r in rows
                  if r["outcome"] in ("new", "changed", "unchanged") and r["error"])
    if blocked:
        notes += (f"{blocked} pages gone twice were kept: more than {max_removals:.0%} of the saved pages "
                  f"(--allow-removals to remove them)",)
    totals = state.counts()
    return CrawlReport(state.run, state.resumed, count["new"], count["changed"], count["unchanged"],
                       count["removed"], count["gone"], failed, skipped, notes, totals["requests"],
                       totals["bytes"], round(totals["seconds"], 2), left, blocked)
