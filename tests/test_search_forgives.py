"""Search forgives (issue #17, point 2): typos get "Did you mean …?", a member
named in a query narrows it to that member, members' names are searchable in
any of the bot's languages. Through the bot, and on PostgreSQL when at hand."""

from __future__ import annotations

import os

import pytest

from bot.emulator import Driver
from storage.db import Database
from storage.importer import demo_csv_path, import_csv
from storage.models import Commitment
from storage.reference import prepare_database
from storage.search import search_commitments, search_commitments_like
from tests.conftest import make_settings, start_bot
from tests.test_postgres import pg_db  # noqa: F401  (the fixture)

PROCUREMENT = [
    ("KE0041", "Open public procurement in the counties", ["Public Procurement"]),
    ("KE0042", "Publish procurement contracts", ["Open Contracting", "Public Procurement"]),
]


def add_kenyan_procurement(db: Database) -> None:
    """Two Kenyan procurement commitments: the demo data has none."""
    with db.session() as session:
        for commitment_id, title, areas in PROCUREMENT:
            session.add(
                Commitment(
                    id=commitment_id,
                    country_code="KEN",
                    title=title,
                    policy_areas=areas,
                    lead_institution="Public Procurement Regulatory Authority",
                )
            )


async def test_a_typo_is_forgiven_with_did_you_mean(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    typed = (await ann.send("/search procurment"))[0]
    assert typed.text.startswith("Did you mean procurement?\n7 commitments match procurement")
    assert "UK0098" in typed.button_texts
    exact = (await ann.send("/search procurement"))[0]
    assert "Did you mean" not in exact.text
    assert typed.button_texts == exact.button_texts


async def test_a_country_in_a_query_narrows_it(demo_bot: Driver, demo_db: Database) -> None:
    add_kenyan_procurement(demo_db)
    ann = demo_bot.user("Ann")
    kenya = (await ann.send("/search kenya procurement"))[0]
    assert "2 commitments match kenya procurement" in kenya.text
    assert set(kenya.button_texts) == {"KE0041", "KE0042"}
    both = (await ann.send("/search Kenya procurment"))[0]  # a name and a typo
    assert "Did you mean Kenya procurement?" in both.text
    assert set(both.button_texts) == {"KE0041", "KE0042"}
    ghana = (await ann.send("/search ghana procurement"))[0]
    assert ghana.button_texts == ["GH0042"]


async def test_member_names_are_searchable_in_every_language(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    for name in ("Kenya", "Kenia", "Quênia"):
        found = (await ann.send(f"/search {name}"))[0]
        assert "8 commitments match" in found.text, name
        assert all(code.startswith("KE") for code in found.button_texts if code[-1].isdigit())
    scotland = (await ann.send("/search scotland"))[0]
    assert {b for b in scotland.button_texts if b[-1].isdigit()} == {
        "SCO0001",
        "SCO0005",
        "SCO0006",
    }


async def test_paging_keeps_the_correction(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    first = (await ann.send("/search partcipation"))[0]
    assert first.text.startswith("Did you mean participation?")
    on_first_page = first.button_texts
    second = (await ann.press("Next ›", message=first)).replies[0]  # edited in place
    assert second.text.startswith("Did you mean participation?")
    assert second.button_texts[:5] != on_first_page[:5]


async def test_spanish_search_forgives(demo_bot: Driver, demo_db: Database) -> None:
    add_kenyan_procurement(demo_db)
    lucia = demo_bot.user("Lucía", language_code="es")
    typed = (await lucia.send("/search procurment"))[0]
    assert typed.text.startswith("¿Quisiste decir procurement?\n9 compromisos coinciden")
    kenia = (await lucia.send("/search kenia procurement"))[0]
    assert set(kenia.button_texts) == {"KE0041", "KE0042"}
    assert "2 compromisos coinciden con kenia procurement" in kenia.text


@pytest.mark.skipif(
    not os.environ.get("OGP_TEST_POSTGRES_URL"), reason="OGP_TEST_POSTGRES_URL not set"
)
async def test_search_forgives_on_postgres(pg_db: Database) -> None:  # noqa: F811
    prepare_database(pg_db)
    import_csv(pg_db, demo_csv_path())
    add_kenyan_procurement(pg_db)
    assert {r.id for r in search_commitments(pg_db, "kenya procurment").rows} == {
        "KE0041",
        "KE0042",
    }
    async with await start_bot(make_settings(pg_db.url), pg_db) as driver:
        lucia = driver.user("Lucía", language_code="es")
        typed = (await lucia.send("/search procurment"))[0]
        assert typed.text.startswith("¿Quisiste decir procurement?\n9 compromisos")
        kenya = (await lucia.send("Kenia"))[0]
        assert kenya.text.startswith("Kenia\n") and "Planes de acción" in kenya.text


def test_both_search_paths_agree_on_what_a_query_means(demo_db: Database) -> None:
    add_kenyan_procurement(demo_db)
    for query in ("kenya procurement", "procurment", "Kenia", "buenos aires"):
        fts = {r.id for r in search_commitments(demo_db, query, page_size=50).rows}
        like = {r.id for r in search_commitments_like(demo_db, query, page_size=50).rows}
        assert fts == like and fts, query
