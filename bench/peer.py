"""A lean peer: the yardstick ``bench.throughput`` measures our bot against.

What a competent developer would write for the same three commands with
python-telegram-bot and one ``sqlite3`` connection: plain SQL, strings built in
place, nothing of ours imported (no storage, no views, no gettext). It answers
``/status <id>``, ``/search <words>`` (the first page) and ``/subscribe
<country>`` in English with replies byte-identical to ours on the same
database: text, parse mode and keyboard (``tests/test_bench_peer.py`` checks).

Its limits, which the bench's stream stays within: English only; a search that
names a member ("kenya procurement") or finds nothing as typed is answered as
plain words with no spelling correction; ``/subscribe`` takes one member's exact
code or name, in a private chat. It records no visits: its cost is the floor
of these three replies' own work.

``add_handlers(app, peer, same_job=True)`` makes the peer also do, the lean way,
the two things every update costs our bot by the reliability rules: the update
is written down and synced to disk before it is handled and marked done after
(its own ``peer_inbox`` table, as our ``inbox``), and the visit (who wrote, in
which chat: two indexed reads, a write only when the name changed or the last
sighting is over ten minutes old); built with ``offload=True``, it also runs
its SQL in a worker thread, as the rule "nothing blocking on the event loop"
has ours do (a synced commit on the loop holds up every other chat). The bench
prints ours against both.
"""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, TypeHandler

T = TypeVar("T")
ICON = {
    "not_started": "⚪",
    "limited": "🟠",
    "substantial": "🟡",
    "complete": "🟢",
    "withdrawn": "⚫",
}
NAME = {
    "not_started": "Not started",
    "limited": "Limited",
    "substantial": "Substantial",
    "complete": "Complete",
    "withdrawn": "Withdrawn",
}
STATE = {"pending": "unverified", "verified": "verified"}
IRM_WORDS = {
    "not started": "not_started",
    "limited": "limited",
    "substantial": "substantial",
    "complete": "complete",
    "completed": "complete",
    "withdrawn": "withdrawn",
}
IRM_COLUMNS = (
    ("completion_progress", "completion (progress report)"),
    ("completion_end_term", "completion (end of term)"),
    ("specificity", "specificity"),
    ("verifiable", "verifiable"),
    ("potential_impact", "potential impact"),
    ("potential_for_results", "potential for results"),
    ("did_it_open_government", "did it open government"),
    ("early_results", "early results"),
)
IRM_VALUES = {
    v.casefold(): v
    for v in (
        "Not started", "Limited", "Substantial", "Complete", "Withdrawn", "Yes", "No", "High",
        "Medium", "Low", "None", "Minor", "Moderate", "Transformative", "Modest", "Unclear",
        "Marginal", "Major", "Outstanding", "Did not change", "Worsened",
        "No early results to report yet",
    )
}  # fmt: skip
# OGP's usual theme words: a theme is shown in this spelling whatever its case.
THEMES = {
    w.casefold(): w
    for w in (
    'Access to Justice', 'Access to information', 'Accountability', 'Aid', 'Anti-Corruption',
    'Anti-Corruption Strategies', 'Anti-Corruption and Integrity', 'Anti-corruption Institutions',
    'Asset Disclosure', 'Audits', 'Automated Decision-making', 'Beneficial Ownership',
    'Capacity Building', 'Citizen Engagement', 'Citizen Participation',
    'Citizenship & Immigration', 'Civic Participation', 'Civic Space and Enabling Environment',
    'Climate Finance', 'Climate Mitigation and Adaptation', 'Collaboration',
    'Conflicts Of Interest', 'Data Stewardship and Privacy', 'Debt',
    'Democratizing Decision-Making', 'Digital Governance', 'Digital Inclusion',
    'Digital Participation', 'Digital Transformation', 'Disinformation/Misinformation',
    'Economic Inclusion', 'Education', 'Elections', 'Employment', 'Energy', 'Environment',
    'Environment & Climate', 'Environmental Regulation', 'Extractive Industries',
    'Fight Against Corruption', 'Fiscal Openness', 'Fiscal Transparency', 'Freedom of Assembly',
    'Freedom of Association', 'Freedom of Expression', 'Gender', 'Gender-Based Violence',
    'Government Integrity', 'Health & Nutrition', 'Human Rights', 'Improved Service Delivery',
    'Inclusion', 'Infrastructure & Transport', 'Integrity',
    'International Environmental Agreements', 'Judiciary', 'Justice', 'LGBTQIA+', 'Labor',
    'Land and Spatial Planning', 'Legislation', 'Legislative Oversight', 'Lobbying',
    'Mainstreaming Participation', 'Media & Telecommunications', 'Money in Politics',
    'Natural Resource Transparency', 'Online Civic Space', 'Open Contracting', 'Open Data',
    'Open Data (Education)', 'Open Data (Health)', 'Open Data (Water/Sanitation)',
    'Open Information', 'Open Justice', 'Open Parliament', 'Open Parliament Plan',
    'Open Parliaments', 'Oversight Of Budget/Fiscal Policies', 'Participation',
    'Participation in Lawmaking', 'People with Disabilities', 'Policing & Corrections',
    'Political Finance', 'Private Sector', 'Public Integrity', 'Public Participation',
    'Public Participation In Budget/Fiscal Policy', 'Public Procurement',
    'Public Service Delivery', 'Publication Of Budget/Fiscal Information', 'Regulation',
    'Regulatory Governance', 'Right To Information', 'Science & Technology',
    'Security & Public Safety', 'Social Accountability', 'Stimulus and Economic Recovery',
    'Subnational', 'Sustainable Development Goals', 'Tax', 'Technology and Innovation',
    'Transparency', 'Transparency and Accountability', 'Water & Sanitation',
    'Whistleblower Protections', 'Youth',    )
}  # fmt: skip
LEGEND = (
    "⚪ not started 🟠 limited 🟡 substantial 🟢 complete · ⏰ overdue · "
    "🏁 plan ended, then the IRM's end-of-term verdict"
)
TYPED_ID = re.compile(r"^\s*([A-Za-z]{2,5})[ ._-]?([0-9]{4})\s*$")
BM25 = "10.0, 5.0, 4.0, 1.0, 2.0, 1.0, 2.0, 2.0"
PAGE_SIZE = 10

