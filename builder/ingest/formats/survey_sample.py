"""The CCADB CACommunicationSurveySample page: a survey's title, letter and questions.

The page (Visualforce CACommunicationSurveySample.page) is a read-only copy of the survey
form: the title in the page block's `<h2 class="mainTitle">`, the letter in a first
`<h1 class="question">`, then per question an `<h1 class="question">` with its text (and
`(Required)` in a `span.requiredText`) followed by disabled controls: radio buttons or
check boxes whose `value` is the option's number less one, a text area, or a date field.
It shows no answers. Letter and question texts are printed unescaped, so they are read as
untrusted HTML: the text is kept, never the markup (`<br>` and block ends are line breaks;
a link keeps its text, and an http(s) target not already in that text follows it in
parentheses). A copy cut short is read as far as it goes; the question it ends in is
marked truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from builder.core.errors import InternalError, Issue
from builder.core.model import DATE, FREE_TEXT, MAX_OPTIONS, MULTI, SINGLE, UNKNOWN
from builder.core.text import fold_whitespace
from builder.ingest.formats.common import Export, QuestionDef
from builder.ingest.formats.html_page import TolerantHTMLParser, communication_id_from_url

_CONTAINER = re.compile(r"""<div\b[^>]*\bid\s*=\s*["']?survey_container\b""", re.IGNORECASE)
_BLOCKS = {"p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4"}
_HIDDEN = {"script", "style", "textarea", "title"}
"""Content not shown as page text (a text area's content is its default answer)."""
_CONTROLS = {"radio": SINGLE, "checkbox": MULTI, "date": DATE}


def looks_like_survey_sample(text: str) -> bool:
    """The form's `survey_container` div, before any table (so not inside a report cell)."""
    match = _CONTAINER.search(text)
    return match is not None and "<table" not in text[:match.start()].lower()


@dataclass
class _Option:
    number_text: str
    line: int
    column: int
    label: str = ""


@dataclass
class _Question:
    line: int
    column: int
    parts: list[str] = field(default_factory=lambda: [""])
    required: bool = False
    closed: bool = False
    """Its heading ended (a copy cut short inside the text leaves it open)."""
    controls: list[tuple[str, int, int]] = field(default_factory=list)
    options: list[_Option] = field(default_factory=list)


