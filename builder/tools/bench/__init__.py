"""`builder bench`: measure the build on the demo dataset and hold it to issue #16's
targets.

A benchmark, not a test: it generates the demo dataset of one size in a temporary
project and runs every stage in its own Python process (bench/stages.py), so that each
stage's peak memory is its own (the largest of its process and the processes it ran: a
build's downloads and MkDocs processes). Each run goes: the demo dataset (set-up); the whole
dataset exported in the json and ccadb-csv import layouts and imported into an empty
store; load_store; today's code's full build of the same demo dataset (bench/today.py:
the baseline of the relative targets, measured in the same run); a full build from
nothing; a no-change rebuild; `mkdocs build` alone;
the search bytes of a name and a phrase query in Chromium; then the import path, each a
`builder import` of an export of the newest survey followed by `builder build`: one
answer changed (json), changed again (ccadb-csv), withdrawn, added (bench/changes.py);
last a full build from nothing of the same data, compared byte for byte with the site
the changes left. bench/targets.py checks the figures; bench/report.py prints them.
"""

from builder.tools.bench.changes import CHANGE_SUFFIX, change_one_answer
from builder.tools.bench.project import make_project, site_metrics
from builder.tools.bench.report import format_table
from builder.tools.bench.run import SIZES, run_bench

__all__ = ["CHANGE_SUFFIX", "SIZES", "change_one_answer", "format_table", "make_project",
           "run_bench", "site_metrics"]
