"""The build's cache of read surveys (builder.store.cache): a hit gives the store the text
gives; any changed byte, other code, a damaged or foreign entry is a miss; a survey with
an issue is read (and reported) every time; a removed survey is never served."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
from pathlib import Path

import pytest

from builder.core.errors import InputRejected, Issue
from builder.core.jsonshape import text_of
from builder.core.model import Store
from builder.publish.build import build_site
from builder.publish.workdir import STORE_CACHE
from builder.store import cache as cache_module
from builder.store.cache import FORMAT, PACKAGE, SurveyCache, code_digest
from builder.store.records import load_store, read_store
from builder.store.surveys import SURVEY_FILES
from builder.tools import bench
from builder.tools.demo import write_demo
from builder.tools.sitediff import diff_sites
from conftest import make_project


@pytest.fixture
def data(tmp_path: Path) -> Path:
    write_demo(tmp_path / "data", "small")
    return tmp_path / "data"


class FromText:
    """The survey folders read from text (not from the cache) since the last reset."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folders: list[str] = []
        real = cache_module.read_survey

        def spy(folder: Path, issues: list[Issue], files: dict[str, bytes]) -> object:
            self.folders.append(folder.name)
            return real(folder, issues, files)
        monkeypatch.setattr(cache_module, "read_survey", spy)


def load(data: Path, code: bytes | None = None) -> tuple[Store, SurveyCache]:
    cache = SurveyCache(data.parent / STORE_CACHE, code)
    store = load_store(data, cache=cache)
    cache.save()
    return store, cache


def entries(data: Path) -> dict[str, bytes]:
    """The cache's files, of the data folder `data` (the tests keep it beside it)."""
    return in_cache(data.parent)


def in_cache(work_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (work_dir / STORE_CACHE).iterdir()}


def folders(data: Path) -> list[Path]:
    return sorted((data / "surveys").iterdir())


