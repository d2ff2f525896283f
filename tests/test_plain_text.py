"""Text typed without a command is understood (issue #17, point 1), end to end.

An id in any loose form opens its card, a member's name (fuzzy, any of the
bot's languages) its page, anything else is searched; the "I answer commands"
hint is left for what none of these finds. In groups, only what is addressed
to the bot.
"""

from __future__ import annotations

from bot.emulator import Driver


async def test_an_id_typed_loosely_opens_its_card(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    for typed in ("AR0045", "ar-0045", "AR 0045", "AR45", "ar45"):
        card = (await ann.send(typed))[0]
        assert card.text.startswith("AR0045 · "), typed
        assert "Report progress" in card.button_texts


async def test_a_country_or_local_member_opens_its_page(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    kenya = (await ann.send("Kenya"))[0]
    assert kenya.text.startswith("Kenya\n") and "Action plans, newest first." in kenya.text
    assert kenya.button_texts  # the plans, as /country Kenya shows them
    assert (await ann.send("kenia"))[0].text == kenya.text  # Spanish name, typed by anyone
    philippines = (await ann.send("Philipines"))[0]  # a typo
    assert philippines.text.startswith("Philippines\n") and "Action plans" in philippines.text
    kigoma = (await ann.send("Kigoma"))[0]  # a local member, with no commitments here
    assert "There are no commitments of Kigoma in the database yet." in kigoma.text
    buenos_aires = (await ann.send("buenos aires"))[0]
    assert buenos_aires.text.startswith("Buenos Aires") and "Action plans" in buenos_aires.text


async def test_anything_else_is_a_search_with_results(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    found = (await ann.send("beneficial ownership"))[0]
    assert "2 commitments match beneficial ownership" in found.text
    assert {"NG0020", "UK0062"} <= set(found.button_texts)
    card = await ann.press("UK0062", message=found)
    assert card.replies[0].text.startswith("UK0062 · ")
    misspelt = (await ann.send("benefical ownership"))[0]
    assert "Did you mean beneficial ownership?" in misspelt.text
    assert "NG0020" in misspelt.button_texts


async def test_the_hint_is_left_for_what_nothing_finds(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    nothing = (await ann.send("qwxz zzkv"))[0]
    assert nothing.text == "I answer commands. Send /help to see what you can ask me."
    unknown = (await ann.send("ZZ9999"))[0]  # shaped like an id, matching nothing
    assert "I know no commitment ZZ9999" in unknown.text
    # A member's name only loosely like the text is no answer ("Hellas" is Greece).
    hello = (await ann.send("hello"))[0]
    assert hello.text == "I answer commands. Send /help to see what you can ask me."


async def test_a_conversation_waiting_for_text_takes_it_first(demo_bot: Driver) -> None:
    ann = demo_bot.user("Ann")
    ask = (await ann.send("/report KE0012"))[0]
    await ann.press(next(t for t in ask.button_texts if "Limited" in t), message=ask)
    note = (await ann.send("Kenya"))[0]  # the note, not a country page
    assert "Action plans" not in note.text
    assert "Skip" in note.button_texts


async def test_in_a_group_only_what_is_addressed_to_the_bot(demo_bot: Driver) -> None:
    ann, bob = demo_bot.user("Ann"), demo_bot.user("Bob")
    group = demo_bot.group("Kenya WG", members=[ann, bob], admins=[ann])
    assert await ann.send("Kenya", chat=group) == []
    assert await ann.send("AR0045 is late again", chat=group) == []
    addressed = await ann.send(f"@{demo_bot.server.username} kenya", chat=group)
    assert addressed[0].chat_id == group.id
    assert addressed[0].text.startswith("Kenya\n") and "Action plans" in addressed[0].text
    card = (await bob.reply_to(addressed[0], "AR45"))[0]  # a reply to the bot
    assert card.text.startswith("AR0045 · ")
    # In a group the Report button is a link to the private chat.
    assert card.buttons[0][0].url.endswith("?start=report_AR0045")


async def test_spanish_plain_text(demo_bot: Driver) -> None:
    lucia = demo_bot.user("Lucía", language_code="es")
    card = (await lucia.send("ar-45"))[0]
    assert card.text.startswith("AR0045 · ")
    assert "Reportar avance" in card.button_texts
    kenia = (await lucia.send("Kenia"))[0]
    assert (
        kenia.text.startswith("Kenia\n")
        and "Planes de acción, los más recientes primero." in kenia.text
    )
    uk = (await lucia.send("Reino Unido"))[0]
    assert uk.text.startswith("Reino Unido\n") and "Planes de acción" in uk.text
    found = (await lucia.send("participación ciudadana"))[0]
    assert "compromisos coinciden con participación ciudadana" in found.text
    misspelt = (await lucia.send("benefical ownership"))[0]
    assert "¿Quisiste decir beneficial ownership?" in misspelt.text
    nothing = (await lucia.send("qwxz zzkv"))[0]
    assert nothing.text == "Respondo a comandos. Envía /help para ver qué puedes pedirme."
    group = demo_bot.group("Grupo", members=[lucia], admins=[lucia])
    assert await lucia.send("Kenia", chat=group) == []
