"""Batch faults of the pack runner: two runs in one folder, Ctrl-C, a manifest after each pack.

Packs here are made by a stand-in for :func:`toolkit.packs.runner.build_pack` (no notebook
runs), so the runner's own behaviour is tested quickly: locking, recording, stopping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.inputs.errors import InputError
from toolkit.packs import lock as packs_lock
from toolkit.packs import manifest as packs_manifest
from toolkit.packs import runner as packs_runner
from toolkit.packs.plan import PackJob

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "organisation.md"


def job(slug: str) -> PackJob:
    return PackJob("organisation", slug, slug, slug.title(), NOTEBOOK)


def dead_pid() -> int:
    """Return the id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def made(one: PackJob, out_dir: Path, timeout: int = 0) -> packs_runner.PackResult:
    folder = Path(out_dir) / one.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{one.slug}.html").write_text("<p>pack</p>", encoding="utf-8")
    return packs_runner.PackResult(one.id, one.kind, one.slug, packs_runner.HTML_ONLY,
                                   outputs={"html": f"{one.folder}/{one.slug}.html"})


def manifest_ids(out_dir: Path) -> set[str]:
    path = out_dir / packs_manifest.MANIFEST_NAME
    return set(json.loads(path.read_text(encoding="utf-8"))["packs"]) if path.exists() else set()


def runner_temporaries(out_dir: Path) -> list[Path]:
    return list(out_dir.rglob(f"{packs_manifest.TEMP_PREFIX}*"))


@pytest.fixture(autouse=True)
def no_kernel(monkeypatch):
    """Workers need no kernel or heavy imports: their packs are made by a stand-in."""
    monkeypatch.setattr(packs_runner, "worker_setup",
                        lambda run_dir=None: packs_runner._follow_the_parent())


# ------------------------------------------------------------------------------ the lock

def test_a_second_run_refuses_at_once_naming_the_running_one(tmp_path):
    with packs_lock.locked(tmp_path) as path:
        holder = json.loads(path.read_text(encoding="utf-8"))
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            path.write_text(json.dumps({**holder, "pid": sleeper.pid}), encoding="utf-8")
            with pytest.raises(InputError) as caught:
                packs_runner.run_packs([job("a")], tmp_path, workers=0, progress=False)
        finally:
            sleeper.kill()
            sleeper.wait()
    message = str(caught.value)
    assert f"process {sleeper.pid}" in message and holder["started"] in message
    assert "another --out" in message
    assert not (tmp_path / packs_manifest.MANIFEST_NAME).exists()  # it did nothing


def test_a_lock_left_by_a_run_that_died_is_taken_over(tmp_path):
    stale = {"pid": dead_pid(), "host": os.uname().nodename, "started": "2026-01-01T00:00:00"}
    (tmp_path / packs_lock.LOCK_NAME).write_text(json.dumps(stale), encoding="utf-8")
    with packs_lock.locked(tmp_path) as path:
        assert json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not path.exists()


def test_the_lock_file_is_created_exclusively(tmp_path, monkeypatch):
    flags = []
    real_open = os.open
    monkeypatch.setattr(packs_lock.os, "open", lambda p, f, *a: flags.append(f)
                        or real_open(p, f, *a))
    with packs_lock.locked(tmp_path):
        pass
    assert flags and flags[0] & os.O_CREAT and flags[0] & os.O_EXCL


def test_only_the_runners_own_temporary_files_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(packs_runner, "build_pack", made)
    users = tmp_path / ".my-notes.tmp"
    users.write_text("mine", encoding="utf-8")
    (tmp_path / "organisations").mkdir()
    (tmp_path / "organisations" / ".draft.tmp").mkdir()
    leftover = packs_manifest.temporary_path(tmp_path / "organisations" / "a.html")
    leftover.write_text("half", encoding="utf-8")
    packs_runner.run_packs([job("a")], tmp_path, workers=0, progress=False)
    assert users.read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "organisations" / ".draft.tmp").is_dir()
    assert not leftover.exists() and not runner_temporaries(tmp_path)
    assert not (tmp_path / packs_lock.LOCK_NAME).exists()


