"""Texts go through gettext: the template is current, and a new catalogue just works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from bot import i18n
from bot.config import Settings
from bot.emulator import Driver
from bot.views.reports import expired_draft
from storage.text import fold_words
from tests.conftest import ADMIN_ID, send_report, start_bot


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
def esperanto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path) -> None:
    """A new, partial catalogue dropped next to the shipped ones, as a translator would."""
    locales = tmp_path / "locales"
    shutil.copytree(repo_root / "bot" / "locales", locales)
    catalog = Catalog(locale="eo", domain=i18n.DOMAIN)
    catalog.add("Welcome, {name}!", "Bonvenon, {name}!")
    catalog.add("The commands you can use", "La komandoj, kiujn vi povas uzi")
    target = locales / "eo" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{i18n.DOMAIN}.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "locale_dir", lambda: locales)
    i18n.available_languages.cache_clear()
    i18n.translation.cache_clear()
    yield
    i18n.available_languages.cache_clear()
    i18n.translation.cache_clear()


async def test_adding_a_language_is_only_a_catalogue(esperanto, bot: Driver) -> None:
    lucia = bot.user("Lucía", language_code="eo")
    replies = await lucia.send("/start")
    assert "Bonvenon, Lucía!" in replies[0].text
    # Untranslated texts fall back to English rather than failing.
    assert "Open Government Partnership" in replies[0].text
    tom = bot.user("Tom", language_code="en-GB")
    assert "Welcome, Tom!" in (await tom.send("/start"))[0].text


def test_pick_language_falls_back() -> None:
    assert i18n.pick_language("pt-BR", None) == "pt"  # the language, whatever the region
    assert i18n.pick_language("de", None) == "en"  # no German catalogue
    assert i18n.pick_language(None, "en") == "en"


# ------------------------------------------------------------------ shipped catalogues

_PLACEHOLDER = re.compile(r"\{[a-z_]*(?:[:!][^}]*)?\}")
_TAG = re.compile(r"</?[a-z]+(?:\s[^>]*)?>")
_COMMAND = re.compile(r"(?<![\w/])/[a-z]+\b")


def _catalogues(repo_root: Path) -> list[Path]:
    return sorted(
        path
        for path in (repo_root / "bot" / "locales").glob("*/LC_MESSAGES/ogp_bot.po")
        if path.parts[-3] != i18n.DEFAULT_LANGUAGE
    )


def test_there_are_catalogues_to_check(repo_root: Path) -> None:
    assert {p.parts[-3] for p in _catalogues(repo_root)} >= {"es", "fr", "pt"}


def _hashable(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """A plural's forms (a list from a .mo file, a tuple from a .po file) as a tuple."""
    return value if isinstance(value, str) else tuple(value)


@pytest.mark.parametrize("language", ["es", "fr", "pt"])
def test_catalogue_is_complete_and_keeps_what_code_fills_in(repo_root: Path, language: str) -> None:
    """Every text translated, with the same {placeholders}, HTML tags and /commands.

    A lost placeholder raises KeyError at format time (or drops a name from the
    text); a changed tag makes Telegram refuse the whole message; a translated
    command name is a command that does not exist.
    """
    path = repo_root / "bot" / "locales" / language / "LC_MESSAGES" / "ogp_bot.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    with (repo_root / "bot" / "locales" / "ogp_bot.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert template <= {m.id for m in catalog if m.id}, "run scripts/update-translations"
    with path.with_suffix(".mo").open("rb") as handle:  # what the bot reads
        compiled = {_hashable(m.id): _hashable(m.string) for m in read_mo(handle) if m.id}
    in_po = {_hashable(m.id): _hashable(m.string) for m in catalog if m.id}
    assert compiled == in_po, "compile the catalogue"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        for text in strings:
            for what, pattern in (("placeholders", _PLACEHOLDER), ("tags", _TAG)):
                if sorted(pattern.findall(ids[0])) != sorted(pattern.findall(text)):
                    problems.append(f"{what} differ: {ids[0]!r} -> {text!r}")
            if set(_COMMAND.findall(ids[0])) != set(_COMMAND.findall(text)):
                problems.append(f"commands differ: {ids[0]!r} -> {text!r}")
    assert problems == []


# ------------------------------------------------------------------ in chat


async def test_people_are_answered_in_their_telegram_language(bot: Driver) -> None:
    expected = {
        "es": ("¡Te damos la bienvenida, Lucía!", "Lo que puedes hacer"),
        "fr": ("Bienvenue, Lucía", "Ce que vous pouvez faire"),
        "pt-BR": ("Boas-vindas, Lucía!", "O que você pode fazer"),
        "en-GB": ("Welcome, Lucía!", "What you can do"),
    }
    for code, (welcome, commands) in expected.items():
        lucia = bot.user("Lucía", language_code=code)
        assert welcome in (await lucia.send("/start"))[0].text
        assert commands in (await lucia.send("/help"))[0].text


