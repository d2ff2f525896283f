"""The benchmarks still run: tiny sizes, no timing asserted (targets live in bench/).

Nothing in the suite imports the benchmarks otherwise, so a change to the code
they drive (as once to ``compose_digests``) could break ``bench/run_all`` unseen.
"""

from __future__ import annotations

import pytest

from bench.run_all import FIGURES, run, table

TINY = {
    "search": ["--rows", "300", "--repeats", "1", "--like-repeats", "1"],
    "fanout": ["--chats", "50"],
    "throughput": [
        *("--updates", "20", "--rounds", "1", "--members", "100", "--commitments", "200"),
        *("--reports", "500"),
    ],
    "loop_lag": ["--broadcast-chats", "50", "--digest-chats", "100", "--words", "20"],
    "importer": ["--rows", "150"],
    "site": ["--rows", "200"],
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs_and_reports_every_figure(name: str) -> None:
    done = run(name, TINY[name])
    assert done.exit_code in (0, 1), f"bench.{name} crashed"  # 1: a target missed
    wanted = {fig.key for fig in FIGURES if fig.benchmark == name}
    assert wanted <= done.result.keys()
    lines, _ok = table({name: done})
    assert not any("ERROR" in line for line in lines)
