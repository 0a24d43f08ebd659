"""The site against hostile text: every layout, every field, generated strings, broken input.

1. The hostile fixture set (tests/fixtures/hostile/, see tests/hostile_data.py) is
   imported through all five layouts plus a later export, and built. The site checker
   (tests/site_checker.py) compares it with a site built from a benign twin of the same
   exports and must find nothing; every payload must be visible as text on its pages;
   nothing may be written outside data/, docs/ and site/.
2. The checker itself is checked: markup injected into a page, a file written outside,
   and a builder whose encoding step is switched off are all found.
3. Property tests (hypothesis) put generated Unicode and syntax-heavy strings through
   import -> store -> render -> mkdocs (a few full builds), and through the encoding
   step and Python-Markdown directly (many examples).
4. Broken input in each layout: the exact error lines, exit status 1, and data/ and the
   published site unchanged byte for byte.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import string
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import builder.publish.render
from builder.cli import main
from builder.core.text import canonical_key, clean_for_display
from builder.publish.build import TEMPLATES_DIR, build_site
from builder.publish.encode import encode, encode_lines, link
from builder.publish.history_view import row_anchor
from builder.publish.pages.template import make_environment
from builder.publish.paths import owner_page, question_page, survey_page, url_of
from conftest import ROOT, Project, make_project
from hostile_data import (
    FIXTURES,
    NAMES,
    TEXTS,
    HostileExport,
    benign_corpus,
    fold,
    hostile_exports,
)
from site_checker import (
    Baseline,
    Finding,
    assert_clean,
    check_site,
    format_findings,
    scan_html,
    snapshot_tree,
    tree_bytes,
    visible_text,
    writes_outside,
)

OBSERVED = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-02-01"]
"""Capture times of the six imports (hostile-v2.json, a later export, last)."""
ESCAPE_DIR = Path("/tmp/ca-survey-record-escape")
"""Where an owner named '/tmp/ca-survey-record-escape/owner' would land if names were paths."""
NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")


def shown(text: str) -> str:
    """Stored text as a reader finds it on a page: the documented display clean-up
    (builder.core.text.clean_for_display), then whitespace folded as HTML shows it."""
    return " ".join(clean_for_display(text).split())


def run_import(runner: CliRunner, export: HostileExport, path: Path, data: Path,
               observed: str) -> None:
    result = runner.invoke(main, ["import", str(path), "--format", export.format, *export.args,
                                  "--data", str(data), "--observed-at", f"{observed}T00:00:00Z"])
    assert result.exit_code == 0, (export.name, result.output)


def build(project: Project, data: Path | None = None) -> None:
    build_site(data or project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)


@dataclass
class Sites:
    root: Path
    hostile: Project
    benign: Project
    baseline: Baseline
    exports: list[HostileExport]
    outside: list[Finding]
    """Writes outside data/, docs/ and site/ during the hostile imports and build."""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = tmp_path_factory.mktemp("adversarial")
    runner = CliRunner()
    hostile = make_project(root / "hostile")
    exports = hostile_exports()
    before = snapshot_tree(root)
    for export, observed in zip(exports, OBSERVED, strict=True):
        run_import(runner, export, FIXTURES / export.name, hostile.data, observed)
    outside = writes_outside(before, snapshot_tree(root), ["hostile/data"])
    before = snapshot_tree(root)
    build(hostile)
    work = hostile.docs.relative_to(root).as_posix()  # the build's work folder
    outside += writes_outside(before, snapshot_tree(root), [work, "hostile/site"])

    benign = make_project(root / "benign")
    twin = root / "twin"
    twin.mkdir()
    for export, observed in zip(hostile_exports(benign_corpus()), OBSERVED, strict=True):
        (twin / export.name).write_bytes(export.content)
        run_import(runner, export, twin / export.name, benign.data, observed)
    build(benign)
    return Sites(root, hostile, benign, Baseline.from_sites(benign.site), exports, outside)


# -- 1. the hostile fixture set -------------------------------------------------------

def test_fixture_files_are_current() -> None:
    """tests/fixtures/hostile/ is what tests/hostile_data.py generates (run it to refresh)."""
    for export in hostile_exports():
        assert (FIXTURES / export.name).read_bytes() == export.content, export.name


def test_fixture_set_covers_the_guide_and_every_layout() -> None:
    guide = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
             "[click](javascript:alert(1))", '{: onclick="alert(1)" }', "a | b | c",
             '--8<-- "mkdocs.yml"', "{{ 7*7 }}", "{% raw %}", "```",
             '=HYPERLINK("http://example.invalid","x")']
    assert set(guide) <= set(TEXTS)
    names = {"</title><script>alert(1)</script>", "../../outside", "Ünïcode CA", "Unicode CA",
             "evil\u202eAC tsurT"}
    assert names <= set(NAMES)
    formats = {e.format for e in hostile_exports()}
    assert formats == {"json", "ccadb-csv", "report-csv", "report-html", "summary-html"}
    for export in hostile_exports():
        shown_owners = {shown(o) for o in export.expected.owners}
        assert {shown(n) for n in NAMES} <= shown_owners or export.name == "hostile-v2.json"
        answers = " ".join(shown(a) for _, _, a in export.expected.answers)
        if export.format in ("json", "ccadb-csv", "report-csv"):
            assert all(shown(t) in answers for t in TEXTS), export.name


def test_the_checker_finds_nothing_in_the_hostile_site(sites: Sites) -> None:
    assert_clean(sites.hostile.site, sites.baseline)


def test_nothing_is_written_outside_the_output_folders(sites: Sites) -> None:
    assert not sites.outside, format_findings(sites.outside)
    assert not ESCAPE_DIR.exists()
    generated = json.loads((sites.hostile.docs / ".generated-pages.json").read_text())
    for page in generated:
        resolved = (sites.hostile.docs / page).resolve()
        assert sites.hostile.docs.resolve() in resolved.parents, page
        assert re.fullmatch(r"[a-z0-9/._-]+", page), page
        assert not any(part.startswith(".") for part in page.split("/")), page


class Pages:
    """Visible text of built pages, read once each."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.cache: dict[str, str] = {}

    def text(self, page: str) -> str:
        if page not in self.cache:
            self.cache[page] = visible_text(self.site / url_of(page) / "index.html")
        return self.cache[page]

    def row(self, page: str, owner_key: str) -> str:
        """The visible text of one CA owner's row of a question page's answer table."""
        key = f"{page}#{owner_key}"
        if key not in self.cache:
            html = (self.site / url_of(page) / "index.html").read_text(encoding="utf-8")
            start = html.find(f'<tr id="{row_anchor(owner_key)}">')
            row = html[start:html.find("</tr>", start)] if start != -1 else ""
            self.cache[key] = scan_html(f"<article>{row}</article>").article_text
        return self.cache[key]


