"""A writer process for the kill -9 test: many small transactions through storage functions.

Loops until killed: members and chats come and go (record_visit), follow and
unfollow countries, write whole reports (draft, status, note, submit), and
queue and send outbox messages. Prints "ready" once the first round is
committed, then a line per round, so the test knows it is mid-write when it kills.
Usage: python tests/heavy_writer.py DB_PATH
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

from storage import drafts, outbox
from storage import reports as store
from storage.db import Database
from storage.following import change_following
from storage.models import Status
from storage.people import ChatInfo, UserInfo, record_visit

COUNTRIES = ("KEN", "GHA", "BRA", "ARG", "NGA")
COMMITMENTS = ("KE0012", "KE0021", "GH0040", "AR0045")


def start(path: Path) -> subprocess.Popen[str]:
    """This writer on the SQLite file at ``path``, in a process of its own (to be killed)."""
    return subprocess.Popen(
        [sys.executable, __file__, str(path)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def round_of_writes(db: Database, n: int) -> None:
    user_id = 4_000_000 + n % 500  # 500 members, so none hits the hourly report limit
    visitor = record_visit(
        db, ChatInfo(user_id, "private"), UserInfo(user_id, f"Writer {n}"), admins=[]
    )
    code = COUNTRIES[n % len(COUNTRIES)]
    change_following(db, visitor, user_id, follow=[code])
    if n % 3 == 0:
        change_following(db, visitor, user_id, unfollow=[code])
    drafts.start_draft(db, user_id, user_id, state="status", commitment_id=COMMITMENTS[n % 4])
    drafts.set_status(db, user_id, Status.LIMITED, state="note")
    drafts.set_note(db, user_id, f"progress note {n} " + "x" * (n % 200), state="evidence")
    drafts.move_to(db, user_id, state="preview")
    store.submit_draft(db, user_id, admins=[])
    with db.session() as session:
        outbox.enqueue(session, user_id, f"message {n}", dedup_key=f"heavy:{n}")
    for message in outbox.due(db, outbox.utcnow(), limit=5):
        outbox.mark_sent(db, message.id)


def main(db_path: str) -> None:
    db = Database(f"sqlite:///{db_path}")
    for n in itertools.count():
        round_of_writes(db, n)
        print("ready" if n == 0 else n, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
