"""The command lines as staff run them (real processes): one-line errors and exit codes, ``--strict``
for scheduled jobs, each problem printed once, progress that reads in a log, help on every command."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

GOOD = {"id": "tot-1", "kind": "article", "title": "Kế hoạch phổ biến giáo dục pháp luật năm 2024",
        "body": "Thực hiện Kế hoạch số 93/KH-UBND ngày 18/4/2023 của UBND tỉnh.", "date": "05/01/2024"}


def _run(*args: str, env: dict | None = None, module: str = "indexer") -> subprocess.CompletedProcess:
    """``python -m MODULE ARGS`` without a terminal, as cron runs it."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("VNLEX_")}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True,
                          env={**base, "PYTHONPATH": str(REPO), **(env or {})}, timeout=300, stdin=subprocess.DEVNULL)


def _corpus(tmp_path: Path, *extra_lines: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [json.dumps(GOOD, ensure_ascii=False), *extra_lines]
    (corpus / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


# --- one line, exit 1, never a traceback ------------------------------------------------------------

@pytest.mark.parametrize("command", ["build", "update"])
def test_a_mistyped_corpus_path_is_one_line_and_exit_1(tmp_path, command):
    done = _run(command, "--corpus", str(tmp_path / "khong-co"), "--index", str(tmp_path / "index"))
    assert (done.returncode, done.stderr) == (
        1, f"Error: corpus path not found: {tmp_path / 'khong-co'} (give a folder of pages or a records file)\n")


def test_make_index_with_a_mistyped_corpus_folder_says_so_in_one_line(tmp_path):
    done = subprocess.run(["make", "--no-print-directory", "index", f"PY={sys.executable}",
                           f"VNLEX_INDEX_DIR={tmp_path / 'index'}", "-o", ".venv/.installed"],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "VNLEX_CORPUS_DIR": str(tmp_path / "nhap-sai")})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert f"Error: corpus path not found: {tmp_path / 'nhap-sai'}" in done.stderr


def test_update_without_an_index_says_to_build_first(tmp_path):
    done = _run("update", "--corpus", str(_corpus(tmp_path)), "--index", str(tmp_path / "index"))
    assert (done.returncode, done.stderr) == (
        1, f"Error: no index at {tmp_path / 'index'}: run `python -m indexer build` first\n")


def test_an_unreadable_corpus_file_is_reported_once_and_the_rest_is_built(tmp_path):
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: an unreadable file would be read")
    corpus = _corpus(tmp_path)
    secret = corpus / "khoa.jsonl"
    secret.write_text(json.dumps(dict(GOOD, id="tot-2")) + "\n", encoding="utf-8")
    secret.chmod(0o000)
    # root ignores permission bits unless these capabilities go
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
    try:
        done = subprocess.run([*prefix, sys.executable, "-m", "indexer", "build", "--corpus", str(corpus),
                               "--index", str(tmp_path / "index")], cwd=REPO, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    finally:
        secret.chmod(0o644)
    assert (done.returncode, "Traceback" in done.stderr) == (0, False), done.stderr
    assert done.stderr.count(str(secret)) == 1, done.stderr
    assert f"{secret}:0: cannot read file: Permission denied" in done.stderr


def test_a_port_in_use_is_one_line_and_exit_1(tiny_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run("serve", "--index", str(tiny_index), "--port", str(port), module="search_app")
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        1, f"Error: port {port} on 127.0.0.1 is already in use (another server is running there?): stop it, "
           "or choose another port with --port or VNLEX_PORT")
    assert "Traceback" not in done.stderr


# --- skipped input: printed once, and --strict for scheduled jobs -----------------------------------

def test_a_build_that_skipped_a_line_prints_it_once_and_strict_exits_2(tmp_path):
    corpus = _corpus(tmp_path, "{khong phai json")
    index = str(tmp_path / "index")
    relaxed = _run("build", "--corpus", str(corpus), "--index", index)
    strict = _run("build", "--corpus", str(corpus), "--index", index, "--strict")
    where = f"{corpus / 'records.jsonl'}:2:"
    assert (relaxed.returncode, strict.returncode) == (0, 2)
    for done in (relaxed, strict):
        assert done.stderr.count(where) == 1, done.stderr
        assert re.search(r": 2 entries \(1 articles, 0 documents, 1 cited-only[^)]*\) from 1/1 files, 0 files and 1 "
                         r"records skipped", done.stdout), done.stdout
    assert strict.stderr.splitlines()[-1] == "Error: 1 problems in the input (--strict)"


def test_update_strict_exits_2_when_a_changed_file_has_a_bad_line(tmp_path):
    corpus = _corpus(tmp_path)
    index = str(tmp_path / "index")
    assert _run("build", "--corpus", str(corpus), "--index", index, "--strict").returncode == 0
    with open(corpus / "records.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(dict(GOOD, id="tot-3", title="Kế hoạch mới"), ensure_ascii=False) + "\n{hỏng\n")
    done = _run("update", "--corpus", str(corpus), "--index", index, "--strict")
    assert done.returncode == 2, done.stderr
    assert "entries +1 ~0 -0" in done.stdout
    assert done.stderr.count(f"{corpus / 'records.jsonl'}:3:") == 1


# --- progress in a log ------------------------------------------------------------------------------

def test_without_a_terminal_progress_is_plain_lines_with_counts(tmp_path):
    corpus = _corpus(tmp_path)
    done = _run("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    size = (corpus / "records.jsonl").stat().st_size / 1e6
    reading = [line for line in done.stderr.splitlines() if line.startswith("reading")]
    assert reading[0] == f"reading: {size:.1f} MB"
    assert re.fullmatch(rf"reading: {size:.1f}/{size:.1f} MB \(100%\), 1 records, 1/1 files, [0-9.,]+ MB/s, \d+s",
                        reading[-1]), reading
    indexing = [line for line in done.stderr.splitlines() if line.startswith("indexing")]
    # the article and the plan it cites (93/KH-UBND), an entry of its own
    assert indexing[0] == "indexing: 2 entries", indexing
    assert re.fullmatch(r"indexing: 2/2 entries \(100%\), [0-9.,]+ entries/s, \d+s", indexing[-1]), indexing
    assert "\r" not in done.stderr and "\x1b" not in done.stderr


# --- help -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("module, command", [("indexer", c) for c in ("build", "update", "stats", "verify", "cite")]
                         + [("search_app", "serve")])
def test_every_command_has_help_with_an_example(module, command):
    done = _run(command, "-h", module=module)
    assert (done.returncode, "Example:" in done.stdout, f"python -m {module} {command}" in done.stdout) == \
        (0, True, True), done.stdout


def test_update_of_an_index_with_a_damaged_manifest_says_to_rebuild(tmp_path):
    corpus = _corpus(tmp_path)
    index = tmp_path / "index"
    assert _run("build", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    (index.resolve() / "manifest.json").write_text('{"cut short', encoding="utf-8")
    done = _run("update", "--corpus", str(corpus), "--index", str(index))
    assert (done.returncode, done.stderr) == (
        1, f"Error: the index at {index} has a damaged build_info.json or manifest.json: run a full build "
           "(`python -m indexer build`)\n")
