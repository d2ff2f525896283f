"""Run every benchmark and print one table of figures against their targets.

    bench/run_all [--quick]      (or: python -m bench.run_all [--quick])

Runs ``bench.search``, ``bench.fanout``, ``bench.throughput``,
``bench.loop_lag``, ``bench.importer`` and ``bench.site`` one after the other, each in its own
process with this interpreter (their output is shown as it comes), reads the ``RESULT key=value
...`` line each prints last, and ends with a summary table. ``--quick`` uses
smaller sizes (a smoke test: the targets are stated for the full sizes). Exits
1 if a figure misses its target or a benchmark fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

ALL = ("search", "fanout", "throughput", "loop_lag", "importer", "site")
FULL: dict[str, list[str]] = {
    # The LIKE fallback (information only) takes ~5 s a query at 50,000 rows: once each.
    "search": ["--like-repeats", "1"],
    "fanout": [],
    "throughput": [],
    "loop_lag": [],
    "importer": [],
    "site": [],
}
QUICK: dict[str, list[str]] = {
    "search": ["--rows", "10000", "--repeats", "5", "--like-repeats", "1"],
    "fanout": ["--chats", "2000"],
    "throughput": [
        *("--updates", "300", "--rounds", "3", "--members", "2000"),
        *("--commitments", "1500", "--reports", "20000"),
    ],
    "loop_lag": ["--broadcast-chats", "2000", "--digest-chats", "10000", "--words", "200"],
    "importer": ["--rows", "2000"],
    "site": ["--rows", "2000"],
}


@dataclass
class Run:
    name: str
    result: dict[str, str]
    exit_code: int
    seconds: float
    peak_rss_mb: float


def parse_result(line: str) -> dict[str, str]:
    """``RESULT a=1 b=x`` -> {"a": "1", "b": "x"}."""
    fields = line.split()[1:]
    return dict(field.split("=", 1) for field in fields if "=" in field)


def run(name: str, extra: list[str]) -> Run:
    """Run ``python -m bench.<name>``; echo its output; keep its last RESULT line."""
    command = [sys.executable, "-u", "-m", f"bench.{name}", *extra]
    print(f"\n=== {' '.join(['python', *command[2:]])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    result: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
        if line.startswith("RESULT "):
            result = parse_result(line)
    proc.stdout.close()
    # wait4 gives the child's own peak RSS (kilobytes on Linux).
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(name, result, proc.returncode, time.perf_counter() - started, peak)


@dataclass
class Figure:
    benchmark: str
    label: str
    key: str
    target: str
    check: Callable[[float], bool] | None
    unit: str = ""


FIGURES = [
    Figure("search", "search page p95", "search_p95_ms", "< 50 ms", lambda v: v < 50, " ms"),
    Figure("site", "static site, {rows} commitments", "site_s", "< 30 s", lambda v: v < 30, " s"),
    Figure("site", "largest site page", "largest_kb", "< 100 KB", lambda v: v < 100, " KB"),
    Figure(
        "fanout",
        "fan-out send rate achieved/configured",
        "rate_ratio",
        ">= 0.95",
        lambda v: v >= 0.95,
    ),
    Figure(
        "fanout", "digest composition, {chats} chats", "compose_s", "< 3 s", lambda v: v < 3, " s"
    ),
    *(
        Figure(
            "throughput",
            f"ours/peer {kind}" + (" (50/30/20)" if kind == "mix" else ""),
            f"{kind}_ratio",
            ">= 0.8",
            lambda v: v >= 0.8,
        )
        for kind in ("status", "search", "subscribe", "mix")
    ),
    *(
        Figure("throughput", f"  ours/peer {kind}, bot CPU", f"{kind}_cpu_ratio", "(info)", None)
        for kind in ("status", "search", "subscribe", "mix")
    ),
    *(
        Figure(
            "throughput",
            f"ours/same-job peer {kind}, bot CPU",
            f"{kind}_job_cpu_ratio",
            ">= 0.5 (proposed)" if kind == "mix" else "(info)",
            (lambda v: v >= 0.5) if kind == "mix" else None,
        )
        for kind in ("status", "search", "subscribe", "mix")
    ),
    Figure(
        "throughput",
        "ours on the mix, updates/s",
        "mix_ours_ups",
        ">= 100 (proposed)",
        lambda v: v >= 100,
    ),
    Figure(
        "throughput", "our handler latency p99", "ours_p99_ms", "< 5 ms", lambda v: v < 5, " ms"
    ),
    Figure("throughput", "our handler latency p50", "ours_p50_ms", "(info)", None, " ms"),
    Figure("throughput", "  the lean peer's p99", "peer_p99_ms", "(info)", None, " ms"),
    Figure("throughput", "  the same-job peer's p99", "job_p99_ms", "(info)", None, " ms"),
    Figure(
        "throughput",
        "  our p99 / the same-job peer's",
        "p99_job_ratio",
        "<= 2 (proposed)",
        lambda v: v <= 2,
    ),
    Figure(
        "throughput",
        "our bot's RSS after start",
        "bot_rss_mb",
        "<= 80 MB",
        lambda v: v <= 80,
        " MB",
    ),
    Figure(
        "throughput",
        "  the same, proposed target",
        "bot_rss_mb",
        "<= 90 MB (proposed)",
        lambda v: v <= 90,
        " MB",
    ),
    Figure("throughput", "  the stack's libraries alone", "floor_rss_mb", "(info)", None, " MB"),
    Figure("throughput", "  the same after its first chart", "chart_rss_mb", "(info)", None, " MB"),
    Figure(
        "throughput",
        "replies identical to the peer's",
        "identical",
        "= 1",
        lambda v: v == 1,
    ),
    Figure("throughput", "echo bot on the mix, updates/s", "echo_ups", "(info)", None),
    *(
        Figure("loop_lag", f"loop lag {stat}, {phase}", f"{key}_lag_{stat}_ms", goal, check, " ms")
        for phase, key in (("broadcast queued", "broadcast"), ("digests queued", "digest"))
        for stat, goal, check in (
            ("p99", "< 20 ms", lambda v: v < 20),
            ("max", "< 100 ms", lambda v: v < 100),
        )
    ),
    Figure(
        "loop_lag",
        "broadcast to {broadcast_chats} chats queued",
        "broadcast_s",
        "< 0.3 s",
        lambda v: v < 0.3,
        " s",
    ),
    Figure(
        "loop_lag",
        "{digest_chats} digests composed and queued",
        "digest_s",
        "< 5 s",
        lambda v: v < 5,
        " s",
    ),
    Figure(
        "loop_lag",
        "/help p99 during a {words}-word /subscribe",
        "help_p99_ms",
        "< 50 ms",
        lambda v: v < 50,
        " ms",
    ),
    Figure(
        "loop_lag",
        "  ratio to the same during a 2-word one",
        "help_p99_ratio",
        "< 1.5",
        lambda v: v < 1.5,
    ),
    Figure(
        "importer",
        "first import of {rows} rows, rows/s",
        "first_rows_s",
        ">= 10000",
        lambda v: v >= 10_000,
    ),
    Figure("importer", "  idempotent re-import, rows/s", "reimport_rows_s", "(info)", None),
    Figure("importer", "  the search index alone, s", "index_s", "(info)", None, " s"),
    Figure(
        "importer",
        "  first import / the index alone",
        "index_ratio",
        "<= 2.5 (proposed)",
        lambda v: v <= 2.5,
    ),
]


def table(runs: dict[str, Run]) -> tuple[list[str], bool]:
    rows = [("benchmark", "figure", "value", "target", "status")]
    ok = True
    for fig in FIGURES:
        done = runs.get(fig.benchmark)
        if done is None:
            continue
        # A benchmark that failed has no RESULT line: its row says ERROR, not a KeyError.
        label = fig.label.format_map(defaultdict(lambda: "?", done.result))
        raw = done.result.get(fig.key)
        if raw is None:
            rows.append((fig.benchmark, label, "-", fig.target, "ERROR"))
            ok = False
            continue
        value = float(raw)
        if fig.check is None:
            status = ""
        else:
            passed = fig.check(value)
            ok &= passed
            status = "PASS" if passed else "FAIL"
        rows.append((fig.benchmark, label, f"{value:g}{fig.unit}", fig.target, status))
    for done in runs.values():
        status = "ok" if done.exit_code in (0, 1) and done.result else "ERROR"
        ok &= status == "ok"
        rows.append(
            (
                done.name,
                "process: peak RSS, wall time",
                f"{done.peak_rss_mb:.0f} MB, {done.seconds:.0f} s",
                "(info)",
                status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test)")
    parser.add_argument("--only", choices=ALL, action="append", help="run only these")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    runs = {name: run(name, sizes[name]) for name in args.only or ALL}
    lines, ok = table(runs)
    mode = "quick sizes: targets are stated for the full sizes" if args.quick else "full sizes"
    print(f"\nSummary ({mode}; {time.perf_counter() - started:.0f} s in all)")
    print("\n".join(lines))
    print(f"\n{'ALL PASS' if ok else 'SOME TARGETS MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
