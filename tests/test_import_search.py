"""An import's commitments are searchable, whichever way FTS indexed them.

A chunk with many new commitments is indexed in one statement with the insert
trigger dropped for it (storage.search.indexing_in_bulk); small ones go through
the trigger. Both, and the update trigger after them, must leave /search right.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bot.emulator.driver import Driver
from storage.db import Database
from storage.importer import BULK_INDEX_ROWS, COL_ID, demo_csv_path, import_csv

COL_TITLE = "Commitment Title"


def _export(path: Path, titles: dict[str, str]) -> Path:
    """The demo export's first row (Kenya's) once per id, with these titles."""
    with demo_csv_path().open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        template = next(row for row in reader if row[COL_ID].startswith("KE"))
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fields)
        writer.writeheader()
        for commitment_id, title in titles.items():
            writer.writerow({**template, COL_ID: commitment_id, COL_TITLE: title})
    return path


async def test_bulk_and_single_imports_are_searchable(
    bot: Driver, db: Database, tmp_path: Path
) -> None:
    many = {f"KEZ{i:04d}": f"Bulk indexed pledge number{i}" for i in range(BULK_INDEX_ROWS + 10)}
    many["KEZ0007"] = "Quetzalcoatl registry of beneficial owners"
    assert import_csv(db, _export(tmp_path / "many.csv", many)).created == len(many)
    ann = bot.user("Ann")
    found = (await ann.send("/search quetzalcoatl"))[0]
    assert "1 commitment matches" in found.text and "KEZ0007" in found.text

    # One new row: the insert trigger is back and indexes it.
    single = _export(tmp_path / "one.csv", {**many, "KEY0001": "Xylophone procurement portal"})
    assert import_csv(db, single).created == 1
    assert "KEY0001" in (await ann.send("/search xylophone"))[0].text

    # A changed title: the update trigger re-indexes it, the old words are gone.
    renamed = {**many, "KEY0001": "Xylophone procurement portal", "KEZ0007": "Zanzibar ledger"}
    assert import_csv(db, _export(tmp_path / "renamed.csv", renamed)).updated == 1
    assert "KEZ0007" in (await ann.send("/search zanzibar"))[0].text
    assert "Nothing found for quetzalcoatl" in (await ann.send("/search quetzalcoatl"))[0].text
