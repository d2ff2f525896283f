"""Reference data the database needs before anyone talks to the bot."""

from __future__ import annotations

from sqlmodel import select

from storage import countries
from storage.db import Database
from storage.models import Country


def sync_countries(db: Database) -> int:
    """Insert OGP members that are missing, refresh the facts of those we ship.

    Members the importer created (a member that our list lacks) are left alone:
    the export is their only source, and their standing stays unverified.
    """
    shipped = {member.code: member for member in countries.load_members()}
    changed = 0
    with db.session() as session:
        existing = {row.code: row for row in session.exec(select(Country)).all()}
        for code, member in shipped.items():
            row = existing.get(code)
            values = {
                "name": member.name,
                "kind": member.kind,
                "region": member.region,
                "iso2": member.iso2,
                "parent": member.parent or None,
                "status": member.status,
                "status_since": member.since,
                "source_url": member.source,
            }
            if row is None:
                session.add(Country(code=code, **values))
                changed += 1
            elif any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                changed += 1
    return changed


def prepare_database(db: Database) -> None:
    """Migrate to the newest schema and load reference data: run on every start."""
    db.migrate()
    sync_countries(db)
