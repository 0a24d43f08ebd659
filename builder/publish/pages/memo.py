"""The build's one cache: values that many pages show, made once per build.

The same names, labels, answers, links and histories appear on many pages (a question
page and an owner page show each answer); encoding them is most of the builder's time.
A Memo lives as long as one SiteIndex (one build) and holds one table per kind of value,
keyed by everything the value depends on, so a hit is always the value a fresh call
would make.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from markupsafe import Markup

from builder.core.model import Answer, Question
from builder.publish.encode import encode, link
from builder.publish.pages.cells import answer_cell, answer_cell_values, source_cell
from builder.publish.paths import owner_page
from builder.publish.words import question_label

T = TypeVar("T")


class Memo:
    def __init__(self) -> None:
        self._tables: dict[str, dict[Hashable, Any]] = {}
        self._encoded: dict[Hashable, Markup] = self.table("encode")

    def table(self, kind: str) -> dict[Hashable, Any]:
        return self._tables.setdefault(kind, {})

    def once(self, kind: str, key: Hashable, make: Callable[..., T], *args: Any,
             keep: Callable[[T], bool] | None = None) -> T:
        """make(*args), made once per key; `keep` says which values are worth holding."""
        table = self.table(kind)
        if key in table:
            return table[key]  # type: ignore[no-any-return]
        value = make(*args)
        if keep is None or keep(value):
            table[key] = value
        return value

    def encode(self, value: object) -> Markup:
        """encode.encode, memoised for plain strings (Jinja's finalize hook: the hot path)."""
        if type(value) is not str:
            return encode(value)
        cached = self._encoded.get(value)
        if cached is None:
            cached = self._encoded[value] = encode(value)
        return cached

    def link(self, href: str, text: object) -> Markup:
        if type(text) is not str:
            return link(href, text)
        return self.once("link", (href, text), link, href, text)

    def answer_cell(self, answer: Answer | None) -> Markup:
        if answer is None:
            return answer_cell(None)
        return self.once("cell", answer.values, answer_cell_values, answer.values)

    def source_cell(self, answer: Answer) -> Markup:
        key = (answer.source, answer.captured_at, answer.observed_at[:10])
        return self.once("source", key, source_cell, answer)

    def label(self, question: Question, limit: int = 90) -> str:
        key = (question.survey_key, question.id, limit)
        return self.once("label", key, question_label, question, limit)

    def owner_page(self, owner_key: str) -> str:
        """paths.owner_page (a hash of the key), once per CA owner."""
        return self.once("owner_page", owner_key, owner_page, owner_key)
