"""Import speed: OGP's commitment export into a fresh database, then again.

    python -m bench.importer [--rows 10000] [--seed 20261124]

Writes a CSV in the export's shape: the shipped demo rows, copied with new ids
(a letter more than the member's prefix, as storage.ids allows) until there are
``--rows``; then imports it into a scratch database built by the real
migrations (the first import: every row created, its FTS entry indexed), and
imports the same file again (the idempotent re-import: every row unchanged).

Targets: the first import at >= 10,000 rows/s; the re-import is reported
beside it (it must be no slower than before a change: compare two runs). Then
SQLite rebuilds the search index alone for the same rows: no first import can
be faster than that, and the first import is shown as a multiple of it, with
the target proposed in #13's closing note (<= 2.5). The last line is
machine-readable: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import time
from pathlib import Path

from bench.common import scratch_database
from storage.importer import COL_ID, demo_csv_path, import_csv
from storage.search import rebuild_search_index

TARGET_ROWS_PER_S = 10_000.0
# Proposed in #13's closing note: SQLite alone needs about half a second per
# thousand rows of OGP's long texts to build the search index (with its 2- and
# 3-letter prefix indexes), so 10,000 rows/s cannot be reached with the index
# search needs; the first import is held to a multiple of that floor instead.
PROPOSED_INDEX_RATIO = 2.5


def write_export(path: Path, rows: int) -> None:
    with demo_csv_path().open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        demo = list(reader)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fields)
        writer.writeheader()
        writer.writerows(demo[:rows])
        for i in range(max(0, rows - len(demo))):
            row = dict(demo[i % len(demo)])
            prefix = re.match(r"[A-Z]+", row[COL_ID]).group(0)  # type: ignore[union-attr]
            row[COL_ID] = f"{prefix}{'VWXYZ'[i // 10_000 % 5]}{i % 10_000:04d}"
            writer.writerow(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ogp-import-") as folder, scratch_database() as db:
        export = Path(folder) / "export.csv"
        write_export(export, args.rows)
        started, cpu = time.perf_counter(), time.process_time()
        first = import_csv(db, export)
        first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = import_csv(db, export)
        again_s, again_cpu = time.perf_counter() - started, time.process_time() - cpu
        # The floor of any first import with this index: SQLite building it alone.
        started = time.perf_counter()
        rebuild_search_index(db)
        index_s = time.perf_counter() - started
    first_rate, again_rate = args.rows / first_s, args.rows / again_s
    index_ratio = first_s / index_s if index_s else 0.0
    ok = first_rate >= TARGET_ROWS_PER_S
    print(
        f"first import: {first.created} created, {len(first.skipped)} skipped in {first_s:.2f} s "
        f"= {first_rate:,.0f} rows/s, {first_cpu:.2f} s CPU (target >= {TARGET_ROWS_PER_S:,.0f}) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    print(
        f"re-import: {again.unchanged} unchanged, {again.updated} updated in {again_s:.2f} s "
        f"= {again_rate:,.0f} rows/s, {again_cpu:.2f} s CPU"
    )
    print(
        f"the FTS index alone (SQLite rebuilding it for these rows): {index_s:.2f} s = "
        f"{args.rows / index_s:,.0f} rows/s, the most a first import can reach; "
        f"first import / index alone: {index_ratio:.2f} (proposed target <= "
        f"{PROPOSED_INDEX_RATIO}) {'PASS' if index_ratio <= PROPOSED_INDEX_RATIO else 'FAIL'}"
    )
    print(
        f"RESULT rows={args.rows} index_s={index_s:.3f} index_ratio={index_ratio:.3f} "
        f"first_s={first_s:.3f} first_rows_s={first_rate:.0f} "
        f"first_cpu_s={first_cpu:.3f} reimport_s={again_s:.3f} reimport_rows_s={again_rate:.0f} "
        f"reimport_cpu_s={again_cpu:.3f} "
        f"created={first.created} pass={int(ok)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