CARD_SQL = """
SELECT c.id, c.title, c.short_title, c.start_date, c.end_date, c.lead_institution, c.theme,
       c.policy_areas, c.url, c.community_status, c.community_verified, c.community_at,
       c.completion_progress, c.completion_end_term, c.specificity, c.verifiable,
       c.potential_impact, c.potential_for_results, c.did_it_open_government, c.early_results,
       c.starred, co.code, co.name, p.id, p.number, p.submitted_year, p.end_year,
       (SELECT count(*) FROM progress_update WHERE commitment_id = c.id
         AND state IN ('verified', 'pending')),
       (SELECT count(*) FROM progress_update WHERE commitment_id = c.id AND state = 'pending'),
       EXISTS (SELECT 1 FROM subscription s WHERE s.chat_id = ? AND s.country_code = c.country_code)
FROM commitment c LEFT JOIN country co ON co.code = c.country_code
LEFT JOIN action_plan p ON p.id = c.action_plan_id WHERE c.id = ?
"""
REPORTS_SQL = """
SELECT u.created_at, u.status, u.state, u.anonymous, m.display_name, u.note
FROM progress_update u LEFT JOIN member m ON m.id = u.reporter_id
WHERE u.commitment_id = ? AND u.state IN ('verified', 'pending')
ORDER BY u.created_at DESC, u.id DESC LIMIT 3
"""
COUNT_SQL = "SELECT count(*) FROM commitment_fts WHERE commitment_fts MATCH ?"
PAGE_SQL = f"""
SELECT c.id, c.short_title, c.title, c.country_code, c.end_date, c.community_status,
       c.completion_end_term, c.completion_progress, p.end_year
FROM (SELECT rowid AS r, bm25(commitment_fts, {BM25}) AS score FROM commitment_fts
      WHERE commitment_fts MATCH ? ORDER BY score, r LIMIT ? OFFSET ?) AS top
JOIN commitment c ON c.rowid = top.r LEFT JOIN action_plan p ON p.id = c.action_plan_id
ORDER BY top.score, top.r
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def clip(text: str, limit: int) -> str:
    """Shortened to ``limit`` UTF-16 code units with an ellipsis, as Telegram counts."""
    text = text.strip()
    units = text.encode("utf-16-le")
    if len(units) // 2 <= limit:
        return text
    head = units[: (limit - 1) * 2]
    if len(head) >= 2 and 0xD800 <= int.from_bytes(head[-2:], "little") <= 0xDBFF:
        head = head[:-2]
    return head.decode("utf-16-le").rstrip() + "…"


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def irm_status(end_term: str | None, progress: str | None) -> str | None:
    for rating in (end_term, progress):
        if rating and (status := IRM_WORDS.get(rating.strip().lower())):
            return status
    return None


def flags(
    end_date: str | None, community: str | None, irm: str | None, end_year: int | None, today: str
) -> tuple[bool, bool]:
    """(overdue, plan ended): past its end while its plan runs and not done; plan over."""
    ended = end_year is not None and end_year < int(today[:4])
    if end_date is None or end_date[:10] >= today or ended:
        return False, ended
    return (community or irm) not in ("complete", "withdrawn"), ended


def tokens_of(text: str) -> list[str]:
    """The words of a query, as FTS5's unicode61 tokenizer keeps them (at most 12)."""
    text = unicodedata.normalize("NFKC", text[:1000])
    if found := TYPED_ID.match(text):
        return [(found.group(1) + found.group(2)).upper()]
    tokens: list[str] = []
    seen: set[str] = set()
    word: list[str] = []
    for char in [*text, " "]:
        category = unicodedata.category(char)
        if category[0] in "LNM" or category == "Co":
            word.append(char)
            continue
        if word:
            token, word = "".join(word)[:64], []
            if token.casefold() not in seen and any(
                unicodedata.category(c)[0] in "LN" for c in token
            ):
                seen.add(token.casefold())
                tokens.append(token)
                if len(tokens) == 12:
                    break
    return tokens


