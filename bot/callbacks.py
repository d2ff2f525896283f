"""Compact callback_data, checked on the way back.

Telegram gives a button at most 64 bytes of data, and gives it back exactly as
the client sends it: a modified client can send anything. Each kind of button
is a ``Route`` with a short prefix and typed arguments; data that does not
parse as a known route is treated as an expired button. Parsing is only the
first check: handlers still re-check the presser's rights.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from storage import ids

MAX_BYTES = 64
SEPARATOR = ":"

# Argument kinds: what each may look like, nothing more.
CODE = re.compile(r"[A-Z]{2,8}")  # OGP member code: KEN, ARBA
COMMITMENT = ids.COMMITMENT_ID  # AR0045, BUE0009, KENMS0005
NUMBER = re.compile(r"[0-9]{1,6}")
PLAN = re.compile(r"[A-Za-z0-9_.-]{1,32}")  # AP_ARG03
WORD = re.compile(r"[a-z]{1,8}")
VALUE = re.compile(r"[a-z0-9_]{1,10}")
USER_ID = re.compile(r"[1-9][0-9]{0,15}")  # a Telegram user id


class CallbackTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    prefix: str
    kinds: tuple[re.Pattern[str], ...] = ()

    def encode(self, *args: object) -> str:
        values = [str(arg) for arg in args]
        if len(values) != len(self.kinds):
            raise ValueError(f"{self.prefix}: expected {len(self.kinds)} arguments")
        for value, kind in zip(values, self.kinds, strict=True):
            if not kind.fullmatch(value):
                raise ValueError(f"{self.prefix}: {value!r} is not a valid argument")
        data = SEPARATOR.join([self.prefix, *values])
        if len(data.encode()) > MAX_BYTES:
            raise CallbackTooLong(data)
        return data

    def parse(self, data: str | None) -> tuple[str, ...] | None:
        """The arguments if ``data`` is this route's and well-formed, else None."""
        if not data:
            return None
        parts = data.split(SEPARATOR)
        if parts[0] != self.prefix or len(parts) != len(self.kinds) + 1:
            return None
        args = tuple(parts[1:])
        if all(kind.fullmatch(arg) for arg, kind in zip(args, self.kinds, strict=True)):
            return args
        return None

    def matches(self, data: object) -> bool:
        return isinstance(data, str) and self.parse(data) is not None

    @property
    def pattern(self) -> Callable[[object], bool]:
        """For ``CallbackQueryHandler(pattern=...)``."""
        return self.matches


# First steps
START_STEP = Route("sg", (WORD,))  # a /start button: follow | look
HELP_PAGE = Route("hl", (WORD,))  # /help's pages: main | all | lead | admin
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
PLAN_LIST = Route("pl", (PLAN, WORD, NUMBER))  # plan id, filter, page
COUNTRY_LIST = Route("cl", (CODE, WORD, NUMBER))  # every plan of a country: code, filter, page
SEARCH_PAGE = Route("sp", (NUMBER, NUMBER))  # saved query id, page
PAGE_COUNTER = Route("pn")  # the "2/5" between ‹ and ›: shows where one is, does nothing
# Settings, digests, broadcasts
SETTINGS = Route("st", (WORD, VALUE))  # what, value: freq weekly | hour 9 | menu day ...
ZONE = Route("sz", (NUMBER,))  # index into the zones offered for the followed countries
RESUME = Route("rz", (WORD,))  # yes | no, after /stop
BROADCAST_AUDIENCE = Route("ba", (NUMBER,))  # index into the audiences offered
BROADCAST_CONFIRM = Route("bc", (WORD,))  # send | cancel | digest
# Reporting
REPORT_START = Route("rs", (COMMITMENT,))  # "Report progress" on a card
REPORT_NEW = Route("rn")  # "Report progress" in /start: step 1, choosing the commitment
REPORT_PICK = Route("rc", (COMMITMENT,))  # step 1: this commitment
REPORT_STATUS = Route("rt", (WORD,))  # step 2: a status code
REPORT_EVIDENCE = Route("re", (WORD,))  # step 4: done | skip | clear
REPORT_PREVIEW = Route("rv", (WORD,))  # step 5: send | edit | cancel
REPORT_EDIT = Route("rx", (WORD,))  # from the preview: status | note | evidence
# Review and one's own reports
REVIEW = Route("rw", (WORD, NUMBER, NUMBER))  # ok | no, report id, the revision shown
REVIEW_FIRST = Route("rw", (WORD, NUMBER))  # buttons sent before revisions: revision 1
PENDING_PAGE = Route("pq", (NUMBER,))
MY_REPORTS = Route("my", (WORD, NUMBER))  # page | edit | wd | wdy, number
# Roles, audit, leaving
MEMBER_PICK = Route("mp", (WORD, USER_ID))  # /grant or /revoke by name: grant | revoke, member
AUDIT_PAGE = Route("au", (NUMBER,))  # /audit paging: page number
FORGET = Route("fm", (WORD,))  # /forgetme confirmation: yes | no
# 2016 Anti-Corruption Summit pledges (bot/handlers/summit.py)
PLEDGE_ID = re.compile(r"ACS2016-[A-Z]{3}-[0-9]{2,3}")
SUMMIT_PAGE = Route("sm", (CODE, NUMBER))  # a country's pledges: ISO3, page
PLEDGE = Route("pg", (PLEDGE_ID,))  # a pledge's card
PLEDGE_SUGGEST = Route("ps", (PLEDGE_ID,))  # "Link to a commitment": the suggestions
PLEDGE_LINK = Route("pe", (PLEDGE_ID, COMMITMENT))  # link this pledge to this commitment
