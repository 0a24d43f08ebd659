"""Hostile text for names, question texts, answers and survey titles (guide + our own)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '{: onclick="alert(1)" }',
    "a | b | c",
    '--8<-- "mkdocs.yml"',
    "{{ 7*7 }}",
    "{% raw %}",
    "```",
    '=HYPERLINK("http://example.invalid","x")',
    "<iframe src=//example.invalid></iframe>",
    "<svg onload=alert(1)>",
    "<base href=//example.invalid/>",
    '<meta http-equiv="refresh" content="0;url=//example.invalid">',
    "[ref]: javascript:alert(1)\n\n[x][ref]",
    "![i](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<https://example.invalid/autolink>",
    "    indented code\n- list item\n# heading",
    "$$x$$ and \\(y\\)",
    "<a href=\"vbscript:msgbox(1)\">v</a>",
    "line one\r\nline two\rline three",
    "&lt;script&gt; &#60;b&#62; &amp;",
    "javascript:alert(document.cookie)",
    "<style>body{display:none}</style>",
    "*emphasis* __strong__ ~~gone~~ ==mark==",
]
OWNERS = [
    "</title><script>alert(1)</script>",
    "../../outside",
    "/tmp/x",
    "A/B",
    ".hidden",
    "index",
    "Ünïcode CA",
    "Unicode CA",
    "evil\u202eAC tsurT",
    "中文证书机构",
    "日本の認証局",
    '"; alert(1); "',
    "{{ config }}",
]
SURVEY_TITLE = "<script>alert('title')</script> Hostile | Survey {{ 7*7 }}"


def hostile_export() -> list[dict[str, object]]:
    """A json export where every field that reaches a page carries a payload."""
    rows: list[dict[str, object]] = []
    for i, owner in enumerate(OWNERS):
        for q in range(6):
            rows.append({
                "survey": SURVEY_TITLE, "survey_id": None, "question_id": f"Q0900{q:02d}",
                "question_order": q + 1, "question_type": "Free Text (Multi line text box)",
                "question_text": f"ACTION {q + 1}: {PAYLOADS[(q + 6) % len(PAYLOADS)]}",
                "ca_owner": owner, "response": PAYLOADS[(i + q) % len(PAYLOADS)],
                "option_number": None, "submitted_at": None})
    choice_labels = [PAYLOADS[1], PAYLOADS[4], PAYLOADS[9]]
    for i, owner in enumerate(OWNERS):
        rows.append({
            "survey": SURVEY_TITLE, "survey_id": None, "question_id": "Q090099",
            "question_order": 99, "question_type": "Single Select (Radio buttons)",
            "question_text": "ACTION 9: <b>choose</b> | one", "ca_owner": owner,
            "response": choice_labels[i % 3], "option_number": i % 3 + 1,
            "submitted_at": None})
    return rows


def write_hostile_export(path: Path) -> Path:
    path.write_text(json.dumps(hostile_export(), ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return path


# -- The adversarial fixture set: tests/fixtures/hostile/ --------------------------------
#
# Every export layout carries hostile text in every field that reaches a page. The files
# are generated from the lists below and kept in the repository so they can be read and
# reused; tests/publish/test_adversarial.py checks they are current (refresh them with
# `.venv/bin/python tests/hostile_data.py`).

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"

MORE_PAYLOADS = [
    # HTML: elements, attributes and parser confusion
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)' x='",
    "</td></tr></table><script>alert(1)</script>",
    "</textarea></title></style></script></noscript><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<a href=\"javascript:alert(1)\">a</a> <a href=' javascript:alert(1)'>b</a>",
    "<a href=\"java&#115;cript:alert(1)\">entity scheme</a>",
    "<form action=//example.invalid><input name=q><button formaction=javascript:alert(1)>",
    "<object data=x.swf></object><embed src=x.swf><applet code=x></applet>",
    "<div style=\"position:fixed;inset:0;background:red\">overlay</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<svg><animate attributeName=href values=javascript:alert(1) /><a><text>x</text></a></svg>",
    "<details open ontoggle=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!-- comment --> <![CDATA[ cdata ]]> <?php echo 1 ?> <!DOCTYPE html>",
    "<link rel=stylesheet href=//example.invalid/x.css><style>@import '//example.invalid'</style>",
    "<template><script>alert(1)</script></template><xmp><script>alert(1)</script></xmp>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;img&#x3E; &amp;amp;",
    # Text equal to markup the builder itself writes (a memo keyed by text must not
    # hand a value the builder's safe markup)
    '<span class="csr-none">(left blank)</span>',
    '<ins class="csr-ins" title="added">inserted</ins><br>',
    '<a href="../../" rel="nofollow ugc noopener">source</a>',
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    # Markdown and its extensions
    "[x](  javascript:alert(1)  ) [y](JaVaScRiPt:alert(1)) [z](java\tscript:alert(1))",
    "[d](data:text/html,<script>alert(1)</script>) <vbscript:msgbox(1)>",
    "[^1]\n\n[^1]: a footnote",
    "| a | b |\n|---|---|\n| c | d |",
    "***\n---\n___",
    "> quoted\n> > nested",
    "1. one\n2. two\n\n* star\n+ plus",
    "Setext heading\n==============",
    "<b>bold</b> <i>italic</i> **strong** _em_",
    "\\<script\\> \\[not a link\\]",
    "`code` and ``co`de`` and <code>x</code>",
    "~~~\nfenced\n~~~",
    "!!! note \"admonition\"\n    body",
    "# Heading {#custom-id .cls onclick=alert(1)}",
    "*[HTML]: Hyper Text Markup Language",
    "[TOC]",
    "<https://example.invalid/\"onmouseover=\"alert(1)> www.example.invalid",
    "https://example.invalid/a_(b)_c?x=<script>&y=\"'` then text",
    "mailto:someone@example.invalid?subject=<b>hi</b> and user@example.invalid\"><script>",
    "see (https://example.invalid/cps). Or https://example.invalid/x.",
    '--8<-- ".env"\n;--8<-- "/etc/passwd"',
    "$x$ \\[y\\] \\begin{math}z\\end{math}",
    # Templates (Jinja, others) and YAML front matter
    "{{ config.__class__.__init__.__globals__ }}",
    "{% include 'mkdocs.yml' %}{# a comment #}",
    "${7*7} #{7*7} <%= 7*7 %> {{{triple}}}",
    "---\ntitle: pwned\nfeed: javascript:alert(1)\n---",
    "key: !!python/object/apply:os.system ['echo pwned']",
    "&anchor *alias ? : - | > ' \" % @ `",
    # Spreadsheets
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    # Unicode: controls, bidi, invisible, look-alikes, line separators
    "evil\u202e gnp.exe",
    "\u2066isolate\u2069 \u2067rtl\u2069 \u200fmark\u200e",
    "zero\u200bwidth\u200c\u200d\u2060joiners\ufeffbom",
    "line\u2028separator\u2029paragraph\x85next",
    # Front-matter break-out: every line separator YAML, Python or a browser knows, then
    # a YAML end marker, then Markdown that would be live if it were read as Markdown
    "LS\u2028---\u2028[click](javascript:alert(1)) ![beacon](https://example.invalid/b.png)",
    "PS\u2029...\u2029[relative](../../nowhere.md) ![i](//example.invalid/i.png)",
    "NEL\x85---\x85<img src=https://example.invalid/nel.png>",
    "VT\x0b---\x0bFF\x0c...\x0ctitle: pwned",
    "CR\r---\rCRLF\r\n...\r\nfeed: javascript:alert(1)",
    "NUL\x00 BEL\x07 ESC\x1b[31m red DEL\x7f C1\x9b",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e \ufe64b\ufe65",
    "e\u0301 \u1e9b\u0323 \ufb01 \u2126 \u212b",
    "\U0001f512 \U0001d54f \U000e0041 tag char",
    "\ufdd0 \uffff \U0001fffe nonchars",
    "\ufffd replacement",
    "a" * 3000,
    "mixed\r\nline\rends\n\n\nblank lines",
    "        eight leading spaces",
    "trailing spaces   \n  \t  ",
]
"""Hostile text beyond PAYLOADS: each appears in every layout as an answer, in a question
text and, where it can be one, as a CA owner name."""

MORE_OWNERS = [
    "../../../escaped-owner",
    "..\\..\\escaped-owner",
    "/tmp/ca-survey-record-escape/owner",
    "%2e%2e%2fencoded",
    "~/.ssh/authorized_keys",
    "CON",
    "nul.txt",
    "owners/index",
    "a" * 300,
]

LIVE_MARKUP = [
    "<script>alert(1)</script>Visible after a script",
    "<img src=x onerror=alert(1)>Visible after an image",
    '<iframe src="javascript:alert(1)"></iframe>Visible after an iframe',
    '<svg onload=alert(1)><a xlink:href="javascript:alert(1)"><text>svg text</text></a></svg>',
    '<a href="javascript:alert(1)" onclick="alert(1)">link text</a> &amp; &lt;b&gt;not '
    "bold&lt;/b&gt;",
    "<b>bold</b> <i>italic</i> <u onmouseover=alert(1)>underlined</u>",
    "<style>body{display:none}</style>Visible after a style",
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay text</div>',
    '<form action="https://example.invalid/"><input name=q value="v"><button>Go</button></form>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">object '
    "text</object>",
    '<embed src="javascript:alert(1)">after embed',
    '<base href="https://example.invalid/">after base',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">after meta',
    "<details open ontoggle=alert(1)><summary>summary text</summary>details text</details>",
    "Line one<br>Line two<br/>Line three<p>a paragraph</p>",
    "<!-- a comment -->after a comment <![CDATA[cdata]]>after cdata",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">noscript</p></noscript>',
    "&#60;script&#62;alert('charref')&#60;/script&#62; &lt;img src=x onerror=alert(2)&gt;",
    '[md link](javascript:alert(1)) {{ 7*7 }} {% raw %} --8<-- "mkdocs.yml" | a | b |',
    "<template><script>alert(1)</script>template text</template>",
    "<textarea><script>alert(1)</script>textarea text</textarea>",
    "<h3>A heading in a cell</h3>after the heading",
]
"""Raw HTML written unescaped into report cells (as the CCADB does with CA-written text).
None of it may close the cell or the table, or leave a script or style open."""

TITLES = {
    "json": "</title><script>alert('json')</script> {{ 7*7 }} | [json]",
    "ccadb-csv": "[ccadb](javascript:alert(1)) --8<-- \"mkdocs.yml\" ``` [ccadb-csv]",
    "report-csv": "=HYPERLINK(\"http://example.invalid\",\"x\") <svg onload=alert(1)> [report-csv]",
    "report-html": ("<script>alert('title')</script>Hostile &lt;b&gt;report&lt;/b&gt; | "
                    "{{ 7*7 }} <img src=x onerror=alert(1)>[report-html]"),
    "summary-html": ("Hostile <i>summary</i> &lt;script&gt;alert(1)&lt;/script&gt; "
                     "{% raw %} [summary-html]"),
}
"""Survey titles; those of the HTML layouts are raw HTML, as the page carries them."""
REPORT_URL = ("https://example.invalid/mozillacommunications/CACommResponsesOnlyReport"
              "?CommunicationId=a05000000000001AAA&QuestionId=Q07001,Q07002,Q07003,"
              "&x=\"><script>alert(1)</script>")
SUMMARY_URL = ("https://example.invalid/mozillacommunications/CACommSummaryReport"
               "?CommunicationId=a05000000000002AAA&x=javascript:alert(1)")
TYPES = {"free": "Free Text (Multi line text box)", "single": "Single Select (Radio buttons)",
         "multi": "Multi Select (Check boxes)"}


def _unique(texts: list[str], key) -> list[str]:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    out = []
    for text in texts:
        k = key(text)
        if k and k not in seen:
            seen.add(k)
            out.append(text)
    return out


def _canonical(text: str) -> str:
    from builder.core.text import canonical_key

    return canonical_key(text)


TEXTS = _unique(PAYLOADS + MORE_PAYLOADS, key=lambda t: t)
"""Every hostile text, once."""
NAMES = _unique(OWNERS + MORE_OWNERS + TEXTS, key=_canonical)
"""Every hostile text that can be a CA owner name (a non-empty, distinct identity)."""
LABELS = [t for t in TEXTS if len(t) < 60 and "\n" not in t and t.strip()][:24]
"""Short one-line texts, used as the options of choice questions (12 per question)."""


def fold(text: str) -> str:
    """Whitespace folded, as the importer stores titles and the text of report cells."""
    return " ".join(text.split())


class _TextContent(HTMLParser):
    """The text a browser shows for an HTML fragment; <br>, <p>, <div>, <li> and <tr>
    break lines; the content of <script> and <style> is not shown."""

    BREAKS = {"br", "p", "div", "li", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        if tag in self.BREAKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        if tag in self.BREAKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.lines[-1] += data


def text_content(fragment: str) -> str:
    """What the importer keeps of an HTML cell: its text, line by line, folded."""
    parser = _TextContent()
    parser.feed(fragment)
    parser.close()
    return "\n".join(line for line in (fold(x) for x in parser.lines) if line)


def html_text(text: str) -> str:
    """Plain text written as escaped HTML, each newline a <br> (as a report shows it)."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