class Peer:
    """The three commands on one connection; ``now`` is the emulator's clock."""

    def __init__(self, path: str, now: Callable[[], datetime], *, offload: bool = False) -> None:
        self.offload = offload
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA busy_timeout = 5000")
        self.now = now

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        typed = " ".join(context.args or []).strip()
        if not typed:
            text = "Send a commitment id, for example <code>/status AR0045</code>."
            await self._reply(update, text, None)
            return
        found = TYPED_ID.match(typed)
        cid = (found.group(1) + found.group(2)).upper() if found else None
        found_card = (
            await self.run_sql(self._fetch_card, update.effective_chat.id, cid) if cid else None
        )
        if found_card is None:
            await self._reply(
                update,
                f"I know no commitment <code>{esc(clip(cid or typed, 40))}</code>. "
                "Check the id, or try /search with a few words.",
                None,
            )
            return
        await self._reply(update, *self._card(*found_card))

    def _fetch_card(self, chat_id: int, cid: str) -> tuple[tuple, list[tuple]] | None:  # type: ignore[type-arg]
        row = self.db.execute(CARD_SQL, (chat_id, cid)).fetchone()
        if row is None:
            return None
        return row, self.db.execute(REPORTS_SQL, (cid,)).fetchall()

    def _card(self, row: tuple, reports: list[tuple]) -> tuple[str, InlineKeyboardMarkup]:  # type: ignore[type-arg]
        (cid, title, short, start, end, lead, theme, areas, url, community, verified, at) = row[:12]
        irm_cols, starred, code, country = row[12:20], row[20], row[21], row[22]
        plan_id, number, submitted, end_year, count, pending, followed = row[23:]
        today = self.now().date().isoformat()
        shown = (short or title or cid).strip()
        lines = [f"<b>{esc(cid)} · {esc(clip(shown, 500))}</b>"]
        if short and title and title.strip() != shown:
            lines.append(f"<i>{esc(clip(title, 600))}</i>")
        if plan_id is None:
            plan = "no action plan"
        else:
            years = "–".join(str(y) for y in (submitted, end_year) if y)
            plan = f"Action plan {number}" if number else plan_id
            plan = f"{plan} ({years})" if years else plan
        lines += ["", f"🌍 {esc(country)} · {esc(plan)}"]
        lines.append(f"📅 {start[:10] if start else '—'} → {end[:10] if end else '—'}")
        overdue, ended = flags(
            end, community, irm_status(irm_cols[1], irm_cols[0]), end_year, today
        )
        if overdue:
            lines.append("⏰ <b>Overdue</b>: past its end date, not complete")
        if ended:
            verdict = IRM_WORDS.get(irm_cols[1].strip().lower()) if irm_cols[1] else None
            if verdict is None:
                lines.append("🏁 Plan ended; no IRM verdict yet")
            else:
                lines.append(
                    "🏁 Plan ended; IRM end-of-term verdict: "
                    f"{ICON[verdict]} <b>{esc(NAME[verdict])}</b>"
                )
        if lead:
            lines.append(f"🏛 Lead: {esc(clip(lead, 300))}")
        if theme:
            lines.append(
                f"🗂 Theme: {esc(clip(THEMES.get(' '.join(theme.split()).casefold(), theme), 200))}"
            )
        tags = self._json_list(areas)
        if tags:
            lines.append("🏷 " + esc(", ".join(tags[:8]) + (" …" if len(tags) > 8 else "")))
        if community is None:
            status = "no verified report yet" if pending else "no reports yet"
        else:
            status = f"{ICON[community]} {NAME[community]}"
            status += "" if verified else " (unverified)"
            status += " · " + at[:10]
        lines += ["", f"<b>Community status</b>: {status}"]
        if pending:
            lines.append(f"⏳ Unverified, waiting for a lead: {pending} (not counted)")
        ratings = [
            f"{label} {esc(IRM_VALUES.get(value.strip().casefold(), value))}"
            for (_column, label), value in zip(IRM_COLUMNS, irm_cols, strict=True)
            if value
        ]
        if starred:
            ratings.append("⭐ starred")
        if ratings:
            lines.append("<b>IRM</b>: " + "; ".join(ratings))
        if reports:
            lines += ["", f"<b>Latest reports</b> ({count})"]
            for created, rstatus, state, anonymous, who, note in reports:
                who = "a coalition member" if anonymous else (who or "former member")
                lines.append(
                    f"• {created[:10]} {ICON[rstatus]} {esc(NAME[rstatus])} ({esc(STATE[state])}) "
                    f"— {esc(clip(who, 40))}: {esc(clip(note, 160))}"
                )
        if url and url.startswith(("https://", "http://")):
            lines += ["", f'<a href="{esc(url)}">On the OGP website</a>']
        keyboard = [
            [button("Report progress", f"rs:{cid}")],
            [button("History", f"ch:{cid}"), button("Full text", f"cf:{cid}")],
        ]
        if not followed:
            keyboard.append([button(f"Follow {clip(country, 30)}", f"fa:{code}")])
        return "\n".join(lines), InlineKeyboardMarkup(keyboard)

    @staticmethod
    def _json_list(value: str | None) -> list[str]:
        if not value or value == "[]":
            return []
        import json

        return list(json.loads(value))

    async def search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        typed = " ".join(context.args or []).strip()
        if not typed:
            text = (
                "Send a few words to look for, for example "
                "<code>/search beneficial ownership</code>."
            )
            await self._reply(update, text, None)
            return
        tokens = tokens_of(typed)
        anywhere = " AND ".join(
            '"' + t.replace('"', '""') + '"' + ("*" if len(t) > 1 else "") for t in tokens
        )
        in_titles = f"{{id title short_title}} : ({anywhere})"
        elsewhere = f"({anywhere}) NOT ({in_titles})"
        now = self.now().astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        total, rows, query_id = await self.run_sql(
            self._fetch_search, update.effective_chat.id, typed, bool(tokens), anywhere,
            in_titles, elsewhere, now,
        )  # fmt: skip
        if not rows:
            await self._reply(
                update,
                f"Nothing found for <b>{esc(clip(typed, 100))}</b>. "
                "Try fewer or other words, or an id like AR0045.",
                None,
            )
            return
        match = "commitment matches" if total == 1 else "commitments match"
        lines = [f"<b>{total}</b> {match} <b>{esc(clip(typed, 100))}</b>", ""]
        today = self.now().date().isoformat()
        for number, row in enumerate(rows, start=1):
            cid, short, title, code, end, community, end_term, progress, end_year = row
            overdue, ended = flags(end, community, irm_status(end_term, progress), end_year, today)
            flag = " ⏰" if overdue else ""
            if ended:
                verdict = IRM_WORDS.get(end_term.strip().lower()) if end_term else None
                flag = " 🏁" + (ICON[verdict] if verdict else "")
            shown = (short or title or cid).strip()
            lines.append(
                f"{number}. {ICON[community] if community else '·'}{flag} <b>{esc(cid)}</b> "
                f"{esc(clip(shown, 110))} <i>({esc(code)})</i>"
            )
        lines += ["", LEGEND]
        ids = [button(row[0], f"cc:{row[0]}") for row in rows]
        keyboard = [ids[i : i + 5] for i in range(0, len(ids), 5)]
        pages = max(1, -(-total // PAGE_SIZE))
        if pages > 1:
            keyboard.append([button(f"1/{pages}", "pn"), button("Next ›", f"sp:{query_id}:1")])
        await self._reply(update, "\n".join(lines), InlineKeyboardMarkup(keyboard))

    def _fetch_search(
        self, chat_id: int, typed: str, any_tokens: bool, anywhere: str, in_titles: str,
        elsewhere: str, now: str,
    ) -> tuple[int, list[tuple], int]:  # type: ignore[type-arg]  # fmt: skip
        db = self.db
        db.execute("BEGIN")
        try:
            total = db.execute(COUNT_SQL, (anywhere,)).fetchone()[0] if any_tokens else 0
            rows = []
            if total:
                first = db.execute(COUNT_SQL, (in_titles,)).fetchone()[0]
                if first:
                    rows = db.execute(PAGE_SQL, (in_titles, PAGE_SIZE, 0)).fetchall()
                if len(rows) < PAGE_SIZE:
                    rows += db.execute(PAGE_SQL, (elsewhere, PAGE_SIZE - len(rows), 0)).fetchall()
            query_id = db.execute(
                "INSERT INTO saved_search (chat_id, text, created_at) VALUES (?, ?, ?)",
                (chat_id, typed[:500], now),
            ).lastrowid
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return total, rows, query_id

    async def subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        typed = " ".join(context.args or []).strip()
        chat_id = update.effective_chat.id
        now = self.now().astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        found, added = await self.run_sql(self._fetch_subscribe, chat_id, typed, now)
        if found is None:
            text = f"I found no OGP member called <i>{esc(clip(typed, 60))}</i>."
            await self._reply(
                update, text, InlineKeyboardMarkup([[button("Browse by region", "fr")]])
            )
            return
        _code, name = found
        if added:
            text = (
                f"Now following <b>{esc(name)}</b>.\n"
                "See them with /following, or browse with /country."
            )
        else:
            text = f"Nothing changed for <b>{esc(name)}</b>."
        await self._reply(update, text, None)

    def _fetch_subscribe(self, chat_id: int, typed: str, now: str) -> tuple[tuple | None, int]:  # type: ignore[type-arg]
        found = self.db.execute(
            "SELECT code, name FROM country WHERE code = ? OR lower(name) = ?",
            (typed.upper(), typed.lower()),
        ).fetchone()
        if found is None:
            return None, 0
        added = self.db.execute(
            "INSERT OR IGNORE INTO subscription (chat_id, country_code, thread_id, created_at) "
            "VALUES (?, ?, 0, ?)",
            (chat_id, found[0], now),
        ).rowcount
        return found, added

    async def run_sql(self, work: Callable[..., T], *args: object) -> T:
        """The peer's SQL: on the event loop, or in a worker thread as ours does
        (``offload``): a blocking call on the loop holds up every other chat."""
        if self.offload:
            return await asyncio.to_thread(work, *args)
        return work(*args)

    @staticmethod
    async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard, do_quote=False
        )

    def close(self) -> None:
        self.db.close()


INBOX_TABLE = """
CREATE TABLE IF NOT EXISTS peer_inbox (
    update_id INTEGER PRIMARY KEY, chat_key TEXT NOT NULL, payload TEXT NOT NULL,
    state TEXT NOT NULL, received_at TEXT NOT NULL, finished_at TEXT
)"""
INTAKE_SQL = (
    "INSERT INTO peer_inbox (update_id, chat_key, payload, state, received_at) "
    "VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (update_id) DO NOTHING"
)
DONE_SQL = (
    "UPDATE peer_inbox SET state = 'done', finished_at = ?, payload = '' "
    "WHERE update_id = ? AND state = 'pending'"
)
MEMBER_SQL = (
    "SELECT display_name, username, language, last_seen_at, "
    "EXISTS (SELECT 1 FROM role_grant WHERE member_id = ?) FROM member WHERE id = ?"
)
CHAT_SQL = "SELECT title, state, language, last_seen_at FROM chat WHERE id = ?"
SEEN_SQL = "UPDATE member SET display_name = ?, username = ?, last_seen_at = ? WHERE id = ?"
REFRESH_SECONDS = 600


class SameJob:
    """The durable intake and the visit, on the peer's connection."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.writes = 0  # visits that wrote (0 in the bench's steady state)
        peer.db.execute(INBOX_TABLE)

    async def intake(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
        await self.peer.run_sql(
            self._intake, update.update_id, chat.id, update.to_json(), user.id, name, user.username
        )

    def _intake(
        self,
        update_id: int,
        chat_id: int,
        payload: str,
        user_id: int,
        name: str,
        username: str | None,
    ) -> None:
        db, now = self.peer.db, self.peer.now().isoformat(sep=" ")
        db.execute("PRAGMA synchronous = FULL")  # confirmed to Telegram: survives a power cut
        try:
            db.execute(INTAKE_SQL, (update_id, str(chat_id), payload, now))
        finally:
            db.execute("PRAGMA synchronous = NORMAL")
        member = db.execute(MEMBER_SQL, (user_id, user_id)).fetchone()
        db.execute(CHAT_SQL, (chat_id,)).fetchone()
        seen = datetime.fromisoformat(member[3]).replace(tzinfo=UTC) if member else None
        if (
            member is None
            or member[0] != name
            or member[1] != username
            or seen is None
            or (self.peer.now() - seen).total_seconds() >= REFRESH_SECONDS
        ):
            self.writes += 1
            db.execute(SEEN_SQL, (name, username, now, user_id))

    async def done(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        when = self.peer.now().isoformat(sep=" ")
        await self.peer.run_sql(self.peer.db.execute, DONE_SQL, (when, update.update_id))


def add_handlers(app: Application, peer: Peer, *, same_job: bool = False) -> SameJob | None:  # type: ignore[type-arg]
    """The peer's three commands on ``app`` (built by the caller: token, request)."""
    job = None
    if same_job:
        job = SameJob(peer)
        app.add_handler(TypeHandler(Update, job.intake), group=-1)
        app.add_handler(TypeHandler(Update, job.done), group=1)
    app.add_handler(CommandHandler("status", peer.status))
    app.add_handler(CommandHandler("search", peer.search))
    app.add_handler(CommandHandler("subscribe", peer.subscribe))
    return job
