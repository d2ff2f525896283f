"""Messages to other people are queued as data and rendered when the sender sends
them (bot/notices.py): the row holds ids and a language, not text; one whose
report is no longer there to verify is dropped, and the sender goes on with the
next. (/forgetme keeps reports, anonymised: a notice sent after it shows no name.)"""

from __future__ import annotations

from sqlmodel import select
from telegram.error import NetworkError

from bot.config import Settings
from bot.emulator import BotAPIServer, Driver, EmulatorRequest
from storage.db import Database
from storage.models import Outbox, OutboxState
from tests.conftest import make_lead, send_report


def _notices(db: Database, chat_id: int) -> list[Outbox]:
    with db.session() as session:
        return list(
            session.exec(
                select(Outbox)
                .where(Outbox.kind == "review_notice")
                .where(Outbox.chat_id == chat_id)
                .order_by(Outbox.id)
            )
        )


async def test_a_reviewer_notice_is_data_rendered_in_their_language(
    demo_bot: Driver, demo_db: Database
) -> None:
    lea, ana = demo_bot.user("Lea", language_code="es"), demo_bot.user("Ana")
    await lea.send("/start")
    make_lead(demo_db, lea.id, "KEN")
    await send_report(ana, "KE0012", "Bill <tabled>")
    [row] = _notices(demo_db, lea.id)
    assert row.text == "" and row.payload["language"] == "es"
    assert row.state == OutboxState.SENT
    told = lea.last_reply
    assert "Un nuevo reporte necesita verificación" in told.text
    assert "Bill &lt;tabled&gt;" in told.html and "KE0012" in told.text
    assert len(told.button_texts) == 2


class DownRequest(EmulatorRequest):
    """Sends to one chat fail with a network error while ``down`` (retried later)."""

    def __init__(self, server: BotAPIServer, chat_id: int) -> None:
        super().__init__(server)
        self.chat_id, self.down = chat_id, False

    async def do_request(self, url, method, request_data=None, **kwargs):
        sending = url.endswith("/sendMessage") and request_data is not None
        if sending and self.down and request_data.parameters.get("chat_id") == self.chat_id:
            raise NetworkError("connection reset")
        return await super().do_request(url, method, request_data, **kwargs)


def _lea_unreachable_at_will(
    settings: Settings, db: Database, lea_id: int
) -> tuple[DownRequest, Driver]:
    from bot.app import build_application

    server = BotAPIServer()
    request = DownRequest(server, lea_id)
    clock = server.clock.now
    app = build_application(
        settings, db, request=request, token=server.token, rate_limiter=False, clock=clock
    )
    return request, Driver(app, server)


async def test_a_notice_whose_report_was_withdrawn_is_dropped_and_the_next_goes(
    settings: Settings, demo_db: Database
) -> None:
    """Lea cannot be reached while Ana and Bea report; Ana withdraws hers before
    Lea's notices go out: Lea gets Bea's, never Ana's."""
    lea_id = 7_100_002
    request, bot = _lea_unreachable_at_will(settings, demo_db, lea_id)
    async with bot:
        lea, ana, bea = bot.user("Lea", user_id=lea_id), bot.user("Ana"), bot.user("Bea")
        await lea.send("/start")
        make_lead(demo_db, lea_id, "KEN")
        request.down = True
        await send_report(ana, "KE0012", "Ana's note")
        await send_report(bea, "KE0021", "Bea's note")
        before = len(lea.messages)
        mine = (await ana.send("/myreports"))[0]
        await ana.press(next(t for t in mine.button_texts if "Withdraw" in t), message=mine)
        await ana.press("Yes, withdraw")
        request.down = False
        bot.clock.advance(minutes=5)
        await bot.run_jobs()
        new = [m.text for m in lea.messages[before:]]
        assert len(new) == 1 and "KE0021" in new[0] and "Bea's note" in new[0]
        assert not any("Ana's note" in text for text in new)
    anas, beas = _notices(demo_db, lea_id)
    assert (anas.state, anas.last_error) == (OutboxState.DROPPED, "its data is gone")
    assert beas.state == OutboxState.SENT


async def test_a_notice_sent_after_forgetme_names_nobody(
    settings: Settings, demo_db: Database
) -> None:
    """Ana reports, then erases her data before Lea can be reached: the report stays
    (anonymised), and the notice Lea gets then no longer carries Ana's name."""
    lea_id = 7_100_003
    request, bot = _lea_unreachable_at_will(settings, demo_db, lea_id)
    async with bot:
        lea, ana = bot.user("Lea", user_id=lea_id), bot.user("Annabel")
        await lea.send("/start")
        make_lead(demo_db, lea_id, "KEN")
        request.down = True
        await send_report(ana, "KE0012", "Bill tabled")
        await ana.send("/forgetme")
        await ana.press("Yes, delete my data")
        request.down = False
        bot.clock.advance(minutes=5)
        await bot.run_jobs()
        told = lea.last_reply.text
        assert "Bill tabled" in told and "Annabel" not in told