@dataclass(frozen=True)
class Corpus:
    """The strings a set of exports is made of; `benign_corpus()` is its harmless twin."""

    texts: list[str]
    names: list[str]
    labels: list[str]
    live: list[str]
    """Raw HTML for report cells."""
    titles: dict[str, str]
    report_url: str
    summary_url: str


HOSTILE = Corpus(TEXTS, NAMES, LABELS, LIVE_MARKUP, TITLES, REPORT_URL, SUMMARY_URL)


def benign(text: str) -> str:
    """The same shape of text (lines, spaces, length) with nothing but letters and digits."""
    return re.sub(r"[^\w\s]", "x", text)


def benign_corpus() -> Corpus:
    """A twin of HOSTILE: same layouts, counts, lines and question types, harmless text.

    A site built from it has every element the builder writes for such data, so a
    hostile site can be compared with it page kind by page kind (tests/site_checker.py).
    """
    return Corpus(
        [f"{benign(t)} b{i}" for i, t in enumerate(TEXTS)],
        [f"Benign owner {i} {benign(n)}" for i, n in enumerate(NAMES)],
        [f"Option {i} {benign(t)}" for i, t in enumerate(LABELS)],
        [html_text(f"Live {i} " + benign(text_content(c))) for i, c in enumerate(LIVE_MARKUP)],
        {k: f"Benign {k} survey" for k in TITLES},
        REPORT_URL.split("&x=")[0], SUMMARY_URL.split("&x=")[0])


