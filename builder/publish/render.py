"""Render the site's Markdown pages from the store. Pure: returns {path: text}.

Every value printed by a template goes through `encode` (Jinja's finalize hook), so a
forgotten filter cannot emit raw text; only HTML built here is marked safe.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from builder.core.errors import BuildFailed
from builder.core.model import (
    CHOICE_TYPES,
    MULTI,
    Answer,
    Change,
    Question,
    Store,
    SurveyData,
    is_blank,
)
from builder.core.text import fold_whitespace, page_name, public_source
from builder.core.timeline import Version, newest_first, timelines
from builder.publish.cainfo_pages import CaPages
from builder.publish.diff import answer_text
from builder.publish.encode import encode, encode_lines, front_matter, link, safe_external_url
from builder.publish.feeds import atom_feed
from builder.publish.history_view import (
    change_entries,
    changes_by_owner,
    diff_html,
    entry_html,
    full_history,
    history_block,
    history_page,
    is_long,
    row_anchor,
)
from builder.publish.labels import capture, entry_date, partial_capture
from builder.publish.owners import owner_names
from builder.publish.paths import (
    owner_page,
    question_page,
    readable_slugs,
    rel,
    survey_date,
    survey_page,
    surveys_newest_first,
    url_of,
)
from builder.store.records import dumps, survey_dir_name

COMMENTS = re.compile(r"^\s*(ACTION|ITEM)\s*#?\s*(\d+)\s+COMMENTS\b", re.IGNORECASE)
NUMBERED = re.compile(r"^\s*(ACTION|ITEM)\s*#?\s*(\d+)\s*:", re.IGNORECASE)
CCADB_REPORTS = "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
EMPTY_SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n')
CHANGES_PER_PAGE = 200
LATEST_ON_HOME = 10


def make_environment(templates_dir: Path,
                     finalize: Callable[[object], Markup] = encode) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(env: jinja2.Environment, template: str, page: str,
                    **context: object) -> str:
    """`template` rendered for `page`; any template error is a BuildFailed naming the
    template file and line where it happened (the one rule for every generated page)."""
    try:
        return env.get_template(template).render(page=page, **context)
    except jinja2.TemplateError as exc:
        where = template_position(env, exc, template)
        raise BuildFailed(f"{where}: {exc} (while rendering {page})") from exc


def template_position(env: jinja2.Environment, exc: jinja2.TemplateError,
                      template: str) -> str:
    """`file:line` of a template error. A syntax error carries its own; an error while
    rendering (an undefined name, a failed filter) carries none, but Jinja rewrites the
    traceback so that its frames are the template lines: the deepest one is where."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return f"{exc.name or template}:{exc.lineno}"
    roots = [Path(p).resolve() for p in getattr(env.loader, "searchpath", ())]
    found = f"{template}:?"
    tb = exc.__traceback__
    while tb is not None:
        file = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if file.is_absolute() and file.resolve().is_relative_to(root):
                found = f"{file.resolve().relative_to(root).as_posix()}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


@dataclass
class _SurveyIndex:
    """A survey's answers by question, answers gone from the export, withdrawal dates."""

    questions: list[Question]
    answers: dict[str, list[Answer]]
    """question id -> answers, sorted by CA owner name."""
    gone: dict[str, list[tuple[str, list[Version]]]]
    """question id -> (owner key, versions) of answers no longer in the export."""
    withdrawn: dict[str, str]
    """owner key -> when the last 'withdrawn' change was seen (labels.capture)."""

    @classmethod
    def of(cls, data: SurveyData, lines: dict[tuple[str, str], list[Version]],
           names: dict[str, str]) -> _SurveyIndex:
        answers: dict[str, list[Answer]] = defaultdict(list)
        for answer in data.answers.values():
            answers[answer.question_id].append(answer)
        for group in answers.values():
            group.sort(key=lambda a: names[a.owner_key].casefold())
        gone: dict[str, list[tuple[str, list[Version]]]] = defaultdict(list)
        for (qid, owner), versions in sorted(lines.items()):
            if versions[-1].values is None and (qid, owner) not in data.answers:
                gone[qid].append((owner, versions))
        withdrawn = {c.owner_key: capture(c.captured_at, c.observed_at) for c in data.history
                     if c.kind == "withdrawn"}
        return cls(data.sorted_questions(), answers, gone, withdrawn)


