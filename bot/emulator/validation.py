"""The Bot API's rules the emulated server enforces, so a test fails where production would
answer 400: parameters and nested objects against the trimmed spec in ``spec.json``, text
after its parse_mode and within Telegram's lengths, and inline keyboards."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from bot.emulator.errors import ApiError, bad
from bot.emulator.html import parse_html, parse_markdown_v2, utf16_len
from bot.emulator.records import UploadedFile

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER = 200

BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
    "callback_game",
    "pay",
)
BUTTON_URL_RE = re.compile(r"^(https?://[^\s/$.?#][^\s]*|tg://\S+)$", re.I)


def _load_spec() -> dict[str, Any]:
    text = resources.files("bot.emulator").joinpath("spec.json").read_text("utf-8")
    return json.loads(text)


_SPEC: dict[str, Any] | None = None


def spec() -> dict[str, Any]:
    """The trimmed Bot API spec (methods/types -> fields with types and required flag)."""
    global _SPEC
    if _SPEC is None:
        _SPEC = _load_spec()
    return _SPEC


def validate(method: str, params: dict[str, Any], *, strict: bool) -> None:
    """Check a call against the spec as Telegram would (unknown parameters are
    dropped when not ``strict``); JSON-encoded values are decoded in place."""
    fields = spec()["methods"][method]["fields"]
    for name in list(params):
        if name not in fields:
            if strict:
                raise bad(f"unknown parameter {name}")
            params.pop(name)
    for name, info in fields.items():
        if name not in params:
            if info["required"]:
                if name == "text":
                    raise bad("message text is empty")
                raise bad(f"{name} is required")
            continue
        params[name] = _maybe_json(params[name], info["types"])
        err = _check(params[name], info["types"], name, strict)
        if err:
            raise bad(err)


def _check(value: Any, types: list[str], path: str, strict: bool) -> str | None:
    first: str | None = None
    for t in types:
        err = _check_one(value, t, path, strict)
        if err is None:
            return None
        first = first or err
    return first


def _check_one(value: Any, t: str, path: str, strict: bool) -> str | None:
    if t.startswith("Array of "):
        if not isinstance(value, list | tuple):
            return f'field "{path}" must be an Array'
        for i, item in enumerate(value):
            err = _check_one(item, t[len("Array of ") :], f"{path}[{i}]", strict)
            if err:
                return err
        return None
    primitive = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
        "True": lambda v: v is True,
        "InputFile": lambda v: (
            isinstance(v, UploadedFile) or (isinstance(v, str) and v.startswith("attach://"))
        ),
    }
    if t in primitive:
        return None if primitive[t](value) else f'field "{path}" must be of type {t}'
    type_spec = spec()["types"].get(t)
    if type_spec is None:
        return None
    if not isinstance(value, dict):
        return f'field "{path}" must be of type {t}'
    subtypes = type_spec.get("subtypes")
    if subtypes:
        candidates = _subtype_candidates(t, subtypes, value.get("type"))
        first: str | None = None
        for sub in candidates:
            err = _check_one(value, sub, path, strict)
            if err is None:
                return None
            first = first or err
        return first or f'field "{path}" must be of type {t}'
    fields = type_spec["fields"]
    for name, info in fields.items():
        if info["required"] and name not in value:
            return f'field "{path}.{name}" of {t} is required'
    for name, item in value.items():
        if name not in fields:
            if strict and fields:
                return f'unknown field "{path}.{name}" in {t}'
            continue
        err = _check(item, fields[name]["types"], f"{path}.{name}", strict)
        if err:
            return err
    return None


def format_text(
    raw: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode and Telegram's length limits; return (plain text, entities)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, ents = parse_html(raw)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
    elif mode == "markdownv2":
        try:
            plain, ents = parse_markdown_v2(raw), []
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
    elif mode == "markdown":
        plain, ents = re.sub(r"[*_`\[\]]", "", raw), []
    elif mode:
        raise bad(f"unsupported parse_mode {parse_mode}")
    else:
        plain, ents = raw, list(entities or [])
    size = utf16_len(plain)
    if caption:
        if size > MAX_CAPTION:
            raise bad("message caption is too long")
    else:
        if not plain.strip():
            raise bad("message text is empty")
        if size > MAX_TEXT:
            raise bad("message is too long")
    return plain, ents


def check_markup(markup: dict[str, Any] | None) -> None:
    if not markup:
        return
    rows = markup.get("inline_keyboard")
    if rows is None:
        return  # reply keyboard / remove / force reply: shape already checked by spec
    for row in rows:
        for button in row:
            actions = [a for a in BUTTON_ACTIONS if a in button]
            if len(actions) != 1:
                raise bad("can't parse inline keyboard button: exactly one action required")
            if not button.get("text"):
                raise bad("can't parse inline keyboard button: Text buttons are unallowed")
            if "callback_data" in button:
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad("BUTTON_DATA_INVALID")
            if "url" in button and not BUTTON_URL_RE.match(button["url"]):
                raise bad(f"inline keyboard button URL '{button['url']}' is invalid")


def _maybe_json(value: Any, types: list[str]) -> Any:
    """Decode JSON-serialised objects/arrays (as form-encoded clients send them)."""
    if isinstance(value, str) and value[:1] in ("[", "{") and "String" not in types:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _subtype_candidates(base: str, subtypes: list[str], type_value: Any) -> list[str]:
    """Order a union's subtypes so those whose name matches the ``type`` tag come first."""
    if not isinstance(type_value, str):
        return subtypes
    wanted = type_value.replace("_", "").lower()
    matching = [
        s
        for s in subtypes
        if s[len(base) :].replace("Cached", "").lower() == wanted
        or s[len(base) :].lower() == wanted
    ]
    return matching or subtypes
