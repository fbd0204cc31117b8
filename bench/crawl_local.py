"""Two ``refresh`` runs against the test portal on 127.0.0.1 (issue #16): what each fetches and costs.

The portal is ``tests/crawl_site.py`` (real pages from ../shared, a PDF, and every kind of trouble:
a 500, a 429, a slow page, a redirect loop, a huge page). Run 1 builds the index from nothing; then one
article is edited, and run 2 should fetch it alone in full, every unchanged page costing a 304.

    python bench/crawl_local.py [--delay 0.05]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repo, not bench/: keep stdlib names unshadowed
sys.path.insert(1, str(Path(sys.path[0]) / "tests"))

from bench.common import PYTHON, RESULTS, ROOT, VAR, write_result  # noqa: E402
from crawl_site import PortalSite, article, build_portal, have_data  # noqa: E402

WORK = VAR / "crawl_local"


def refresh(site: PortalSite, delay: float) -> tuple[list[str], dict, float]:
    """Run the CLI; (its command, its crawl report, wall seconds)."""
    cmd = [PYTHON, "-m", "indexer", "refresh", "--site", site.url("/tin-tuc"), "--site", site.url("/van-ban"),
           "--corpus", str((WORK / "corpus").relative_to(ROOT)), "--index", str((WORK / "index").relative_to(ROOT)),
           "--delay", str(delay),
           "--timeout", "0.5", "--retries", "1", "--max-bytes", "1000000", "--jobs", "1"]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(done.stdout, end="")
    if done.returncode != 0:
        raise SystemExit(f"refresh failed ({done.returncode}): {done.stderr}")
    report = json.loads((WORK / "corpus.crawl-report.json").read_text(encoding="utf-8"))
    return cmd, report | {"index": done.stdout.splitlines()[-1]}, seconds


def figures(site: PortalSite, since: int, report: dict, seconds: float) -> dict:
    statuses = Counter(str(e.status) for e in site.requests[since:])
    return {"pages_new": report["new"], "pages_changed": report["changed"], "pages_unchanged": report["unchanged"],
            "pages_failed": len(report["failed"]), "urls_skipped": len(report["skipped"]),
            "requests": report["requests"], "requests_seen_by_server": len(site.requests) - since,
            "statuses": dict(sorted(statuses.items())), "bytes": report["bytes"],
            "crawl_seconds": report["seconds"], "refresh_seconds": round(seconds, 2), "index": report["index"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.05, help="--delay of the crawler (seconds)")
    args = parser.parse_args()
    if not have_data():
        raise SystemExit("shared data not found (set VNLEX_SHARED to the shared folder)")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    runs = []
    with PortalSite() as site:
        build_portal(site)
        cmd, report, seconds = refresh(site, args.delay)
        runs.append(figures(site, 0, report, seconds))
        site.add("/tin-tuc/bai-2", article("/tin-tuc/bai-2", changed="Bổ sung: hội nghị trực tuyến toàn tỉnh."))
        since = len(site.requests)
        _, report, seconds = refresh(site, args.delay)
        runs.append(figures(site, since, report, seconds))
    for n, run in enumerate(runs, 1):
        print(f"run {n}: {run['pages_new']} new, {run['pages_changed']} changed, {run['pages_unchanged']} unchanged, "
              f"{run['pages_failed']} failed; {run['requests']} requests {run['statuses']}, {run['bytes']:,} bytes, "
              f"crawl {run['crawl_seconds']} s, refresh {run['refresh_seconds']} s")
    command = " ".join(Path(a).name if a == PYTHON else a for a in cmd).replace(site.base, "http://127.0.0.1:PORT")
    write_result(RESULTS / "crawl_local.json", {"delay": args.delay, "refresh_command": command,
                                                "change_between_runs": "one article edited (/tin-tuc/bai-2)",
                                                "runs": runs})


if __name__ == "__main__":
    main()
