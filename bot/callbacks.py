"""Compact callback_data, checked on the way back.

Telegram gives a button at most 64 bytes of data, and gives it back exactly as
the client sends it: a modified client can send anything. Each kind of button
is a ``Route`` with a short prefix and typed arguments: patterns, bounded
numbers, and ``Choice`` of the few words a real button carries. Data that does
not parse as a known route, a word outside its choices included, matches no
handler and is answered as an expired button; a handler gets its arguments
already checked and converted. A route whose first argument is a sub-action
(send, edit, cancel...) is dispatched by ``Route.on``: one handler per
sub-action, each registered with its own pattern. Parsing is only the first
check: handlers still re-check the presser's rights.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.i18n import available_languages
from storage import ids
from storage.commitments import ListFilter
from storage.settings import FREQUENCIES
from storage.statuses import STATUS_BY_BUTTON

MAX_BYTES = 64
SEPARATOR = ":"


@dataclass(frozen=True)
class Text:
    """A string of a fixed shape, kept as it is."""

    shape: re.Pattern[str]
    example: str

    def parse(self, text: str) -> str | None:
        return text if self.shape.fullmatch(text) else None

    @property
    def examples(self) -> tuple[str, ...]:
        return (self.example,)


@dataclass(frozen=True)
class Int:
    """A whole number within bounds, as an ``int``."""

    low: int = 0
    high: int = 999_999

    def parse(self, text: str) -> int | None:
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(self.high)):
            return None
        value = int(text)
        return value if self.low <= value <= self.high else None

    @property
    def examples(self) -> tuple[str, ...]:
        return (str(self.low),)


class Choice:
    """One of a few values (words, numbers, enum members), given back as declared."""

    def __init__(self, *values: object, named: dict[str, object] | None = None) -> None:
        self.values = {str(value): value for value in values} | (named or {})

    def parse(self, text: str) -> object | None:
        return self.values.get(text)

    @property
    def examples(self) -> tuple[str, ...]:
        return tuple(self.values)

    def __repr__(self) -> str:
        return f"Choice({', '.join(self.values)})"


class Language:
    """A language code we have a catalogue for."""

    def parse(self, text: str) -> str | None:
        return text if text in available_languages() else None

    @property
    def examples(self) -> tuple[str, ...]:
        return tuple(sorted(available_languages()))

    def __repr__(self) -> str:
        return "Language()"


Kind = Text | Int | Choice | Language

# Argument kinds shared by many routes.
CODE = Text(re.compile(r"[A-Z]{2,8}"), "KEN")  # OGP member code: KEN, ARBA
COMMITMENT = Text(ids.COMMITMENT_ID, "KE0012")  # AR0045, BUE0009, KENMS0005
NUMBER = Int()
PLAN = Text(re.compile(r"[A-Za-z0-9_.-]{1,32}"), "AP_KEN01")  # AP_ARG03
USER_ID = Int(1, 9_999_999_999_999_999)  # a Telegram user id
YES_NO = Choice("yes", "no")
ON_OFF = Choice("on", "off")
REMINDER_DAYS = (7, 30, 90)  # how long before a commitment's end date to remind


class CallbackTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    prefix: str
    kinds: tuple[Kind, ...] = ()

    def encode(self, *args: object) -> str:
        values = [str(arg) for arg in args]
        if len(values) != len(self.kinds):
            raise ValueError(f"{self.prefix}: expected {len(self.kinds)} arguments")
        for value, kind in zip(values, self.kinds, strict=True):
            if kind.parse(value) is None:
                raise ValueError(f"{self.prefix}: {value!r} is not a valid argument")
        data = SEPARATOR.join([self.prefix, *values])
        if len(data.encode()) > MAX_BYTES:
            raise CallbackTooLong(data)
        return data

    def parse(self, data: str | None) -> tuple | None:
        """The arguments, checked and converted, if ``data`` is this route's; else None."""
        if not data:
            return None
        parts = data.split(SEPARATOR)
        if parts[0] != self.prefix or len(parts) != len(self.kinds) + 1:
            return None
        args = tuple(kind.parse(part) for part, kind in zip(parts[1:], self.kinds, strict=True))
        return None if any(arg is None for arg in args) else args

    def matches(self, data: object) -> bool:
        return isinstance(data, str) and self.parse(data) is not None

    @property
    def pattern(self) -> Callable[[object], bool]:
        """For ``CallbackQueryHandler(pattern=...)``."""
        return self.matches

    def on(self, *actions: str) -> Route:
        """This route narrowed to some of its first argument's choices: the
        pattern of the handler of those sub-actions."""
        first = self.kinds[0]
        if not isinstance(first, Choice) or not set(actions) <= set(first.values):
            raise ValueError(f"{self.prefix}: {actions} are not among its choices")
        return Route(self.prefix, (Choice(*(first.values[a] for a in actions)), *self.kinds[1:]))


def any_of(*routes: Route) -> Callable[[object], bool]:
    """One handler's pattern for data of several routes (a button's older forms)."""
    return lambda data: any(route.matches(data) for route in routes)