@dataclass
class Site:
    """Everything pages share, computed once from the store."""

    store: Store
    surveys: list[SurveyData]
    """Newest first."""
    owner_names: dict[str, str]
    owner_answers: dict[str, list[Answer]] = field(default_factory=dict)
    timelines: dict[str, dict[tuple[str, str], list[Version]]] = field(default_factory=dict)
    """survey key -> (question id, owner key) -> versions."""
    changes: list[Change] = field(default_factory=list)
    """Every recorded change, newest first."""
    titles: dict[str, str] = field(default_factory=dict)


def short_label(question: Question, limit: int = 90) -> str:
    text = fold_whitespace(question.text)
    if not text:
        return question.id
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def comments_question(data: SurveyData, question: Question) -> Question | None:
    """The 'ACTION n COMMENTS' question that belongs to a choice question, if any."""
    if COMMENTS.match(question.text):
        return None
    number = NUMBERED.match(question.text)
    ordered = data.sorted_questions()
    for other in ordered:
        match = COMMENTS.match(other.text)
        if match and number and match.group(1).upper() == number.group(1).upper() \
                and match.group(2) == number.group(2):
            return other
    index = ordered.index(question)
    if index + 1 < len(ordered) and COMMENTS.match(ordered[index + 1].text) and not number:
        return ordered[index + 1]
    return None


def answer_cell(answer: Answer | None) -> Markup:
    if answer is None:
        return Markup('<span class="csr-none">no answer captured</span>')
    return answer_cell_values(answer.values)


def answer_cell_values(values: tuple[str, ...] | None) -> Markup:
    if not values or is_blank(values):
        return Markup('<span class="csr-none">(left blank)</span>')
    if len(values) == 1:
        return encode_lines(values[0])
    items = "".join(f"<li>{encode_lines(v)}</li>" for v in values)
    return Markup(f'<ul class="csr-options">{items}</ul>')


def partial_note(data: SurveyData) -> str | None:
    """labels.partial_capture for a partial survey with answers; None otherwise.

    A survey of which nothing was captured is not a partial capture: its pages say that
    no answer has been captured.
    """
    if not data.survey.partial or not data.answers:
        return None
    return partial_capture(len({a.owner_key for a in data.answers.values()}))


def source_cell(answer: Answer) -> Markup:
    url = safe_external_url(answer.source)
    when = encode(capture(answer.captured_at, answer.observed_at))
    if url:
        return Markup(f"{link(url, 'source', external=True)} · {when}")
    label = "fictitious export " if answer.source.startswith("demo://") else "file "
    name = public_source(answer.source).rsplit("/", 1)[-1]
    return Markup(f"{encode(label + name)} · {when}")


def bar_chart(rows: list[dict[str, object]], total: int, title: str) -> Markup:
    """A horizontal bar chart as inline SVG; the table beside it is the text alternative."""
    height = 28 * len(rows) + 8
    bars = []
    for i, row in enumerate(rows):
        count = int(row["count"])  # type: ignore[call-overload]
        width = 0 if total == 0 else round(300 * count / total)
        y = 8 + 28 * i
        bars.append(
            f'<rect x="0" y="{y}" width="{max(width, 1)}" height="20" class="csr-bar"></rect>'
            f'<text x="{width + 6}" y="{y + 15}">{count} · {encode(row["label_short"])}</text>')
    return Markup(
        f'<svg class="csr-chart" role="img" aria-label="{encode(title)}" viewBox="0 0 640 '
        f'{height}" width="100%" preserveAspectRatio="xMinYMin meet">{"".join(bars)}</svg>')


@lru_cache(maxsize=1 << 12)
def _url_parts(url: str) -> tuple[str, ...]:
    return tuple(part for part in url.split("/") if part)


def fast_rel(from_page: str, to: str) -> str:
    """The same as pages.rel, without posixpath.relpath's two abspath calls per link.

    The builder's paths are already normal (no '.', '..' or empty parts); any other
    path goes through pages.rel.
    """
    base = _url_parts(url_of(from_page))
    target = _url_parts(url_of(to) if to.endswith(".md") else to)
    if "." in base or ".." in base or "." in target or ".." in target:
        return rel(from_page, to)
    common = 0
    for mine, theirs in zip(base, target, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(base) - common) + list(target[common:])
    path = "/".join(parts) if parts else "."
    if to.endswith(".md"):
        path = "./" if path == "." else path + "/"
    return path


