"""Generating the public static site for 10,000 commitments: target < 30 s.

    python -m bench.site [--rows 10000]

The demo data plus generated commitments (``bench.search.generate``: the same
generator the search benchmark uses, with community reports, a share of them
verified), all four languages. Times the first build (every page written) and a
second one (nothing changed: the manifest's digests match, so no commitment or
member page is even rendered), and checks the largest page against the 100 KB
limit. Most of a first build's wall time is creating 40,000 files: ``--dir
/dev/shm`` shows the CPU-bound time.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.common import rss_mb, scratch_database
from bench.search import generate
from bot.site import build
from storage.importer import demo_csv_path, import_csv

TARGET_S = 30.0
MAX_PAGE = 100 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="commitments in all")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="where the scratch site is written (default: the system's temporary folder; "
        "creating 40,000 files is as fast as that disk)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with (
        scratch_database() as db,
        tempfile.TemporaryDirectory(prefix="ogp-site-", dir=args.dir) as folder,
    ):
        import_csv(db, demo_csv_path())
        generate(db, args.rows, rng)
        out = Path(folder) / "site"
        started, cpu = time.perf_counter(), time.process_time()
        first = build(db, out)
        first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        again = build(db, out)
        again_s = time.perf_counter() - started
        largest = max((p.stat().st_size, p) for p in out.rglob("*.html"))
    peak, _ = rss_mb()
    print(
        f"first build: {first.commitments} commitments, {first.members} members, "
        f"{len(first.languages)} languages, {first.written} files written in {first_s:.1f} s "
        f"({first_cpu:.1f} s of CPU: the rest is waiting for the disk or a busy machine)"
    )
    print(f"second build: {again.written} written, {again.unchanged} unchanged in {again_s:.1f} s")
    print(f"largest page: {largest[0] / 1024:.1f} KB ({largest[1].relative_to(out)})")
    print(f"peak RSS {peak:.0f} MB")
    passed = first_s < TARGET_S and largest[0] < MAX_PAGE
    print(
        f"{'PASS' if passed else 'FAIL'}: site for {first.commitments} commitments in "
        f"{first_s:.1f} s (target < {TARGET_S:.0f} s); largest page "
        f"{largest[0] / 1024:.1f} KB (limit 100 KB)"
    )
    print(
        f"RESULT rows={first.commitments} site_s={first_s:.2f} site_cpu_s={first_cpu:.2f} "
        f"site_again_s={again_s:.2f} "
        f"largest_kb={largest[0] / 1024:.1f} pass={int(passed)}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