def missing_texts(pages: Pages, export: HostileExport) -> list[str]:
    """Every stored text of one export that is not visible where it belongs."""
    expected = export.expected
    survey_key = canonical_key(expected.survey)
    problems = []

    def need(text: str, page: str, what: str) -> None:
        if shown(text) not in pages.text(page):
            problems.append(f"{export.name}: {what} {text!r} not visible on {page}")

    need(NONCHARACTERS.sub("\ufffd", expected.survey), survey_page(survey_key), "survey title")
    need(expected.survey, "index.md", "survey title")
    for qid, text in expected.questions.items():
        need(text, question_page(survey_key, qid), "question text")
    for owner in expected.owners:
        need(owner, owner_page(canonical_key(owner)), "owner name")
    for qid, owner, answer in expected.answers:
        row = pages.row(question_page(survey_key, qid), canonical_key(owner))
        if shown(answer) not in row or shown(owner) not in row:
            problems.append(f"{export.name}: answer {answer!r} of {owner!r} not in its row "
                            f"on {question_page(survey_key, qid)}")
        need(answer, owner_page(canonical_key(owner)), "answer")
    return problems


def test_every_payload_is_visible_as_text_on_its_pages(sites: Sites) -> None:
    pages = Pages(sites.hostile.site)
    # The json survey's pages show the later export (hostile-v2.json), not the first.
    problems = [p for e in sites.exports if e.name != "hostile.json"
                for p in missing_texts(pages, e)]
    assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} in all)"


def test_the_benign_twin_is_complete(sites: Sites) -> None:
    """The baseline's site shows its own text too, and has every page kind."""
    pages = Pages(sites.benign.site)
    problems = [p for e in hostile_exports(benign_corpus()) if e.name != "hostile.json"
                for p in missing_texts(pages, e)]
    assert not problems, "\n".join(problems[:30])
    kinds = {k for k in sites.baseline.by_kind if "/" not in k or k.endswith(".html")}
    assert {"owner", "question", "survey", "survey-changes", "changes"} <= kinds


def test_history_of_hostile_answers_is_shown_as_text(sites: Sites) -> None:
    """hostile-v2.json edited every ACTION 1 answer and withdrew one CA owner."""
    v2 = sites.exports[-1]
    survey_key = canonical_key(v2.expected.survey)
    page = sites.hostile.site / url_of(question_page(survey_key, "Q08001")) / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('class="csr-history"') >= len(NAMES) - 1
    assert "<ins" in html and "<del" not in html.replace('<del class="csr-del"', "")
    changes = visible_text(sites.hostile.site / "changes" / "index.html")
    assert shown(NAMES[0]) in changes  # the withdrawn CA owner, by name, as text


def test_owner_identity_holds_against_look_alike_names(tmp_path: Path) -> None:
    """NFC vs NFD, a zero-width space or a bidi override do not make another owner;
    Ünïcode CA and Unicode CA are two; two Chinese names get two pages."""
    from builder.ingest.formats import LoadOptions
    from builder.ingest.importer import import_bytes
    from builder.store.records import load_store

    names = [unicodedata.normalize("NFC", "Ünïcode CA"),
             unicodedata.normalize("NFD", "Ünïcode CA"), "Ünïcode\u200b CA", "Unicode CA",
             "中文证书机构", "中文证书机构二", "AB\u202eC", "ABC"]
    rows = [{"survey": "Identity survey", "survey_id": None, "question_id": "Q00001",
             "question_order": 1, "question_type": "Multi Select (Check boxes)",
             "question_text": "Which?", "ca_owner": name, "response": f"option {i}",
             "option_number": i + 1, "submitted_at": None} for i, name in enumerate(names)]
    import_bytes(json.dumps(rows).encode(), "identity.json", tmp_path, LoadOptions(),
                 observed_at="2026-01-01T00:00:00Z")
    answers = next(iter(load_store(tmp_path).surveys.values())).answers
    keys = {owner for _, owner in answers}
    assert keys == {"Ünïcode CA", "Unicode CA", "中文证书机构", "中文证书机构二", "ABC"}
    pages = {owner_page(k) for k in keys}
    assert len(pages) == 5 and all(re.fullmatch(r"owners/[a-z0-9-]+\.md", p) for p in pages)