@dataclass
class Expected:
    """What one export must put on the site: text as the importer stores it (display
    clean-up, see builder.core.text.clean_for_display, still to be applied)."""

    survey: str
    owners: set[str] = field(default_factory=set)
    questions: dict[str, str] = field(default_factory=dict)
    """question id -> text ('' where the layout carries none)."""
    answers: list[tuple[str, str, str]] = field(default_factory=list)
    """(question id, owner name, one answer value)."""


@dataclass
class HostileExport:
    name: str
    """File name in tests/fixtures/hostile/."""
    format: str
    args: list[str]
    """Further `builder import` options."""
    content: bytes
    expected: Expected


def _records(c: Corpus, survey: str, offset: int) -> tuple[list[dict[str, object]], Expected]:
    """ccadb-csv / json records: free text, comments, single and multiple choice, and six
    questions whose texts hold every text, each at the start of a line."""
    expected = Expected(fold(survey))
    rows: list[dict[str, object]] = []
    n = len(c.texts)
    short = [t for t in c.texts if len(t) < 500]
    groups = ["\n".join(short[k::6]) for k in range(6)]
    questions = [("Q08001", "free", "ACTION 1: " + c.texts[(offset + 1) % n]),
                 ("Q08002", "free", "ACTION 1 COMMENTS " + c.texts[(offset + 2) % n]),
                 ("Q08003", "single", "ACTION 2: " + c.texts[(offset + 3) % n]),
                 ("Q08004", "multi", "ACTION 3: " + c.texts[(offset + 4) % n])]
    questions += [(f"Q0801{k}", "free", text) for k, text in enumerate(groups)]
    order = {qid: i + 1 for i, (qid, _, _) in enumerate(questions)}
    order["Q08015"] = 999_999  # the largest question order there may be
    for qid, _, text in questions:
        expected.questions[qid] = text

    def row(qid: str, owner: str, response: str, number: int | None) -> None:
        _, kind, text = next(q for q in questions if q[0] == qid)
        rows.append({"survey": survey, "survey_id": None, "question_id": qid,
                     "question_order": order[qid], "question_type": TYPES[kind],
                     "question_text": text, "ca_owner": owner, "response": response,
                     "option_number": number, "submitted_at": "2026-01-01"})
        expected.answers.append((qid, owner, response))

    for i, owner in enumerate(c.names):
        expected.owners.add(owner)
        row("Q08001", owner, c.texts[(offset + i) % n], None)
        row("Q08003", owner, c.labels[i % 12], i % 12 + 1)
        row(f"Q0801{i % 6}", owner, c.texts[(offset + 3 * i) % n], None)
        if i % 3 == 1:
            row("Q08002", owner, " ", None)  # left blank
        if i % 3 == 0:
            row("Q08002", owner, c.texts[(offset + i + 7) % n], None)
            for pick in sorted({i % 12, (i + 5) % 12}):
                row("Q08004", owner, c.labels[12 + pick], pick + 1)
    # A look-alike spelling of one owner (a zero-width space): reported, its row left out,
    # so it adds no option to that owner's answer.
    rows.append(dict(rows[-1], ca_owner=rows[-1]["ca_owner"] + "\u200b",
                     response=c.labels[23], option_number=12))
    return rows, expected