class Renderer:
    def __init__(self, store: Store, templates_dir: Path, site_url: str | None = None) -> None:
        self.site_url = site_url  # the site's absolute root URL ("https://.../"), if known
        # Memos: the same names, labels, answers, links and timelines appear on many
        # pages (a question page and an owner page show each answer); encoding them is
        # most of the builder's time, so each distinct one is encoded once per build.
        self._encoded: dict[str, Markup] = {}
        self._links: dict[tuple[str, str], Markup] = {}
        self._cells: dict[tuple[str, ...], Markup] = {}
        self._sources: dict[tuple[str, str | None, str], Markup] = {}
        self._histories: dict[tuple[str, str, str, str | None], Markup] = {}
        self._labels: dict[tuple[str, str, int], str] = {}
        self._owner_pages: dict[str, str] = {}
        self._per_survey: dict[str, _SurveyIndex] = {}
        self.env = make_environment(templates_dir, finalize=self.encode)
        surveys = surveys_newest_first(store)
        by_owner: dict[str, list[Answer]] = defaultdict(list)
        for data in surveys:
            for answer in data.answers.values():
                by_owner[answer.owner_key].append(answer)
        for data in surveys:  # owners known only from history (all answers withdrawn)
            for change in data.history:
                by_owner.setdefault(change.owner_key, [])
        self.site = Site(store, surveys, owner_names(store), by_owner,
                         {d.survey.key: timelines(d) for d in surveys},
                         newest_first([c for d in surveys for c in d.history]),
                         {d.survey.key: d.survey.title for d in surveys})
        self.topic_of = {ref: topic for topic in store.topics for ref in topic.questions}
        self.pages: dict[str, str] = {}
        self.ca_information = CaPages(self)  # the CCADB CA information record (not a survey)

    def encode(self, value: object) -> Markup:
        """builder.publish.encode.encode, memoised for plain strings (Jinja's finalize hook)."""
        if type(value) is not str:
            return encode(value)
        cached = self._encoded.get(value)
        if cached is None:
            cached = self._encoded[value] = encode(value)
        return cached

    def link(self, href: str, text: object) -> Markup:
        if type(text) is not str:
            return link(href, text)
        cached = self._links.get((href, text))
        if cached is None:
            cached = self._links[(href, text)] = link(href, text)
        return cached

    def answer_cell(self, answer: Answer | None) -> Markup:
        if answer is None:
            return answer_cell(None)
        cached = self._cells.get(answer.values)
        if cached is None:
            cached = self._cells[answer.values] = answer_cell_values(answer.values)
        return cached

    def source_cell(self, answer: Answer) -> Markup:
        key = (answer.source, answer.captured_at, answer.observed_at[:10])
        cached = self._sources.get(key)
        if cached is None:
            cached = self._sources[key] = source_cell(answer)
        return cached

    def history(self, data: SurveyData, question_id: str, owner_key: str,
                page: str | None = None) -> Markup:
        """history_block of one answer: shown on its question page and its owner's page.

        Only blocks with something in them are kept: most answers were never edited, and
        their (empty) block is quicker to make again than to hold for the whole build.
        A long history also gets its own page, linked from `page` (the page it is on).
        """
        versions = self.site.timelines[data.survey.key].get((question_id, owner_key), [])
        full = None
        if is_long(versions):
            target = history_page(data.survey.key, question_id, owner_key)
            if target not in self.pages:
                self.answer_history(data, question_id, owner_key, versions, target)
            full = fast_rel(page, target) if page else None
        key = (data.survey.key, question_id, owner_key, full)
        cached = self._histories.get(key)
        if cached is None:
            cached = history_block(versions, data.survey.deadline, full)
            if cached:
                self._histories[key] = cached
        return cached

    def answer_history(self, data: SurveyData, question_id: str, owner_key: str,
                       versions: list[Version], page: str) -> None:
        """The page with every version of one answer (linear in the versions)."""
        name = self.site.owner_names[owner_key]
        self.render("answer_history.md.j2", page, f"History: {name}, {question_id}",
                    name=name, question_id=question_id, survey=data.survey.title,
                    owner_page=self.owner_page(owner_key),
                    question_page=question_page(data.survey.key, question_id),
                    survey_page=survey_page(data.survey.key), versions=len(versions),
                    history=full_history(versions))

    def owner_page(self, owner_key: str) -> str:
        """pages.owner_page (a hash of the key), once per CA owner."""
        found = self._owner_pages.get(owner_key)
        if found is None:
            found = self._owner_pages[owner_key] = owner_page(owner_key)
        return found

    def label(self, question: Question, limit: int = 90) -> str:
        key = (question.survey_key, question.id, limit)
        cached = self._labels.get(key)
        if cached is None:
            cached = self._labels[key] = short_label(question, limit)
        return cached

    def index(self, data: SurveyData) -> _SurveyIndex:
        """One pass over a survey's answers and history, shared by all its pages."""
        found = self._per_survey.get(data.survey.key)
        if found is None:
            found = self._per_survey[data.survey.key] = _SurveyIndex.of(
                data, self.site.timelines[data.survey.key], self.site.owner_names)
        return found

    def render(self, template: str, page: str, title: str, feed: str | None = None,
               **context: object) -> None:
        def a(target: str, text: object) -> Markup:
            """A link to another generated page (or site file), relative to this page."""
            return self.link(fast_rel(page, target), text)

        body = render_template(self.env, template, page, a=a, demo=self.site.store.demo,
                               feed=feed, **context)
        if page in self.pages:  # two names whose slug and key hash agree: never overwrite
            raise BuildFailed(f"two pages would share the file {page}; rename one of them")
        # `feed` is a docs-relative path the builder made; the theme override links it.
        meta = front_matter(title, **({"feed": feed} if feed else {}))
        self.pages[page] = f"{meta}\n{body}"

    def all_pages(self) -> dict[str, str]:
        self.home()
        self.surveys_index()
        for data in self.site.surveys:
            self.survey(data)
            for question in data.sorted_questions():
                self.question(data, question)
        self.owners_index()
        for owner_key in self.site.owner_names:
            self.owner(owner_key)
        self.ca_information.render_all()
        self.changes_pages("changes/index.md", "changes/page-{n}.md", self.site.changes,
                           "Changes", "all")
        for data in self.site.surveys:
            folder = f"surveys/{survey_dir_name(data.survey.key)}"
            self.changes_pages(f"{folder}/changes.md", f"{folder}/changes-{{n}}.md",
                               newest_first(data.history), f"Changes: {data.survey.title}",
                               f"surveys/{survey_dir_name(data.survey.key)}")
        self.feeds()
        self.compare()
        return self.pages

    def compare(self) -> None:
        """The Compare page and the JSON files its script reads (text as data, never markup)."""
        stems = readable_slugs(self.site.owner_names, "ca-owner")
        index = {"owners": [{"id": stems[k], "name": n, "url": url_of(owner_page(k))}
                            for k, n in sorted(self.site.owner_names.items(),
                                               key=lambda kv: kv[1].casefold())],
                 "surveys": []}
        for data in self.site.surveys:
            name = survey_dir_name(data.survey.key)
            index["surveys"].append({"id": name, "title": data.survey.title,
                                     "data": f"compare/data/{name}.json"})
            answers: dict[str, dict[str, list[str]]] = defaultdict(dict)
            for answer in data.sorted_answers():
                answers[stems[answer.owner_key]][answer.question_id] = list(answer.values)
            # What the script needs to tell apart an answer that is not there: withdrawn
            # (and when it was seen gone), not captured (a partial capture, or none at all).
            withdrawn: dict[str, dict[str, str]] = defaultdict(dict)
            for qid, gone in self.index(data).gone.items():
                for owner, versions in gone:
                    withdrawn[stems[owner]][qid] = capture(versions[-1].captured_at,
                                                           versions[-1].observed_at)
            survey = {"id": name, "title": data.survey.title, "answers": answers,
                      "withdrawn": withdrawn, "partial": partial_note(data),
                      "captured": bool(data.answers),
                      "questions": [{"id": q.id, "label": short_label(q, 70),
                                     "url": url_of(question_page(data.survey.key, q.id)),
                                     "comments": getattr(comments_question(data, q), "id", None)}
                                    for q in data.sorted_questions()]}
            self.pages[f"compare/data/{name}.json"] = dumps(survey) + "\n"
        self.pages["compare/data/index.json"] = dumps(index) + "\n"
        self.render("compare.md.j2", "compare/index.md", "Compare CA owners",
                    data_index="data/index.json", data_base="../")

    def changes_pages(self, first: str, other: str, changes: list[Change], title: str,
                      feed: str) -> None:
        # Archive pages are numbered from the oldest entry and hold full blocks, so a new
        # change rewrites the first page only (and, once per block, adds an archive page).
        oldest_first = change_entries(changes, self.site.titles)[::-1]
        archives = max(0, (len(oldest_first) - 1) // CHANGES_PER_PAGE)
        blocks = [oldest_first[(k - 1) * CHANGES_PER_PAGE:k * CHANGES_PER_PAGE]
                  for k in range(1, archives + 1)]
        blocks.append(oldest_first[archives * CHANGES_PER_PAGE:])
        names = [other.format(n=k) for k in range(1, archives + 1)] + [first]
        for k, (page, block) in enumerate(zip(names, blocks, strict=True), start=1):
            is_first = page == first
            self.render(
                "changes.md.j2", page, title if is_first else f"{title} (archive {k})",
                feed=f"feeds/{feed}.xml",
                entries=[{"date": entry_date(e.captured_at, e.date), "kind": e.kind,
                          "html": entry_html(e, page, self.site.owner_names)}
                         for e in reversed(block)],
                is_first=is_first, archive=k, span=(
                    f"{(k - 1) * CHANGES_PER_PAGE + 1}–{(k - 1) * CHANGES_PER_PAGE + len(block)}"),
                newer=None if is_first else names[k],
                older=names[k - 2] if k > 1 else None,
                feed_path=f"feeds/{feed}.xml", total=len(oldest_first))

    def feeds(self) -> None:
        # The theme fetches sitemap.xml next to every <link rel="alternate"> (it expects
        # language versions there); an empty sitemap in each feeds folder answers it.
        for folder in ("feeds", "feeds/surveys", "feeds/owners"):
            self.pages[f"{folder}/sitemap.xml"] = EMPTY_SITEMAP
        partial = {d.survey.key: note for d in self.site.surveys
                   if (note := partial_note(d)) is not None}
        def writer(path: str, feed_id: str, title: str, page: str, changes: list[Change]) -> None:
            base = path.rsplit("/", 1)[0]

            def from_feed(page: str) -> str:  # feeds are files: links are relative to their folder
                if self.site_url:  # a feed reader needs absolute links
                    return self.site_url + url_of(page)
                return posixpath.relpath(url_of(page), base) + "/"

            def link_for(change: Change) -> str:
                target = question_page(change.survey_key, change.question_id)
                return from_feed(target) + "#" + row_anchor(change.owner_key)

            self_href = self.site_url + path if self.site_url else path.rsplit("/", 1)[1]
            self.pages[path] = atom_feed(feed_id, title, self_href,
                                         from_feed(page), changes, self.site.titles, link_for,
                                         partial)

        writer("feeds/all.xml", "all", "CA Communications record: all changes",
               "changes/index.md", self.site.changes)
        for data in self.site.surveys:
            name = survey_dir_name(data.survey.key)
            writer(f"feeds/surveys/{name}.xml", f"survey:{name}",
                   f"Changes: {data.survey.title}", survey_page(data.survey.key),
                   newest_first(data.history))
        by_owner = changes_by_owner(self.site.changes)
        for owner_key in self.site.owner_names:
            changes = by_owner.get(owner_key, [])
            stem = page_name(owner_key, "ca-owner")
            writer(f"feeds/owners/{stem}.xml", f"owner:{stem}",
                   f"Changes: {self.site.owner_names[owner_key]}", self.owner_page(owner_key),
                   changes)

    def counts(self, data: SurveyData) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for answer in data.answers.values():
            if not is_blank(answer.values):
                counts[answer.question_id] += 1
        return counts

    def home(self) -> None:
        surveys = [{"data": d, "page": survey_page(d.survey.key), "date": survey_date(d.survey),
                    "answers": sum(1 for a in d.answers.values() if not is_blank(a.values)),
                    "owners": len({a.owner_key for a in d.answers.values()}),
                    "partial": partial_note(d)}
                   for d in self.site.surveys]
        latest = change_entries(self.site.changes[:500], self.site.titles)[:LATEST_ON_HOME]
        self.render("home.md.j2", "index.md", "CA answers to Mozilla's CA Communications",
                    feed="feeds/all.xml", surveys=surveys, owners=len(self.site.owner_names),
                    catalog=self.site.store.catalog,
                    latest=[{"date": entry_date(e.captured_at, e.date),
                             "html": entry_html(e, "index.md", self.site.owner_names)}
                            for e in latest])

    def surveys_index(self) -> None:
        surveys = [{"data": d, "page": survey_page(d.survey.key), "date": survey_date(d.survey),
                    "questions": len(d.questions),
                    "answers": sum(1 for a in d.answers.values() if not is_blank(a.values)),
                    "partial": partial_note(d)}
                   for d in self.site.surveys]
        known = {d.survey.key for d in self.site.surveys}
        catalog = [row for row in self.site.store.catalog
                   if fold_whitespace(row.get("title", "")) not in known]
        self.render("surveys.md.j2", "surveys/index.md", "Surveys", surveys=surveys,
                    catalog=catalog)

    def survey(self, data: SurveyData) -> None:
        page = survey_page(data.survey.key)
        counts = self.counts(data)
        answered = sorted({a.owner_key for a in data.answers.values()},
                          key=lambda k: self.site.owner_names[k].casefold())
        missing = [] if data.survey.partial else sorted(
            set(self.site.owner_names) - set(answered),
            key=lambda k: self.site.owner_names[k].casefold())
        comm = data.survey.communication_id
        report = f"{CCADB_REPORTS}CACommSummaryReport?CommunicationId={comm}" if comm else None
        self.render(
            "survey.md.j2", page, data.survey.title,
            feed=f"feeds/surveys/{survey_dir_name(data.survey.key)}.xml",
            changes_page=f"surveys/{survey_dir_name(data.survey.key)}/changes.md",
            changes_count=len(data.history), data=data, date=survey_date(data.survey),
            partial=partial_note(data),
            questions=[{"q": q, "page": question_page(q.survey_key, q.id),
                        "label": short_label(q), "count": counts.get(q.id, 0)}
                       for q in data.sorted_questions()],
            answered=[{"name": self.site.owner_names[k], "page": self.owner_page(k)}
                      for k in answered],
            missing=[{"name": self.site.owner_names[k], "page": self.owner_page(k)}
                     for k in missing],
            sources=[link(u, u, external=True) for u in data.survey.source_urls
                     if safe_external_url(u)],
            report=link(report, report, external=True) if report else None)

    def question(self, data: SurveyData, question: Question) -> None:
        page = question_page(data.survey.key, question.id)
        comments = comments_question(data, question)
        index = self.index(data)
        answers = index.answers.get(question.id, [])
        rows = [{"name": self.site.owner_names[a.owner_key],
                 "page": self.owner_page(a.owner_key),
                 "answer": self.answer_cell(a), "source": self.source_cell(a),
                 "anchor": row_anchor(a.owner_key),
                 "history": self.history(data, question.id, a.owner_key, page),
                 "comment": self.answer_cell(data.answers.get((comments.id, a.owner_key)))
                 if comments else None} for a in answers]
        answering = [a for a in answers if not is_blank(a.values)]
        gone = [{"name": self.site.owner_names[owner], "page": self.owner_page(owner),
                 "anchor": row_anchor(owner),
                 "date": capture(versions[-1].captured_at, versions[-1].observed_at),
                 "last": answer_cell_values(versions[-2].values if len(versions) > 1 else ()),
                 "history": self.history(data, question.id, owner, page)}
                for owner, versions in index.gone.get(question.id, [])]
        options = self.option_rows(question, answering)
        groups = [] if question.type in CHOICE_TYPES else self.identical_groups(answering)
        partial = partial_note(data) if answers else None
        title = f"Answers to {question.id} by option" + (f" ({partial})" if partial else "")
        chart = bar_chart(options, len(answering), title) if options else None
        self.render(
            "question.md.j2", page, f"{question.id}: {self.label(question, 60)}",
            data=data, q=question, survey_page=survey_page(data.survey.key), rows=rows,
            answering=len(answering), options=options, chart=chart, groups=groups, gone=gone,
            partial=partial,
            related=self.related(question),
            ca_field=self.ca_information.field_for_question(data.survey.key, question.id),
            comments=comments and {"q": comments,
                                   "page": question_page(data.survey.key, comments.id)})

    def related(self, question: Question) -> dict[str, object] | None:
        """The other questions linked to this one by a topic in data/topics.json."""
        topic = self.topic_of.get((question.survey_key, question.id))
        if topic is None:
            return None
        others = [{"page": question_page(s, q), "id": q, "survey": self.site.titles[s]}
                  for s, q in topic.questions
                  if (s, q) != (question.survey_key, question.id) and s in self.site.titles]
        return {"name": topic.name, "questions": others}

    def topic_evolution(self, owner_key: str) -> list[dict[str, object]]:
        """For each topic: this owner's answers survey after survey, each diffed with the last."""
        out: list[dict[str, object]] = []
        dates = {d.survey.key: survey_date(d.survey) for d in self.site.surveys}
        for topic in self.site.store.topics:
            steps: list[dict[str, object]] = []
            previous: str | None = None
            for survey_key, qid in sorted(topic.questions, key=lambda r: dates.get(r[0], "")):
                data = self.site.store.surveys.get(survey_key)
                answer = data.answers.get((qid, owner_key)) if data else None
                if answer is None:
                    continue
                text = answer_text(answer.values)
                steps.append({"survey": self.site.titles[survey_key], "id": qid,
                              "page": question_page(survey_key, qid),
                              "answer": self.answer_cell(answer),
                              "diff": diff_html(previous, text)
                              if previous is not None and previous != text else None,
                              "same": previous == text})
                previous = text
            if steps:
                out.append({"name": topic.name, "steps": steps})
        return out

    def option_rows(self, question: Question, answers: list[Answer]) -> list[dict[str, object]]:
        if question.type not in CHOICE_TYPES:
            return []
        labels = [o for o in question.options if o]
        for a in answers:
            labels += [v for v in a.values if v not in labels]
        total = len(answers)
        rows = []
        for label in labels:
            count = sum(1 for a in answers if label in a.values)
            rows.append({"label": label, "label_short": label if len(label) < 70
                         else label[:67] + "…", "count": count,
                         "share": f"{100 * count / total:.0f}%" if total else "–"})
        if question.type == MULTI:
            rows.sort(key=lambda r: -int(r["count"]))  # type: ignore[call-overload]
        return rows

    def identical_groups(self, answers: list[Answer]) -> list[dict[str, object]]:
        groups: dict[tuple[str, ...], list[Answer]] = defaultdict(list)
        for a in answers:
            groups[a.values].append(a)
        found = [{"answer": self.answer_cell(members[0]), "count": len(members),
                  "owners": [{"name": self.site.owner_names[m.owner_key],
                              "page": self.owner_page(m.owner_key)} for m in members]}
                 for members in groups.values() if len(members) > 1]
        return sorted(found, key=lambda g: -int(g["count"]))  # type: ignore[call-overload]

    def owners_index(self) -> None:
        ca = self.ca_information
        names = {**ca.names, **self.site.owner_names}  # owners known only from the report too
        owners = sorted(({"name": n, "page": self.owner_page(k),
                          "answers": len(self.site.owner_answers.get(k, ())),
                          "ca_information": ca.short_status(k)}
                         for k, n in names.items()),
                        key=lambda o: str(o["name"]).casefold())
        self.render("owners.md.j2", "owners/index.md", "CA owners", owners=owners)

    def owner(self, owner_key: str) -> None:
        page = self.owner_page(owner_key)
        sections = []
        for data in self.site.surveys:
            index = self.index(data)
            rows = []
            for q in index.questions:
                answer = data.answers.get((q.id, owner_key))
                if answer is not None:
                    rows.append({"q": q, "label": self.label(q),
                                 "page": question_page(data.survey.key, q.id),
                                 "answer": self.answer_cell(answer),
                                 "source": self.source_cell(answer),
                                 "history": self.history(data, q.id, owner_key, page)})
            gone = index.withdrawn.get(owner_key)
            sections.append({"data": data, "page": survey_page(data.survey.key),
                             "date": survey_date(data.survey), "rows": rows,
                             "withdrawn": gone if gone and not rows else None,
                             "partial": partial_note(data),
                             "changes": f"surveys/{survey_dir_name(data.survey.key)}/changes.md"})
        feed = f"feeds/owners/{page_name(owner_key, 'ca-owner')}.xml"
        self.render("owner.md.j2", page, self.site.owner_names[owner_key], feed=feed,
                    topics=self.topic_evolution(owner_key),
                    name=self.site.owner_names[owner_key], sections=sections,
                    ca_information=self.ca_information.owner_section(owner_key))


def render_pages(store: Store, templates_dir: Path,
                 site_url: str | None = None) -> dict[str, str]:
    """All generated pages of the site, keyed by path relative to docs/. With the site's
    URL, the feeds link absolutely."""
    return Renderer(store, templates_dir, site_url).all_pages()
