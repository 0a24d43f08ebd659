"""The search index made again only where a change falls (builder/publish/search/kept.py):
after each change to a real store (the merge code, as an import does), the index made
with the pieces kept in a real folder is byte for byte the index made from nothing, and
only the changed survey's pieces (or the hand-written pages') are made again. A damaged,
foreign or stale piece, or another builder's code, is a miss, never the output."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest
from test_incremental_build import add_back, withdraw_one

from builder.publish import inputs
from builder.publish.generate import recorded_surveys, survey_files
from builder.publish.opendata.pieces import Pieces
from builder.publish.owners import owner_names
from builder.publish.paths import surveys_newest_first
from builder.publish.search import Known, index, search_files
from builder.publish.search.index import FOLDER, index_files, joined, runs, span, terms
from builder.publish.search.records import all_records
from builder.publish.workdir import handwritten_pages
from builder.store.records import load_store
from builder.tools import bench
from builder.tools.demo import write_demo
from conftest import Project, make_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("search-kept") / "p")
    write_demo(project.data, "small")
    return project


@pytest.fixture
def project(demo: Project, tmp_path: Path) -> Project:
    """A copy of the demo project of its own (the tests change its store)."""
    shutil.copytree(demo.root, tmp_path / "p")
    return Project(tmp_path / "p")


def made_again(project: Project, pieces: Path, code: str = "code 1") -> list[str]:
    """Make the index with the pieces kept in `pieces`: it must equal the index made from
    nothing (one block of every record, no piece read). Returns the keys made again."""
    store = load_store(project.data)
    handwritten = handwritten_pages(project.handwritten)
    now = inputs.current("test", {"data": project.data}, None)
    kept = Pieces(pieces, code)
    got = search_files(store, handwritten,
                       Known(kept, survey_files(recorded_surveys(now), store), owner_names(store)))
    assert got == index_files(all_records(store, handwritten))
    return kept.made


def test_joined_spans_are_the_runs_of_all_ids() -> None:
    """Ids cut into blocks at random places, runs crossing the borders or not."""
    rng = random.Random(16)
    for _ in range(400):
        ids = sorted(rng.sample(range(300), rng.randint(1, 120)))
        cuts = sorted(rng.sample(range(1, 300), rng.randint(0, 6)))
        starts, spans = [], []
        for start, stop in zip([0, *cuts], [*cuts, 300], strict=True):
            inside = [i - start for i in ids if start <= i < stop]
            if inside:
                starts.append(start)
                spans.append(span(inside))
        encoded = runs(ids)
        assert joined(starts, spans) == (json.dumps(encoded, separators=(",", ":")), len(ids),
                                 len(encoded) // 2)


def test_the_index_holds_each_terms_records(demo: Project,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Read back as search.js reads it: every term's ids are the records it is in."""
    monkeypatch.setattr(index, "INLINE_RUNS", 3)  # posting files for a small store too
    store = load_store(demo.data)
    records = all_records(store, handwritten_pages(demo.handwritten))
    files = search_files(store, handwritten_pages(demo.handwritten))
    expected: dict[str, list[int]] = {}
    for n, record in enumerate(records):
        for term in set(terms(record.title) + terms(record.text) + terms(record.terms_from)):
            expected.setdefault(term, []).append(n)
    found = {}
    for path, content in files.items():
        if path.startswith(f"{FOLDER}/t/"):
            for term, value in json.loads(content).items():
                if isinstance(value, dict):  # many runs: a posting file of its own
                    value = json.loads(files[f"{FOLDER}/p/{value['f']}.json"])
                found[term] = value
    assert found == {term: runs(ids) for term, ids in expected.items()}
    assert sum(path.startswith(f"{FOLDER}/p/") for path in files) > 3
    shown = [r for path in sorted(files, key=lambda p: (len(p), p))
             if path.startswith(f"{FOLDER}/d/") for r in json.loads(files[path])]
    assert [r[3] for r in shown] == [r.url for r in records]


def test_after_each_change_only_its_survey_is_made_again(project: Project,
                                                         tmp_path: Path) -> None:
    pieces = tmp_path / "pieces"
    first = made_again(project, pieces)
    surveys = len(load_store(project.data).surveys)
    # questions and answers of each survey, the pages, the pages listed last
    assert len(first) == 2 * surveys + 2
    assert made_again(project, pieces) == []
    for suffix in (" (edited once)", " (edited twice)"):
        bench.change_one_answer(project.data, suffix)
        assert len(made_again(project, pieces)) == 2
    pair = withdraw_one(project)
    assert len(made_again(project, pieces)) == 2
    add_back(project, pair)
    assert len(made_again(project, pieces)) == 2
    for name in ("about.md", "architecture.md"):  # among the pages, listed last
        page = project.handwritten / name
        page.write_text(page.read_text() + "\nA zebra-crossing of words.\n")
        assert len(made_again(project, pieces)) == 1, name
    # stale pieces are gone: one per block of the store as it is, and the pages' two
    assert len(list(pieces.iterdir())) == 2 * surveys + 2