def _json_lines(rows: list[dict[str, object]]) -> bytes:
    """One object per line; a question's text only on its first row (null after)."""
    seen: set[object] = set()
    for row in rows:
        if row["question_id"] in seen:
            row["question_text"] = None
        seen.add(row["question_id"])
    return ("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
            + "\n]\n").encode("utf-8")


def _json_export(c: Corpus) -> HostileExport:
    rows, expected = _records(c, c.titles["json"], 0)
    return HostileExport("hostile.json", "json", [], _json_lines(rows), expected)


def _json_export_v2(c: Corpus) -> HostileExport:
    """A later export of the json survey: answers changed, one CA owner gone (history)."""
    rows, expected = _records(c, c.titles["json"], 0)
    kept, answers = [], []
    for row in rows:
        if row["ca_owner"] == c.names[0]:
            continue  # withdrawn
        if row["question_id"] == "Q08001" and len(kept) % 2:
            row["response"] = f"{row['response']}\n-- edited: {c.texts[len(kept) % len(c.texts)]}"
        elif row["question_id"] == "Q08001":
            row["response"] = f"-- replaced: {c.texts[(len(kept) + 40) % len(c.texts)]}"
        kept.append(row)
        if row["ca_owner"] in expected.owners:  # not the look-alike row, which is left out
            answers.append((str(row["question_id"]), str(row["ca_owner"]),
                            str(row["response"])))
    expected.answers = answers
    expected.owners.discard(c.names[0])
    return HostileExport("hostile-v2.json", "json", [], _json_lines(kept), expected)


