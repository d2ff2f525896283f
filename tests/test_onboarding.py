"""Onboarding in two taps (issue #17, point 3), end to end, in English and Spanish.

/start offers buttons (follow a country suggested from the Telegram language,
look something up, report progress); deep links land on the right step;
/help is short and grouped, the rest a button away, leads' and admins'
commands on pages of their own.
"""

from __future__ import annotations

from bot.emulator import Driver


async def test_start_follows_a_suggested_country_in_one_tap(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann", language_code="en")
    welcome = (await ann.send("/start"))[0]
    assert "Welcome, Ann!" in welcome.text
    assert welcome.button_texts == [
        "➕ Follow Nigeria",
        "➕ Follow Philippines",
        "➕ Follow United Kingdom",
        "➕ Follow Kenya",
        "🌍 More countries",
        "🔎 Look something up",
        "📝 Report progress",
    ]
    followed = await ann.press("➕ Follow Kenya", message=welcome)
    assert "Now following Kenya" in followed.replies[0].text
    assert "Kenya" in (await ann.send("/following"))[0].text
    again = (await ann.send("/start"))[0]
    assert "➕ Follow Kenya" not in again.button_texts  # already followed
    regions = (await ann.press("🌍 More countries", message=again)).replies[0]
    assert "Choose a region" in regions.text and "Europe" in regions.button_texts


async def test_start_leads_to_looking_up_and_reporting(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    welcome = (await ann.send("/start"))[0]
    look = (await ann.press("🔎 Look something up", message=welcome)).replies[0]
    assert "Type what you are looking for, no command needed" in look.text
    ghana = (await ann.send("Ghana"))[0].text
    assert ghana.startswith("Ghana\n") and "Action plans" in ghana
    report = (await ann.press("📝 Report progress", message=welcome)).replies[0]
    assert "Which commitment? Type its id" in report.text
    ask = (await ann.send("KE0012"))[0]  # the conversation takes the id
    assert "KE0012" in ask.text


async def test_suggestions_follow_the_telegram_language(demo_bot: Driver) -> None:
    def follows(message) -> list[str]:
        return [t for t in message.button_texts if t.startswith("➕")]

    lucia = demo_bot.user("Lucía", language_code="es")
    assert follows((await lucia.send("/start"))[0]) == [
        "➕ Seguir México",
        "➕ Seguir Colombia",
        "➕ Seguir España",
        "➕ Seguir Argentina",
    ]
    porteña = demo_bot.user("Sol", language_code="es-AR")  # the region goes first
    assert follows((await porteña.send("/start"))[0])[0] == "➕ Seguir Argentina"
    joao = demo_bot.user("João", language_code="pt-BR")
    assert follows((await joao.send("/start"))[0])[:2] == ["➕ Seguir Brasil", "➕ Seguir Portugal"]
    zoe = demo_bot.user("Zoé", language_code="fr")
    assert follows((await zoe.send("/start"))[0])[:2] == [
        "➕ Suivre France",
        "➕ Suivre Côte d'Ivoire",
    ]


async def test_start_in_spanish(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    welcome = (await lucia.send("/start"))[0]
    assert "¡Te damos la bienvenida, Lucía!" in welcome.text
    assert "Empieza con un botón de abajo" in welcome.text
    assert welcome.button_texts[-3:] == ["🌍 Más países", "🔎 Buscar algo", "📝 Reportar avance"]
    followed = await lucia.press("➕ Seguir España", message=welcome)
    assert "España" in followed.replies[0].text
    assert "España" in (await lucia.send("/following"))[0].text
    look = (await lucia.press("🔎 Buscar algo", message=welcome)).replies[0]
    assert "Escribe lo que buscas, sin ningún comando" in look.text
    report = (await lucia.press("📝 Reportar avance", message=welcome)).replies[0]
    assert "¿Qué compromiso?" in report.text


async def test_deep_links_land_on_the_right_step(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    lookup = await ann.send("/start lookup")
    assert "Welcome, Ann!" in lookup[0].text and lookup[0].button_texts == []
    assert "Type what you are looking for" in lookup[1].text
    follow = await ann.send("/start follow")
    assert "Choose a region" in follow[1].text
    card = await ann.send("/start AR0045")
    assert card[1].text.startswith("AR0045 · ")
    help_page = await ann.send("/start help")
    assert "What you can do" in help_page[1].text
    kenya = await ann.send("/start follow_KEN")
    assert "Now following Kenya" in kenya[1].text
    report = await ann.send("/start report_KE0012")
    assert "KE0012" in report[0].text
    await ann.send("/cancel")
    # A payload naming no step is an ordinary /start.
    unknown = await ann.send("/start something_else")
    assert len(unknown) == 1 and "🔎 Look something up" in unknown[0].button_texts
    lucia = demo_bot.user("Lucía", language_code="es")
    step = await lucia.send("/start lookup")
    assert "Escribe lo que buscas" in step[1].text


async def test_start_in_a_group_reports_in_private(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    group = demo_bot.group("Kenya WG", members=[ann], admins=[ann])
    welcome = (await ann.send("/start", chat=group))[0]
    report = welcome.button("📝 Report progress")
    assert report.url.endswith("?start=report")


async def test_help_is_short_and_grouped(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    short = (await ann.send("/help"))[0]
    assert len(short.text.splitlines()) <= 12
    assert "Look up: /status /search /country /history /stats" in short.text
    assert "/pending" not in short.text
    assert short.button_texts == ["All commands, explained"]
    full = (await ann.press("All commands, explained", message=short)).replies[0]
    assert full.message_id == short.message_id  # the same message, another page
    assert "/report — Report progress on a commitment" in full.text
    assert "/pending" not in full.text
    back = (await ann.press("« Back", message=full)).replies[0]
    assert "Look up: /status" in back.text
    forged = await ann.press_data("hl:lead", message=back)
    assert forged.show_alert and "expired" in forged.answer_text


async def test_help_in_spanish(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    short = (await lucia.send("/help"))[0]
    assert "Lo que puedes hacer" in short.text
    assert "Consultar: /status /search /country /history /stats" in short.text
    full = (await lucia.press("Todos los comandos, explicados", message=short)).replies[0]
    assert "/report — Reportar el avance de un compromiso" in full.text
    assert "« " in full.button_texts[0]
