"""Messages to someone other than the sender go through the outbox: a reviewer's
notice of a new report, its "handled by X" edit, the outcome for the reporter and
a draft's expiry. So they are paced with the rest, retried, and a 403 there marks
the chat blocked like any other."""

from __future__ import annotations

from sqlmodel import select
from telegram.error import NetworkError

from bot.config import Settings
from bot.emulator import BotAPIServer, Driver, EmulatorRequest, UserHandle
from storage.db import Database
from storage.models import Chat, ChatState, Outbox, OutboxState
from tests.conftest import make_lead, send_report


async def _kenya_leads(db: Database, *leads: UserHandle) -> None:
    """Leads of Kenya who have started the bot, so its notices can reach them."""
    for lead in leads:
        await lead.send("/start")
        make_lead(db, lead.id, "KEN")


def _rows(db: Database, kind: str) -> list[tuple[int, str, str]]:
    with db.session() as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        return [(r.chat_id, r.state, r.last_error) for r in rows]


async def test_a_lead_who_blocked_the_bot_is_marked_blocked_by_a_notice(
    demo_bot: Driver, demo_db: Database
) -> None:
    leo, lea, ana = demo_bot.user("Leo"), demo_bot.user("Lea"), demo_bot.user("Ana")
    await _kenya_leads(demo_db, leo, lea)
    lea.block()
    await send_report(ana, "KE0012", "Bill tabled")
    assert leo.last_reply.button_texts == ["✅ Verify", "❌ Reject"]
    with demo_db.session() as session:
        assert session.get(Chat, lea.id).state == ChatState.BLOCKED
        assert session.get(Chat, leo.id).state == ChatState.ACTIVE
    assert sorted(_rows(demo_db, "review_notice")) == sorted(
        [(leo.id, OutboxState.SENT, ""), (lea.id, OutboxState.DROPPED, "blocked")]
    )


async def test_notices_outcome_and_edits_are_outbox_rows(
    demo_bot: Driver, demo_db: Database
) -> None:
    """Queued in the transaction of the event, drained by the sender like the rest."""
    leo, lea, ana = demo_bot.user("Leo"), demo_bot.user("Lea"), demo_bot.user("Ana")
    await _kenya_leads(demo_db, leo, lea)
    await send_report(ana, "KE0012", "Bill tabled")
    leas_notice = lea.last_reply
    await leo.press("✅ Verify", message=leo.last_reply)
    assert "✅ Verified by Leo" in leas_notice.text and leas_notice.buttons == []
    assert "was verified" in ana.last_reply.text
    assert _rows(demo_db, "notice_closed") == [(lea.id, OutboxState.SENT, "")]
    assert _rows(demo_db, "outcome") == [(ana.id, OutboxState.SENT, "")]


class FlakyRequest(EmulatorRequest):
    """Sends to one chat fail once with a network error (retried later by the sender)."""

    def __init__(self, server: BotAPIServer, chat_id: int) -> None:
        super().__init__(server)
        self.chat_id, self.armed, self.failed = chat_id, False, False

    async def do_request(self, url, method, request_data=None, **kwargs):
        sending = url.endswith("/sendMessage") and request_data is not None
        if sending and self.armed and request_data.parameters.get("chat_id") == self.chat_id:
            self.armed, self.failed = False, True
            raise NetworkError("connection reset")
        return await super().do_request(url, method, request_data, **kwargs)


async def test_a_notice_still_unsent_when_the_report_is_decided_is_dropped(
    settings: Settings, demo_db: Database
) -> None:
    """Lea's notice waits for a retry when Leo verifies: she never gets buttons for a
    decided report, nor an edit of a message she never had."""
    from bot.app import build_application

    server = BotAPIServer()
    lea_id = 7_100_001
    request = FlakyRequest(server, lea_id)
    app = build_application(
        settings,
        demo_db,
        request=request,
        token=server.token,
        rate_limiter=False,
        clock=server.clock.now,
    )
    async with Driver(app, server) as bot:
        leo, lea, ana = bot.user("Leo"), bot.user("Lea", user_id=lea_id), bot.user("Ana")
        await _kenya_leads(demo_db, leo, lea)
        await ana.send("/start")
        request.armed = True
        await send_report(ana, "KE0012", "Bill tabled")
        assert request.failed
        before = len(lea.messages)
        await leo.press("✅ Verify", message=leo.last_reply)
        bot.clock.advance(minutes=5)
        await bot.run_jobs()
        assert len(lea.messages) == before  # nothing about the decided report
        assert "was verified" in ana.last_reply.text
    assert _rows(demo_db, "review_notice") == sorted(
        [(leo.id, OutboxState.SENT, ""), (lea_id, OutboxState.DROPPED, "decided")]
    )
    assert _rows(demo_db, "notice_closed") == []


async def test_a_draft_expiry_notice_goes_through_the_outbox(
    demo_bot: Driver, demo_db: Database
) -> None:
    ana, bea = demo_bot.user("Ana"), demo_bot.user("Bea")
    await ana.send("/report KE0012")
    await bea.send("/report KE0021")
    bea.block()
    demo_bot.clock.advance(hours=25)
    await demo_bot.run_jobs()
    assert "Your unfinished report on KE0012 expired after a day" in ana.last_reply.text
    with demo_db.session() as session:
        assert session.get(Chat, bea.id).state == ChatState.BLOCKED
    assert sorted(_rows(demo_db, "draft_expired")) == sorted(
        [(ana.id, OutboxState.SENT, ""), (bea.id, OutboxState.DROPPED, "blocked")]
    )