# -- 2. the checker is checked ---------------------------------------------------------

INJECTIONS = {
    "script": ("<script>alert(1)</script>", "element"),
    "img onerror": ('<img src="x" onerror="alert(1)">', "handler"),
    "style attribute": ('<span style="position:fixed">x</span>', "style-attribute"),
    "javascript link": ('<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>', "dangerous-url"),
    "data iframe": ('<iframe src="data:text/html,x"></iframe>', "element"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
                     "element"),
    "base": ('<base href="https://example.invalid/">', "element"),
    "form": ('<form action="https://example.invalid/"><input name="q"></form>', "element"),
    "object": ('<object data="x.swf"></object>', "element"),
    "embed": ('<embed src="x.swf">', "element"),
    "svg animate": ('<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
                    "dangerous-url"),
    "harmless markup": ("<b>bold</b>", "markup"),
    "external link": ('<a href="https://example.invalid/">x</a>', "external-link"),
    "comment": ("<!-- hidden -->", "comment"),
}


@pytest.mark.parametrize("name", sorted(INJECTIONS))
def test_the_checker_finds_injected_markup(sites: Sites, tmp_path: Path, name: str) -> None:
    original = next(sites.benign.site.glob("owners/*/index.html"))
    site = tmp_path / "site"
    page = site / original.relative_to(sites.benign.site)
    page.parent.mkdir(parents=True)
    html = original.read_text(encoding="utf-8")
    assert not check_site(site if page.write_text(html) else site, sites.baseline)
    markup, kind = INJECTIONS[name]
    page.write_text(html.replace("</article>", markup + "</article>", 1), encoding="utf-8")
    findings = check_site(site, sites.baseline)
    assert any(f.kind == kind and f.where == page.relative_to(site).as_posix()
               for f in findings), format_findings(findings)


def test_the_checker_finds_a_script_in_the_head(sites: Sites, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(sites.benign.site / "index.html", site / "index.html")
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</title>", "</title><script>alert(1)</script>", 1),
                    encoding="utf-8")
    kinds = {(f.where, f.kind) for f in check_site(site, sites.baseline)}
    assert ("index.html", "inline-code") in kinds


def test_the_checker_finds_writes_outside(tmp_path: Path) -> None:
    (tmp_path / "project" / "site").mkdir(parents=True)
    (tmp_path / "kept").write_text("x")
    before = snapshot_tree(tmp_path)
    (tmp_path / "project" / "site" / "page.html").write_text("ok")
    (tmp_path / "outside").write_text("escaped")
    (tmp_path / "kept").write_text("changed")
    found = writes_outside(before, snapshot_tree(tmp_path), ["project/site"])
    assert [(f.where, f.detail) for f in found] == [("kept", "changed"), ("outside", "added")]


