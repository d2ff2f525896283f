"""``ogp-bot console``: chat with the bot in a terminal, through the emulator.

The same Application, handlers and database as ``run``; only Telegram is
replaced by the in-process Bot API. User and group ids are derived from their
names so that a second console session finds the same people in the database.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
import zlib
from dataclasses import dataclass, field
from typing import TextIO

from bot.app import build_application
from bot.config import Settings
from bot.emulator import (
    BotAPIServer,
    ChatHandle,
    Driver,
    EmulatorError,
    EmulatorRequest,
    SentMessage,
    UserHandle,
    to_console,
)
from storage.db import Database
from storage.ids import parse_number

HELP = """\
Type messages as you would in Telegram (/start, /help, ...). Console commands:
  :N              press button N of the latest message with buttons (e.g. :1)
  :as NAME        speak as another user (created on first use)
  :admin          make the current user a bot admin for this session
  :group NAME     speak in a group chat (created on first use; you are its admin)
  :private        back to your private chat with the bot
  :who            who and where you are
  :help           this text
  :quit           leave (Ctrl-D works too)"""


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

    def speak_as(self, name: str) -> UserHandle:
        key = name.casefold()
        if key not in self.users:
            self.users[key] = self.driver.user(name, user_id=stable_id(name))
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


def render(message: SentMessage, *, current_chat: int, edited: bool = False) -> str:
    """A bot message as terminal text: HTML as plain emphasis, buttons numbered."""
    lines: list[str] = []
    label = "bot (edited)" if edited else "bot"
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


def _show(session: ConsoleSession, replies: list[SentMessage], notice: str | None = None) -> None:
    current = session.chat.id if session.chat else (session.user.id if session.user else 0)
    if notice:
        print(f"  ({notice})", file=session.out)
    for message in replies:
        print(
            render(message, current_chat=current, edited=message.edit_count > 0), file=session.out
        )
    if not replies and not notice:
        print("  (no answer)", file=session.out)


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


async def _handle_line(session: ConsoleSession, line: str) -> bool:
    """Run one line; False means the person asked to leave."""
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
    app = build_application(
        settings, db, request=EmulatorRequest(server), token=server.token, rate_limiter=False
    )
    # A handler error is shown to the person by the bot's own error handler,
    # and an invalid request is reported here rather than ending the session.
    async with Driver(
        app, server, raise_errors=False, fail_on_rejected=False, autorun_jobs=True
    ) as driver:
        session = ConsoleSession(driver=driver, settings=settings, out=out)
        session.speak_as(user_name)
        if admin:
            settings.admins.append(session.user.id)
        print(f"OGP tracker console — bot @{server.username}, database {db.url}", file=out)
        print("Type /start to begin, :help for console commands, :quit to leave.", file=out)
        while True:
            if interactive:
                out.write(session.prompt())
                out.flush()
            line = stdin.readline()
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if not interactive:
                print(f"{session.prompt()}{line}", file=out)
            rejected_before = len(server.rejected)
            try:
                if not await _handle_line(session, line):
                    break
            except EmulatorError as exc:
                print(f"  (console: {exc})", file=out)
            for call in server.rejected[rejected_before:]:
                print(f"  (Telegram would refuse {call.method}: {call.description})", file=out)
    return 0


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
    from storage.importer import import_demo_if_empty

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if load_demo:
        result = import_demo_if_empty(db)
        if result is not None:
            print(f"Loaded OGP demo data: {result.summary()}", file=out)
    interactive = stdin.isatty()
    # The terminal is the chat here: keep the library's start/stop chatter out of it.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("telegram").setLevel(logging.WARNING)
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
