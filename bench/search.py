"""How fast is commitment search on a big SQLite database?

    python -m bench.search [--rows 50000] [--repeats 20] [--like-repeats 3]

Builds a scratch SQLite database through the real migrations (so the FTS5
index and its triggers are the ones users get), imports the demo commitments,
then generates ``--rows`` commitments in all from the demo rows' own words
(multilingual titles, full texts, institutions, tags) plus made-up words, and
some progress reports. It then times representative queries, warm, through
``search_commitments`` exactly as the bot calls it (count + one page + status
rows), and compares with two baselines measured in the same process:

* pk-baseline: loading one page of 10 commitments by primary key and building
  its rows (what showing any list page costs, search or not);
* like-fallback: the same queries through the LIKE path PostgreSQL uses.

The last line is machine-readable: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import sqlalchemy as sa
from sqlmodel import col, select

from bench.common import percentile, scratch_database, summary, time_ms
from storage.commitments import refresh_community, rows_for
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.models import Commitment, Report, Status, UpdateState
from storage.search import search_commitments, search_commitments_like, search_ids

TARGET_MS = 50.0
CHUNK = 5000
NOW = datetime(2026, 6, 1, tzinfo=UTC)

QUERIES = [
    "open data",
    "public participation",
    "beneficial ownership",
    "participación ciudadana",
    "participacion",
    "parlemen",
    "keterbukaan informasi",
    "access to information",
    "fiscal transparency",
    "ministry of finance",
    "whistleblower protection",
    "open contracting",
    "freedom of information",
    "asset declaration",
    "legislative openness",
    "transparencia",
    "anti corruption",
    "budget",
    "{generated_id}",  # a generated commitment's id, typed in lower case
]

_WORD = re.compile(r"\w+")


class Words:
    """Draws words with the frequencies they have in the demo rows, plus a share of
    invented words (the long tail a real corpus of 50,000 commitments has)."""

    def __init__(self, counter: Counter[str], invented: list[str], share: float) -> None:
        self.population = [*counter, *invented]
        known = sum(counter.values())
        each = known * share / (1 - share) / len(invented)
        weights = [*counter.values(), *([each] * len(invented))]
        self.cum_weights = list(accumulate(weights))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.population, cum_weights=self.cum_weights, k=k)


@dataclass
class Vocabulary:
    title: Words
    short_title: Words
    text: Words
    institutions: list[str]
    themes: list[str]
    policy_areas: list[str]
    templates: list[Commitment]

    def commitment_row(
        self,
        rng: random.Random,
        commitment_id: str,
        template: Commitment,
        *,
        action_plan_id: str | None,
        first_start: datetime,
        start_spread_days: int,
        extra_title_words: int,
        imported_at: datetime,
    ) -> dict[str, object]:
        """A realistic generated commitment, in the language and style of ``template``.

        Both benchmarks that need thousands of commitments build them here.
        """
        own = _WORD.findall(template.title)
        rng.shuffle(own)
        words = own[: rng.randint(3, 8)] + self.title.draw(rng, rng.randint(1, extra_title_words))
        rng.shuffle(words)
        start = first_start + timedelta(days=rng.randint(0, start_spread_days))
        return {
            "id": commitment_id,
            "country_code": template.country_code,
            "action_plan_id": action_plan_id,
            "number": str(rng.randint(1, 40)),
            "title": " ".join(words).capitalize(),
            "short_title": " ".join(self.short_title.draw(rng, rng.randint(2, 5))).title(),
            "full_text": " ".join(self.text.draw(rng, rng.randint(40, 160))),
            "theme": rng.choice(self.themes),
            "policy_areas": rng.sample(self.policy_areas, rng.randint(0, 4)),
            "anti_corruption": rng.random() < 0.25,
            "lead_institution": rng.choice(self.institutions),
            "supporting_institutions": rng.choice(["", *self.institutions[:10]]),
            "start_date": start.date(),
            "end_date": (start + timedelta(days=rng.randint(365, 1500))).date(),
            "url": "",
            "irm_assessed": False,
            "imported_at": imported_at,
        }


def _invent(rng: random.Random, n: int) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"]
    letters = string.ascii_lowercase
    return [
        "".join(rng.choices(syllables, k=rng.randint(2, 4))) + rng.choice(letters) for _ in range(n)
    ]


def vocabulary(db: Database, rng: random.Random) -> Vocabulary:
    """The demo rows' words, weighted by how often they occur, plus invented ones."""
    with db.session() as session:
        demo = list(session.exec(select(Commitment)).all())
    title_words: Counter[str] = Counter()
    text_words: Counter[str] = Counter()
    areas: set[str] = set()
    for c in demo:
        title_words.update(_WORD.findall(f"{c.title} {c.short_title}"))
        text_words.update(_WORD.findall(c.full_text))
        areas.update(c.policy_areas)
    invented = _invent(rng, 20_000)
    return Vocabulary(
        title=Words(title_words, invented, 0.1),
        short_title=Words(title_words, invented, 0.05),
        text=Words(text_words, invented, 0.1),
        institutions=sorted({c.lead_institution for c in demo if c.lead_institution}),
        themes=sorted({c.theme for c in demo if c.theme}) or [""],
        policy_areas=sorted(areas),
        templates=demo,
    )