def _ccadb_csv(c: Corpus) -> HostileExport:
    """Columns in another order; a question's text (and type) only on its first row."""
    rows, expected = _records(c, c.titles["ccadb-csv"], 11)
    seen: set[object] = set()
    for row in rows:
        if row["question_id"] in seen:
            row["question_text"], row["question_type"] = "", ""
        seen.add(row["question_id"])
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(reversed(list(rows[0]))))
    writer.writeheader()
    writer.writerows(rows)
    return HostileExport("hostile.ccadb.csv", "ccadb-csv", [], out.getvalue().encode(),
                         expected)


def _report_csv(c: Corpus) -> HostileExport:
    title = c.titles["report-csv"]
    expected = Expected(fold(title))
    ids = ["Q06001", "Q06002", "Q06003"]
    expected.questions = dict.fromkeys(ids, "")
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["CA Owner", "Response", "Response", "Response"])
    for i, owner in enumerate(c.names):
        cells = [c.texts[(i + 29 * k) % len(c.texts)] for k in range(3)]
        writer.writerow([owner, *cells])
        expected.owners.add(owner)
        expected.answers += [(q, owner, cell) for q, cell in zip(ids, cells, strict=True)]
    args = ["--survey", title, "--question-ids", ",".join(ids)]
    return HostileExport("hostile-report.csv", "report-csv", args, out.getvalue().encode(),
                         expected)


