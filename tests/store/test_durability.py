"""Safe and durable under faults (issue 13): writers take turns, a save is all or nothing
even under kill -9, a full disk changes nothing, a shallow clone is refused, published
files are world-readable, and a JSON export is read in linear time.

Real processes throughout: the lock is tested between two of them, and the crashes are
real SIGKILLs of an import, at every step of its save (a fault hook that only tests
set: builder.store.durable.FAULT_ENV) and at random moments from outside."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.ingest.formats.json_export import load_json_export
from builder.store import durable
from builder.store.records import LOCK_FILE, load_store, survey_dir_name
from conftest import ROOT, make_project
from storecheck import answers, listing, snapshot

OLD_SURVEY = "Durability 2031 CA Communication (fictitious)"
NEW_SURVEY = "Durability 2032 CA Communication (fictitious)"
HEADER = ("survey,survey_id,question_id,question_order,question_type,question_text,ca_owner,"
          "response,option_number,submitted_at\n")
FREE = "Free Text (Multi line text box)"


def export(rows: list[tuple[str, str, str, str]]) -> str:
    """A ccadb-csv export: (survey, question id, CA owner, answer) per row."""
    return HEADER + "".join(f'{survey},,{qid},1,{FREE},"ACTION 1: {qid}?",{owner},"{text}",,\n'
                            for survey, qid, owner, text in rows)


V1 = export([(OLD_SURVEY, "Q09101", "Fictitious Alpha CA", "first answer"),
             (OLD_SURVEY, "Q09101", "Fictitious Beta CA", "first answer")])
V2 = export([(OLD_SURVEY, "Q09101", "Fictitious Alpha CA", "second answer"),
             (OLD_SURVEY, "Q09101", "Fictitious Beta CA", "first answer"),
             (NEW_SURVEY, "Q09201", "Fictitious Alpha CA", "a new survey's answer"),
             (NEW_SURVEY, "Q09201", "Fictitious Gamma CA", "a new survey's answer")])


def run(*args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`builder ARGS` in its own process."""
    return subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def contents(folder: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _) in snapshot(folder).items()}


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The store before the second import (one survey), the exports, and the store after."""
    root = tmp_path_factory.mktemp("states")
    (root / "v1.csv").write_text(V1, encoding="utf-8")
    (root / "v2.csv").write_text(V2, encoding="utf-8")
    done = run("import", root / "v1.csv", "--data", root / "old",
               "--observed-at", "2031-01-01T00:00:00Z")
    assert done.returncode == 0, done.stderr
    shutil.copytree(root / "old", root / "new")
    done = run("import", root / "v2.csv", "--data", root / "new",
               "--observed-at", "2031-02-01T00:00:00Z")
    assert done.returncode == 0, done.stderr
    return {"old": root / "old", "new": root / "new", "v1": root / "v1.csv",
            "v2": root / "v2.csv"}


def second_import(data: Path, v2: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run("import", v2, "--data", data, "--observed-at", "2031-02-01T00:00:00Z", env=env)


# -- 2. two writers at once ---------------------------------------------------------------

PAUSED_IMPORT = """
import sys
from pathlib import Path
import builder.ingest.importer as importer
from builder.ingest.formats import LoadOptions

real_save = importer.save_store

def paused_save(store, data_dir):  # the store is read and merged: wait before saving it
    print("read", flush=True)
    sys.stdin.readline()
    return real_save(store, data_dir)

importer.save_store = paused_save
source = Path(sys.argv[2])
importer.import_bytes(source.read_bytes(), str(source), Path(sys.argv[1]), LoadOptions(),
                      partial=True, observed_at="2031-01-15T00:00:00Z")
