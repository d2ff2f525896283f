"""Commitment search on the demo data: FTS5 on SQLite, and the LIKE fallback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.commitments import Page
from storage.db import Database, alembic_config
from storage.importer import demo_csv_path, import_csv
from storage.models import Commitment
from storage.reference import prepare_database
from storage.search import (
    _ACCENTED,
    _PLAIN,
    MAX_TOKENS,
    fts_expression,
    has_fts_index,
    query_tokens,
    rebuild_search_index,
    search_commitments,
    search_commitments_like,
    search_ids,
)
from tests import test_postgres

NOW = datetime(2026, 1, 15, tzinfo=UTC)
Search = Callable[..., Page]
BOTH = pytest.mark.parametrize(
    "search", [search_commitments, search_commitments_like], ids=["fts", "like"]
)

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "NEAR(open data, 2)",
    "AND OR",
    "AND",
    "-",
    "- open",
    "open -data",
    "'); DROP TABLE commitment; --",
    "title:open",
    "{title} : open",
    "^open",
    "open*data",
    "%",
    "_",
    "\\",
    "😀",
    "🇦🇷 participación 😀",
    "\x00",
    "   ",
    "",
    "a" * 4000,
    "open " * 800,
    "ab\u0301c",  # a lone combining accent inside a word
    "\u0301",
]


def ids(page: Page) -> list[str]:
    return [row.id for row in page.rows]


def every_match(search: Search, db: Database, query: str, page_size: int = 7) -> list[str]:
    first = search(db, query, page_size=page_size, now=NOW)
    found: list[str] = []
    for number in range(first.pages):
        page = search(db, query, page=number, page_size=page_size, now=NOW)
        assert page.total == first.total
        found += ids(page)
    return found


@pytest.mark.sqlite_only("reads the FTS5 index itself")
def test_demo_database_has_the_index(demo_db: Database) -> None:
    with demo_db.session() as session:
        assert has_fts_index(session)
        count = session.connection().exec_driver_sql("SELECT count(*) FROM commitment_fts")
        assert count.scalar() == 104
        # The index agrees with the table it indexes.
        session.connection().exec_driver_sql(
            "INSERT INTO commitment_fts(commitment_fts, rank) VALUES ('integrity-check', 1)"
        )


# --------------------------------------------------------------------------- what people type


@BOTH
def test_english_words_find_their_commitments(demo_db: Database, search: Search) -> None:
    page = search(demo_db, "beneficial ownership", now=NOW)
    assert set(ids(page)) == {"NG0020", "UK0062"}
    assert page.total == 2 and page.page == 0
    # NG0020's short title holds both words: it comes before a full-text-only match.
    assert ids(page)[0] == "NG0020"
    assert "Beneficial" in page.rows[0].title


@BOTH
def test_every_word_must_match(demo_db: Database, search: Search) -> None:
    whistle = set(every_match(search, demo_db, "whistleblower"))
    both = set(every_match(search, demo_db, "whistleblower protection"))
    assert {"CI0018", "ES0049"} <= both <= whistle
    assert not set(every_match(search, demo_db, "whistleblower zzqxv"))


def test_spanish_with_and_without_accents(demo_db: Database) -> None:
    accented = search_commitments(demo_db, "participación ciudadana", now=NOW)
    plain = search_commitments(demo_db, "participacion ciudadana", now=NOW)
    upper = search_commitments(demo_db, "PARTICIPACIÓN CIUDADANA", now=NOW)
    assert accented.total == plain.total == upper.total >= 2
    assert set(ids(accented)) == set(ids(plain)) == set(ids(upper))
    assert {"JAL0008", "AR0055"} <= set(ids(plain))
    # One word without its accent finds the same commitments, prefix included.
    assert {"JAL0008", "AR0055"} <= set(every_match(search_commitments, demo_db, "participacion"))
    assert set(every_match(search_commitments, demo_db, "transparen")) >= {"ES0001", "AR0045"}


def test_like_fallback_is_accent_insensitive_where_sqlite_allows(demo_db: Database) -> None:
    # As typed (accented) the SQLite fallback finds it; PostgreSQL folds both sides.
    page = search_commitments_like(demo_db, "participación ciudadana", now=NOW)
    assert {"JAL0008", "AR0055"} <= set(ids(page))


@BOTH
def test_indonesian_title_word(demo_db: Database, search: Search) -> None:
    page = search(demo_db, "parlemen", now=NOW)
    assert {"ID0130", "ID0133"} <= set(ids(page))
    assert all(row.id.startswith("ID") for row in page.rows)
    assert set(ids(search(demo_db, "keterbukaan parlemen", now=NOW))) == {"ID0133"}


@BOTH
@pytest.mark.parametrize("typed", ["ar0045", "AR0045", "  Ar0045 ", "#AR0045"])
def test_an_id_comes_first(demo_db: Database, search: Search, typed: str) -> None:
    page = search(demo_db, typed, now=NOW)
    assert ids(page)[0] == "AR0045"


def test_an_id_beats_better_text_matches(demo_db: Database) -> None:
    # "gh0040" is a full id; its prefix "gh004" matches several and is no id.
    assert ids(search_commitments(demo_db, "gh0040", now=NOW)) == ["GH0040"]
    prefix = search_commitments(demo_db, "gh004", now=NOW)
    assert {"GH0040", "GH0042", "GH0047", "GH0048"} <= set(ids(prefix))


@BOTH
def test_lead_institution_word(demo_db: Database, search: Search) -> None:
    # These words appear only in lead institutions.
    assert ids(search(demo_db, "aquaculture", now=NOW)) == ["GH0050"]
    assert set(ids(search(demo_db, "Ministerio de Hacienda", now=NOW))) == {"ES0003", "ES0004"}
    assert "NG0040" in every_match(search, demo_db, "servicom")


@BOTH
def test_policy_area_words(demo_db: Database, search: Search) -> None:
    # "Lawmaking" is only ever a policy area: "Participation in Lawmaking".
    with demo_db.session() as session:
        tagged = {
            c.id
            for c in session.exec(select(Commitment)).all()
            if "Participation in Lawmaking" in c.policy_areas
        }
    assert len(tagged) == 24
    assert set(every_match(search, demo_db, "lawmaking")) == tagged
    assert ids(search(demo_db, "data stewardship", now=NOW)) == ["NG0043"]
    assert ids(search(demo_db, "open contracting", now=NOW))[0] == "UK0098"


@BOTH
def test_titles_holding_every_word_come_first(demo_db: Database, search: Search) -> None:
    found = every_match(search, demo_db, "open parliament")
    with demo_db.session() as session:
        by_id = {c.id: c for c in session.exec(select(Commitment)).all()}
    titles = [f"{by_id[c].id} {by_id[c].title} {by_id[c].short_title}".lower() for c in found]
    flags = ["open" in text and "parliament" in text for text in titles]
    assert flags == sorted(flags, reverse=True)
    assert flags[0] and not flags[-1]


# --------------------------------------------------------------------------- paging


@BOTH
def test_paging(demo_db: Database, search: Search) -> None:
    first = search(demo_db, "open", page_size=5, now=NOW)
    second = search(demo_db, "open", page=1, page_size=5, now=NOW)
    assert first.total == second.total > 10
    assert first.page_size == 5 and len(first.rows) == 5 and len(second.rows) == 5
    assert not set(ids(first)) & set(ids(second))
    assert first.has_next and not first.has_prev and second.has_prev

    everything = every_match(search, demo_db, "open", page_size=5)
    assert len(everything) == len(set(everything)) == first.total

    last = search(demo_db, "open", page=999, page_size=5, now=NOW)
    assert last.page == first.pages - 1 and not last.has_next
    assert ids(last) == everything[last.page * 5 :]
    assert search(demo_db, "open", page=-3, page_size=5, now=NOW).page == 0


@BOTH
def test_nothing_found_is_one_empty_page(demo_db: Database, search: Search) -> None:
    page = search(demo_db, "zzqxv", page=4, now=NOW)
    assert (page.rows, page.total, page.page, page.pages) == ([], 0, 0, 1)


def test_rows_carry_status_like_other_lists(demo_db: Database) -> None:
    page = search_commitments(demo_db, "ar0045", now=NOW)
    row = page.rows[0]
    assert row.country_code == "ARG" and row.title
    assert isinstance(row.overdue, bool)


def test_search_ids_for_inline_answers(demo_db: Database) -> None:
    assert search_ids(demo_db, "ar0045")[0] == "AR0045"
    full = search_ids(demo_db, "open", limit=50)
    assert search_ids(demo_db, "open", limit=5, offset=5) == full[5:10]
    assert search_ids(demo_db, "", limit=5) == [] and search_ids(demo_db, "open", limit=0) == []
    assert full == every_match(search_commitments, demo_db, "open", page_size=50)[:50]


# --------------------------------------------------------------------------- hostile input


def test_queries_become_quoted_words() -> None:
    assert query_tokens('NEAR(open "data") OR -x*') == ["NEAR", "open", "data", "OR", "x"]
    assert fts_expression(["NEAR", "open", "xy"]) == '"NEAR"* AND "open"* AND "xy"*'
    # A one-letter word is matched whole.
    assert fts_expression(["a", "bc"]) == '"a" AND "bc"*'
    assert query_tokens("Open OPEN open") == ["Open"]
    assert len(query_tokens(" ".join(f"w{i}" for i in range(100)))) == MAX_TOKENS
    assert query_tokens("participacio\u0301n") == ["participación"]  # NFD becomes NFC
    assert query_tokens("😀 -- ' \" ; ()") == []
    assert len(_ACCENTED) == len(_PLAIN)


@BOTH
@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(demo_db: Database, search: Search, query: str) -> None:
    page = search(demo_db, query, now=NOW)
    assert 0 <= len(page.rows) <= page.page_size and page.total >= len(page.rows)
    if not query_tokens(query):
        assert page.total == 0
    with demo_db.session() as session:
        assert session.exec(select(sa.func.count()).select_from(Commitment)).one() == 104


def test_hostile_input_is_read_as_words(demo_db: Database) -> None:
    # Operators are plain words: "open -data" means open AND data, not open NOT data.
    both = set(every_match(search_commitments, demo_db, "open data"))
    assert set(every_match(search_commitments, demo_db, "open -data")) == both
    assert set(every_match(search_commitments, demo_db, "NEAR(open data)")) <= both
    assert ids(search_commitments(demo_db, '"ar0045"*', now=NOW))[0] == "AR0045"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_text_is_a_valid_query(demo_db: Database, text: str) -> None:
    fts = search_commitments(demo_db, text, now=NOW)
    assert fts.total >= len(fts.rows)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.sampled_from("aeoindptr %_\\\"'*()-:^ÁáéñÑ"), max_size=20))
@example(text="oder")  # found inside "modernise" by a substring match, corrected to "order" by FTS
def test_both_paths_agree_on_ascii_words(demo_db: Database, text: str) -> None:
    """Where accents play no part, FTS and LIKE find the same commitments... except
    that FTS matches a one-letter word whole and LIKE as a word's start: FTS ⊆ LIKE."""
    fts = set(every_match(search_commitments, demo_db, text, page_size=200))
    like = set(every_match(search_commitments_like, demo_db, text, page_size=200))
    if all(t.isascii() for t in query_tokens(text)):
        assert fts <= like