def _report_html(c: Corpus) -> HostileExport:
    """CACommResponsesOnlyReport with live markup in the title, question texts and cells."""
    ids = ["Q07001", "Q07002", "Q07003"]
    title = c.titles["report-html"]
    expected = Expected(text_content(title))
    q_cells = [c.live[0] + "<br>" + html_text(c.texts[0]) + "<br>" + c.live[3],
               "ACTION 1 COMMENTS " + html_text(c.texts[1]) + "<br>" + c.live[5],
               html_text("\n".join(c.texts[2::9]))]
    for qid, cell in zip(ids, q_cells, strict=True):
        expected.questions[qid] = text_content(cell)
    rows = []
    for i, owner in enumerate(c.names + c.live[:6]):
        owner_cell = html_text(owner) if i < len(c.names) else owner
        if i % 3 == 0:
            cells = [c.live[(i // 3 + k) % len(c.live)] for k in range(3)]
        else:
            cells = [html_text(c.texts[(i + 31 * k) % len(c.texts)]) for k in range(3)]
        rows.append(f'<tr>\n  <th scope="row" >{owner_cell}</th>\n' + "".join(
            f"   <td > \n           {cell} \n   </td>\n" for cell in cells) + "</tr>\n")
        name = fold(text_content(owner_cell))
        expected.owners.add(name)
        expected.answers += [(q, name, text_content(cell))
                             for q, cell in zip(ids, cells, strict=True)]
    # A cell that closes its row and forges one for an owner that never answered: it is
    # imported (nothing on the page tells it apart) and named in a warning.
    forger, forged = "Forging row CA", "Forged row CA"
    cells = [html_text(c.texts[5]), html_text(c.texts[6]),
             f'forging</td></tr><tr><th scope="row" >{forged}</th><td>forged 1</td>'
             "<td>forged 2</td><td>forged 3"]
    rows.append(f'<tr>\n  <th scope="row" >{forger}</th>\n' + "".join(
        f"   <td > \n           {cell} \n   </td>\n" for cell in cells) + "</tr>\n")
    expected.owners |= {forger, forged}
    expected.answers += [(ids[0], forger, text_content(cells[0])),
                         (ids[1], forger, text_content(cells[1])), (ids[2], forger, "forging")]
    expected.answers += [(q, forged, f"forged {k}") for k, q in enumerate(ids, start=1)]
    page = (
        "<!DOCTYPE HTML>\n<!-- Fixture in the layout of the CCADB CACommResponsesOnlyReport "
        "page (generated by tests/hostile_data.py). -->\n"
        f"<html><head><title>{title}</title></head><body>\n"
        '<div style="padding-left:6.5%;"><div class="bPageTitle"><div class="ptBody">'
        f'<div class="content">\n<h1 class="pageType noSecondHeader">{title}</h1>'
        '<div class="blank">&nbsp;</div></div></div></div></div>\n'
        "<div class='pbHeader'>\n<table id=\"mytable\">\n" + "".join(
            f'<tr>\n  <th scope="col" style="text-align:left"> {cell} </th>\n</tr>\n'
            for cell in q_cells) +
        '</table>\n<table id="mytable" cellspacing="0" summary="Summary Report Name">\n'
        '<br/>\n<tr>\n  <th scope="col" style="width:20%;" class="nobg">CA Owner</th>\n'
        + '  <th scope="col">Response</th>\n' * 3 + "</tr>\n" + "".join(rows)
        + "</table>\n</div>\n</body></html>\n")
    return HostileExport("hostile-report.html", "report-html",
                         ["--source-url", c.report_url], page.encode(), expected)


def _summary_html(c: Corpus) -> HostileExport:
    """CACommSummaryReport: live markup in headings and action cells; answers escaped."""
    from builder.core.text import canonical_key
    from builder.ingest.questions import local_question_id

    title = fold(c.titles["summary-html"])
    expected = Expected(text_content(title))
    actions = [f"<b>ACTION 1:</b> {html_text(c.texts[3])}", "ACTION 1 COMMENTS",
               f"ACTION 2: {c.live[1]} {html_text(c.texts[4])}",
               html_text("\n".join(c.texts[5:40:8])), f"{c.live[6]}{html_text(c.texts[6])}"]
    qids = [local_question_id(canonical_key(expected.survey), text_content(a)) for a in actions]
    for qid, action in zip(qids, actions, strict=True):
        expected.questions[qid] = text_content(action)
    blocks = []
    for i, owner in enumerate(c.names + c.live[6:9]):
        heading = html.escape(owner, quote=False) if i < len(c.names) else owner
        name = fold(text_content(heading))
        expected.owners.add(name)
        cells = []
        for k, qid in enumerate(qids):
            if i % 4 == 3:
                cell = c.live[(i + k) % len(c.live)]
                shown = text_content(cell)
            else:
                answer = c.texts[(i + 17 * k) % len(c.texts)]
                cell = f'<span style="white-space: pre-wrap;">{html.escape(answer)}</span>'
                shown = "\n".join(fold(line) for line in answer.split("\n") if fold(line))
            cells.append(cell)
            expected.answers.append((qid, name, shown))
        blocks.append(
            f'<div class="apexp"><h2 class="mainTitle">{heading}</h2>\n<table class="list">\n'
            "<tr><th><div>Action</div></th><th><div>Response</div></th></tr>\n" + "".join(
                f"<tr><td> {a}</td>\n<td> {cell}</td></tr>\n"
                for a, cell in zip(actions, cells, strict=True)) + "</table></div>\n")
    page = (
        "<!DOCTYPE HTML>\n<!-- Fixture in the layout of the CCADB CACommSummaryReport "
        "page (generated by tests/hostile_data.py). -->\n"
        f"<html><head><title>CA Responses to {title}</title></head><body>\n"
        f'<h1 class="pageType noSecondHeader">CA Responses to {title}</h1>\n'
        + "".join(blocks) + "</body></html>\n")
    return HostileExport("hostile-summary.html", "summary-html",
                         ["--source-url", c.summary_url], page.encode(), expected)


def hostile_exports(corpus: Corpus = HOSTILE) -> list[HostileExport]:
    """Every layout, in import order (hostile-v2.json last: a later export)."""
    return [_json_export(corpus), _ccadb_csv(corpus), _report_csv(corpus),
            _report_html(corpus), _summary_html(corpus), _json_export_v2(corpus)]


IMPORT_TIMES = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05",
                "2026-02-01"]
"""When each export of hostile_exports() is imported (hostile-v2.json, a later one, last)."""


def import_hostile_exports(data: Path, folder: Path = FIXTURES) -> None:
    """Import every hostile export (files in `folder`) into one store, as a maintainer
    would with `builder import`."""
    from click.testing import CliRunner

    from builder.cli import main

    for export, day in zip(hostile_exports(), IMPORT_TIMES, strict=True):
        result = CliRunner().invoke(main, [
            "import", str(folder / export.name), "--format", export.format, *export.args,
            "--data", str(data), "--observed-at", f"{day}T00:00:00Z"])
        assert result.exit_code == 0, (export.name, result.output)


def write_fixtures(folder: Path = FIXTURES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for export in hostile_exports():
        path = folder / export.name
        path.write_bytes(export.content)
        written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for written_path in write_fixtures():
        print(written_path)
