"""One writer of a conversation's state: the storage step, in its own transaction.

python-telegram-bot's persistence writes nothing; each step hands the library
the state storage wrote. So a step whose transaction fails leaves the person at
the step they were at, in this process and in the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import select

from bot.config import Settings
from bot.emulator import Driver
from storage.db import Database
from storage.models import ConversationState, ReportDraft
from tests.conftest import start_bot

FAILED = "Sorry, something went wrong on my side."


def _state(db: Database, user_id: int) -> str | None:
    with db.session() as session:
        row = session.exec(
            select(ConversationState)
            .where(ConversationState.name == "report")
            .where(ConversationState.user_id == user_id)
        ).first()
        return row.state if row is not None else None


@contextmanager
def _notes_refused(db: Database) -> Iterator[None]:
    """The database refuses to change a draft's note (a full disk, a lost
    connection): the note step's transaction fails and rolls back."""
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as connection:
        if postgres:
            connection.execute(
                sa.text(
                    "CREATE FUNCTION refuse_note() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                sa.text(
                    "CREATE TRIGGER refuse_note BEFORE UPDATE ON report_draft FOR EACH ROW "
                    "WHEN (NEW.note IS DISTINCT FROM OLD.note) EXECUTE FUNCTION refuse_note()"
                )
            )
        else:
            connection.execute(
                sa.text(
                    "CREATE TRIGGER refuse_note BEFORE UPDATE ON report_draft "
                    "WHEN NEW.note IS NOT OLD.note BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    try:
        yield
    finally:
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("DROP TRIGGER refuse_note" + (" ON report_draft" if postgres else ""))
            )
            if postgres:
                connection.execute(sa.text("DROP FUNCTION refuse_note()"))


async def test_a_failed_step_leaves_the_conversation_where_it_was(
    demo_bot: Driver, demo_db: Database, settings: Settings
) -> None:
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    await ana.press("🟡 Substantial")
    assert "Step 3/5" in ana.last_reply.text
    assert _state(demo_db, ana.id) == "note"

    demo_bot.raise_errors = False  # the failure is the point: the person is told
    with _notes_refused(demo_db):
        await ana.send("Hearings held")
        assert FAILED in ana.last_reply.text
        assert _state(demo_db, ana.id) == "note"  # rolled back with the note
        await ana.send_photo()  # still asked for the note, not for evidence
        assert "Please write your note as a text message." in ana.last_reply.text
    assert demo_bot.errors  # the refusal reached the error handler, nothing more

    await ana.send("Hearings held")
    assert "Step 4/5" in ana.last_reply.text
    assert _state(demo_db, ana.id) == "evidence"
    with demo_db.session() as session:
        assert session.get(ReportDraft, ana.id).note == "Hearings held"


async def test_the_persistence_writes_no_state(
    demo_bot: Driver, demo_db: Database, settings: Settings
) -> None:
    """What the library reports after a step is not written: only storage's row counts,
    and the next process resumes from it."""
    ana = demo_bot.user("Ana")
    await ana.send("/report KE0012")
    persistence = demo_bot.app.persistence
    await persistence.update_conversation("report", (ana.id, ana.id), None)
    await persistence.update_conversation("report", (ana.id, ana.id), "preview")
    await demo_bot.app.update_persistence()
    assert _state(demo_db, ana.id) == "status"

    async with await start_bot(settings, demo_db, server=demo_bot.server) as again:
        ana = again.user("Ana", user_id=ana.id)
        await ana.press("🟡 Substantial")
        assert "Step 3/5" in ana.last_reply.text