# First steps
START_STEP = Route("sg", (Choice("follow", "look"),))  # a /start button
HELP_PAGE = Route("hl", (Choice("main", "all", "lead", "admin"),))  # /help's pages
# Following
FOLLOW_REGIONS = Route("fr")  # the list of regions
FOLLOW_REGION = Route("fg", (NUMBER, NUMBER))  # region index, page
FOLLOW_TOGGLE = Route("ft", (CODE, NUMBER, NUMBER))  # code, region index, page
FOLLOW_ADD = Route("fa", (CODE,))
FOLLOW_REMOVE = Route("fu", (CODE,))
BROWSE_REGIONS = Route("br")  # /country alone: the regions, to look at (not follow)
BROWSE_REGION = Route("bg", (NUMBER, NUMBER))  # region index, page
# Commitments
CARD = Route("cc", (COMMITMENT,))
FULL_TEXT = Route("cf", (COMMITMENT,))
HISTORY = Route("ch", (COMMITMENT,))  # from a card: a new message below it
HISTORY_PAGE = Route("hp", (COMMITMENT, NUMBER))  # paging: edits in place
# Browsing
COUNTRY_PLANS = Route("cp", (CODE,))
COUNTRY_STATS = Route("cs", (CODE,))
PLAN_LIST = Route("pl", (PLAN, Choice(*ListFilter), NUMBER))  # plan id, filter, page
# Every plan of a country: code, filter, page.
COUNTRY_LIST = Route("cl", (CODE, Choice(*ListFilter), NUMBER))
SEARCH_PAGE = Route("sp", (NUMBER, NUMBER))  # saved query id, page
PAGE_COUNTER = Route("pn")  # the "2/5" between ‹ and ›: shows where one is, does nothing
# Settings, digests, broadcasts. Each setting is its own route under one prefix,
# so that a value is checked for its setting (an hour 0-23, a weekday 0-6).
SETTINGS_MENU = Route("st", (Choice("menu"), Choice("day", "hour", "zone", "main")))
SET_FREQUENCY = Route("st", (Choice("freq"), Choice(*FREQUENCIES)))
SET_DAY = Route("st", (Choice("day"), Int(0, 6)))  # Monday is 0
SET_HOUR = Route("st", (Choice("hour"), Int(0, 23)))
SET_SWITCH = Route("st", (Choice("rem", "empty", "prem", "anon", "pub"), ON_OFF))
SET_REMINDER_DAYS = Route("st", (Choice("days"), Choice(*REMINDER_DAYS)))
SET_LANGUAGE = Route("st", (Choice("lang"), Language()))
ZONE = Route("sz", (NUMBER,))  # index into the zones offered for the followed countries
RESUME = Route("rz", (YES_NO,))  # after /stop
BROADCAST_AUDIENCE = Route("ba", (NUMBER,))  # index into the audiences offered
BROADCAST_CONFIRM = Route("bc", (Choice("send", "cancel", "digest"),))
# Reporting
REPORT_START = Route("rs", (COMMITMENT,))  # "Report progress" on a card
REPORT_NEW = Route("rn")  # "Report progress" in /start: step 1, choosing the commitment
REPORT_PICK = Route("rc", (COMMITMENT,))  # step 1: this commitment
REPORT_STATUS = Route("rt", (Choice(named=STATUS_BY_BUTTON),))  # step 2: a status
REPORT_EVIDENCE = Route("re", (Choice("done", "skip", "clear"),))  # step 4
REPORT_PREVIEW = Route("rv", (Choice("send", "edit", "cancel", "discard", "anon", "named"),))
REPORT_EDIT = Route("rx", (Choice("status", "note", "evidence", "back"),))  # from the preview
# Review and one's own reports
REVIEW = Route("rw", (Choice("ok", "no"), NUMBER, NUMBER))  # verdict, report id, revision shown
# Buttons sent before revisions were kept: they showed revision 1.
REVIEW_FIRST = Route("rw", (Choice("ok", "no"), NUMBER))
PENDING_PAGE = Route("pq", (NUMBER,))
MY_REPORTS = Route("my", (Choice("page", "edit", "wd", "wdy"), NUMBER))  # action, page or report
# Roles, audit, leaving
# Government points of contact (bot/handlers/government.py): reply to a verified report.
GOVERNMENT_REPLY = Route("gr", (NUMBER,))
MEMBER_PICK = Route("mp", (Choice("grant", "revoke"), USER_ID))  # /grant or /revoke by name
AUDIT_PAGE = Route("au", (NUMBER,))  # /audit paging: page number
FORGET = Route("fm", (YES_NO,))  # /forgetme confirmation
# 2016 Anti-Corruption Summit pledges (bot/handlers/summit.py)
PLEDGE_ID = re.compile(r"ACS2016-[A-Z]{3}-[0-9]{2,3}")
PLEDGE = Text(PLEDGE_ID, "ACS2016-KEN-01")
SUMMIT_PAGE = Route("sm", (CODE, NUMBER))  # a country's pledges: ISO3, page
PLEDGE_CARD = Route("pg", (PLEDGE,))  # a pledge's card
PLEDGE_SUGGEST = Route("ps", (PLEDGE,))  # "Link to a commitment": the suggestions
PLEDGE_LINK = Route("pe", (PLEDGE, COMMITMENT))  # link this pledge to this commitment
PLEDGE_REPORT = Route("pr", (PLEDGE,))  # "Report progress" on a pledge's card
PLEDGE_REVIEW = Route("pv", (Choice("ok", "no"), NUMBER))  # verify or reject a pledge report
