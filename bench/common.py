"""Small helpers shared by the benchmarks: timing, percentiles, a scratch database."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import Database
from storage.reference import prepare_database


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (0-100) by linear interpolation; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def time_ms(fn: Callable[[], object], repeats: int, *, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``repeats`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    return (
        f"p50 {percentile(samples, 50):7.2f} ms  p95 {percentile(samples, 95):7.2f} ms  "
        f"mean {statistics.fmean(samples):7.2f} ms"
    )


@contextmanager
def scratch_database() -> Iterator[Database]:
    """A migrated SQLite database (with reference data) in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="ogp-bench-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            prepare_database(db)
            yield db
        finally:
            db.dispose()


def rss_mb() -> tuple[float, float]:
    """(peak, current) resident set size of this process in MB.

    Peak is ``getrusage(RUSAGE_SELF).ru_maxrss`` (kilobytes on Linux); current is
    ``VmRSS`` from ``/proc/self/status`` (0.0 where there is no /proc)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        peak //= 1024
    current = 0.0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    current = int(line.split()[1]) / 1024
                    break
    except OSError:
        pass
    return peak / 1024, current


def add_recent_reports(
    session: Any, commitments: list[str], rng: random.Random, now: datetime, count: int = 300
) -> None:
    """News for digests: ``count`` reports of the last day by member 1, some verified."""
    from storage.models import Report

    for n in range(count):
        at = now - timedelta(hours=rng.randint(1, 20))
        session.add(
            Report(
                commitment_id=rng.choice(commitments),
                reporter_id=1,
                status="limited",
                note=f"Bench note {n}",
                created_at=at,
                updated_at=at,
                state=rng.choice(["pending", "verified"]),
            )
        )