def test_a_builder_without_its_encoding_step_is_caught(
        sites: Sites, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation check: with Jinja's finalize hook (the encoding step) switched off, the
    checker finds the markup that data then forms, so it would notice if it were lost."""
    from builder.ingest.formats import LoadOptions
    from builder.ingest.importer import import_bytes

    original = builder.publish.render.make_environment

    def unencoded(*args, **kwargs):  # type: ignore[no-untyped-def]
        env = original(*args, **kwargs)
        env.finalize = None
        return env

    monkeypatch.setattr(builder.publish.render, "make_environment", unencoded)
    rows = [{"survey": "Mutation <b>survey</b>", "survey_id": None, "question_id": "Q00001",
             "question_order": 1, "question_type": "Free Text (Multi line text box)",
             "question_text": "<script>alert(1)</script><img src=x onerror=alert(1)>",
             "ca_owner": "Mutation CA", "response": "an answer", "option_number": None,
             "submitted_at": None}]
    project = make_project(tmp_path / "p")
    import_bytes(json.dumps(rows).encode(), "m.json", project.data, LoadOptions(),
                 observed_at="2026-01-01T00:00:00Z")
    build(project)
    kinds = {f.kind for f in check_site(project.site, sites.baseline)}
    assert {"element", "handler", "markup"} <= kinds, kinds


# -- 3. property tests ------------------------------------------------------------------

TOKENS = [
    "<", ">", "&", '"', "'", "`", "```", "~~~", "|", "[", "]", "(", ")", "{", "}", "{{", "}}",
    "{%", "%}", "{#", "#}", "{:", "#", "##", "*", "**", "_", "__", "~~", "==", "=", "+", "-",
    "---", "...", ":", ";", "!", "![", "](", "\\", "/", "<!--", "-->", "<![CDATA[", "]]>",
    "<script>", "</script>", "</title>", "<img src=x onerror=alert(1)>", "<a href=", "onclick=",
    "style=", "javascript:", "data:", "vbscript:", "http://", "https://example.invalid/",
    "mailto:", "@", "x@example.invalid", "--8<--", '"mkdocs.yml"', "$$", "\\(", "[TOC]",
    "&lt;", "&#60;", "&#x3C;", "&amp;", "%", "^", "?", ",", "$", "title:", "!!python/object",
    " ", "  ", "    ", "\t", "\n", "\n\n", "\r\n", "\r", "\x00", "\x1b", "\x85", "\u2028",
    "\u2029", "\u200b", "\u202e", "\u2066", "\ufeff", "\ufffe", "\uff1c", "a", "Z", "0", "é",
    "e\u0301", "中", "\U0001f512",
]
"""Fragments of Markdown, HTML, Jinja, YAML and URL syntax, and awkward characters."""
PUNCTUATION = st.text(alphabet=st.sampled_from(list(string.punctuation + " \n\ta")),
                      max_size=24)
syntax_text = st.one_of(st.lists(st.sampled_from(TOKENS), max_size=10).map("".join),
                        PUNCTUATION, st.text(max_size=20))
"""Syntax-heavy text, punctuation-only text, and arbitrary Unicode (no lone surrogates)."""
PROPERTY_SETTINGS = settings(deadline=None, database=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


def usable_name(text: str) -> bool:
    return bool(canonical_key(text))


@dataclass
class Dataset:
    format: str
    title: str
    owners: list[str]
    questions: list[str]
    answers: list[list[str]]
    """answers[owner][question]"""


@st.composite
def datasets(draw: Callable) -> Dataset:  # type: ignore[type-arg]
    title = draw(syntax_text.filter(usable_name))
    owners = draw(st.lists(syntax_text.filter(usable_name), min_size=1, max_size=5,
                           unique_by=canonical_key))
    questions = draw(st.lists(syntax_text, min_size=3, max_size=3))
    answers = [draw(st.lists(syntax_text, min_size=3, max_size=3)) for _ in owners]
    fmt = draw(st.sampled_from(["json", "ccadb-csv", "report-csv"]))
    return Dataset(fmt, title, owners, questions, answers)


def export_of(data: Dataset) -> tuple[bytes, list[str]]:
    """The dataset as an export in its layout, and the `builder import` options."""
    import csv
    import io

    qids = ["Q00001", "Q00002", "Q00003"]
    types = ["Free Text (Multi line text box)", "Single Select (Radio buttons)",
             "Free Text (Multi line text box)"]
    if data.format == "report-csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(["CA Owner", "Response", "Response", "Response"])
        writer.writerows([owner, *answers] for owner, answers in zip(data.owners, data.answers,
                                                                    strict=True))
        return out.getvalue().encode(), ["--survey", data.title, "--question-ids",
                                         ",".join(qids)]
    rows = []
    labels: dict[str, int] = {}
    for owner, answers in zip(data.owners, data.answers, strict=True):
        for k, (qid, answer) in enumerate(zip(qids, answers, strict=True)):
            number = labels.setdefault(answer, len(labels) + 1) if k == 1 else None
            rows.append({"survey": data.title, "survey_id": None, "question_id": qid,
                         "question_order": k + 1, "question_type": types[k],
                         "question_text": data.questions[k], "ca_owner": owner,
                         "response": answer, "option_number": number,
                         "submitted_at": None})
    if data.format == "json":
        return json.dumps(rows).encode(), []
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(), []


@pytest.fixture(scope="module")
def property_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("property") / "project")


def test_generated_text_through_import_store_render_and_mkdocs(
        sites: Sites, property_project: Project) -> None:
    """Full pipeline, a few builds: no markup from data, every string visible verbatim.

    (No shrinking: each example is a MkDocs build; a failure shows the example as found.)
    """
    runner = CliRunner()

    @settings(PROPERTY_SETTINGS, max_examples=10, phases=[Phase.explicit, Phase.generate])
    @given(datasets())
    def check(data: Dataset) -> None:
        with tempfile.TemporaryDirectory(dir=property_project.root) as tmp:
            source = Path(tmp) / "export"
            content, args = export_of(data)
            source.write_bytes(content)
            store = Path(tmp) / "data"
            result = runner.invoke(main, ["import", str(source), "--format", data.format,
                                          *args, "--data", str(store)])
            assert result.exit_code == 0, result.output
            build(property_project, store)
        findings = check_site(property_project.site, sites.baseline)
        assert not findings, format_findings(findings)
        survey_key = canonical_key(data.title)
        pages = Pages(property_project.site)
        title = fold(data.title)
        assert shown(title) in pages.text("index.md")
        assert shown(NONCHARACTERS.sub("\ufffd", title)) in pages.text(survey_page(survey_key))
        qids = ["Q00001", "Q00002", "Q00003"]
        for owner, answers in zip(data.owners, data.answers, strict=True):
            assert shown(owner) in pages.text(owner_page(canonical_key(owner)))
            for qid, question, answer in zip(qids, data.questions, answers, strict=True):
                page = question_page(survey_key, qid)
                if data.format != "report-csv":
                    assert shown(question) in pages.text(page)
                assert shown(answer) in pages.text(page)
                assert shown(answer) in pages.text(owner_page(canonical_key(owner)))

    check()


MARKDOWN_CONTEXTS = {
    "paragraph": ("{{ v }}", {"p"}),
    "html block": ('<div class="x">{{ v }}</div>', {"div"}),
    "html table cell": ("<table>\n<tbody>\n<tr><td>{{ v }}</td></tr>\n</tbody>\n</table>",
                        {"table", "tbody", "tr", "td"}),
    "heading": ("## {{ v }}", {"h2"}),
    "markdown table cell": ("| head |\n|---|\n| {{ v }} |",
                            {"table", "thead", "tbody", "tr", "th", "td"}),
    "list item": ("- {{ v }}", {"ul", "li"}),
    "builder link": ("<p>{{ link('x/', v) }}</p>", {"p", "a"}),
    "answer with links": ("<p>{{ lines(v) }}</p>", {"p", "a"}),
}
"""Where templates put values, and the only elements the result may hold (plus <br>)."""


@settings(PROPERTY_SETTINGS, max_examples=600)
@given(value=syntax_text, context=st.sampled_from(sorted(MARKDOWN_CONTEXTS)))
def test_encoded_text_forms_no_markdown_or_html(value: str, context: str) -> None:
    """Many examples, no MkDocs: the real Jinja environment and the site's Markdown
    extensions; the value comes out as text only, the same text."""
    source, allowed = MARKDOWN_CONTEXTS[context]
    env = make_environment(TEMPLATES_DIR)
    body = env.from_string(source).render(v=value, link=link, lines=encode_lines)
    md = markdown.Markdown(extensions=["toc", "tables"],
                           extension_configs={"toc": {"permalink": False}})
    html = md.convert(body)
    scan = scan_html(f"<article>{html}</article>")
    tags = {s[2] for s in scan.signatures if s[1] == "markup"} - {"article"}
    assert tags <= allowed | {"br"}, (html, tags)
    others = {s for s in scan.signatures if s[1] not in ("markup",)}
    assert not others, others
    for sig in scan.signatures:
        if sig[1] == "markup" and sig[2] == "a" and context == "answer with links":
            assert sig[5] == "nofollow ugc noopener", html
    expected = ("head " + shown(value)).strip() if context == "markdown table cell" \
        else shown(value)
    assert scan.article_text == expected, (html, scan.article_text)
    if context == "heading" and shown(value):
        # The table of contents shows the heading's text without its <br>s.
        name = md.toc_tokens[0]["name"]  # type: ignore[attr-defined]
        assert "<" not in name, name
        toc_text = scan_html(f"<article>{name}</article>").article_text
        assert toc_text == " ".join(clean_for_display(value).replace("\n", "").split())


@settings(PROPERTY_SETTINGS, max_examples=300)
@given(value=st.text(max_size=40) | syntax_text)
def test_encode_writes_no_punctuation_and_keeps_the_text(value: str) -> None:
    encoded = str(encode(value))
    without_refs = re.sub(r"&#\d+;|<br>", "", encoded)
    assert not set(without_refs) & set(string.punctuation), encoded
    assert not encoded.startswith(" ") and "  " not in encoded, encoded  # no indented code
    decoded = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), encoded.replace("<br>", "\n"))
    assert decoded == clean_for_display(value)



BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@settings(PROPERTY_SETTINGS, max_examples=400)
@given(value=st.text(st.characters(codec=None), max_size=40) | syntax_text)
def test_display_clean_up_drops_exactly_the_controls_but_tab_and_newline(value: str) -> None:
    """The clean-up's definition, by Unicode category, character by character."""
    value = re.sub("\r\n|[\r\x0b\x0c\x85\u2028\u2029]", "\n", value)
    expected = "".join(
        "\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value
        if ch in "\n\t" or not (ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc"))
    assert clean_for_display(value) == expected

# -- 4. broken input: exact errors, nothing changed ------------------------------------

BROKEN_DIR = FIXTURES / "broken"


def _deep_json() -> bytes:
    return b"[" + b'{"survey": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]\n"


def _huge_number_json() -> bytes:
    return (b'[{"survey": "S", "survey_id": null, "question_id": "Q00001", "question_order": '
            + b"9" * 5000 + b', "question_type": null, "question_text": "q", "ca_owner": "o", '
            b'"response": "r", "option_number": null, "submitted_at": null}]\n')


def _huge_field_csv() -> bytes:
    return (b"survey,question_id,question_text,ca_owner,response\n"
            b"S,Q00001,q,<script>alert(1)</script>," + b"A" * 1_000_001 + b"\n")


GENERATED_BROKEN = {"deep-nesting.json": _deep_json, "huge-number.json": _huge_number_json,
                    "field-too-large.ccadb.csv": _huge_field_csv}
"""Broken inputs too big to keep as files; generated where the test runs."""


def broken_cases() -> list[str]:
    files = sorted(p.name for p in BROKEN_DIR.iterdir()
                   if not p.name.endswith((".expected.txt", ".args")))
    return files + sorted(GENERATED_BROKEN)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A project with real data imported and a site built from it."""
    project = make_project(tmp_path_factory.mktemp("published") / "project")
    shutil.copytree(ROOT / "data", project.data)
    build(project)
    return project


@pytest.mark.parametrize("name", broken_cases())
def test_broken_input_is_refused_with_its_exact_error_and_changes_nothing(
        published: Project, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    work = published.root / "work"
    work.mkdir(exist_ok=True)
    (work / name).write_bytes(GENERATED_BROKEN[name]() if name in GENERATED_BROKEN
                              else (BROKEN_DIR / name).read_bytes())
    args_file = BROKEN_DIR / f"{name}.args"
    args = args_file.read_text(encoding="utf-8").split() if args_file.exists() else []
    monkeypatch.chdir(work)
    data_before, site_before = tree_bytes(published.data), tree_bytes(published.site)
    docs_before = tree_bytes(published.docs)
    result = CliRunner().invoke(main, ["import", name, *args, "--data", str(published.data)])
    assert result.exit_code == 1, result.output
    expected = (BROKEN_DIR / f"{name}.expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert result.stdout == ""
    assert tree_bytes(published.data) == data_before
    assert tree_bytes(published.site) == site_before
    assert tree_bytes(published.docs) == docs_before
    (work / name).unlink()


# -- 5. issue 13: front matter, integer bounds, forged rows, look-alikes, paths, timelines

LINE_SEPARATORS = ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"]
"""Every line break YAML, Python's str.splitlines or a browser knows."""


@pytest.mark.parametrize("separator", LINE_SEPARATORS, ids=repr)
@pytest.mark.parametrize("marker", ["---", "..."])
def test_front_matter_holds_against_every_line_separator(separator: str, marker: str) -> None:
    """A title that ends the YAML block early would have MkDocs render the rest as
    Markdown: a live javascript: link, a remote image. It parses back exactly."""
    from mkdocs.utils.meta import get_data

    from builder.publish.encode import front_matter

    title = (f"Evil CA{separator}{marker}{separator}[x](javascript:alert(1)) "
             f"![i](https://example.invalid/i.png){separator}title: pwned")
    block = front_matter(title, feed="feeds/all.xml")
    assert block.isascii() and block.count("\n") == 5, block  # title, mark, feed
    body, meta = get_data(block + "\nbody\n")
    assert body == "body\n"
    assert meta == {"title": " ".join(clean_for_display(title).split("\n")).replace(
        "&", "&amp;").replace('"', "&quot;"), "csr_generated": "html",
        "feed": "feeds/all.xml"}


def test_a_front_matter_block_that_does_not_parse_fails_the_build() -> None:
    from builder.core.errors import BuildFailed
    from builder.publish.encode import check_front_matter

    check_front_matter('---\n"title": "ok"\n---\n\nbody', {"title": "ok"})
    for page in ['---\ntitle: "a\u2028---\n[x](javascript:alert(1))"\n---\n', "---\n- a\n---\n",
                 '---\ntitle: "unclosed\n---\n']:
        with pytest.raises(BuildFailed):
            check_front_matter(page)
    with pytest.raises(BuildFailed):
        check_front_matter('---\n"title": "other"\n---\n', {"title": "ok"})


def test_every_generated_page_has_the_front_matter_it_was_given(sites: Sites) -> None:
    """Read back as MkDocs reads it: a title (and a feed), the mark of a generated page
    (csr-html publishes it without Markdown) and nothing of the page body;
    and no built page holds a link or image the hostile names could have made."""
    from mkdocs.utils.meta import get_data

    generated = json.loads((sites.hostile.docs / ".generated-pages.json").read_text())
    pages = [p for p in generated if p.endswith(".md")]
    assert len(pages) > 100
    for page in pages:
        text = (sites.hostile.docs / page).read_text(encoding="utf-8")
        body, meta = get_data(text)
        source = sites.hostile.handwritten / page  # a hand-written page: its own front matter
        mark = {k: v for k, v in get_data(source.read_text(encoding="utf-8"))[1].items()
                if k not in ("title", "feed")} if source.exists() else {"csr_generated": "html"}
        assert {k: meta[k] for k in meta if k not in ("title", "feed")} == mark, (page, meta)
        assert "title" in meta, page
        assert text.split("\n", 1)[0] == "---" and not body.startswith("---"), page
    for page in sites.hostile.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<img\b[^>]*example\.invalid|href=\"\s*javascript:", html), page


def test_an_integer_sqlite_cannot_store_is_refused_by_the_store_reader(
        published: Project, tmp_path: Path) -> None:
    """A hand-edited store with a question order of 2^63 (and an option number below
    -2^63): `validate` names file, line and value; `build` fails cleanly, site kept."""
    project = make_project(tmp_path / "p")
    shutil.copytree(published.data, project.data)
    shutil.copytree(published.site, project.site)
    folder = project.data / "surveys" / "april-2017-ca-communication-a639c88d"
    questions = folder / "questions.jsonl"
    questions.write_text(questions.read_text().replace('"order":12', f'"order":{2**63}'))
    answers = folder / "answers.jsonl"
    lines = answers.read_text().split("\n")
    lines[1] = re.sub(r'"option_numbers":\[[^]]*\]', f'"option_numbers":[{-2**63 - 1}]',
                      lines[1])
    answers.write_text("\n".join(lines))
    site_before = tree_bytes(project.site)
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--data", str(project.data)])
    assert result.exit_code == 1, result.output
    shown_lines = result.stderr.splitlines()
    assert {  # (the answers to the refused question are reported as well)
        f"{questions}:1: order: integer-out-of-range: expected whole numbers from -999999 to "
        f"999999 (got '{2**63}')",
        f"{answers}:2: option_numbers: integer-out-of-range: expected whole numbers from "
        f"-999999 to 999999 (got '[{-2**63 - 1}]')"} <= set(shown_lines), shown_lines
    result = runner.invoke(main, project.build_args())
    assert result.exit_code == 1 and result.exception is not None
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "integer-out-of-range" in result.stderr
    assert tree_bytes(project.site) == site_before


def test_downloads_and_pages_name_a_local_file_by_its_name_only(tmp_path: Path) -> None:
    """The full path of an imported file (the importing machine's folders) is published
    nowhere: not in the CSV, JSON or SQLite downloads, not on a page."""
    import sqlite3

    from builder.ingest.formats import LoadOptions
    from builder.ingest.importer import import_source
    from builder.publish.opendata.produce import render_downloads
    from builder.publish.render import render_pages
    from builder.store.records import load_store

    folder = tmp_path / "home" / "maintainer-name" / "private-folder"
    folder.mkdir(parents=True)
    rows = [{"survey": "Paths survey", "survey_id": None, "question_id": "Q00001",
             "question_order": 1, "question_type": "Free Text (Multi line text box)",
             "question_text": "q", "ca_owner": "Path CA", "response": f"answer {v}",
             "option_number": None, "submitted_at": None} for v in (1, 2)]
    data = tmp_path / "data"
    for version, row in enumerate(rows, start=1):
        export = folder / f"export-v{version}.json"
        export.write_text(json.dumps([row]))
        import_source(str(export), data, LoadOptions(),
                      observed_at=f"2026-01-0{version}T00:00:00Z")
    store = load_store(data)
    files = {path.removesuffix(".gz"): gzip.decompress(data) if path.endswith(".gz") else data
             for path, data in render_downloads(store).items()}  # the content, not gzip's
    files.update({k: v.encode() for k, v in render_pages(store, TEMPLATES_DIR).items()})
    sqlite = tmp_path / "x.sqlite"
    sqlite.write_bytes(files["downloads/ca-communications.sqlite"])
    with sqlite3.connect(sqlite) as conn:
        sources = {r[0] for t in ("answers", "history", "questions")
                   for r in conn.execute(f"SELECT source FROM {t}")}  # noqa: S608
    assert sources == {"export-v1.json", "export-v2.json"}
    for path, content in files.items():
        assert b"maintainer-name" not in content and b"private-folder" not in content, path
    assert b"export-v2.json" in files["downloads/tables/answers.csv"]


def test_look_alike_spellings_of_one_owner_in_one_export_are_reported(tmp_path: Path) -> None:
    """'Example\\u200b CA' cannot add an option to Example CA's answer, and 'Ｏｔｈｅｒ CA'
    (full-width letters) cannot block the import by answering Other CA's single-choice
    question twice: both are named with both spellings and lines; their rows are left out."""
    from builder.store.records import load_store

    source = FIXTURES / "look-alike-owners.ccadb.csv"
    result = CliRunner().invoke(main, ["import", str(source), "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rule = "one CA owner by the key rule (NFKC, invisible characters dropped) as"
    assert result.stderr.splitlines() == [
        f"warning: {source}:3:6: ca_owner: look-alike-owner: {rule} 'Example CA' on line 2; "
        "the rows with this spelling are left out (got 'Example\\u200b CA')",
        f"warning: {source}:5:6: ca_owner: look-alike-owner: {rule} 'Other CA' on line 4; "
        "the rows with this spelling are left out (got 'Ｏｔｈｅｒ CA')"]
    answers = next(iter(load_store(tmp_path).surveys.values())).answers
    assert {k: (a.owner_name, a.values) for k, a in answers.items()} == {
        ("Q00001", "Example CA"): ("Example CA", ("Email",)),
        ("Q00002", "Other CA"): ("Other CA", ("Yes",))}


def report_page(rows: list[tuple[str, str]]) -> bytes:
    """A CACommResponsesOnlyReport page (one question) in the CCADB's layout; the cells
    are written unescaped, as the CCADB writes CA-written text."""
    body = "".join(f'<tr>\n  <th scope="row" >{owner}</th>\n   <td > \n           {cell} \n'
                   "   </td>\n</tr>\n" for owner, cell in rows)
    return ('<!DOCTYPE HTML>\n<html><head><title>Forgery survey</title></head><body>\n'
            '<h1 class="pageType noSecondHeader">Forgery survey</h1>\n'
            '<table id="mytable">\n<tr>\n  <th scope="col" style="text-align:left"> ACTION 1: '
            "Tell us </th>\n</tr>\n</table>\n"
            '<table id="mytable" cellspacing="0" summary="Summary Report Name">\n<br/>\n<tr>\n'
            '  <th scope="col" style="width:20%;" class="nobg">CA Owner</th>\n'
            '  <th scope="col">Response</th>\n</tr>\n' + body
            + "</table>\n</body></html>\n").encode()


FORGED = 'yes</td></tr><tr><th scope="row" >{owner}</th><td>{text}'
"""A cell that closes its row and opens another one, for another CA owner."""


def import_report(tmp_path: Path, name: str, rows: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(report_page(rows))
    return path, CliRunner().invoke(main, ["import", str(path), "--question-ids", "Q00001",
                                           "--data", str(tmp_path / "data")])


def test_a_forged_row_for_an_owner_that_has_one_is_an_error_naming_both_lines(
        tmp_path: Path) -> None:
    """Alpha CA's cell closes its row and writes a row for Beta CA, which answered too:
    Beta CA's answer must not be silently extended with the forged text."""
    path, result = import_report(tmp_path, "forged.html", [
        ("Alpha CA", FORGED.format(owner="Beta CA", text="we do not check revocation")),
        ("Beta CA", "Our real answer")])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"{path}:18:29: ca_owner: row-after-cell-markup: this row follows row or table markup "
        "inside a cell (line 18): CA-written text may have forged it; compare with the "
        "CACommSummaryReport (got 'Beta CA')",
        f"{path}:22:3: ca_owner: duplicate-owner-row: a second row for the CA owner of line 18 "
        "('Beta CA'): a CA's cell text can close its row and forge another; compare with "
        "the CACommSummaryReport (got 'Beta CA')", "1 problem found"]
    assert not (tmp_path / "data" / "surveys").exists()


def test_a_row_after_row_markup_in_a_cell_is_reported(tmp_path: Path) -> None:
    """Gamma CA never answered; the row Alpha CA's cell forged for it is imported (the
    page cannot tell) but named in a warning, to be compared with the summary report."""
    from builder.store.records import load_store

    path, result = import_report(tmp_path, "forged.html", [
        ("Alpha CA", FORGED.format(owner="Gamma CA", text="forged answer")),
        ("Delta CA", "a real answer")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"warning: {path}:18:29: ca_owner: row-after-cell-markup: this row follows row or table "
        "markup inside a cell (line 18): CA-written text may have forged it; compare with the "
        "CACommSummaryReport (got 'Gamma CA')"]
    owners = {a.owner_name for a in next(iter(load_store(tmp_path / "data").surveys.values()))
              .answers.values()}
    assert owners == {"Alpha CA", "Gamma CA", "Delta CA"}


def test_a_cell_that_closes_the_answers_table_is_an_error(tmp_path: Path) -> None:
    """Every CA owner after Alpha CA would vanish (and be recorded withdrawn)."""
    for cell in ["yes</td></tr></table>", "yes</td></tr></table><table>"]:
        path, result = import_report(tmp_path, "closed.html", [
            ("Alpha CA", cell), ("Beta CA", "b"), ("Gamma CA", "c")])
        assert result.exit_code == 1, result.output
        codes = {line.split(": ")[2] for line in result.stderr.splitlines()[:-1]}
        assert codes & {"row-outside-table", "table-after-answers"}, result.stderr
    path, result = import_report(tmp_path, "nested.html", [
        ("Alpha CA", "<table><tr><td>a nested table</td></tr></table> is fine"),
        ("Beta CA", "b")])
    assert result.exit_code == 0 and result.stderr == "", result.output


def busy_store(versions: int, names: list[str] = NAMES, texts: list[str] = TEXTS) -> Path:
    """A store where one answer (of a CA owner named with hostile text) has `versions`
    versions, written as the importer writes it."""
    from builder.core.model import FREE_TEXT, Answer, Change, Question, Store, Survey, SurveyData
    from builder.store.records import save_store

    survey, owner = "History survey", names[0]
    data = SurveyData(Survey(survey, survey))
    data.questions["Q00001"] = Question(survey, "Q00001", 1, FREE_TEXT, "ACTION 1: how?")
    values = [(f"version {i}: {texts[i % len(texts)][:200]} " + "word " * 40,)
              for i in range(versions)]
    when = [f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T00:00:00Z" for i in range(versions)]
    data.history = [Change(survey, "Q00001", canonical_key(owner), owner,
                           "changed" if i else "added", values[i - 1] if i else None,
                           values[i], when[i], f"export-{i}.json") for i in range(versions)]
    data.answers[("Q00001", canonical_key(owner))] = Answer(
        survey, "Q00001", canonical_key(owner), owner, values[-1], source="x.json",
        observed_at=when[-1])
    store = Store()
    store.surveys[survey] = data
    folder = Path(tempfile.mkdtemp(prefix="busy-"))
    save_store(store, folder)
    return folder


def test_a_timeline_of_100_versions_gives_pages_of_bounded_size(tmp_path: Path) -> None:
    """Every pair of versions on the page made 1.9 MB of one page for 100 versions: the
    question page now shows the last changes and links a page with all of them, which
    grows linearly, and the owner page links that row; every version stays reachable."""
    import posixpath

    from builder.publish.history_view import SHOWN_DIFFS, history_page
    from builder.publish.render import render_pages
    from builder.store.records import load_store

    sizes = {}
    for versions in (SHOWN_DIFFS + 2, 100):
        store = load_store(busy_store(versions))
        pages = render_pages(store, TEMPLATES_DIR)
        survey, key = "History survey", canonical_key(NAMES[0])
        full = history_page(survey, "Q00001", key)
        sizes[versions] = {p: len(pages[p].encode()) for p in
                           (question_page(survey, "Q00001"), owner_page(key), full)}
        question = question_page(survey, "Q00001")
        text = pages[question]
        assert text.count("<li>") == SHOWN_DIFFS and "data-pair" not in text
        href = re.search(r'<a href="([^"]+)">all \d+ versions</a>', text).group(1)
        assert posixpath.normpath(posixpath.join(url_of(question), href)) + "/" == \
            url_of(full), href
        # the owner page shows each history once, where it is: it links that row
        text = pages[owner_page(key)]
        assert "<li>" not in text and "data-pair" not in text
        found = re.search(r'<a href="([^"]+)">history&#58; (\d+) versions</a>', text)
        assert found is not None and found.group(2) == str(versions)
        target, _, row = found.group(1).partition("#")
        assert posixpath.normpath(posixpath.join(url_of(owner_page(key)), target)) + "/" == \
            url_of(question), found.group(1)
        assert f'<tr id="{row}">' in pages[question]
        assert pages[full].count("<li>") == versions
        for number in range(2, versions + 1):  # each version, as a diff with the one before
            assert f"<strong>Version {number}</strong>" in pages[full]
    small, large = sizes[SHOWN_DIFFS + 2], sizes[100]
    for page in list(small)[:2]:
        assert large[page] < small[page] * 1.1, (page, small[page], large[page])
    full = list(small)[2]
    assert large[full] < small[full] * 100 / (SHOWN_DIFFS + 2) * 1.5  # linear


def test_a_long_timeline_builds_and_its_history_page_is_clean(
        sites: Sites, tmp_path: Path) -> None:
    from builder.publish.history_view import history_page

    twin = make_project(tmp_path / "twin")  # the builder's markup for a long timeline
    corpus = benign_corpus()
    build(twin, busy_store(30, corpus.names, corpus.texts))
    project = make_project(tmp_path / "p")
    build(project, busy_store(30))
    assert_clean(project.site, Baseline.from_sites(sites.benign.site, twin.site))
    page = history_page("History survey", "Q00001", canonical_key(NAMES[0]))
    text = visible_text(project.site / url_of(page) / "index.html")
    assert "Version 1," in text and "Version 30," in text
