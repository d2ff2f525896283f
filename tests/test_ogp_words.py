"""Issue 11, point 8: OGP's words in the reader's language.

Policy-area tags and themes are stored as OGP writes them (English) and shown
translated; lists of countries are in the order the reader's language sorts
their shown names.
"""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from bot.emulator import Driver
from bot.i18n import locale_dir, translation
from bot.views.vocabulary import POLICY_AREAS, THEMES
from storage.importer import POLICY_AREA_COLUMNS
from tests.conftest import ADMIN_ID, send_report

LANGUAGES = ("es", "fr", "pt")


def test_every_policy_area_of_the_export_is_translated() -> None:
    """Some words are the same in French ("Audits", "Justice"): the catalogue must
    still hold each, so a missing one is never mistaken for one spelt alike."""
    assert set(POLICY_AREAS) == set(POLICY_AREA_COLUMNS)
    for language in LANGUAGES:
        with (locale_dir() / language / "LC_MESSAGES" / "ogp_bot.po").open("rb") as handle:
            catalogue = read_po(handle)
        missing = [
            t for t in (*POLICY_AREAS, *THEMES) if (m := catalogue.get(t)) is None or not m.string
        ]
        assert missing == [], language
        assert translation(language).gettext("Beneficial Ownership") != "Beneficial Ownership"


@pytest.mark.parametrize(
    ("language", "theme", "tags"),
    [
        (
            "es",
            "🗂 Tema: Anticorrupción",
            "🏷 Anticorrupción e integridad, Beneficiarios finales, Apertura fiscal, Impuestos",
        ),
        (
            "fr",
            "🗂 Thème : Lutte contre la corruption",
            "🏷 Lutte contre la corruption et intégrité, Bénéficiaires effectifs",
        ),
        ("pt", "🗂 Tema: Anticorrupção", "🏷 Anticorrupção e integridade, Beneficiários finais"),
        ("en", "🗂 Theme: Anti-Corruption", "🏷 Anti-Corruption and Integrity, Beneficial Ownership"),
    ],
)
async def test_card_shows_theme_and_policy_areas_translated(
    demo_bot: Driver, language: str, theme: str, tags: str
) -> None:
    user = demo_bot.user("Ngozi", language_code=language)
    card = (await user.send("/status NG0020"))[0].text
    assert theme in card  # the export writes "Anti-corruption"
    assert tags in card


async def test_a_theme_outside_the_vocabulary_is_shown_as_written(demo_bot: Driver) -> None:
    user = demo_bot.user("Ana", language_code="es")
    card = (await user.send("/status AR0045"))[0].text
    assert "🗂 Tema: Transparencia" in card  # already Spanish in the export


async def test_working_group_policy_areas_are_translated(demo_bot: Driver) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID, language_code="fr")
    await admin.send("/newgroup Intégrité: Kenya, Ghana, Beneficial Ownership, Open Contracting")
    text = (await admin.send("/groups"))[0].text
    assert "Bénéficiaires effectifs, Commande publique ouverte" in text


@pytest.mark.parametrize(
    ("language", "countries", "shown"),
    [
        # English order Estonia, Spain; Spanish dictionaries: España, Estonia.
        ("es", "Estonia Spain", ["España", "Estonia"]),
        # English order Argentina, Germany; French: Allemagne, Argentine.
        ("fr", "Argentina Germany", ["Allemagne", "Argentine"]),
        ("pt", "Argentina Germany", ["Alemanha", "Argentina"]),
        ("en", "Spain Estonia", ["Estonia", "Spain"]),
    ],
)
async def test_following_is_sorted_as_the_readers_language_sorts(
    demo_bot: Driver, language: str, countries: str, shown: list[str]
) -> None:
    user = demo_bot.user("Reader", language_code=language)
    await user.send(f"/subscribe {countries}")
    text = (await user.send("/following"))[0].text
    positions = [text.index(f"• {name} (") for name in shown]
    assert positions == sorted(positions), text
    unsubscribe = (await user.send("/unsubscribe"))[0]
    assert [t.removeprefix("✅ ") for t in unsubscribe.button_texts] == shown


async def test_digest_countries_in_the_readers_order(demo_bot: Driver) -> None:
    user = demo_bot.user("Ana", language_code="es")
    await user.send("/subscribe Spain Ghana Indonesia Kenya")
    # Spain's and Indonesia's plans have ended: a report gives them news to show
    # (a country with nothing under it gets no heading).
    reporter = demo_bot.user("Rui")
    for commitment in ("ES0026", "ID0041"):
        await send_report(reporter, commitment, "news")
    digest = (await user.send("/digest"))[0].text
    # English order would be Ghana, Indonesia, Kenya, Spain.
    names = ["España", "Ghana", "Indonesia", "Kenia"]
    positions = [digest.index(f"🌍 {name}") for name in names]
    assert positions == sorted(positions), digest
