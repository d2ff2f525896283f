"""`ogp-bot run` as a process: killed with SIGKILL, run twice, run as a webhook.

The bot runs as it ships, polling (or serving a webhook for) the emulator over
loopback HTTP (see test_run_polling.py).
"""

from __future__ import annotations

import signal
import subprocess
import threading
from pathlib import Path

import pytest

from tests.test_postgres import BASE_URL as PG_URL
from tests.test_postgres import pg_db  # noqa: F401  (a fixture)
from tests.test_run_polling import (
    LoopbackTelegram,
    _free_port,
    _start_bot,
    _wait_for,
    command_update,
    post_update,
    start_webhook_bot,
)

USER = 4242
HELP = "What you can do"


def _push_help(telegram: LoopbackTelegram, times: int) -> list[int]:
    server = telegram.server

    def push() -> list[int]:
        return [
            server.push_update(command_update(server, USER, "/help"))["update_id"]
            for _ in range(times)
        ]

    return telegram.call(push)


def _answers(telegram: LoopbackTelegram) -> int:
    return sum(HELP in (m.text or "") for m in telegram.server.sent(USER))


def _confirmed(telegram: LoopbackTelegram, update_id: int) -> bool:
    """Telegram was told the bot has ``update_id``: a later getUpdates offset."""
    return any(
        c.method == "getUpdates" and (c.params.get("offset") or 0) > update_id
        for c in list(telegram.server.calls)
    )


def _stop(bot: subprocess.Popen) -> str:
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
    output, _ = bot.communicate(timeout=60)
    return output


def _stop_both(first: subprocess.Popen, standby: subprocess.Popen | None) -> str:
    """Kill the first bot, stop the standby that took over and check it ended well;
    returns the standby's output ("" when it never started)."""
    first.kill()
    _stop(first)
    if standby is None:
        return ""
    output = _stop(standby)
    assert standby.returncode == 0, output
    return output


def test_kill_9_after_updates_were_confirmed_loses_none(tmp_path: Path) -> None:
    """Before the inbox, 29 of 29 confirmed-but-unhandled /help were never answered."""
    with LoopbackTelegram() as telegram:
        telegram.call(telegram.server.add_user, USER, "Amina")
        first = _start_bot(telegram, tmp_path)
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in telegram.server.calls))
            # The chat's answers hang, as over a dead network: nothing gets handled...
            telegram.call(telegram.server.stall, USER)
            ids = _push_help(telegram, 29)
            # ...but the updates are fetched and confirmed to Telegram.
            assert _wait_for(lambda: _confirmed(telegram, ids[-1])), "never confirmed"
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        finally:
            first.kill()
            output = _stop(first)
        assert first.returncode == -signal.SIGKILL, output
        assert _answers(telegram) == 0
        telegram.call(lambda: telegram.server.release(USER, drop=True))  # calls of the dead

        second = _start_bot(telegram, tmp_path)
        try:
            assert _wait_for(lambda: _answers(telegram) == 29, 60), _answers(telegram)
        finally:
            output = _stop(second)
        assert second.returncode == 0, output
        assert _answers(telegram) == 29  # each once
        assert "Traceback" not in output, output


def test_a_second_bot_on_the_same_database_refuses_and_a_standby_takes_over(
    tmp_path: Path,
) -> None:
    """Two pollers once sent 191 of 200 broadcasts twice; now one runs, one waits."""
    with LoopbackTelegram() as telegram:
        telegram.call(telegram.server.add_user, USER, "Amina")
        first = _start_bot(telegram, tmp_path)
        standby = None
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in telegram.server.calls))
            second = _start_bot(telegram, tmp_path)
            output = second.communicate(timeout=60)[0]
            assert second.returncode == 2
            lines = output.strip().splitlines()
            assert lines[-1].startswith("ogp-bot: another ogp-bot (pid ")
            assert "--standby" in lines[-1] and "Traceback" not in output

            standby = _start_bot(telegram, tmp_path, extra_args=["--standby"])
            waiting = _read_until(standby, "standing by: another ogp-bot (pid")
            assert waiting, "the standby did not wait for the running bot"
            first.send_signal(signal.SIGKILL)
            first.wait(30)
            _push_help(telegram, 1)
            assert _wait_for(lambda: _answers(telegram) == 1, 60), "the standby never took over"
        finally:
            output = _stop_both(first, standby)
            assert "Traceback" not in output, output


def _read_until(bot: subprocess.Popen, text: str, seconds: float = 60) -> bool:
    """Read the bot's output lines until one contains ``text`` (False: it never came)."""
    found = threading.Event()

    def read() -> None:
        for line in bot.stdout:
            if text in line:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    return found.wait(seconds)


def test_webhook_without_a_configured_secret_refuses_forged_updates(tmp_path: Path) -> None:
    """Without webhook.secret_token, a forged POST once ran /newgroup as the admin."""
    port = _free_port()
    with LoopbackTelegram() as telegram:
        server = telegram.server
        telegram.call(server.add_user, USER, "Amina")
        bot = start_webhook_bot(telegram, tmp_path, port)
        try:
            assert _wait_for(lambda: bool(server.webhook)), "no setWebhook"
            secret = server.webhook.get("secret_token")
            assert secret and len(secret) >= 32  # Telegram is told a strong one

            def post(secret: str | None) -> int:
                payload = telegram.call(command_update, server, USER, "/help")
                update = {"update_id": payload["message"]["message_id"], **payload}
                return post_update(port, update, secret)

            assert _wait_for(lambda: post(None) == 403, 20)  # no header: refused
            assert post("guess") == 403
            assert post(secret) == 200
            assert _wait_for(lambda: _answers(telegram) == 1, 30)
        finally:
            output = _stop(bot)
        assert bot.returncode == 0, output
        assert _answers(telegram) == 1  # the forged ones did nothing
        assert secret not in output


@pytest.mark.skipif(not PG_URL, reason="OGP_TEST_POSTGRES_URL not set")
def test_a_standby_on_postgresql_takes_over_losing_and_repeating_nothing(
    tmp_path: Path,
    pg_db,  # noqa: F811
) -> None:
    """Two machines on one PostgreSQL: the first dies with updates confirmed but not
    answered; the standby answers each of them, once."""
    url = pg_db.url
    with LoopbackTelegram() as telegram:
        telegram.call(telegram.server.add_user, USER, "Amina")
        first = _start_bot(telegram, tmp_path, OGP_BOT_DATABASE_URL=url)
        standby = None
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in telegram.server.calls))
            standby = _start_bot(
                telegram, tmp_path, extra_args=["--standby"], OGP_BOT_DATABASE_URL=url
            )
            assert _read_until(standby, "standing by: another ogp-bot")
            telegram.call(telegram.server.stall, USER)
            ids = _push_help(telegram, 5)
            assert _wait_for(lambda: _confirmed(telegram, ids[-1])), "never confirmed"
            first.send_signal(signal.SIGKILL)
            first.wait(30)
            telegram.call(lambda: telegram.server.release(USER, drop=True))
            assert _wait_for(lambda: _answers(telegram) == 5, 60), _answers(telegram)
            _push_help(telegram, 1)  # and it goes on polling
            assert _wait_for(lambda: _answers(telegram) == 6, 60)
        finally:
            _stop_both(first, standby)
    assert _answers(telegram) == 6  # each once