"""


def test_a_second_writer_stops_naming_the_first_or_waits_and_keeps_both(
        states: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(states["old"], data)
    mine = tmp_path / "mine.csv"
    mine.write_text(export([(OLD_SURVEY, "Q09101", "Fictitious Delta CA", "delta's answer")]),
                    encoding="utf-8")
    with subprocess.Popen([sys.executable, "-c", PAUSED_IMPORT, str(data), str(mine)],
                          cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as first:
        assert first.stdout is not None and first.stdin is not None
        assert first.stdout.readline() == "read\n"
        before = snapshot(data)
        refused = second_import(data, states["v2"])
        assert refused.returncode == 1
        assert refused.stderr.startswith(
            f"error: {data}: another command is changing the store (pid {first.pid}, since ")
        assert "try again when it has finished, or pass --wait SECONDS" in refused.stderr
        assert snapshot(data) == before
        start = time.monotonic()
        gave_up = run("import", states["v2"], "--data", data, "--wait", "1.5")
        assert gave_up.returncode == 1 and time.monotonic() - start >= 1.5
        assert f"another command is changing the store (pid {first.pid}" in gave_up.stderr
        assert snapshot(data) == before
        # A reader is stopped too while a writer holds the store.
        reader = run("validate", "--data", data)
        assert reader.returncode == 1 and re.fullmatch(
            re.escape(f"error: {data}: another command is changing the store (pid "
                      f"{first.pid}, since ") + r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\); try again "
            r"when it has finished\n", reader.stderr), reader.stderr
        with subprocess.Popen(
                [sys.executable, "-m", "builder", "import", str(states["v2"]), "--data",
                 str(data), "--observed-at", "2031-02-01T00:00:00Z", "--partial", "--wait",
                 "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True) as waiting:
            time.sleep(1.0)
            assert waiting.poll() is None  # still waiting for the first one
            first.stdin.write("\n")
            first.stdin.flush()
            assert first.wait(60) == 0
            _, err = waiting.communicate(timeout=60)
            assert waiting.returncode == 0, err
    # The second one read the store as the first left it: nothing of either is lost.
    got = answers(data)
    assert got[("Q09101", "Fictitious Delta CA")] == (("delta's answer",), ())
    assert got[("Q09201", "Fictitious Gamma CA")] == (("a new survey's answer",), ())
    history = load_store(data).surveys[OLD_SURVEY].history
    assert {(c.owner_name, c.kind) for c in history} >= {
        ("Fictitious Delta CA", "added"), ("Fictitious Alpha CA", "changed")}
    assert not (data / LOCK_FILE).exists()  # the last holder removes it


def test_concurrent_writers_with_wait_lose_nothing(states: dict[str, Path],
                                                   tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(states["old"], data)
    owners = [f"Fictitious Writer {n} CA" for n in range(4)]
    procs = []
    for n, owner in enumerate(owners):
        source = tmp_path / f"w{n}.csv"
        source.write_text(export([(OLD_SURVEY, "Q09101", owner, f"answer {n}")]),
                          encoding="utf-8")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "builder", "import", str(source), "--data", str(data),
             "--partial", "--wait", "120"], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True))
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    got = answers(data)
    assert all(("Q09101", owner) in got for owner in owners)
    added = [c.owner_name for c in load_store(data).surveys[OLD_SURVEY].history
             if c.kind == "added"]
    assert set(owners) <= set(added)


def test_the_lock_is_reentrant_and_a_reader_cannot_become_a_writer(tmp_path: Path) -> None:
    from builder.store.records import store_lock

    with store_lock(tmp_path), store_lock(tmp_path), store_lock(tmp_path, shared=True):
        assert (tmp_path / LOCK_FILE).exists()
    assert not (tmp_path / LOCK_FILE).exists()
    with store_lock(tmp_path, shared=True), pytest.raises(RuntimeError), store_lock(tmp_path):
        pass


# -- 3. a crash in the middle of a save ----------------------------------------------------

def test_an_import_killed_at_any_step_of_its_save_leaves_the_old_or_the_new_store(
        states: dict[str, Path], tmp_path: Path) -> None:
    old, new = contents(states["old"]), contents(states["new"])
    assert old != new
    outcomes = []
    for step in range(1, 100):
        data = tmp_path / f"kill-{step}"
        shutil.copytree(states["old"], data)
        done = second_import(data, states["v2"], **{durable.FAULT_ENV: f"kill:{step}"})
        if done.returncode == 0:  # the save has fewer steps: every one was tried
            assert contents(data) == new
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
        # The next command (here one that only reads) completes or drops the save first.
        if step == 1:
            checked = run("validate", "--data", data)
            assert checked.returncode == 0, (step, checked.stderr)
        else:
            load_store(data)  # what `builder validate` does, without starting a process
        after = contents(data)
        assert after in (old, new), step
        assert listing(data) == listing(states["old" if after == old else "new"]), step
        outcomes.append("old" if after == old else "new")
    else:
        pytest.fail("the save never finished")
    # The staged files and the journal come before the commit point, the renames after.
    assert outcomes[0] == "old" and outcomes[-1] == "new" and len(outcomes) >= 8
    assert outcomes == sorted(outcomes, key=["old", "new"].index)


def test_an_import_stopped_by_sigterm_at_any_step_says_what_became_of_its_save(
        states: dict[str, Path], tmp_path: Path) -> None:
    """SIGTERM stops an import as Ctrl-C does: before the commit point nothing is left
    (no staging folder, no journal: the store exactly as it was); after it the save is
    kept, and the message says so instead of a bare "Aborted!"."""
    old, new = contents(states["old"]), contents(states["new"])
    said = []
    for step in range(1, 100):
        data = tmp_path / f"term-{step}"
        shutil.copytree(states["old"], data)
        done = second_import(data, states["v2"], **{durable.FAULT_ENV: f"term:{step}"})
        if done.returncode == 0:
            break
        assert done.returncode == 1, done.stderr
        if "Aborted!" in done.stderr:
            assert listing(data) == listing(states["old"]), step
            assert contents(data) == old
            said.append("aborted")
        else:
            assert "interrupted after the save into" in done.stderr, done.stderr
            assert "the next command completes it" in done.stderr
            load_store(data)  # as the next command does
            assert contents(data) == new, step
            assert listing(data) == listing(states["new"]), step
            said.append("kept")
    else:
        pytest.fail("the save never finished")
    assert said[0] == "aborted" and said[-1] == "kept"
    assert said == sorted(said, key=["aborted", "kept"].index)


def test_a_demo_killed_from_outside_at_random_moments_leaves_no_half_store(
        tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert run("demo", "--size", "small", "--data", reference).returncode == 0
    full = contents(reference)
    rng = random.Random(13)
    seen = set()
    for attempt in range(4):
        data = tmp_path / f"demo-{attempt}"
        proc = subprocess.Popen([sys.executable, "-m", "builder", "demo", "--size", "small",
                                 "--data", str(data)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        load_store(data)  # completes or drops a save cut short, as any command does
        state = contents(data)
        assert state in ({}, full), attempt
        seen.add(bool(state))
    assert seen  # at least one kill landed somewhere; both outcomes are allowed


def test_a_save_that_removes_files_is_all_or_nothing_too(tmp_path: Path) -> None:
    script = ("import sys; from pathlib import Path; from builder.store.durable import write_files;"
              "write_files(Path(sys.argv[1]), {'a/new.txt': 'new'}, remove=('b/old.txt',))")
    outcomes = set()
    for step in range(1, 20):
        root = tmp_path / f"r{step}"
        (root / "b").mkdir(parents=True)
        (root / "b" / "old.txt").write_text("old")
        done = subprocess.run([sys.executable, "-c", script, str(root)], cwd=ROOT,
                              env={**os.environ, durable.FAULT_ENV: f"kill:{step}"})
        durable.complete_pending(root)
        outcomes.add(tuple(listing(root)))
        if done.returncode == 0:
            break
    assert outcomes == {("b", "b/old.txt"), ("a", "a/new.txt")}


# -- 4. a write error (disk full) ----------------------------------------------------------

def test_a_full_disk_leaves_data_as_it_was_with_one_line(
        states: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from builder.cli import main

    failures = 0
    for write in range(1, 30):
        data = tmp_path / f"full-{write}"
        shutil.copytree(states["old"], data)
        before, tree = snapshot(data), listing(data)
        monkeypatch.setenv(durable.FAULT_ENV, f"enospc:{write}")
        monkeypatch.setattr(durable, "_counts", {"kill": 0, "enospc": 0})
        done = CliRunner().invoke(main, ["import", str(states["v2"]), "--data", str(data),
                                         "--observed-at", "2031-02-01T00:00:00Z"])
        monkeypatch.delenv(durable.FAULT_ENV)
        if done.exit_code == 0:
            assert contents(data) == contents(states["new"])
            break
        failures += 1
        assert done.exit_code == 1 and done.exception.__class__ is SystemExit, done.output
        assert done.stderr.count("\n") == 1
        assert done.stderr.startswith(f"error: cannot save into {data}: ")
        assert done.stderr.endswith(": No space left on device; nothing was changed\n")
        assert snapshot(data) == before and listing(data) == tree  # no new empty folder
        load_store(data)
        assert snapshot(data) == before
    assert failures >= 6  # each staged file of the new survey, and the journal


def test_a_full_disk_on_the_first_import_leaves_no_data_folder(states: dict[str, Path],
                                                               tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    done = second_import(data, states["v2"], **{durable.FAULT_ENV: "enospc:1"})
    assert done.returncode == 1 and "No space left on device" in done.stderr
    assert not (tmp_path / "fresh").exists()


# -- 14. history --from-git in a shallow clone ----------------------------------------------

def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null",
                               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                               "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@example.invalid"}).stdout


def test_history_from_git_refuses_a_shallow_clone(states: dict[str, Path],
                                                  tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copytree(states["old"], repo / "data")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1")
    shutil.rmtree(repo / "data")
    shutil.copytree(states["new"], repo / "data")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v2")
    _git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), "shallow")
    shallow = tmp_path / "shallow"
    before = snapshot(shallow / "data")
    done = run("history", "--from-git", "--data", shallow / "data")
    assert done.returncode == 1
    assert done.stderr == (
        f"error: {shallow} is a shallow clone (git clone --depth): its history is cut short, "
        "and rebuilding from it would drop every earlier version; fetch the whole history "
        "first (git fetch --unshallow)\n")
    assert snapshot(shallow / "data") == before
    # The whole history is accepted and keeps every version.
    _git(tmp_path, "clone", "-q", repo.as_uri(), "full")
    done = run("history", "--from-git", "--data", tmp_path / "full" / "data")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("history rebuilt from 2 commit(s)")


# -- 15. file modes --------------------------------------------------------------------------

def modes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): oct(stat.S_IMODE(p.stat().st_mode))
            for p in [folder, *folder.rglob("*")]}


def test_store_and_site_files_are_world_readable_whatever_the_umask(
        states: dict[str, Path], tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "project")
    previous = os.umask(0o077)
    try:
        for source in (states["v1"], states["v2"]):
            assert cli("import", source, "--data", project.data).exit_code == 0
        assert cli(*project.build_args()).exit_code == 0
    finally:
        os.umask(previous)
    for folder in (project.data, project.site):
        found = modes(folder)
        wrong = {path: mode for path, mode in found.items()
                 if mode != ("0o755" if (folder / path).is_dir() else "0o644")}
        assert not wrong and len(found) > 5, (folder, wrong)
    assert (project.data / "surveys" / survey_dir_name(NEW_SURVEY)).is_dir()


# -- 16. a JSON export is read in linear time ------------------------------------------------

def _json_export(records: int) -> str:
    item = ('{{"survey": "S", "survey_id": null, "question_id": "Q00001", "question_order": '
            '1,\n  "question_type": null, "question_text": "T", "ca_owner": "Fictitious {n}",\n'
            '  "response": "r", "option_number": null, "submitted_at": null}}')
    return "[\n" + ",\n".join(item.format(n=n) for n in range(records)) + "\n]\n"


def test_json_positions_stay_exact_and_reading_grows_linearly() -> None:
    small, large = _json_export(1500), _json_export(15000)
    read = load_json_export(large, "x.json")
    assert [(r.line, r.column) for r in read.records[:3]] == [(2, 1), (5, 1), (8, 1)]
    assert read.records[-1].line == 2 + 3 * 14999
    broken = large[:-3] + ',\n  "oops"\n]\n'
    [issue] = load_json_export(broken, "x.json").issues
    assert (issue.line, issue.column, issue.code) == (2 + 3 * 15000, 3, "not-an-object")

    def seconds(text: str) -> float:
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            load_json_export(text, "x.json")
            best = min(best, time.perf_counter() - start)
        return best

    # Ten times the records: about ten times the time (it was 40 to 100 times).
    assert seconds(large) < 25 * seconds(small)
