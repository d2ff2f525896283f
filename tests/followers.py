"""Test helpers shared by the delivery, bulk-job and restart tests: many private
chats following a country, the broadcast they all hear, and a chat's digests."""

from __future__ import annotations

from bot.emulator import BotAPIServer
from bot.emulator.driver import ChatHandle, SentMessage
from storage.db import Database
from storage.models import Chat, Subscription

HEARD = "📣 From Ada, to the followers of Kenya\n\nBudget hearing moved to Friday"  # sender above


def add_followers(
    db: Database, server: BotAPIServer, count: int, *, first: int, country: str = "KEN"
) -> list[int]:
    """`count` private chats from id `first` on, each following `country`, known to the
    emulator as people; returns their ids."""
    ids = [first + n for n in range(count)]
    with db.session() as session:
        for chat_id in ids:
            session.add(Chat(id=chat_id, type="private", title=f"Member {chat_id}"))
            session.add(Subscription(chat_id=chat_id, country_code=country))
    for chat_id in ids:
        server.add_user(chat_id, f"Member {chat_id}")
    return ids


def digests(chat: ChatHandle) -> list[SentMessage]:
    """Digest messages in a chat (scheduled or not), told by their heading."""
    return [m for m in chat.messages if (m.text or "").startswith(("📰", "Your digest since"))]
