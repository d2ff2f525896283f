"""Tests for the in-process Bot API emulator (bot/emulator)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.emulator import (
    BotAPIServer,
    Clock,
    Driver,
    EmulatorError,
    EmulatorRequest,
    HandlerError,
    RateLimits,
    parse_html,
    to_console,
    validate_html,
)
from bot.emulator.server import spec

Ctx = ContextTypes.DEFAULT_TYPE


def _seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is int or timedelta depending on PTB settings (and warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# ---------------------------------------------------------------- tiny bot under test


async def start(update: Update, context: Ctx) -> None:
    name = update.effective_user.first_name
    await update.effective_message.reply_html(f"Hello <b>{name}</b> &amp; welcome")


async def echo(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def menu(update: Update, context: Ctx) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Next ›", callback_data="page:2")],
            [InlineKeyboardButton("Website", url="https://www.opengovpartnership.org")],
        ]
    )
    await update.effective_message.reply_text("Page 1", reply_markup=keyboard)


async def on_page(update: Update, context: Ctx) -> None:
    query = update.callback_query
    await query.answer(f"Opening {query.data}")
    await query.edit_message_text(f"Page {query.data.split(':')[1]}")


async def bad_html(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_html("<b>unclosed")


async def swallow_bad_html(update: Update, context: Ctx) -> None:
    with contextlib.suppress(BadRequest):
        await update.effective_message.reply_html("x < y")


async def long_text(update: Update, context: Ctx) -> None:
    size = int(context.args[0])
    await update.effective_message.reply_text("x" * size)


async def emoji_text(update: Update, context: Ctx) -> None:
    # each emoji is 2 UTF-16 code units: 2048 emojis == 4096 units (ok), 2049 too long
    await update.effective_message.reply_text("😀" * int(context.args[0]))


async def button_data(update: Update, context: Ctx) -> None:
    data = "d" * int(context.args[0])
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])
    await update.effective_message.reply_text("button", reply_markup=markup)


async def send_doc(update: Update, context: Ctx) -> None:
    payload = InputFile(b"%PDF-1.4 fake", filename="report.pdf")
    await update.effective_message.reply_document(
        payload, caption="<i>Report</i>", parse_mode="HTML"
    )


async def on_inline(update: Update, context: Ctx) -> None:
    query = update.inline_query.query
    results = [
        InlineQueryResultArticle(
            id="kenya-1",
            title=f"Result for {query}",
            input_message_content=InputTextMessageContent(
                f"<b>Kenya</b>: {query}", parse_mode=ParseMode.HTML
            ),
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="m")]]),
        )
    ]
    await update.inline_query.answer(results, cache_time=0)


CHOSEN: list[str] = []


async def on_chosen(update: Update, context: Ctx) -> None:
    CHOSEN.append(update.chosen_inline_result.result_id)


async def whoami(update: Update, context: Ctx) -> None:
    member = await context.bot.get_chat_member(update.effective_chat.id, update.effective_user.id)
    await update.effective_message.reply_text(f"status={member.status}")


async def on_photo(update: Update, context: Ctx) -> None:
    photo = update.effective_message.photo[-1]
    file = await photo.get_file()
    data = await file.download_as_bytearray()
    await update.effective_message.reply_text(f"got {len(data)} bytes")


async def remind(update: Update, context: Ctx) -> None:
    async def job(ctx: Ctx) -> None:
        await ctx.bot.send_message(ctx.job.chat_id, "reminder!")

    context.job_queue.run_once(job, when=3600, chat_id=update.effective_chat.id)
    await update.effective_message.reply_text("scheduled")


async def slow(update: Update, context: Ctx) -> None:
    await update.effective_message.reply_text("non-blocking done")


def build_app(server: BotAPIServer, *, concurrent: bool = False) -> Application:
    builder = (
        Application.builder()
        .token(server.token)
        .request(EmulatorRequest(server))
        .get_updates_request(EmulatorRequest(server))
    )
    if concurrent:
        builder = builder.concurrent_updates(True)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("badhtml", bad_html))
    app.add_handler(CommandHandler("swallow", swallow_bad_html))
    app.add_handler(CommandHandler("long", long_text))
    app.add_handler(CommandHandler("emoji", emoji_text))
    app.add_handler(CommandHandler("button", button_data))
    app.add_handler(CommandHandler("doc", send_doc))
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CommandHandler("remind", remind))
    app.add_handler(CommandHandler("slow", slow, block=False))
    app.add_handler(CallbackQueryHandler(on_page, pattern=r"^page:"))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(ChosenInlineResultHandler(on_chosen))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


@pytest.fixture
def server() -> BotAPIServer:
    return BotAPIServer(clock=Clock(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)))


@pytest.fixture
async def driver(server: BotAPIServer) -> AsyncIterator[Driver]:
    async with Driver(build_app(server), server) as d:
        yield d


# ---------------------------------------------------------------- basics


async def test_get_me_on_initialize(driver: Driver, server: BotAPIServer) -> None:
    assert server.calls[0].method == "getMe"
    assert driver.app.bot.username == "ogp_tracker_bot"
    assert driver.app.bot.id == 123456


async def test_command_routed_and_html_parsed(driver: Driver) -> None:
    alice = driver.user("Alice", username="alice")
    replies = await alice.send("/start")
    assert len(replies) == 1
    msg = replies[0]
    assert msg.text == "Hello Alice & welcome"
    assert msg.html == "Hello <b>Alice</b> &amp; welcome"
    assert msg.entities == [{"type": "bold", "offset": 6, "length": 5}]
    assert alice.last_reply == msg
    assert msg.date == int(driver.clock.now().timestamp())
    assert replies.message is not None and replies.message.text == "/start"


async def test_command_with_bot_username_in_group(driver: Driver) -> None:
    alice = driver.user("Alice")
    wg = driver.group("Kenya WG", members=[alice])
    await alice.send("/start@ogp_tracker_bot", chat=wg)
    assert wg.last_message is not None
    assert wg.last_message.text == "Hello Alice & welcome"
    # a command addressed to another bot is ignored by PTB
    replies = await alice.send("/start@other_bot", chat=wg)
    assert list(replies) == []


async def test_echo_and_message_ids_increase(driver: Driver) -> None:
    bob = driver.user("Bob")
    first = await bob.send("hello")
    second = await bob.send("again")
    assert first[0].text == "hello"
    assert second[0].message_id > first[0].message_id > first.message.message_id


async def test_concurrent_app_and_non_blocking_handler(server: BotAPIServer) -> None:
    async with Driver(build_app(server, concurrent=True), server) as d:
        alice = d.user("Alice")
        replies = await alice.send("/slow")
        assert replies.texts == ["non-blocking done"]


# ---------------------------------------------------------------- strictness


async def test_invalid_html_fails_loudly(driver: Driver) -> None:
    alice = driver.user("Alice")
    with pytest.raises(EmulatorError, match=r"(?i)can't parse entities") as info:
        await alice.send("/badhtml")
    assert isinstance(info.value.__cause__, BadRequest)


async def test_invalid_html_raises_bad_request_inside_ptb(driver: Driver) -> None:
    alice = driver.user("Alice")
    with driver.expect_rejections() as rejected, pytest.raises(HandlerError) as info:
        await alice.send("/badhtml")
    assert isinstance(info.value.original, BadRequest)
    # PTB strips "Bad Request: " and capitalises the first letter
    assert str(info.value.original) == (
        "Can't parse entities: can't find end tag corresponding to start tag \"b\""
    )
    assert rejected.calls[0].method == "sendMessage"


async def test_swallowed_rejection_still_fails(driver: Driver) -> None:
    alice = driver.user("Alice")
    with pytest.raises(EmulatorError, match=r"(?i)sendMessage"):
        await alice.send("/swallow")
    with driver.expect_rejections() as rejected:
        await alice.send("/swallow")
    assert len(rejected.calls) == 1


@pytest.mark.parametrize(
    ("command", "most"),
    [("/long", 4096), ("/emoji", 2048)],  # an emoji is two UTF-16 code units
    ids=["ascii", "counts-utf16"],
)
async def test_text_length_limit(driver: Driver, command: str, most: int) -> None:
    alice = driver.user("Alice")
    ok = await alice.send(f"{command} {most}")
    assert len(ok[0].text) == most
    with driver.expect_rejections(), pytest.raises(HandlerError) as info:
        await alice.send(f"{command} {most + 1}")
    assert "message is too long" in str(info.value.original).lower()


async def test_callback_data_byte_limit(driver: Driver) -> None:
    alice = driver.user("Alice")
    ok = await alice.send("/button 64")
    assert ok[0].buttons[0][0].callback_data == "d" * 64
    with driver.expect_rejections() as rejected, pytest.raises(HandlerError):
        await alice.send("/button 65")
    assert rejected.descriptions == ["Bad Request: BUTTON_DATA_INVALID"]


@pytest.mark.filterwarnings("ignore:Please use:telegram.warnings.PTBUserWarning")
async def test_unknown_and_missing_fields_and_unknown_method(
    driver: Driver, server: BotAPIServer
) -> None:
    alice = driver.user("Alice")
    bot = driver.app.bot
    with pytest.raises(BadRequest, match=r"(?i)unknown parameter colour"):
        await bot.do_api_request("sendMessage", {"chat_id": alice.id, "text": "x", "colour": 1})
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.do_api_request("sendMessage", {"chat_id": alice.id})
    with pytest.raises(BadRequest, match=r"(?i)chat_id is required"):
        await bot.do_api_request("sendMessage", {"text": "hi"})
    with pytest.raises(BadRequest, match=r"(?i)must be of type Integer"):
        await bot.do_api_request("getChatMember", {"chat_id": alice.id, "user_id": "x"})
    status, body = await server.handle("sendTelepathy", {"chat_id": alice.id})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    with pytest.raises(InvalidToken):
        await EmulatorRequest(server).post(f"https://api.telegram.org/bot{server.token}/nope")
    assert [c.status for c in server.rejected] == [400, 400, 400, 400, 404, 404]


async def test_nested_object_validation(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "a", "colour": "red"}]]}
    status, body = await server.handle(
        "sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": markup}
    )
    assert status == 400 and "colour" in body["description"]
    two_actions = {"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://a.b"}]]}
    status, _ = await server.handle(
        "sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": two_actions}
    )
    assert status == 400
    bad_url = {"inline_keyboard": [[{"text": "x", "url": "javascript:alert(1)"}]]}
    status, body = await server.handle(
        "sendMessage", {"chat_id": alice.id, "text": "x", "reply_markup": bad_url}
    )
    assert body["description"] == (
        "Bad Request: inline keyboard button URL 'javascript:alert(1)' is invalid"
    )
    # JSON-encoded objects (form clients) are accepted
    status, _ = await server.handle(
        "sendMessage",
        {"chat_id": alice.id, "text": "x", "reply_markup": json.dumps({"remove_keyboard": True})},
    )
    assert status == 200


async def test_chat_not_found_and_blocked(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    bot = driver.app.bot
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999_999, "hi")
    server.block(alice.id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(alice.id, "hi")
    # a handler hitting 403 surfaces as a handler error, not as a rejection
    with pytest.raises(HandlerError) as info:
        await alice.send("/start")
    assert isinstance(info.value.original, Forbidden)
    server.unblock(alice.id)
    assert (await alice.send("/start"))[0].text.startswith("Hello")


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_rate_limits_follow_the_clock(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    wg = driver.group("WG", members=[alice])
    bot = driver.app.bot
    server.rate_limits = RateLimits(enabled=True)
    await bot.send_message(alice.id, "one")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(alice.id, "two")
    assert _seconds(info.value) == 1
    driver.clock.advance(seconds=1)
    await bot.send_message(alice.id, "two")
    for _ in range(20):
        driver.clock.advance(seconds=1.5)
        await bot.send_message(wg.id, "spam")
    with pytest.raises(RetryAfter) as info:
        driver.clock.advance(seconds=1.5)
        await bot.send_message(wg.id, "one too many")
    assert _seconds(info.value) >= 1
    assert server.rejected[-1].status == 429


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_force_429(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    server.force_429(n=1, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await driver.app.bot.send_message(alice.id, "x")
    assert _seconds(info.value) == 3
    await driver.app.bot.send_message(alice.id, "x")


# ---------------------------------------------------------------- edits, callbacks, files


async def test_press_edits_in_place(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    page = (await alice.send("/menu"))[0]
    assert page.button_texts == ["Next ›", "Website"]
    assert page.buttons[1][0].url == "https://www.opengovpartnership.org"
    result = await alice.press("Next ›")
    assert result.answer_text == "Opening page:2"
    assert result.show_alert is False
    assert result.replies == [page]
    assert page.text == "Page 2"
    assert page.edit_count == 1
    assert page.buttons == []  # editMessageText without reply_markup drops the keyboard
    bot = driver.app.bot
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Page 2", chat_id=alice.id, message_id=page.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    user_msg = (await alice.send("hi")).message
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=user_msg.message_id)


async def test_callback_answer_twice_and_stale(driver: Driver) -> None:
    alice = driver.user("Alice")
    await alice.send("/menu")
    result = await alice.press("Next")  # unique partial match
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await driver.app.bot.answer_callback_query(result.query_id, text="again")
    with pytest.raises(EmulatorError, match=r"(?i)no bot message"):
        await alice.press("Previous")


async def test_delete_message(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    msg = (await alice.send("/menu"))[0]
    assert await driver.app.bot.delete_message(alice.id, msg.message_id)
    assert msg.deleted and alice.last_reply is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await driver.app.bot.delete_message(alice.id, msg.message_id)


async def test_document_upload_kept(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    msg = (await alice.send("/doc"))[0]
    assert msg.document is not None
    assert msg.document.filename == "report.pdf"
    assert msg.document.content == b"%PDF-1.4 fake"
    assert msg.document.mime_type == "application/pdf"
    assert msg.caption == "Report"
    assert msg.html == "<i>Report</i>"
    # re-send by file_id works; using it as a photo does not
    bot = driver.app.bot
    again = await bot.send_document(alice.id, msg.document.file_id)
    assert again.document.file_name == "report.pdf"
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Document as Photo"):
        await bot.send_photo(alice.id, msg.document.file_id)


async def test_user_photo_downloadable(driver: Driver) -> None:
    alice = driver.user("Alice")
    replies = await alice.send_photo(b"12345", caption="look")
    assert replies.texts == ["got 5 bytes"]
    assert replies.message.photo.content == b"12345"


async def test_inline_answer_and_choose(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    wg = driver.group("WG", members=[alice])
    results = await alice.inline("procurement")
    assert [r["title"] for r in results] == ["Result for procurement"]
    assert results[0]["type"] == "article"
    posted = await alice.choose_inline(results[0], chat=wg)
    assert CHOSEN[-1] == "kenya-1"
    msg = posted.message
    assert msg.text == "Kenya: procurement"
    assert msg.data["via_bot"]["username"] == "ogp_tracker_bot"
    assert msg.stored.inline_message_id is not None
    ok = await driver.app.bot.edit_message_text(
        "edited", inline_message_id=msg.stored.inline_message_id
    )
    assert ok is True and msg.text == "edited"
    # pressing a button of a via_bot message yields a query with inline_message_id only
    with pytest.raises(EmulatorError, match="no bot message"):
        await alice.press("More", chat=wg)  # only bot-sent messages are searched by default


async def test_inline_answer_validates_content(driver: Driver, server: BotAPIServer) -> None:
    alice = driver.user("Alice")
    state = server.new_inline_query(alice.id, "q")
    article = InlineQueryResultArticle("1", "t", InputTextMessageContent("<b>oops", "HTML"))
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await driver.app.bot.answer_inline_query(state.id, [article])
    too_many = [
        InlineQueryResultArticle(str(i), "t", InputTextMessageContent("x")) for i in range(51)
    ]
    with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
        await driver.app.bot.answer_inline_query(state.id, too_many)


async def test_chat_member_roles(driver: Driver) -> None:
    alice = driver.user("Alice")
    bob = driver.user("Bob")
    carol = driver.user("Carol")
    wg = driver.group("Kenya WG", members=[alice, bob], admins=[alice])
    assert (await alice.send("/whoami", chat=wg)).texts == ["status=administrator"]
    assert (await bob.send("/whoami", chat=wg)).texts == ["status=member"]
    assert (await alice.send("/whoami")).texts == ["status=member"]
    admins = await driver.app.bot.get_chat_administrators(wg.id)
    assert [a.user.id for a in admins] == [alice.id]
    member = await driver.app.bot.get_chat_member(wg.id, carol.id)
    assert member.status == "left"
    assert await driver.app.bot.get_chat_member_count(wg.id) == 3
    sg = driver.supergroup("Super", owner=carol)
    assert sg.id < -1_000_000_000_000
    assert (await driver.app.bot.get_chat_member(sg.id, carol.id)).status == "creator"


async def test_commands_and_settings_stored(driver: Driver, server: BotAPIServer) -> None:
    bot = driver.app.bot
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    await bot.set_my_commands([("start", "Anza")], language_code="sw")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="sw")] == ["Anza"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    await bot.set_my_description("Tracks OGP commitments")
    assert (await bot.get_my_description()).description == "Tracks OGP commitments"


async def test_jobs_run_with_clock(driver: Driver) -> None:
    alice = driver.user("Alice")
    await alice.send("/remind")
    driver.clock.advance(hours=1)
    replies = await driver.run_jobs()
    assert replies.texts == ["reminder!"]
    assert replies[0].date == int(driver.clock.now().timestamp())


async def test_get_updates_queue(server: BotAPIServer) -> None:
    server.push_update(
        {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    )
    status, body = await server.handle("getUpdates", {"timeout": 0})
    assert status == 200 and len(body["result"]) == 1
    uid = body["result"][0]["update_id"]
    status, body = await server.handle("getUpdates", {"offset": uid + 1, "timeout": 0})
    assert body["result"] == []
    await server.handle("setWebhook", {"url": "https://example.org/hook"})
    status, body = await server.handle("getUpdates", {})
    assert status == 409


# ---------------------------------------------------------------- HTML validator


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("<b>bold <i>and italic</i></b>", "bold and italic"),
        ("a &lt; b &amp;&amp; c &gt; d &quot;q&quot;", 'a < b && c > d "q"'),
        ("&#128512; &#x1F600;", "😀 😀"),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">secret</span> <tg-spoiler>x</tg-spoiler>', "secret x"),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        (
            "<strong>s</strong><em>e</em><ins>i</ins><strike>k</strike><del>d</del><u>u</u>",
            "seikdu",
        ),
    ],
)
def test_html_valid(source: str, plain: str) -> None:
    assert validate_html(source) == plain


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("1 < 2", 'Unexpected character "<"'),
        ("1 > 2", 'Unexpected character ">"'),
        ("Q&A", "Can't find end of the entity"),
        ("hello <script>x</script>", 'Unsupported start tag "script" at byte offset 6'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("line<br/>break", 'Unsupported start tag "br"'),
        ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
        ("</b>", "Unexpected end tag"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("<code><b>x</b></code>", 'Unsupported start tag "b" inside "code"'),
    ],
)
def test_html_invalid(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"(?i)can't parse entities") as info:
        validate_html(source)
    assert fragment in str(info.value)
    assert str(info.value).startswith("Bad Request: can't parse entities: ")


def test_html_byte_offsets_and_entities() -> None:
    with pytest.raises(ValueError, match=r"byte offset 14"):
        validate_html("héllo wörld <script>")  # é and ö take two bytes each
    plain, entities = parse_html('😀 <b>hi</b> <a href="https://x.org">x</a>')
    assert plain == "😀 hi x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 6, "length": 1, "url": "https://x.org"},
    ]
    _, entities = parse_html('<pre><code class="language-py">x</code></pre>')
    assert entities == [{"type": "pre", "offset": 0, "length": 1, "language": "py"}]


def test_to_console() -> None:
    rendered = to_console('<b>Kenya</b> &amp; <i>you</i>: <a href="https://x.org">site</a>')
    assert rendered == "*Kenya* & _you_: site (https://x.org)"
    assert to_console("<b>broken") == "<b>broken"


async def test_markdown_v2_reserved_characters(driver: Driver) -> None:
    alice = driver.user("Alice")
    bot = driver.app.bot
    msg = await bot.send_message(alice.id, r"*Done*\. Price: 5\-10", parse_mode="MarkdownV2")
    assert msg.text == "Done. Price: 5-10"
    with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
        await bot.send_message(alice.id, "Done.", parse_mode="MarkdownV2")


def test_spec_copy_is_trimmed() -> None:
    methods = spec()["methods"]
    assert methods["sendMessage"]["fields"]["chat_id"] == {
        "types": ["Integer", "String"],
        "required": True,
    }
    assert "description" not in json.dumps(methods["sendMessage"])


async def test_stop_bot_delivers_my_chat_member(server: BotAPIServer) -> None:
    seen: list[str] = []

    async def on_member(update: Update, context: Ctx) -> None:
        seen.append(update.my_chat_member.new_chat_member.status)

    app = build_app(server)
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    async with Driver(app, server) as d:
        alice = d.user("Alice")
        await alice.stop_bot()
        with pytest.raises(Forbidden):
            await app.bot.send_message(alice.id, "still there?")
        await alice.restart_bot()
        await app.bot.send_message(alice.id, "welcome back")
    assert seen == ["kicked", "member"]


async def test_console_rendering_of_sent_message(driver: Driver) -> None:
    alice = driver.user("Alice")
    msg = (await alice.send("/start"))[0]
    assert msg.console == "Hello *Alice* & welcome"


async def test_press_on_inline_message(server: BotAPIServer) -> None:
    seen: list[tuple[str | None, bool]] = []

    async def on_more(update: Update, context: Ctx) -> None:
        query = update.callback_query
        seen.append((query.inline_message_id, query.message is None))
        await query.answer("more!")
        await query.edit_message_text("expanded")

    app = build_app(server)
    app.add_handler(CallbackQueryHandler(on_more, pattern="^m$"))
    async with Driver(app, server) as d:
        alice = d.user("Alice")
        wg = d.group("WG", members=[alice])
        results = await alice.inline("x")
        posted = (await alice.choose_inline(results[0], chat=wg)).message
        result = await alice.press("More", message=posted)
        assert result.answer_text == "more!"
        assert posted.text == "expanded" and posted.edit_count == 1
    assert seen == [(posted.stored.inline_message_id, True)]