class _SampleParser(TolerantHTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.title_line: int | None = None
        self.container_line: int | None = None
        self.form_action: str | None = None
        self.letter: _Question | None = None
        self.questions: list[_Question] = []
        self.ended = False
        self._title: list[str] | None = None
        self._heading: _Question | None = None
        self._heading_depth = 0
        self._required_depth = 0
        self._hidden = 0
        self._label: _Option | None = None
        self._href: str | None = None
        self._link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        line, col = self.getpos()
        classes = a.get("class", "").split()
        if tag in _HIDDEN:
            self._hidden += 1
        if tag == "form" and self.form_action is None:
            self.form_action = a.get("action", "")
        elif tag == "div" and a.get("id") == "survey_container" and self.container_line is None:
            self.container_line = line
        if self._heading is not None:
            self._heading_tag(tag, a, classes)
            return
        if tag == "h2" and "mainTitle" in classes and self.title is None:
            self._title, self.title_line = [], line
        elif tag == "h1" and "question" in classes:
            self._heading = _Question(line, col + 1)
            self._heading_depth = 1
            if self.letter is None:
                self.letter = self._heading
            else:
                self.questions.append(self._heading)
        elif tag == "input" and self.questions:
            kind = a.get("type", "").lower()
            if kind in _CONTROLS:
                self.questions[-1].controls.append((_CONTROLS[kind], line, col + 1))
                if kind != "date":
                    option = _Option(a.get("value", ""), line, col + 1)
                    self.questions[-1].options.append(option)
        elif tag == "textarea" and self.questions:
            self.questions[-1].controls.append((FREE_TEXT, line, col + 1))
        elif tag == "label" and self.questions and self.questions[-1].options:
            self._label = self.questions[-1].options[-1]

    def _heading_tag(self, tag: str, a: dict[str, str], classes: list[str]) -> None:
        if self._heading is None:
            raise InternalError("a heading tag read outside a heading")
        if tag == "h1":
            self._heading_depth += 1
        if tag == "span" and ("requiredText" in classes or self._required_depth):
            self._required_depth += 1  # "(Required)" is a flag, not part of the text
            self._heading.required = True
        elif tag == "br":
            self._heading.parts.append("\n")
        elif tag in _BLOCKS:
            self._heading.parts.append("\n\n")
        elif tag == "a":
            self._href, self._link_text = a.get("href", ""), ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "input"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag == "html":
            self.ended = True
        if tag == "h2" and self._title is not None:
            self.title, self._title = fold_whitespace("".join(self._title)) or None, None
        elif tag == "label":
            self._label = None
        if self._heading is None:
            return
        if tag == "span" and self._required_depth:
            self._required_depth -= 1
        elif tag == "a" and self._href is not None:
            href, self._href = self._href, None
            if urlsplit(href).scheme in ("http", "https") and href not in self._link_text \
                    and not re.search(r"\s", href):
                self._heading.parts.append(f" ({href})")
        elif tag == "h1":
            self._heading_depth -= 1
            if self._heading_depth == 0:
                self._heading.closed = True
                self._heading = None
        elif tag in _BLOCKS:
            self._heading.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._title is not None:
            self._title.append(data)
        if self._heading is not None and not self._required_depth:
            self._heading.parts.append(data)
            if self._href is not None:
                self._link_text += data
        elif self._label is not None:
            self._label.label += data


def _paragraphs(parts: list[str]) -> str:
    """Lines with whitespace folded; blank lines kept as one paragraph break."""
    lines = [fold_whitespace(line) for line in "".join(parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def load_survey_sample_html(text: str, origin: str, survey: str | None,
                            page_url: str = "") -> Export:
    """Title, letter and question definitions; never an answer."""
    parser = _SampleParser()
    parser.feed(text)
    parser.close()
    if parser.container_line is None:
        return Export([], [Issue(origin, 1, None, "-", "not-a-report",
                                 "this page is not a CCADB CACommunicationSurveySample page "
                                 "(a login or error page?)", fold_whitespace(text[:80]) or None)])
    issues: list[Issue] = []
    title = survey or parser.title
    if not title:
        issues.append(Issue(origin, parser.title_line or parser.container_line, None, "title",
                            "missing-survey", "the page has no survey title (the page block's "
                            "h2); pass --survey TITLE", parser.title))
    last = len(parser.questions)
    definitions = [d for d in (_definition(q, n, n == last and not parser.ended, origin, issues)
                               for n, q in enumerate(parser.questions, start=1)) if d]
    if not parser.questions and not issues:
        issues.append(Issue(origin, None, None, "-", "no-questions",
                            "the survey page shows no question (cut short before the first?)"))
    if not parser.ended:
        issues.append(Issue(origin, None, None, "-", "cut-short",
                            "the page stops before its end (a copy cut short): read as far "
                            "as it goes, the question it stops in marked as cut short",
                            warning=True))
    if not title:
        definitions = []  # the title is the survey's key: nothing can be filed without it
    letter = _paragraphs(parser.letter.parts) if parser.letter else ""
    comm_id = communication_id_from_url(page_url or origin) or communication_id_from_url(
        parser.form_action or "")
    # A survey page lists no CA owner, so its import never withdraws an answer.
    return Export([], issues, survey_title=title, communication_id=comm_id,
                  complete_owner_list=False, questions=definitions, letter=letter or None)


def _definition(q: _Question, order: int, cut: bool, origin: str,
                issues: list[Issue]) -> QuestionDef | None:
    """`cut`: the copy ends inside this question (its text, if its heading is still open,
    and its options may be incomplete)."""
    text = _paragraphs(q.parts)
    if not text:
        issues.append(Issue(origin, q.line, q.column, "question_text", "empty-question",
                            f"question {order} has no text", ""))
        return None
    kinds = {kind for kind, _, _ in q.controls}
    if len(kinds) > 1:
        _, line, column = q.controls[-1]
        issues.append(Issue(origin, line, column, "question_type", "mixed-controls",
                            f"question {order} shows more than one kind of control",
                            ", ".join(sorted(kinds))))
        return None
    options: dict[int, str] = {}
    for option in q.options:
        label = fold_whitespace(option.label)
        number = int(option.number_text) + 1 if option.number_text.isdigit() \
            and len(option.number_text) <= 2 else 0
        if not 1 <= number <= MAX_OPTIONS:
            issues.append(Issue(origin, option.line, option.column, "option_number",
                                "option-out-of-range", f"an option's value is its number less "
                                f"one, 0 to {MAX_OPTIONS - 1}", option.number_text))
        elif not label:
            issues.append(Issue(origin, option.line, option.column, "response", "empty-option",
                                f"option {number} of question {order} has no label", ""))
        elif number in options:
            issues.append(Issue(origin, option.line, option.column, "option_number",
                                "duplicate-option", f"question {order} shows option {number} "
                                "twice", option.number_text))
        else:
            options[number] = label
    # The page prints "(Required)" at the end of the heading: unknown if that was cut.
    required = q.required if q.closed else None
    return QuestionDef(origin, q.line, order, text, next(iter(kinds), UNKNOWN), options,
                       required, cut, q.column)
