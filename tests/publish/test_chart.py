"""The question pages' bar chart (builder/publish/pages/question.py): labels wrapped onto
lines, each row's parts inside its own box."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from builder.publish.pages.question import LABEL_CHARACTERS, OptionRow, bar_chart, label_lines

WORDS = st.text(alphabet=st.sampled_from("ab é<&\u00a0 -"), max_size=120)


@given(WORDS)
def test_label_lines_give_the_label_back_and_keep_to_the_width(text: str) -> None:
    lines = label_lines(text)
    assert " ".join(lines) == text
    # a line is over the width only when it is one word that is
    assert all(len(line) <= LABEL_CHARACTERS or " " not in line for line in lines), lines


def test_a_long_label_takes_more_lines_and_its_row_grows() -> None:
    long = "Our responses to the January 2020 CA Communication have been updated"
    rows = [OptionRow(text, text, count, "", Markup(f"option-{n}"), [])
            for n, (text, count) in enumerate([("Yes", 2), (long, 1)], start=1)]
    svg = str(bar_chart(rows, 3, "Answers by option"))
    first, second = re.findall(r"<a .*?</a>", svg)
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", first) == ["2 · Yes"]
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", second)
    assert len(lines) == 2 and " ".join(lines) == f"1 · {long}"  # the space between them
    # each row: its text, then its bar, inside its own box; the second below the first
    boxes = []
    for row in (first, second):
        hit_y, hit_h = (int(v) for v in re.search(
            r'y="(\d+)" width="100%" height="(\d+)"', row).groups())
        texts = [int(v) for v in re.findall(r'<tspan x="0" y="(\d+)"', row)]
        bar_y = int(re.search(r'y="(\d+)" width="\d+" height="16"', row).group(1))
        assert hit_y < min(texts) and max(texts) < bar_y and bar_y + 16 <= hit_y + hit_h
        boxes.append((hit_y, hit_y + hit_h))
    assert boxes[0][1] <= boxes[1][0]
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert boxes[1][1] <= height