def test_damaged_foreign_and_forged_pieces_are_misses(project: Project, tmp_path: Path) -> None:
    pieces = tmp_path / "pieces"
    made_again(project, pieces)
    names = sorted(p.name for p in pieces.iterdir())
    damaged = pieces / names[0]
    damaged.write_bytes(damaged.read_bytes().replace(b"[", b"{", 1))
    foreign = pieces / ("0" * 40 + "." + "0" * 32)
    foreign.write_bytes(b"not a piece")  # under no key this builder makes
    key = names[1].partition(".")[0]
    (pieces / names[1]).unlink()  # a whole file under a key it makes, but not a block
    forged = b'{"records":2,"spans":{}}\n[]'
    (pieces / f"{key}.{hashlib.sha256(forged).hexdigest()[:32]}").write_bytes(forged)
    assert made_again(project, pieces) == [names[0].partition(".")[0]]  # and equal output
    assert damaged.is_file() and not foreign.exists()


def test_another_builders_code_misses(project: Project, tmp_path: Path) -> None:
    pieces = tmp_path / "pieces"
    surveys = len(load_store(project.data).surveys)
    made_again(project, pieces, code="code 1")
    assert len(made_again(project, pieces, code="code 2")) == 2 * surveys + 2
    assert len(list(pieces.iterdir())) == 2 * surveys + 2  # the old code's are removed


def test_a_survey_without_a_known_hash_is_made_and_not_kept(project: Project,
                                                            tmp_path: Path) -> None:
    store = load_store(project.data)
    handwritten = handwritten_pages(project.handwritten)
    kept = Pieces(tmp_path / "pieces", "code 1")
    newest = surveys_newest_first(store)[0].survey.key
    files = {k: "a hash" for k in store.surveys if k != newest}
    got = search_files(store, handwritten, Known(kept, files, owner_names(store)))
    assert got == index_files(all_records(store, handwritten))
    assert len(kept.made) == 2 * (len(store.surveys) - 1) + 2


def found_by(files: dict[str, bytes], word: str) -> list[list[object]]:
    """The records a one-word query finds, as their shards show them (as search.js reads
    the index: the word's shard, its runs, the record shards)."""
    (term,) = terms(word)
    shard = files.get(f"{FOLDER}/t/{term[:index.PREFIX].encode().hex()}.json", b"{}")
    value = json.loads(shard).get(term, [])
    if isinstance(value, dict):
        value = json.loads(files[f"{FOLDER}/p/{value['f']}.json"])
    ids, end = [], 0
    for gap, length in zip(value[::2], value[1::2], strict=True):
        ids += range(end + gap, end + gap + length)
        end += gap + length
    per = index.RECORDS_PER_SHARD
    return [json.loads(files[f"{FOLDER}/d/{n // per}.json"])[n % per] for n in ids]


def test_an_owner_known_only_from_ca_information_is_found_by_name(project: Project,
                                                                  tmp_path: Path) -> None:
    """Its page is made from the CA information report alone (pages.cainfo): its record
    comes with the owners', which are made each build, so no kept block is made again."""
    from builder.core.text import canonical_key
    from builder.ingest.formats import LoadOptions
    from builder.ingest.importer import import_source
    from builder.publish.paths import owner_page, url_of
    from conftest import FIXTURES

    pieces = tmp_path / "pieces"
    made_again(project, pieces)
    import_source(str(FIXTURES / "ca-information" / "CAInformationReportCSVFormat-2018-01-10.csv"),
                  project.data, LoadOptions(), source_url="https://example.invalid/report.csv",
                  captured_at="2018-01-10", observed_at="2026-12-01T09:00:00Z")
    assert made_again(project, pieces) == []  # and the index is the one made from nothing
    store = load_store(project.data)
    assert canonical_key("Certicámara") not in owner_names(store)  # not in any survey
    files = search_files(store, handwritten_pages(project.handwritten))
    page = url_of(owner_page(canonical_key("Certicámara")))
    for word in ("Certicámara", "certicamara", "CERTICÁMARA"):
        hits = found_by(files, word)
        assert [0, "Certicámara", "CA owner", page, ""] in hits, (word, hits)
    assert [h[1] for h in found_by(files, "Trustwave")][:1] == ["Trustwave"]
    assert "Geographic Focus" in [h[1] for h in found_by(files, "geographic")]
