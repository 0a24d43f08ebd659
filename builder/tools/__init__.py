"""Developer tools outside the pipeline: the demo dataset, the benchmark, history from git.

Entry points: `builder.tools.demo.write_demo`, `builder.tools.bench.run_bench`,
`builder.tools.githistory.history_from_git`.
May import: any folder of builder (nothing but the CLI imports tools).
"""
