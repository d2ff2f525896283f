"""``ogp-bot console``: chat with the bot in a terminal, through the emulator.

The same Application, handlers and database as ``run``; only Telegram is
replaced by the in-process Bot API. User and group ids are derived from their
names so that a second console session finds the same people in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import re
import shlex
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.emulator import (
    BotAPIServer,
    ChatHandle,
    Driver,
    EmulatorError,
    SentMessage,
    UserHandle,
    to_console,
)
from bot.emulator.application import emulated_application
from storage.db import Database
from storage.ids import parse_number
from storage.importer import import_demo_if_empty
from storage.people import known_chats
from storage.summit import import_shipped_if_empty

HELP = """\
Type messages as you would in Telegram (/start, /help, ...). Console commands:
  :N              press button N of the latest message with buttons (e.g. :1)
  @bot WORDS      inline mode: the results are numbered; :pick N posts one here
  :as NAME        speak as another user (created on first use)
  :lang CODE      the current user's Telegram language (en, es, fr, pt, ...)
  :admin          make the current user a bot admin for this session
  :group NAME     speak in a group chat (created on first use; you are its admin)
  :private        back to your private chat with the bot
  :photo PATH [CAPTION]   send a photo from a file
  :doc PATH [CAPTION]     send a document from a file
  :who            who and where you are
  :help           this text
  :quit           leave (Ctrl-D works too)
