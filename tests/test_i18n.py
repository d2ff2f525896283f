"""Texts go through gettext: the template is current, and a new catalogue just works."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import i18n
from bot.emulator import Driver


def test_template_lists_every_text_in_the_code(repo_root: Path) -> None:
    """Fails when a text changed without `scripts/update-translations`."""
    in_code = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            repo_root / "bot",
            method_map=[("**.py", "python")],
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
        )
    }
    in_code = {m if isinstance(m, str) else m[0] for m in in_code}
    with (repo_root / "bot" / "locales" / "ogp_bot.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    template = {m if isinstance(m, str) else m[0] for m in template}
    assert in_code - template == set(), "run scripts/update-translations"


@pytest.fixture
def spanish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    """A Spanish catalogue dropped next to the English one, as a translator would."""
    locales = tmp_path / "locales"
    shutil.copytree(repo_root / "bot" / "locales", locales)
    catalog = Catalog(locale="es", domain=i18n.DOMAIN)
    catalog.add("Welcome, {name}!", "¡Bienvenida, {name}!")
    catalog.add("The commands you can use", "Los comandos que puedes usar")
    target = locales / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{i18n.DOMAIN}.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "locale_dir", lambda: locales)
    i18n.available_languages.cache_clear()
    i18n.translation.cache_clear()
    yield
    i18n.available_languages.cache_clear()
    i18n.translation.cache_clear()


async def test_adding_a_language_is_only_a_catalogue(spanish, bot: Driver) -> None:
    lucia = bot.user("Lucía", language_code="es")
    replies = await lucia.send("/start")
    assert "¡Bienvenida, Lucía!" in replies[0].text
    # Untranslated texts fall back to English rather than failing.
    assert "Open Government Partnership" in replies[0].text
    tom = bot.user("Tom", language_code="en-GB")
    assert "Welcome, Tom!" in (await tom.send("/start"))[0].text


def test_pick_language_falls_back() -> None:
    assert i18n.pick_language("pt-BR", None) == "en"  # no Portuguese catalogue yet
    assert i18n.pick_language(None, "en") == "en"