def generate(db: Database, rows: int, rng: random.Random) -> tuple[int, str]:
    """Add generated commitments until there are ``rows``; returns (added, one new id)."""
    vocab = vocabulary(db, rng)
    added = rows - len(vocab.templates)
    batch: list[dict[str, object]] = []
    sample_id = ""
    imported = datetime.now(UTC)
    for i in range(added):
        template = vocab.templates[i % len(vocab.templates)]
        prefix = re.match(r"[A-Z]+", template.id).group(0)  # type: ignore[union-attr]
        # OGP's shape (storage.ids): a letter more than the prefix keeps it unique.
        commitment_id = f"{prefix}{'VWXYZ'[i // 10_000 % 5]}{i % 10_000:04d}"
        sample_id = sample_id or commitment_id
        batch.append(
            vocab.commitment_row(
                rng,
                commitment_id,
                template,
                action_plan_id=template.action_plan_id,
                first_start=datetime(2014, 1, 1),
                start_spread_days=3000,
                extra_title_words=4,
                imported_at=imported,
            )
        )
        if len(batch) == CHUNK:
            _insert(db, batch)
            batch = []
    if batch:
        _insert(db, batch)
    _reports(db, rng, rows // 5)
    return added, sample_id


def _insert(db: Database, batch: list[dict[str, object]]) -> None:
    with db.session() as session:
        session.execute(sa.insert(Commitment.__table__), batch)  # type: ignore[attr-defined]


def _reports(db: Database, rng: random.Random, n: int) -> None:
    """Community reports on random commitments, so the status look-ups do work."""
    with db.session() as session:
        ids = list(session.exec(select(Commitment.id)).all())
        statuses = [s.value for s in Status]
        states = [UpdateState.VERIFIED.value, UpdateState.PENDING.value]
        reports = []
        for _ in range(n):
            at = NOW - timedelta(days=rng.randint(0, 700))
            reports.append(
                {
                    "commitment_id": rng.choice(ids),
                    "status": rng.choice(statuses),
                    "note": "",
                    "state": rng.choice(states),
                    "review_reason": "",
                    "created_at": at,
                    "updated_at": at,
                }
            )
        session.execute(sa.insert(Report.__table__), reports)  # type: ignore[attr-defined]
        refresh_community(session)  # bulk rows bypass storage.reports: statuses once


def pk_page(db: Database, ids: list[str]) -> None:
    """The baseline: one page of commitments by primary key, rows built."""
    with db.session() as session:
        found = session.exec(select(Commitment).where(col(Commitment.id).in_(ids))).all()
        rows_for(session, found, NOW.date())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="commitments in all")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per FTS query")
    parser.add_argument("--like-repeats", type=int, default=3, help="timed runs per LIKE query")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    with scratch_database() as db:
        started = time.perf_counter()
        import_csv(db, demo_csv_path())
        added, sample_id = generate(db, args.rows, rng)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA optimize")
            total = conn.exec_driver_sql("SELECT count(*) FROM commitment").scalar_one()
        print(
            f"built {total} commitments ({added} generated) in "
            f"{time.perf_counter() - started:.1f} s (SQLite {sqlite3.sqlite_version})"
        )

        queries = [q.format(generated_id=sample_id.lower()) for q in QUERIES]
        fts_all: list[float] = []
        like_all: list[float] = []
        inline_all: list[float] = []
        worst = ("", 0.0)
        print(f"\n{'query':28} {'hits':>6}  FTS page (count + rows)            LIKE p50")
        for query in queries:
            first = search_commitments(db, query, now=NOW)
            fts = time_ms(lambda q=query: search_commitments(db, q, now=NOW), args.repeats)
            like = time_ms(
                lambda q=query: search_commitments_like(db, q, now=NOW), args.like_repeats
            )
            inline_all += time_ms(lambda q=query: search_ids(db, q, limit=20), args.repeats)
            fts_all += fts
            like_all += like
            if percentile(fts, 95) > worst[1]:
                worst = (query, percentile(fts, 95))
            print(
                f"{query[:28]:28} {first.total:6}  {summary(fts)}  {percentile(like, 50):8.1f} ms"
            )

        with db.session() as session:
            pages = [
                list(session.exec(select(Commitment.id).offset(o).limit(10)).all())
                for o in range(0, total, max(1, total // 50))
            ]
        baseline: list[float] = []
        for ids in pages:
            baseline += time_ms(lambda ids=ids: pk_page(db, ids), max(1, args.repeats // 2))

    fts_p50, fts_p95 = percentile(fts_all, 50), percentile(fts_all, 95)
    like_p50, base_p50 = percentile(like_all, 50), percentile(baseline, 50)
    ratio = fts_p50 / base_p50 if base_p50 else float("inf")
    passed = fts_p95 < TARGET_MS
    print()
    print(f"all FTS pages   {summary(fts_all)}  (worst p95: {worst[0]!r} {worst[1]:.2f} ms)")
    print(f"inline ids only {summary(inline_all)}")
    print(f"LIKE fallback   {summary(like_all)}")
    print(f"pk-baseline     {summary(baseline)}")
    print(
        f"fts p50 {fts_p50:.2f} ms; like-fallback p50 {like_p50:.2f} ms; "
        f"pk-baseline p50 {base_p50:.2f} ms; fts/baseline ratio {ratio:.1f}; "
        f"like/fts ratio {like_p50 / fts_p50:.1f}"
    )
    print(
        f"{'PASS' if passed else 'FAIL'}: FTS search page p95 {fts_p95:.2f} ms "
        f"{'<' if passed else '>='} {TARGET_MS:.0f} ms target on {total} commitments"
    )
    print(
        f"RESULT rows={total} search_p50_ms={fts_p50:.3f} search_p95_ms={fts_p95:.3f} "
        f"like_p50_ms={like_p50:.3f} baseline_p50_ms={base_p50:.3f} ratio={ratio:.2f} "
        f"pass={int(passed)}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