What the bot sends meanwhile (digests, broadcast progress) shows up as it comes."""
WATCH_SECONDS = 0.3
LOG_FILE = "ogp-bot-console.log"


def stable_id(name: str, *, base: int = 100_000_000) -> int:
    """The same name gets the same Telegram-like id in every console session."""
    return base + zlib.crc32(name.casefold().encode()) % 900_000_000


@dataclass
class ConsoleSession:
    driver: Driver
    settings: Settings
    out: TextIO
    users: dict[str, UserHandle] = field(default_factory=dict)
    groups: dict[str, ChatHandle] = field(default_factory=dict)
    user: UserHandle | None = None
    chat: ChatHandle | None = None
    # Bot output up to this point of the emulator's event log has been shown.
    shown: int = 0
    busy: asyncio.Lock = field(default_factory=asyncio.Lock)
    inline_results: list[dict] = field(default_factory=list)
    interactive: bool = False

    def speak_as(self, name: str) -> UserHandle:
        key = name.casefold()
        if key not in self.users:
            user_id = stable_id(name)
            known = self.driver.server.users.get(user_id)
            language = known.get("language_code", "en") if known else "en"
            self.users[key] = self.driver.user(name, user_id=user_id, language_code=language)
            for group in self.groups.values():
                self.driver.server.chats[group.id].members.add(self.users[key].id)
        self.user = self.users[key]
        self.chat = None
        return self.user

    def enter_group(self, title: str) -> ChatHandle:
        key = title.casefold()
        if key not in self.groups:
            assert self.user is not None
            self.groups[key] = self.driver.group(
                title,
                members=list(self.users.values()),
                admins=[self.user],
                owner=self.user,
                chat_id=-stable_id(title, base=1_000),
            )
        self.chat = self.groups[key]
        return self.chat

    @property
    def where(self) -> str:
        return f"[{self.chat.title}]" if self.chat else "(private)"

    def prompt(self) -> str:
        assert self.user is not None
        return f"{self.user.first_name} {self.where}> "


def render(
    message: SentMessage, *, current_chat: int, edited: bool = False, label: str = "bot"
) -> str:
    """A bot message as terminal text: HTML as plain emphasis, buttons numbered."""
    lines: list[str] = []
    label = f"{label} (edited)" if edited else label
    if message.chat_id != current_chat:
        label += f" → chat {message.chat_id}"
    body = message.html if message.html is not None else (message.text or "")
    if message.document is not None:
        doc = message.document
        lines.append(f"[document: {doc.filename}, {len(doc.content)} bytes]")
    if message.photo is not None:
        lines.append("[photo]")
    text = to_console(body, message.parse_mode) if body else (message.caption or "")
    lines.extend(text.splitlines() or [""])
    number = 0
    for row in message.buttons:
        cells = []
        for button in row:
            number += 1
            target = f" → {button.url}" if button.url else ""
            cells.append(f"[{number}] {button.text}{target}")
        lines.append("   ".join(cells))
    return f"{label}: " + "\n     ".join(lines)


def _current_chat(session: ConsoleSession) -> int:
    return session.chat.id if session.chat else (session.user.id if session.user else 0)


def _show(session: ConsoleSession, replies: list[SentMessage], notice: str | None = None) -> None:
    current = _current_chat(session)
    if notice:
        print(f"  ({notice})", file=session.out)
    for message in replies:
        print(
            render(message, current_chat=current, edited=message.edit_count > 0), file=session.out
        )
    if not replies and not notice:
        print("  (no answer)", file=session.out)
    session.shown = len(session.driver.server.events)


async def _watch(session: ConsoleSession) -> None:
    """Show what the bot sends while the console waits: digests, broadcast progress,
    notices to the people the console speaks as."""
    server = session.driver.server
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        if session.busy.locked() or len(server.events) <= session.shown:
            continue
        new = server.events[session.shown :]
        session.shown = len(server.events)
        messages: dict[int, SentMessage] = {}
        for kind, stored in new:
            if kind != "deleted" and stored.sender_id == server.bot_id:
                messages[id(stored)] = SentMessage(stored, server)
        if not messages:
            continue
        if session.interactive:
            session.out.write("\n")
        for message in messages.values():
            edited = message.edit_count > 0
            print(
                render(message, current_chat=_current_chat(session), edited=edited),
                file=session.out,
            )
        if session.interactive:
            session.out.write(session.prompt())
        session.out.flush()


def _deep_link(url: str | None, bot_username: str) -> str | None:
    """The start parameter of a t.me link to this bot (what Telegram sends as /start X)."""
    match = re.fullmatch(rf"https://t\.me/{re.escape(bot_username)}\?start=([\w-]+)", url or "")
    return match.group(1) if match else None


async def _press(session: ConsoleSession, number: int) -> None:
    chat_id = session.chat.id if session.chat else session.user.id
    for stored in reversed(session.driver.server.sent(chat_id, include_deleted=False)):
        message = SentMessage(stored, session.driver.server)
        buttons = [b for row in message.buttons for b in row]
        if not buttons:
            continue
        if not 1 <= number <= len(buttons):
            print(f"  (the latest buttons are numbered 1 to {len(buttons)})", file=session.out)
            return
        button = buttons[number - 1]
        start = _deep_link(button.url, session.driver.server.username)
        if start is not None:  # Telegram opens the private chat and sends /start X
            session.chat = None
            print(f"  (opens your private chat: /start {start})", file=session.out)
            _show(session, await session.user.send(f"/start {start}"))
            return
        if button.callback_data is None:
            print(
                f"  (that button opens {button.url or 'something outside the chat'})",
                file=session.out,
            )
            return
        result = await session.user.press_data(button.callback_data, message=message)
        _show(session, result.replies, notice=result.answer_text)
        return
    print("  (no message with buttons here)", file=session.out)


async def _inline(session: ConsoleSession, query: str) -> None:
    results = await session.user.inline(query, chat_type="private" if not session.chat else "group")
    session.inline_results = results
    if not results:
        print("  (no inline results)", file=session.out)
    for number, result in enumerate(results, 1):
        print(f"  [{number}] {result.get('title', '')}", file=session.out)
    if results:
        print("  (:pick N posts one of them here)", file=session.out)


async def _send_file(session: ConsoleSession, kind: str, args: str) -> None:
    path_text, _, caption = args.partition(" ")
    path = Path(path_text).expanduser()
    try:
        content = path.read_bytes()
    except OSError as exc:
        print(f"  (cannot read {path}: {exc.strerror or exc})", file=session.out)
        return
    if kind == "photo":
        replies = await session.user.send_photo(
            content, caption=caption or None, chat=session.chat, filename=path.name
        )
    else:
        mime = mimetypes.guess_type(path.name)[0]
        replies = await session.user.send_document(
            path.name, content, mime_type=mime, caption=caption or None, chat=session.chat
        )
    _show(session, replies)


async def _handle_line(session: ConsoleSession, line: str) -> bool:
    """Run one line; False means the person asked to leave."""
    mention = f"@{session.driver.server.username}"
    if line.startswith(("@bot ", f"{mention} ")) or line in ("@bot", mention):
        await _inline(session, line.partition(" ")[2])
        return True
    if not line.startswith(":"):
        chat = session.chat
        replies = await session.user.send(line, chat=chat)
        _show(session, replies)
        return True
    words = shlex.split(line[1:]) if line[1:].strip() else [""]
    command, args = words[0].lower(), " ".join(words[1:])
    if command.isdigit():  # ":²" or a hundred digits: no such button, not a crash
        await _press(session, parse_number(command) or 0)
    elif command in ("quit", "exit", "q"):
        return False
    elif command == "as" and args:
        user = session.speak_as(args)
        print(
            f"  (you are now {user.first_name}, id {user.id}, in your private chat)",
            file=session.out,
        )
    elif command == "lang" and args:
        session.user.language_code = args.strip().lower()
        session.user.data["language_code"] = session.user.language_code
        session.driver.server.users[session.user.id]["language_code"] = session.user.language_code
        print(f"  ({session.user.first_name} now uses Telegram in {args})", file=session.out)
    elif command in ("photo", "doc") and args:
        await _send_file(session, "photo" if command == "photo" else "document", args)
    elif command == "pick" and args:
        number = parse_number(args) or 0
        if not 1 <= number <= len(session.inline_results):
            print("  (no such inline result: type @bot WORDS first)", file=session.out)
        else:
            result = session.inline_results[number - 1]
            replies = await session.user.choose_inline(result, chat=session.chat)
            if replies.message is not None:  # what the person posted "via" the bot
                posted = render(replies.message, current_chat=_current_chat(session), label="you")
                print(f"{posted} (via @{session.driver.server.username})", file=session.out)
            if replies or replies.message is None:
                _show(session, replies)
    elif command == "admin":
        if session.user.id not in session.settings.admins:
            session.settings.admins.append(session.user.id)
        print(f"  ({session.user.first_name} is a bot admin for this session)", file=session.out)
    elif command == "group" and args:
        group = session.enter_group(args)
        print(f"  (you are now in the group {group.title!r}, id {group.id})", file=session.out)
    elif command == "private":
        session.chat = None
        print("  (back in your private chat)", file=session.out)
    elif command == "who":
        role = "admin" if session.user.id in session.settings.admins else "member or lead"
        print(
            f"  ({session.user.first_name}, id {session.user.id}, {role}, {session.where})",
            file=session.out,
        )
    else:
        print(HELP, file=session.out)
    return True


def _known_people(server: BotAPIServer, db: Database) -> None:
    """People and groups from earlier sessions, so the bot's notices reach them."""
    for chat in known_chats(db):
        if chat.type == "private":
            server.add_user(
                chat.id, chat.title, username=chat.username, language_code=chat.language
            )
        elif chat.id not in server.chats:
            server.add_chat(chat.id, chat.type, chat.title)