# ------------------------------------------------------------- the manifest, pack by pack

def test_the_manifest_is_written_after_each_pack(tmp_path, monkeypatch):
    seen = {}

    def build(one, out_dir, timeout=0):
        seen[one.id] = manifest_ids(Path(out_dir))
        return made(one, out_dir)

    monkeypatch.setattr(packs_runner, "build_pack", build)
    packs_runner.run_packs([job("a"), job("b"), job("c")], tmp_path, workers=0,
                           progress=False)
    assert seen == {"organisation/a": set(), "organisation/b": {"organisation/a"},
                    "organisation/c": {"organisation/a", "organisation/b"}}


def test_ctrl_c_in_this_process_records_what_finished(tmp_path, monkeypatch):
    def build(one, out_dir, timeout=0):
        if one.slug == "b":
            staged = packs_manifest.temporary_folder(Path(out_dir), one.slug)
            try:
                raise KeyboardInterrupt
            finally:
                staged.rmdir()
        return made(one, out_dir)

    monkeypatch.setattr(packs_runner, "build_pack", build)
    with pytest.raises(packs_runner.PacksInterrupted, match="1 of 3 pack"):
        packs_runner.run_packs([job("a"), job("b"), job("c")], tmp_path, workers=0,
                               progress=False)
    assert manifest_ids(tmp_path) == {"organisation/a"}
    assert not runner_temporaries(tmp_path)
    assert not (tmp_path / packs_lock.LOCK_NAME).exists()


def slow_or_quick(one: PackJob, out_dir, timeout=0):
    """Pack 'a' is quick (once 'b' has started); 'b' would take a minute, writing a file."""
    out_dir = Path(out_dir)
    if one.slug == "b":
        (out_dir / "b.pid").write_text(str(os.getpid()), encoding="utf-8")
        staged = packs_manifest.temporary_folder(out_dir, one.slug)
        try:
            time.sleep(60)
            (out_dir / "b-went-on.txt").write_text("late", encoding="utf-8")
        finally:
            staged.rmdir()
    for _ in range(600):
        if (out_dir / "b.pid").exists():
            break
        time.sleep(0.05)
    return made(one, out_dir)


