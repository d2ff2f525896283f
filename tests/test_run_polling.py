"""`ogp-bot run` as it ships: a subprocess polling the emulator over real HTTP.

Everything else drives the Application in-process; this proves the production
path too: the token from the environment, migrations on start, HTTPX requests,
getUpdates polling, setMyCommands, a reply, and a clean stop on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from bot.emulator import BotAPIServer
from bot.emulator.http import HTTPFrontend, decode_form


class LoopbackTelegram:
    """The emulator behind an HTTP front, on its own event loop in a thread."""

    def __init__(self) -> None:
        self.server = BotAPIServer()
        self.front = HTTPFrontend(self.server)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.front.start())
        self._ready.set()
        self.loop.run_forever()

    def __enter__(self) -> LoopbackTelegram:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def shutdown() -> None:
            await self.front.stop()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    def call(self, fn, *args):
        """Run ``fn`` on the server's loop (its state is not thread-safe)."""

        async def run():
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(5)


def _start_bot(
    telegram: LoopbackTelegram, tmp_path: Path, *, extra_args: Sequence[str] = (), **env: str
) -> subprocess.Popen:
    """`ogp-bot run` in a subprocess, its Telegram being the emulator on loopback."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OGP_BOT_")}
    environ.update(
        OGP_BOT_TOKEN=telegram.server.token,
        OGP_BOT_BASE_URL=telegram.front.base_url,
        OGP_BOT_DATABASE_URL=f"sqlite:///{tmp_path}/run.db",
    )
    environ.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *extra_args],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def command_update(
    server: BotAPIServer, user_id: int, text: str, *, chat_id: int | None = None
) -> dict:
    """A command typed by ``user_id`` (in their private chat, or in ``chat_id``) and not
    handled yet, as an update payload."""
    length = len(text.split()[0])
    message = server.add_user_message(
        user_id if chat_id is None else chat_id,
        user_id,
        {"text": text, "entities": [{"type": "bot_command", "offset": 0, "length": length}]},
    )
    return {"message": message.data}


def start_webhook_bot(
    telegram: LoopbackTelegram, tmp_path: Path, port: int, **env: str
) -> subprocess.Popen:
    """`ogp-bot run` in webhook mode on ``port``, behind an imagined HTTPS proxy."""
    return _start_bot(
        telegram,
        tmp_path,
        OGP_BOT_MODE="webhook",
        # The public address behind the reverse proxy; Telegram demands HTTPS.
        OGP_BOT_WEBHOOK__URL="https://bot.example.org/telegram",
        OGP_BOT_WEBHOOK__PORT=str(port),
        **env,
    )


def post_update(port: int, update: dict, secret: str | None) -> int:
    """POST an update to the bot's webhook, as Telegram would; the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_run_polls_answers_and_stops_cleanly(tmp_path: Path) -> None:
    with LoopbackTelegram() as telegram:
        server = telegram.server
        telegram.call(server.add_user, 4242, "Amina")
        bot = _start_bot(telegram, tmp_path)
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in server.calls)), (
                "the bot never polled"
            )

            def post_start() -> None:
                server.push_update(command_update(server, 4242, "/start"))

            telegram.call(post_start)
            assert _wait_for(lambda: bool(server.sent(4242))), "no answer to /start"
            reply = server.sent(4242)[-1].text
            assert "Welcome, Amina!" in reply
            assert any(c.method == "setMyCommands" and c.ok for c in server.calls)
            assert not server.rejected, server.rejected
        finally:
            bot.send_signal(signal.SIGINT)
            output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert server.token not in output  # never in a log line
    assert "Traceback" not in output and " ERROR " not in output, output


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_run_in_webhook_mode(tmp_path: Path) -> None:
    """Webhook mode: the bot registers its URL, then answers an update posted to it."""
    port = _free_port()
    with LoopbackTelegram() as telegram:
        server = telegram.server
        telegram.call(server.add_user, 4343, "Kwame")
        bot = start_webhook_bot(
            telegram, tmp_path, port, OGP_BOT_WEBHOOK__SECRET_TOKEN="s3cret-value"
        )
        try:
            assert _wait_for(lambda: bool(server.webhook)), "no setWebhook"
            update = {"update_id": 1, **telegram.call(command_update, server, 4343, "/help")}
            assert _wait_for(lambda: post_update(port, update, "s3cret-value") == 200, 20)
            assert _wait_for(lambda: bool(server.sent(4343))), "no answer to /help"
            assert "What you can do" in server.sent(4343)[-1].text
            assert post_update(port, update, "wrong") == 403  # Telegram's secret header
        finally:
            bot.send_signal(signal.SIGINT)
            output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "s3cret-value" not in output and server.token not in output


def test_form_values_decode_like_telegram() -> None:
    params = decode_form(
        "sendMessage", b"chat_id=42&text=123&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D"
    )
    assert params == {"chat_id": 42, "text": "123", "reply_markup": {"inline_keyboard": []}}