async def console_loop(
    settings: Settings,
    db: Database,
    *,
    user_name: str,
    admin: bool,
    stdin: TextIO,
    out: TextIO,
    interactive: bool,
) -> int:
    server = BotAPIServer()
    _known_people(server, db)
    app = emulated_application(settings, db, server, emulator_clock=False)
    # A handler error is shown to the person by the bot's own error handler,
    # and an invalid request is reported here rather than ending the session.
    async with Driver(
        app, server, raise_errors=False, fail_on_rejected=False, autorun_jobs=True
    ) as driver:
        session = ConsoleSession(driver=driver, settings=settings, out=out, interactive=interactive)
        session.speak_as(user_name)
        if admin:
            settings.admins.append(session.user.id)
        print(f"OGP tracker console — bot @{server.username}, database {db.url}", file=out)
        print("Type /start to begin, :help for console commands, :quit to leave.", file=out)
        session.shown = len(server.events)
        watcher = asyncio.create_task(_watch(session))
        try:
            await _read_loop(session, stdin)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
    return 0


async def _read_loop(session: ConsoleSession, stdin: TextIO) -> None:
    """Lines are read in a worker thread, so the bot's scheduled work (digests, the
    outbox sender, broadcasts) goes on while the console waits for you."""
    out, server = session.out, session.driver.server
    while True:
        if session.interactive:
            out.write(session.prompt())
            out.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        async with session.busy:
            if not session.interactive:
                print(f"{session.prompt()}{line}", file=out)
            rejected_before = len(server.rejected)
            try:
                if not await _handle_line(session, line):
                    break
            except EmulatorError as exc:
                print(f"  (console: {exc})", file=out)
            for call in server.rejected[rejected_before:]:
                print(f"  (Telegram would refuse {call.method}: {call.description})", file=out)
            out.flush()


def log_to_file(path: str = LOG_FILE) -> None:
    """The terminal is the chat: the log (the scheduler's notes, errors) goes to a
    file instead. Called by ``ogp-bot console``, not by tests driving the console."""
    root = logging.getLogger()
    filters = [f for handler in root.handlers for f in handler.filters]  # the token mask
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for log_filter in filters:
        handler.addFilter(log_filter)
    root.handlers[:] = [handler]


def run_console(
    settings: Settings,
    db: Database,
    *,
    user_name: str = "You",
    admin: bool = False,
    load_demo: bool = True,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if load_demo:
        result = import_demo_if_empty(db)
        if result is not None:
            print(f"Loaded OGP demo data: {result.summary()}", file=out)
        pledges = import_shipped_if_empty(db)
        if pledges is not None:
            print(f"Loaded 2016 Summit pledges: {pledges.summary()}", file=out)
    interactive = stdin.isatty()
    return asyncio.run(
        console_loop(
            settings,
            db,
            user_name=user_name,
            admin=admin,
            stdin=stdin,
            out=out,
            interactive=interactive,
        )
    )