# --------------------------------------------------------------------------- keeping in sync


def title_matches(db: Database, word: str) -> list[str]:
    with db.engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT c.id FROM commitment_fts JOIN commitment AS c ON c.rowid = commitment_fts.rowid"
            " WHERE commitment_fts MATCH ?",
            (f"title : {word}",),
        )
        return sorted(found.scalars())


@pytest.mark.sqlite_only("reads the FTS5 index itself")
def test_edits_reach_the_index(demo_db: Database) -> None:
    with demo_db.session() as session:
        commitment = session.get(Commitment, "GH0050")
        commitment.title = "Pesca sostenible y transparente"
        commitment.policy_areas = [*commitment.policy_areas, "Quuxology"]
    assert ids(search_commitments(demo_db, "pesca sostenible", now=NOW)) == ["GH0050"]
    assert ids(search_commitments(demo_db, "quuxology", now=NOW)) == ["GH0050"]
    assert title_matches(demo_db, "fisheries") == []  # the old title left the index

    with demo_db.session() as session:
        session.add(
            Commitment(id="ZZ0001", country_code="GHA", title="Zorblax registry", full_text="")
        )
    assert ids(search_commitments(demo_db, "zorblax", now=NOW)) == ["ZZ0001"]

    with demo_db.session() as session:
        session.delete(session.get(Commitment, "ZZ0001"))
    assert search_commitments(demo_db, "zorblax", now=NOW).total == 0

    # Re-importing the demo file puts GH0050's title back, through the same triggers.
    import_csv(demo_db, demo_csv_path())
    assert search_commitments(demo_db, "pesca sostenible", now=NOW).total == 0
    assert title_matches(demo_db, "fisheries") == ["GH0050"]
    with demo_db.engine.connect() as conn:
        conn.exec_driver_sql(
            "INSERT INTO commitment_fts(commitment_fts, rank) VALUES ('integrity-check', 1)"
        )
    assert rebuild_search_index(demo_db)


