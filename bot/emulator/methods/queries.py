"""Answers to callback queries and inline queries."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import ApiError, bad
from bot.emulator.state import ServerState
from bot.emulator.validation import (
    MAX_CALLBACK_ANSWER,
    MAX_INLINE_RESULTS,
    check_markup,
    format_text,
)


class QueryMethods(ServerState):
    """answerCallbackQuery and answerInlineQuery."""

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> Any:
        query = self.callback_queries.get(params["callback_query_id"])
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.text = text
        query.show_alert = bool(params.get("show_alert"))
        query.url = params.get("url")
        return True

    def _api_answerInlineQuery(self, params: dict, files: dict) -> Any:
        query = self.inline_queries.get(params["inline_query_id"])
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        results = params["results"]
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            rid = result.get("id", "")
            if not 1 <= len(rid.encode("utf-8")) <= 64 or rid in seen:
                raise bad("RESULT_ID_INVALID" if rid not in seen else "RESULT_ID_DUPLICATE")
            seen.add(rid)
            check_markup(result.get("reply_markup"))
            content = result.get("input_message_content")
            if content and "message_text" in content:
                try:
                    format_text(
                        content["message_text"], content.get("parse_mode"), content.get("entities")
                    )
                except ApiError as exc:
                    if "text is empty" in exc.description:
                        raise bad("MESSAGE_EMPTY") from None
                    raise
            if result.get("type") == "article" and not result.get("title"):
                raise bad("RESULT_TITLE_EMPTY")
        query.answered = True
        query.results = [dict(r) for r in results]
        query.params = {k: v for k, v in params.items() if k != "results"}
        return True