async def test_commands_are_published_in_every_language(bot: Driver) -> None:
    published = {
        c.params.get("language_code"): {
            cmd["command"]: cmd["description"] for cmd in c.params["commands"]
        }
        for c in bot.server.calls
        if c.method == "setMyCommands"
        and c.ok
        and "scope" in c.params
        and c.params["scope"]["type"] == "default"
    }
    assert set(published) == {None, "en", "es", "fr", "pt"}
    assert published[None] == published["en"]  # the default language is English here
    assert published["es"].keys() == published[None].keys()
    assert published["es"]["report"] != published[None]["report"]
    for_admins = {
        c.params.get("language_code")
        for c in bot.server.calls
        if c.method == "setMyCommands" and c.ok and c.params.get("scope", {}).get("type") == "chat"
    }
    assert for_admins == {None, "en", "es", "fr", "pt"}


async def test_choosing_a_language_in_settings_shows_it_at_once(bot: Driver) -> None:
    tom = bot.user("Tom", language_code="en")
    menu = (await tom.send("/settings"))[0]
    assert "Language: English" in menu.text
    assert {"✓ English", "Español", "Français", "Português"} <= set(menu.button_texts)
    french = await tom.press("Français", message=menu)
    shown = french.replies[0]  # the settings message, edited in place
    assert shown.message_id == menu.message_id
    assert "Paramètres de cette discussion" in shown.text
    assert "✓ Français" in shown.button_texts
    assert "Ce que vous pouvez faire" in (await tom.send("/help"))[0].text


async def test_a_whole_report_in_spanish(demo_bot: Driver) -> None:
    """Every step's text and buttons, in Spanish, pass Telegram's checks."""
    lucia = demo_bot.user("Lucía", language_code="es")
    await lucia.send("/start")
    note = "Proyecto de ley presentado <b>hoy</b> & mañana"
    sent = await send_report(lucia, note=note, language="es")
    assert sent.answered and sent.replies
    preview = next(m for m in lucia.messages if "Proyecto de ley" in m.text)
    assert "Proyecto de ley presentado &lt;b&gt;hoy&lt;/b&gt; &amp; mañana" in preview.html