@pytest.mark.skipif(packs_runner.start_method() != "fork", reason="needs forked workers")
def test_ctrl_c_with_the_pool_stops_the_workers_and_records_what_finished(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(packs_runner, "build_pack", slow_or_quick)
    real_progress = packs_runner._progress

    def interrupting_bar(total, enabled):
        bar = real_progress(total, False)
        bar.update = lambda n=1: (_ for _ in ()).throw(KeyboardInterrupt)
        return bar

    monkeypatch.setattr(packs_runner, "_progress", interrupting_bar)
    with pytest.raises(packs_runner.PacksInterrupted, match="1 of 2 pack.*the others were "
                       "stopped"):
        packs_runner.run_packs([job("a"), job("b")], tmp_path, workers=2, progress=False)
    assert manifest_ids(tmp_path) == {"organisation/a"}
    pid = int((tmp_path / "b.pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the worker was stopped (and reaped), not left writing
    assert not (tmp_path / "b-went-on.txt").exists()
    assert not runner_temporaries(tmp_path)


# --------------------------------------------------------------------- the output folder

def test_out_pointing_at_a_file_is_a_plain_message(tmp_path, capsys):
    from toolkit.cli import main

    target = tmp_path / "packs.txt"
    target.write_text("not a folder", encoding="utf-8")
    registry = Path(__file__).resolve().parents[1] / "data" / "samples" / "authorities.yml"
    code = main(["packs", "--registry", str(registry), "--out", str(target), "--only",
                 "network", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "is a file, not a folder" in err and "Traceback" not in err


@pytest.mark.parametrize("code, words", [(30, "read-only"), (28, "disk is full")])
def test_read_only_or_full_disk_while_writing_is_a_plain_message(tmp_path, monkeypatch,
                                                                 code, words):
    import errno

    number = {30: errno.EROFS, 28: errno.ENOSPC}[code]

    def failing_write(path, data):
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr(packs_runner, "build_pack", made)
    monkeypatch.setattr(packs_runner, "write_manifest", lambda *a, **k: failing_write(
        tmp_path / "manifest.json", b""))
    with pytest.raises(InputError, match=words) as caught:
        packs_runner.run_packs([job("a")], tmp_path, workers=0, progress=False)
    assert "manifest.json" in str(caught.value) and "--out" in str(caught.value)
    assert not (tmp_path / packs_lock.LOCK_NAME).exists()


def test_out_on_a_read_only_disk_is_a_plain_message(tmp_path, monkeypatch):
    import errno

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(InputError, match="read-only"):
        packs_runner.output_folder(tmp_path / "new")


# ------------------------------------------------------------- no folders of the machine

def test_the_manifest_and_logs_name_inputs_by_file_name_only(tmp_path, monkeypatch):
    home = tmp_path / "home" / "marybrown" / "Documents"
    home.mkdir(parents=True)
    book = home / "our-year.xlsx"
    book.write_text("not really a workbook", encoding="utf-8")
    one = PackJob("organisation", "ours", "ours", "Ours", NOTEBOOK, inputs=[book],
                  workbooks=[book], parameters={"registry_path": str(home / "reg.yml"),
                                                "workbook_paths": [str(book)]})

    def failing(job, out_dir, timeout=0):
        text = f"{book}: this file could not be opened as an Excel workbook (.xlsx)."
        log = packs_runner._write_log(Path(out_dir), job, f"Traceback ...\n{text}\n")
        return packs_runner.PackResult(job.id, job.kind, job.slug, packs_runner.FAILED,
                                       reason=text, log=log)

    monkeypatch.setattr(packs_runner, "build_pack", failing)
    out = tmp_path / "out"
    summary = packs_runner.run_packs([one], out, workers=0, progress=False)
    manifest = (out / packs_manifest.MANIFEST_NAME).read_text(encoding="utf-8")
    for text in (manifest, (out / "logs" / "ours.log").read_text(encoding="utf-8"),
                 (out / packs_manifest.INDEX_NAME).read_text(encoding="utf-8")):
        assert str(tmp_path) not in text and "marybrown" not in text
    entry = json.loads(manifest)["packs"]["organisation/ours"]
    assert entry["inputs"][0]["path"] == "our-year.xlsx"
    assert entry["reason"].startswith("our-year.xlsx: this file could not be opened")
    assert entry["parameters"]["workbook_paths"] == ["our-year.xlsx"]
    assert entry["notebook"]["path"] == "organisation.md"
    assert summary.exit_code == 1


@pytest.mark.parametrize("number, words", [(28, "the disk is full"), (30, "read-only")])
def test_a_full_disk_while_writing_a_pack_fails_that_pack_in_plain_words(tmp_path, monkeypatch,
                                                                        number, words):
    import errno

    number = {28: errno.ENOSPC, 30: errno.EROFS}[number]

    def render(executed, one, folder, timings):
        raise OSError(number, os.strerror(number), str(folder / f"{one.slug}.html"))

    monkeypatch.setattr(packs_runner, "execute", lambda *a, **k: object())
    monkeypatch.setattr(packs_runner, "_render", render)
    result = packs_runner.build_pack(job("a"), tmp_path)
    assert result.status == packs_runner.FAILED
    assert words in result.reason and "a.html" in result.reason
    assert "Errno" not in result.reason and "Traceback" not in result.reason
    assert not runner_temporaries(tmp_path)
