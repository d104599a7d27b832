"""`framegraph bench`: a benchmark anyone can rerun, with its baselines in the same run.

Absolute times on small shared machines are noisy, so every figure that matters comes as a
ratio measured side by side (Framegraph against naive, direct and ceiling baselines on the
same frames), with the absolute figures and the machine they came from.

Modules hand each other typed results (dataclasses); JSON exists only at the edges:
benchmark.json and the baselines' subprocesses. One concern each:
    codec        dataclasses to JSON and back, checked against their annotations
    config       what a run measures (sets, stream counts, modes, lengths)
    results      what a run measured: machine, scenarios, baselines (benchmark.json's shape)
    workload     clips, feature sets, scenarios and the feeding schedule
    streams      S worker processes fed at the clip's rate or as fast as they take it
    procs        CPU time and peak RSS of the server tree and of the whole machine
    tritonstats  Triton's per-model statistics: counts, batch sizes, server-side times
    exactness    the exactly-once check: model and feature counts against the plan
    summary      percentiles and per-scenario figures from the raw records
    inprocess    the repository's ensembles run in-process (for the direct baseline)
    direct       baseline: one frame at a time, in-process onnxruntime, one stream
    ceiling      baseline: bare onnxruntime at its best batch size
    baselines    runs direct and ceiling in subprocesses of their own
    machine      the facts about the machine a run came from
    runner       the whole run, in order
    compare      side-by-side ratios against naive, direct and ceiling
    targets      the issue's targets, met or missed and by how much
    report       a run with its comparisons and verdicts; benchmark.json read back
    plot         the PNG
    markdown     the tables of docs/benchmarks.md, one renderer per table
    publish      JSON, PNG and Markdown written out

It is a development tool: the worker image leaves this package out (.dockerignore), and
`framegraph bench` says so where it is missing.
"""