def test_a_hit_gives_the_store_the_text_gives(data: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    read = FromText(monkeypatch)
    first, cold = load(data)
    assert cold.hits == 0 and len(read.folders) == len(entries(data)) == 3
    read.folders.clear()
    second, warm = load(data)
    assert warm.hits == 3 and read.folders == []
    assert second == first == load_store(data)
    assert not [p for p in (data.parent / STORE_CACHE).iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("name", SURVEY_FILES)
def test_any_changed_byte_of_a_surveys_files_is_a_miss(
        data: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    read = FromText(monkeypatch)
    load(data)
    read.folders.clear()
    changed = folders(data)[1]
    with (changed / name).open("ab") as handle:
        handle.write(b"\n")  # the same records (a blank line, trailing space): other bytes
    store, cache = load(data)
    assert read.folders == [changed.name] and cache.hits == 2
    assert store == load_store(data)


def test_a_changed_answer_is_read_again(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, _ = load(data)
    read = FromText(monkeypatch)
    bench.change_one_answer(data)
    after, cache = load(data)
    assert after != before and after == load_store(data) and len(read.folders) == 1
    (folders(data)[0] / "history.jsonl").unlink()  # a file gone is a change too
    assert load(data)[0] == load_store(data)


def hashes(data: Path) -> dict[str, dict[str, str]]:
    """Each survey folder's files' SHA-256, as a build's input record holds them."""
    return {folder.name: {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                          for p in folder.iterdir()} for folder in folders(data)}


def load_recorded(data: Path, recorded: dict[str, dict[str, str]]) -> tuple[Store,
                                                                         SurveyCache]:
    cache = SurveyCache(data.parent / STORE_CACHE, recorded=recorded)
    store = load_store(data, cache=cache)
    cache.save()
    return store, cache


def test_recorded_hashes_find_an_entry_without_reading_the_files(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = load(data)
    opened: list[str] = []
    real = cache_module.survey_bytes

    def spy(folder: Path, issues: list[Issue]) -> dict[str, bytes]:
        opened.append(folder.name)
        return real(folder, issues)
    monkeypatch.setattr(cache_module, "survey_bytes", spy)
    store, cache = load_recorded(data, hashes(data))
    assert store == first and cache.hits == 3 and opened == []
    notes = folders(data)[0] / "notes.txt"  # not a survey file: not part of the key
    notes.write_text("an editor's note\n")
    assert load_recorded(data, hashes(data))[1].hits == 3 and opened == []
    bench.change_one_answer(data)
    store, cache = load_recorded(data, hashes(data))
    assert store == load_store(data) and cache.hits == 2 and len(opened) == 1


def test_a_survey_read_from_text_is_kept_under_its_own_bytes_not_the_recorded_hashes(
        data: Path, tmp_path: Path) -> None:
    """A file changed after the record was made: what was read is kept under the hashes
    of its own bytes, so the older files, back in place, never get the newer records."""
    before = hashes(data)
    old_store = load_store(data)
    shutil.copytree(data, tmp_path / "before")
    bench.change_one_answer(data)
    new_store, cache = load_recorded(data, before)  # the record is of the older files
    assert cache.hits == 0 and new_store == load_store(data) != old_store
    shutil.rmtree(data)
    shutil.copytree(tmp_path / "before", data)  # the older files back, as recorded
    again, cache = load_recorded(data, before)
    assert again == old_store and cache.hits == 2  # the changed survey: read from text


def test_a_survey_with_an_error_is_reported_by_every_read(data: Path) -> None:
    answers = folders(data)[0] / "answers.jsonl"
    answers.write_text(answers.read_text().replace('"live":', '"alive":', 1))
    without = read_store(data)[1]
    assert [(i.code, i.line, i.value) for i in without] == [("unknown-key", 1, "alive")]
    for _ in range(2):
        cache = SurveyCache(data.parent / STORE_CACHE)
        assert read_store(data, cache=cache)[1] == without
        cache.save()
        assert len(entries(data)) == 2  # the others kept, not that one
        with pytest.raises(InputRejected) as caught:
            load_store(data, cache=SurveyCache(data.parent / STORE_CACHE))
        assert caught.value.issues == without


def test_an_unreadable_file_is_a_problem_of_every_read_not_a_crash(data: Path) -> None:
    """A folder in a file's place: one problem naming the file, with and without the
    cache, and the survey's other files still checked."""
    folder = folders(data)[0]
    load(data)  # every survey kept
    (folder / "questions.jsonl").unlink()
    (folder / "questions.jsonl").mkdir()
    (folder / "survey.json").write_text("{not json")
    without = read_store(data)[1]
    assert [(i.path, i.code) for i in without] == [
        (str(folder / "questions.jsonl"), "unreadable-file"),
        (str(folder / "survey.json"), "json-syntax")]
    assert "Is a directory" in without[0].message
    with pytest.raises(InputRejected) as from_text:
        load_store(data)
    for _ in range(2):
        with pytest.raises(InputRejected) as caught:
            load(data)
        assert caught.value.issues == from_text.value.issues


def test_a_survey_with_a_warning_is_never_kept(data: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = cache_module.read_survey
    warned = folders(data)[2].name

    def warning(folder: Path, issues: list[Issue], files: dict[str, bytes]) -> object:
        if folder.name == warned:
            issues.append(Issue(str(folder), None, None, "-", "a-warning", "note", None, True))
        return real(folder, issues, files)
    monkeypatch.setattr(cache_module, "read_survey", warning)
    for _ in range(2):
        cache = SurveyCache(data.parent / STORE_CACHE)
        store, issues = read_store(data, cache=cache)
        cache.save()
        assert [i.code for i in issues] == ["a-warning"] and len(store.surveys) == 3
        assert len(entries(data)) == 2


def _rewrite(path: Path, how: str) -> None:
    entry = path.read_bytes()
    if how == "truncated":
        path.write_bytes(entry[:-100])
    elif how == "payload byte":
        path.write_bytes(entry[:-50] + bytes([entry[-50] ^ 1]) + entry[-49:])
    elif how == "key byte":
        at = len(FORMAT) + 3
        path.write_bytes(entry[:at] + bytes([entry[at] ^ 1]) + entry[at + 1:])
    elif how == "format":
        path.write_bytes(b"csr-store-cache 0\n" + entry[len(FORMAT):])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "a folder":
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize("how", ["truncated", "payload byte", "key byte", "format", "empty",
                                 "a folder"])
def test_a_damaged_entry_is_a_miss(data: Path, how: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    load(data)
    _rewrite(sorted((data.parent / STORE_CACHE).iterdir())[0], how)
    read = FromText(monkeypatch)
    store, cache = load(data)
    assert cache.hits == 2 and len(read.folders) == 1
    assert store == load_store(data)


def test_a_foreign_entry_is_a_miss(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(data)
    one, other = sorted((data.parent / STORE_CACHE).iterdir())[:2]
    shutil.copy(one, other)  # another survey's entry, whole and sound
    read = FromText(monkeypatch)
    store, cache = load(data)
    assert cache.hits == 2 and len(read.folders) == 1 and store == load_store(data)


class _Runs:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch ran",))


def test_an_entry_can_only_unpickle_records(data: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    load(data)
    monkeypatch.chdir(tmp_path)
    path = sorted((data.parent / STORE_CACHE).iterdir())[0]
    entry = path.read_bytes()
    payload = pickle.dumps(_Runs(), protocol=5)
    head = entry[:len(FORMAT) + 32]  # the right format and key: only the payload is foreign
    path.write_bytes(head + hashlib.sha256(payload).digest() + payload)
    store, cache = load(data)
    assert not (tmp_path / "ran").exists()
    assert cache.hits == 2 and store == load_store(data)


def test_a_removed_survey_is_not_served(data: Path) -> None:
    load(data)
    shutil.rmtree(folders(data)[0])
    (data / "topics.json").unlink()  # its topics name that survey's questions
    store, cache = load(data)
    assert len(store.surveys) == 2 and cache.hits == 2 and len(entries(data)) == 2


def test_another_builds_temporary_file_is_left_until_it_is_old(data: Path) -> None:
    load(data)
    root = data.parent / STORE_CACHE
    fresh, old, stray = root / ".a.tmp", root / ".b.tmp", root / "0123.pickle"
    for path in (fresh, old, stray):
        path.write_bytes(b"partial")
    os.utime(old, (1, 1))  # left by a build killed long ago
    load(data)
    assert fresh.exists() and not old.exists() and not stray.exists()


def test_other_code_never_gets_these_records(data: Path, tmp_path: Path) -> None:
    load(data, b"this code")
    assert load(data, b"other code")[1].hits == 0
    copy = tmp_path / "builder"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert code_digest(copy) == code_digest()
    for module in ("core/model.py", "core/jsonshape.py", "store/jsonl.py",
                   "store/surveys.py", "store/cache.py"):
        source = (copy / module).read_bytes()
        (copy / module).write_bytes(source + b"# edited\n")
        assert code_digest(copy) != code_digest(), module
        (copy / module).write_bytes(source)
    for path in copy.rglob("*.py"):  # installed without sources: compiled modules only
        path.with_suffix(".pyc").write_bytes(b"compiled " + path.read_bytes())
        path.unlink()
    compiled = code_digest(copy)
    assert code_digest(copy) == compiled != code_digest()
    model = copy / "core" / "model.pyc"
    model.write_bytes(model.read_bytes() + b"edited")
    assert code_digest(copy) != compiled
    shutil.rmtree(copy / "core")
    shutil.rmtree(copy / "store")
    assert code_digest(copy) != code_digest(copy)  # no code found: never a hit


def test_a_failed_write_is_a_miss_later_not_an_error(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache_module.os, "replace", full)
    store, _ = load(data)
    assert store == load_store(data) and entries(data) == {}  # no temporary file left
    monkeypatch.undo()
    assert load(data)[1].hits == 0


def _load_and_save(data: Path, times: int) -> None:
    for code in range(times):  # other code each time: every entry written again
        load(data, bytes([code]))


def test_two_builds_at_once_leave_a_sound_cache(data: Path) -> None:
    fork = multiprocessing.get_context("fork")
    workers = [fork.Process(target=_load_and_save, args=(data, 8)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert load(data, bytes([7]))[0] == load_store(data)  # hits or misses, never wrong
    assert load(data, bytes([7]))[1].hits == 3 and len(entries(data)) == 3  # no temp file


def test_a_full_build_reads_every_survey_from_text(data: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    load(data)
    read = FromText(monkeypatch)
    cache = SurveyCache(data.parent / STORE_CACHE, trusted=False)
    assert load_store(data, cache=cache) == load_store(data)
    assert cache.hits == 0 and len(read.folders) == len(cache.pending) == 3


def test_the_cache_is_for_a_whole_read(data: Path) -> None:
    with pytest.raises(ValueError):
        read_store(data, surveys=["x"], cache=SurveyCache(data.parent / STORE_CACHE))


@pytest.mark.parametrize("raw", [b'{"a": "b"}\r\n', b'{\r"a"\r:\r\r\n1}', b'\xef\xbb\xbf"x"',
                                 b'{"a": "\xff"}', b'["\xe2\x80"]', b'"\xe2\x80\xa8\r"'])
def test_text_of_bytes_is_what_read_text_gives(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(raw)
    try:
        expected: object = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        expected = str(exc)
    try:
        got: object = text_of(raw)
    except UnicodeDecodeError as exc:
        got = str(exc)
    assert got == expected


def test_a_build_after_a_change_reads_one_survey_and_equals_one_from_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "p")
    write_demo(project.data, "small")

    def build(docs: Path, site: Path, full: bool = False) -> None:
        build_site(project.data, site_dir=site, config_file=project.config, docs_dir=docs,
                   full=full)
    build(project.docs, project.site)
    read = FromText(monkeypatch)
    bench.change_one_answer(project.data)
    build(project.docs, project.site)
    assert len(read.folders) == 1
    build(project.docs, project.site, full=True)
    assert len(read.folders) == 4  # --full: every survey from text
    fresh = tmp_path / "fresh"
    build(fresh / "docs", fresh / "site", full=True)
    assert diff_sites(project.site, fresh / "site") == []
    assert in_cache(project.docs) == in_cache(fresh / "docs")


def test_an_entry_holds_each_string_once_and_loads_equal(data: Path) -> None:
    """Equal strings (owner keys, dates, sources) are one object in an entry: pickle
    writes each once. What a hit gives is still equal to the text, field by field."""
    from_text = load_store(data)
    load(data)
    for name, entry in entries(data).items():
        survey = pickle.loads(entry[len(FORMAT) + 64:])
        original = from_text.surveys[survey.survey.key]
        assert survey == original
        assert len(entry) < len(pickle.dumps(original, protocol=5)) * 0.7, name
        keys = {id(a.owner_key) for a in survey.answers.values()}
        assert len(keys) == len({a.owner_key for a in survey.answers.values()})


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_an_entry_leaves_the_collector_as_it_was(data: Path, collecting: bool) -> None:
    load(data)
    path = sorted((data.parent / STORE_CACHE).iterdir())[0]
    payload = pickle.dumps(_Runs(), protocol=5)  # sound digest, refused by the unpickler
    foreign = path.read_bytes()[:len(FORMAT) + 32] + hashlib.sha256(payload).digest() + payload
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        assert load(data)[1].hits == 3
        assert gc.isenabled() is collecting
        path.write_bytes(foreign)
        assert load(data)[1].hits == 2
        assert gc.isenabled() is collecting
    finally:
        gc.enable() if was else gc.disable()


class InChild:
    """The surveys read from text are shared with a forked child whatever their size;
    counts the children started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = 0
        real = cache_module._in_child

        def counted(work: object) -> object:
            self.started += 1
            return real(work)  # type: ignore[arg-type]
        monkeypatch.setattr(cache_module, "SHARE_MIN_BYTES", 0)
        monkeypatch.setattr(cache_module, "_in_child", counted)


def test_a_share_read_by_a_child_gives_the_store_and_entries_one_process_gives(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone, _ = load(data)
    kept = entries(data)
    shutil.rmtree(data.parent / STORE_CACHE)
    read, child = FromText(monkeypatch), InChild(monkeypatch)
    shared, cache = load(data)
    assert child.started == 1 and 0 < len(read.folders) < 3  # the child read the others
    assert shared == alone == load_store(data) and entries(data) == kept
    read.folders.clear()
    assert load(data)[0] == alone and read.folders == [] and child.started == 1  # all hits


def test_a_failed_child_leaves_its_share_to_this_process(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone, _ = load(data)
    kept = entries(data)
    shutil.rmtree(data.parent / STORE_CACHE)

    def fails(theirs: object) -> object:
        raise MemoryError("the child could not read")
    read, child = FromText(monkeypatch), InChild(monkeypatch)
    monkeypatch.setattr(cache_module, "_sealed_all", fails)
    assert load(data)[0] == alone and entries(data) == kept
    assert child.started == 1 and len(read.folders) == 3


def test_problems_found_by_the_child_are_those_of_a_read_from_text(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = folders(data)[-1] / "answers.jsonl"  # in the child's share: the last surveys
    last.write_text(last.read_text().replace('"live":', '"alive":', 1))
    without = read_store(data)[1]
    assert [i.code for i in without] == ["unknown-key"]
    read, child = FromText(monkeypatch), InChild(monkeypatch)
    cache = SurveyCache(data.parent / STORE_CACHE)
    assert read_store(data, cache=cache)[1] == without
    assert child.started == 1 and last.parent.name not in read.folders
    cache.save()
    assert len(entries(data)) == 2  # the others kept, not that one


def _changed_folder(data: Path) -> str:
    """Edit one answer (bench.change_one_answer); the name of the survey folder it
    changed."""
    before = {f.name: [p.read_bytes() for p in sorted(f.iterdir())] for f in folders(data)}
    bench.change_one_answer(data)
    changed = [f.name for f in folders(data)
               if [p.read_bytes() for p in sorted(f.iterdir())] != before[f.name]]
    assert len(changed) == 1
    return changed[0]


def test_a_changed_survey_among_kept_ones_is_read_by_a_child_while_they_load(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-change build's case: this process loads the entries, the child reads the
    changed survey from text and seals it; the store and the entries are those of a
    read in one process."""
    load(data)
    _changed_folder(data)
    read, child = FromText(monkeypatch), InChild(monkeypatch)
    store, cache = load(data)
    assert child.started == 1 and read.folders == [] and cache.hits == 2
    assert store == load_store(data)
    assert load(data)[1].hits == 3  # the child's sealed record kept as its entry


def test_an_entry_found_damaged_while_the_child_reads_is_read_here(
        data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(data)
    changed = _changed_folder(data)
    other = next(f.name for f in folders(data) if f.name != changed)
    path = data.parent / STORE_CACHE / cache_module._entry_name(other)
    entry = bytearray(path.read_bytes())
    entry[-1] ^= 0xFF  # its key still matches: found damaged only when it is loaded
    path.write_bytes(bytes(entry))
    read, child = FromText(monkeypatch), InChild(monkeypatch)
    store, cache = load(data)
    assert child.started == 1 and read.folders == [other] and cache.hits == 1
    assert store == load_store(data) and load(data)[1].hits == 3


def test_little_to_read_or_no_kept_entry_leaves_this_process_a_share() -> None:
    """Below SHARE_MIN_BYTES of work no child starts; without entries to load, this
    process reads the first survey itself; with them, the child may take every survey to
    be read, as long as this process has about as much to load."""
    def miss(size: int) -> cache_module._Found:
        return cache_module._Found(Path("s"), files={"answers.jsonl": b"x" * size})

    one = [miss(1 << 20)]
    assert cache_module._their_share(one, 0) == []
    assert cache_module._their_share([miss(1000)], 1000) == []
    assert cache_module._their_share(one, 5 << 20) == one
    three = [miss(1 << 20) for _ in range(3)]
    assert cache_module._their_share(three, 0) == three[1:]
    assert cache_module._their_share(three, 0)[0] is three[1]
