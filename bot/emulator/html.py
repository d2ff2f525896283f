"""Validator for Telegram's HTML parse mode (and a loose MarkdownV2 one).

Telegram rejects a whole message when its HTML is malformed, so the emulator runs every
``parse_mode="HTML"`` text through :func:`parse_html` to catch in tests what production
would answer with 400 "can't parse entities".
"""

from __future__ import annotations

import html as _stdhtml
import re
from dataclasses import dataclass, field

__all__ = [
    "parse_html",
    "parse_markdown_v2",
    "to_console",
    "utf16_len",
    "validate_html",
]

_PREFIX = "Bad Request: can't parse entities: "

# tag name -> entity type (None: handled specially)
_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>", re.S)
_ATTR_RE = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_URL_RE = re.compile(r"^(https?|tg)://\S+$|^mailto:\S+$", re.I)
_PLAIN_RE = re.compile(r"[^<>&]+")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Open:
    tag: str
    start: int  # utf-16 offset in output
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def _error(message: str) -> ValueError:
    return ValueError(_PREFIX + message)


def _parse_attrs(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for m in _ATTR_RE.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        if value is None:
            value = m.group(4) if m.group(4) is not None else ""
        attrs[m.group(1).lower()] = _stdhtml.unescape(value)
    return attrs


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML; return (plain text, entities with UTF-16 offsets).

    Raises ValueError with a Telegram-like "Bad Request: can't parse entities: ..." message.
    """
    out: list[str] = []
    out_len = 0  # utf-16 units emitted so far
    stack: list[_Open] = []
    entities: list[dict] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            m = _TAG_RE.match(text, i)
            off = _byte_offset(text, i)
            if not m:
                raise _error(
                    f'Unsupported start tag "{_guess_tag(text, i)}" at byte offset {off}'
                    if re.match(r"</?[A-Za-z]", text[i:])
                    else f'Unexpected character "<" at byte offset {off}; use &lt; instead'
                )
            closing, name, raw_attrs, selfclose = (
                m.group(1),
                m.group(2).lower(),
                m.group(3),
                m.group(4),
            )
            if name not in _SIMPLE_TAGS:
                kind = "end" if closing else "start"
                raise _error(f'Unsupported {kind} tag "{name}" at byte offset {off}')
            if selfclose:
                raise _error(f'Unsupported start tag "{name}/" at byte offset {off}')
            if closing:
                if not stack:
                    raise _error(f"Unexpected end tag at byte offset {off}")
                top = stack[-1]
                if top.tag != name:
                    raise _error(
                        f'Unmatched end tag at byte offset {off}, expected "</{top.tag}>", '
                        f'found "</{name}>"'
                    )
                stack.pop()
                ent = _make_entity(top, out_len, stack)
                if ent is not None:
                    entities.append(ent)
            else:
                attrs = _parse_attrs(raw_attrs)
                _check_start(name, attrs, stack, off)
                stack.append(_Open(name, out_len, off, attrs))
            i = m.end()
            continue
        if ch == ">":
            raise _error(
                f'Unexpected character ">" at byte offset {_byte_offset(text, i)}; use &gt; instead'
            )
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            off = _byte_offset(text, i)
            if not m:
                raise _error(f"Can't find end of the entity starting at byte offset {off}")
            body = m.group(1)
            if body.startswith(("#x", "#X")):
                decoded = _codepoint(int(body[2:], 16), off)
            elif body.startswith("#"):
                decoded = _codepoint(int(body[1:]), off)
            elif body.lower() in _NAMED:
                decoded = _NAMED[body.lower()]
            else:
                raise _error(f'Unsupported HTML entity "&{body};" at byte offset {off}')
            out.append(decoded)
            out_len += utf16_len(decoded)
            i = m.end()
            continue
        # A run of plain text at once (per-character encoding made long messages slow).
        end = _PLAIN_RE.match(text, i).end()  # type: ignore[union-attr]
        run = text[i:end]
        out.append(run)
        out_len += utf16_len(run)
        i = end
    if stack:
        raise _error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _guess_tag(text: str, i: int) -> str:
    m = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)", text[i:])
    return m.group(1).lower() if m else ""


def _codepoint(value: int, off: int) -> str:
    if value == 0 or value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise _error(f"Invalid character reference at byte offset {off}")
    return chr(value)


def _check_start(name: str, attrs: dict[str, str], stack: list[_Open], off: int) -> None:
    if (
        stack
        and stack[-1].tag in ("code", "pre")
        and not (stack[-1].tag == "pre" and name == "code")
    ):
        raise _error(
            f'Unsupported start tag "{name}" inside "{stack[-1].tag}" at byte offset {off}'
        )
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _error(f'Tag "span" must have class "tg-spoiler" at byte offset {off}')
    if name == "a":
        href = attrs.get("href", "")
        if href and not _URL_RE.match(href.strip()) and not href.startswith("tg:"):
            raise _error(f'Wrong HTTP URL "{href}" at byte offset {off}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise _error(f"Custom emoji identifier must be specified at byte offset {off}")
    if name == "code" and "class" in attrs and not attrs["class"].startswith("language-"):
        raise _error(f'Unsupported class "{attrs["class"]}" of tag "code" at byte offset {off}')
    if name == "blockquote" and any(t.tag == "blockquote" for t in stack):
        raise _error(f"Blockquote entities can't be nested at byte offset {off}")


def _make_entity(top: _Open, end: int, stack: list[_Open]) -> dict | None:
    length = end - top.start
    kind = _SIMPLE_TAGS[top.tag]
    if length == 0:
        if top.tag == "pre" or top.tag == "code":
            return None
        return None
    ent: dict = {"type": kind, "offset": top.start, "length": length}
    if top.tag == "a":
        href = top.attrs.get("href")
        if not href:
            return None
        ent["url"] = href
    elif top.tag == "tg-emoji":
        ent["custom_emoji_id"] = top.attrs["emoji-id"]
    elif top.tag == "blockquote" and "expandable" in top.attrs:
        ent["type"] = "expandable_blockquote"
    elif top.tag == "code" and stack and stack[-1].tag == "pre":
        lang = top.attrs.get("class", "")
        if lang.startswith("language-"):
            # Telegram folds the language into the enclosing pre entity
            stack[-1].attrs["__language"] = lang[len("language-") :]
        return None
    elif top.tag == "pre" and top.attrs.get("__language"):
        ent["language"] = top.attrs["__language"]
    return ent


def validate_html(text: str) -> str:
    """Validate Telegram HTML and return the plain text (entities decoded)."""
    return parse_html(text)[0]


# --- MarkdownV2 (loose) -------------------------------------------------------------------

_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_MARKERS = ("||", "__", "*", "_", "~")


def parse_markdown_v2(text: str) -> str:
    """Loosely validate MarkdownV2 and return plain text.

    Enforces the rule that trips most bots: reserved characters outside entities must be
    escaped with a backslash ("Character '.' is reserved and must be escaped ...").
    Formatting markers are stripped; link/url parts are dropped from the plain text.
    """
    out: list[str] = []
    i, n = 0, len(text)
    open_markers: list[str] = []
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            raise _error(f"Character '\\' is reserved and must be escaped at byte offset {i}")
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _error(f"Can't find end of Pre entity at byte offset {_byte_offset(text, i)}")
            body = text[i + len(fence) : end]
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                body = rest if first and " " not in first else body
            out.append(re.sub(r"\\(.)", r"\1", body))
            i = end + len(fence)
            continue
        if ch == "[":
            m = re.match(r"\[((?:\\.|[^\]\\])*)\]\(((?:\\.|[^)\\])*)\)", text[i:], re.S)
            if m:
                out.append(parse_markdown_v2(m.group(1)))
                i += m.end()
                continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        marker = next((mk for mk in _MD_MARKERS if text.startswith(mk, i)), None)
        if marker:
            if open_markers and open_markers[-1] == marker:
                open_markers.pop()
            else:
                open_markers.append(marker)
            i += len(marker)
            continue
        if ch in _MD_RESERVED:
            raise _error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        i += 1
    if open_markers:
        raise _error(f"Can't find end of the entity starting with '{open_markers[-1]}'")
    return "".join(out)


# --- console rendering ----------------------------------------------------------------------

_CONSOLE_MARK = {"bold": "*", "italic": "_", "strikethrough": "~", "code": "`"}


def to_console(text: str, parse_mode: str | None = "HTML") -> str:
    """Render Telegram HTML as readable plain text for the console mode.

    Bold becomes *x*, italic _x_, code `x`, links "text (url)"; invalid HTML is shown raw.
    """
    if not parse_mode or parse_mode.upper() != "HTML":
        return text
    try:
        plain, entities = parse_html(text)
    except ValueError:
        return text
    units = plain.encode("utf-16-le")
    inserts: dict[int, list[str]] = {}
    for ent in entities:
        start, end = ent["offset"], ent["offset"] + ent["length"]
        mark = _CONSOLE_MARK.get(ent["type"])
        if ent["type"] == "text_link":
            inserts.setdefault(end, []).append(f" ({ent['url']})")
        elif ent["type"] == "spoiler":
            inserts.setdefault(start, []).append("||")
            inserts.setdefault(end, []).insert(0, "||")
        elif mark:
            inserts.setdefault(start, []).append(mark)
            inserts.setdefault(end, []).insert(0, mark)
    pieces: list[str] = []
    last = 0
    for pos in sorted(inserts):
        pieces.append(units[last * 2 : pos * 2].decode("utf-16-le"))
        pieces.extend(inserts[pos])
        last = pos
    pieces.append(units[last * 2 :].decode("utf-16-le"))
    return "".join(pieces)
