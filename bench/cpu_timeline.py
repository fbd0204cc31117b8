"""Where a command's CPU goes, process by process and phase by phase (issue 18: the build's timeline).

Runs the command, samples every process of its tree each ``--every`` seconds (``/proc/<pid>/stat``:
user + system seconds), prints each sample and the command's output lines with their time, then the
CPU seconds of each process before and after the first output line that starts with ``--split``
(for ``indexer build``: ``"indexing: "``, where reading, citations and pyvi end and the writers begin).
Processes are named ``p0`` (the command), ``p1``… in the order they were first seen.

    python bench/cpu_timeline.py [--split 'indexing: '] -- python -m indexer build --fresh -j 2 \\
        --corpus var/bench/corpus --index var/bench/timeline/index
"""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
import time
from collections import Counter

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (st := _stat(int(name))) is not None:
            children.setdefault(int(st[1]), []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def cpu_seconds(pid: int) -> float | None:
    st = _stat(pid)
    return None if st is None else (int(st[11]) + int(st[12])) / TICK


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=float, default=2.0, help="seconds between samples")
    ap.add_argument("--split", default="indexing: ", help="output line starting the second phase")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command given")
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    split_at: list[float] = []

    def echo() -> None:
        for line in proc.stdout:
            now = time.monotonic() - started
            if not split_at and line.startswith(args.split):
                split_at.append(now)
            print(f"[{now:7.1f}] out {line.rstrip()}", flush=True)

    reader = threading.Thread(target=echo, daemon=True)
    reader.start()
    names: dict[int, str] = {}
    last: dict[int, float] = {}
    phases = {"before": Counter(), "after": Counter()}
    while proc.poll() is None:
        time.sleep(args.every)
        row = []
        for pid in tree(proc.pid):
            now = cpu_seconds(pid)
            if now is None:
                continue
            name = names.setdefault(pid, f"p{len(names)}")
            delta = now - last.get(pid, 0.0)
            last[pid] = now
            phases["after" if split_at else "before"][name] += delta
            row.append(f"{name} {delta:.1f}")
        print(f"[{time.monotonic() - started:7.1f}] cpu " + ", ".join(row), flush=True)
    reader.join()
    print(f"exit {proc.returncode} after {time.monotonic() - started:.1f} s; "
          f"'{args.split.strip()}' at {f'{split_at[0]:.1f}' if split_at else '-'} s")
    for phase, counts in phases.items():
        print(f"{phase}: " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(counts.items()))
              + f"; total {sum(counts.values()):.1f} s CPU")
    raise SystemExit(proc.returncode)


if __name__ == "__main__":
    main()