async def test_country_names_in_the_readers_language(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    assert "🌍 Kenia" in (await lucia.send("/status KE0012"))[0].text
    await lucia.send("/subscribe Kenia, Brasil")
    listing = (await lucia.send("/following"))[0].text
    assert "Kenia (KEN)" in listing and "Brasil (BRA)" in listing
    joao = demo_bot.user("João", language_code="pt-BR")
    assert "🌍 Quênia" in (await joao.send("/status KE0012"))[0].text
    tom = demo_bot.user("Tom", language_code="en")
    assert "🌍 Kenya" in (await tom.send("/status KE0012"))[0].text


async def test_a_country_digest_broadcast_reaches_each_chat_in_its_language(
    demo_bot: Driver,
) -> None:
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    lucia = demo_bot.user("Lucía", language_code="es")
    tom = demo_bot.user("Tom", language_code="en")
    for member in (lucia, tom):
        await member.send("/subscribe Kenya")
    await admin.send("/broadcast")
    await admin.press("Followers of Kenya · 2")
    await admin.press("Send the country digest")
    await admin.press("Send")  # after the same preview a typed message gets
    await demo_bot.run_jobs()
    spanish = i18n.translation("es").gettext("Digest for {country}, {date}").split("{")[0]
    assert spanish != "Digest for "
    for member, title in ((lucia, spanish + "Kenia"), (tom, "Digest for Kenya")):
        digests = [m for m in member.messages if m.text.startswith("📣")]
        # Under who sent it to whom, in the reader's language too.
        assert [m.text.split("\n")[1].lstrip("📰 ").startswith(title) for m in digests] == [True]
    assert lucia.last_reply.text.startswith("📣 De Ada, para quienes siguen Kenia")
    assert tom.last_reply.text.startswith("📣 From Ada, to the followers of Kenya")


async def test_an_expired_draft_is_announced_in_its_authors_language(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    await lucia.send("/report KE0012")
    before = len(lucia.messages)
    demo_bot.clock.advance(hours=25)
    await demo_bot.run_jobs()
    assert len(lucia.messages) == before + 1
    assert lucia.last_reply.html == expired_draft(i18n.translation("es"), "KE0012").text


async def test_a_lead_and_a_reporter_each_read_their_own_language(demo_bot: Driver) -> None:
    """The notice to the lead is in the lead's language; the outcome in the reporter's."""
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    leo = demo_bot.user("Leo", username="leo_l", language_code="en")
    lucia = demo_bot.user("Lucía", language_code="es")
    await leo.send("/start")
    await admin.send("/grant @leo_l Kenya")
    es = i18n.translation("es").gettext
    await send_report(lucia, note="Proyecto de ley presentado", language="es")
    notice = leo.last_reply
    assert notice.text.startswith("📝 A new report needs verifying (Kenya)")
    assert "Proyecto de ley presentado" in notice.text
    await leo.press("✅ Verify", message=notice)
    verified = es("✅ Your report on {id} was verified. Thank you!").split("{")[0]
    assert lucia.last_reply.text.startswith(verified)


async def test_broadcast_progress_stays_in_the_leads_language(demo_bot: Driver) -> None:
    ada = demo_bot.user("Ada", user_id=ADMIN_ID, language_code="fr")
    tom = demo_bot.user("Tom", language_code="en")
    await tom.send("/subscribe Kenya")
    fr = i18n.translation("fr").gettext
    audience = (await ada.send("/broadcast"))[0]
    await ada.press(next(t for t in audience.button_texts if "Kenya" in t), message=audience)
    await ada.send("Audience publique demain")
    await ada.press(fr("Send"))
    progress = ada.last_reply
    await demo_bot.run_jobs()
    finished = fr("Broadcast finished: {delivered} delivered, {blocked} blocked, {failed} failed.")
    assert progress.text == finished.format(delivered=1, blocked=0, failed=0)


@pytest.fixture
def spanish_by_default(settings: Settings) -> Settings:
    return settings.model_copy(update={"default_language": "es"})


async def test_a_spanish_default_for_languages_without_a_catalogue(
    spanish_by_default: Settings, db
) -> None:
    async with await start_bot(spanish_by_default, db) as bot:
        menus = {
            c.params.get("language_code"): c.params["commands"]
            for c in bot.server.calls
            if c.method == "setMyCommands" and c.params.get("scope", {}).get("type") == "default"
        }
        assert menus[None] == menus["es"] and menus["en"] != menus["es"]
        hans = bot.user("Hans", language_code="de")
        es = i18n.translation("es").gettext
        assert es("What you can do") in (await hans.send("/help"))[0].text
        menu = (await hans.send("/settings"))[0]
        assert "✓ Español" in menu.button_texts and "English" in menu.button_texts


async def test_country_names_that_need_care(demo_bot: Driver) -> None:
    """An apostrophe, a fixed misspelling, a local member, and the order readers see."""
    lucia = demo_bot.user("Lucía", language_code="es")
    await lucia.send("/subscribe Côte d'Ivoire, Buenos Aires")
    listing = (await lucia.send("/following"))[0]
    assert "Costa de Marfil (CIV)" in listing.text and "Buenos Aires (ARBA)" in listing.text
    assert "Costa de Marfil" in listing.html and "&#x27;" not in listing.html
    regions = (await lucia.send("/subscribe"))[0]
    assert "Europa" in regions.button_texts
    europe = await lucia.press("Europa", message=regions)
    names = [t.removeprefix("✅ ") for t in europe.replies[0].button_texts[:12]]
    names = [n for n in names if "›" not in n and "‹" not in n]
    assert "Alemania" in names  # Germany: on the first page in Spanish, not in English
    assert names == sorted(names, key=fold_words)


async def test_inline_answers_follow_the_language_chosen_in_settings(demo_bot: Driver) -> None:
    tom = demo_bot.user("Tom", language_code="en")
    menu = (await tom.send("/settings"))[0]
    await tom.press("Español", message=menu)
    results = await tom.inline("kenya open data")
    assert results and "Kenia" in results[0]["description"]


async def test_chart_and_export_name_countries_in_the_readers_language(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    chart = (await lucia.send("/chart Kenya"))[0]
    assert chart.photo is not None and chart.caption.startswith("Kenia")
    await lucia.send("/subscribe Ghana Nigeria")
    exported = await lucia.send("/export")
    assert "Ghana, Nigeria" in exported[0].caption
    export_fr = await demo_bot.user("Léa", language_code="fr").send("/export Brazil")
    assert "Brésil" in export_fr[0].caption


async def test_irm_ratings_are_shown_in_the_readers_language(demo_bot: Driver) -> None:
    tom = demo_bot.user("Tom", language_code="en")
    english = (await tom.send("/status AR0045"))[0].text
    assert "verifiable Yes" in english and "potential impact Transformative" in english
    lucia = demo_bot.user("Lucía", language_code="es")
    spanish = (await lucia.send("/status AR0045"))[0].text
    es = i18n.translation("es").gettext
    assert f"{es('verifiable')} Sí" in spanish
    assert f"{es('potential impact')} Transformador" in spanish