@pytest.mark.sqlite_only("migration 0002 builds the FTS5 index on SQLite only")
def test_migration_indexes_existing_rows_and_downgrades(demo_db: Database) -> None:
    config = alembic_config(demo_db.engine)
    command.downgrade(config, "0001")
    tables = set(sa.inspect(demo_db.engine).get_table_names())
    assert not {t for t in tables if t.startswith("commitment_fts")}
    with demo_db.session() as session:
        assert not has_fts_index(session)
    assert not rebuild_search_index(demo_db)
    # (Searching without the index is the fallback's job, tested on its own above:
    # at revision 0001 the schema is older than the models, so no query runs here.)

    demo_db.migrate()
    with demo_db.session() as session:
        assert has_fts_index(session)
    assert set(ids(search_commitments(demo_db, "participacion ciudadana", now=NOW))) >= {
        "JAL0008",
        "AR0055",
    }


# --------------------------------------------------------------------------- PostgreSQL

pg_db = test_postgres.pg_db  # a fresh PostgreSQL database per test, when a server is at hand


@pytest.fixture
def pg_demo_db(pg_db: Database) -> Database:
    prepare_database(pg_db)
    import_csv(pg_db, demo_csv_path())
    return pg_db


def test_postgres_uses_the_fallback(pg_demo_db: Database) -> None:
    db = pg_demo_db
    with db.session() as session:
        assert not has_fts_index(session)
    assert ids(search_commitments(db, "ar0045", now=NOW))[0] == "AR0045"
    assert set(ids(search_commitments(db, "BENEFICIAL ownership", now=NOW))) == {
        "NG0020",
        "UK0062",
    }
    # ILIKE over translate(): accents and case fold on both sides.
    plain = set(every_match(search_commitments, db, "participacion ciudadana"))
    assert {"JAL0008", "AR0055"} <= plain
    assert set(every_match(search_commitments, db, "PARTICIPACIÓN ciudadana")) == plain
    for query in HOSTILE:
        search_commitments(db, query, now=NOW)
    assert set(every_match(search_commitments, db, "lawmaking")) == set(
        every_match(search_commitments_like, db, "lawmaking")
    )


def test_postgres_search_folds_case_and_accents_in_any_locale(_postgres) -> None:
    """A server initialised with the C locale lowercases ASCII letters only: the
    search must not lean on it to find "EDUCACIÓN" when "educacion" is typed."""
    name = next(_postgres.names)
    with _postgres.admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'"
        )
    db = Database(_postgres.url(name))
    try:
        prepare_database(db)
        with db.session() as session:
            session.add(
                Commitment(id="AR0999", country_code="ARG", title="EDUCACIÓN CÍVICA", full_text="")
            )
        for typed in ("educacion civica", "Educación", "CIVICA"):
            assert ids(search_commitments(db, typed, now=NOW)) == ["AR0999"], typed
    finally:
        db.dispose()
        _postgres.drop(name)
