"""WCAG 2.1 AA contrast of the public site (#15), computed from its stylesheet and pages.

Text needs 4.5:1 against what is behind it (1.4.3); the parts of a chart a reader
must tell apart, 3:1 (1.4.11). Thin separator lines are decoration and exempt.
Every colour the stylesheet names must be in a checked pair or listed as
decoration, so a colour added later cannot escape the check.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.site import build
from bot.site.generator import COLOURS, TEMPLATES
from storage.db import Database

TEXT, GRAPHIC = 4.5, 3.0
RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
# Selectors whose borders are separators (between table rows, list items, above
# the footer): WCAG 1.4.11 does not apply to lines nobody needs to see.
DECORATIVE = {"footer", "ul.members li", "th,td"}


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of #rgb or #rrggbb."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rules(css: str) -> dict[str, dict[str, str]]:
    """Selector -> declarations, media queries flattened (they change layout only)."""
    found: dict[str, dict[str, str]] = {}
    for selector, body in RULE.findall(css):
        declarations = found.setdefault(" ".join(selector.split()), {})
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value:
                declarations[name.strip()] = value.strip()
    return found


def background(sheet: dict[str, dict[str, str]], selector: str) -> str:
    """What is behind ``selector``: its own background, else its first ancestor's
    (``header a`` is on ``header``), else the page's."""
    for candidate in (selector, selector.split()[0], "body"):
        for part in candidate.split(","):
            value = sheet.get(part.strip(), {}).get("background")
            if value and HEX.search(value):
                return HEX.search(value)[0]  # type: ignore[index]
    raise AssertionError(f"no background found for {selector}")


def pairs(css: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], set[str]]:
    """(text pairs, graphic pairs, colours exempt as decoration) of a stylesheet."""
    sheet = rules(css)
    text, graphic, decorative = [], [], set()
    for selector, declarations in sheet.items():
        behind = background(sheet, selector)
        for name, value in declarations.items():
            colour = HEX.search(value)
            if colour is None or name == "background":
                continue
            if name == "color":
                text.append((selector, colour[0], behind))
            elif name.startswith("border") and selector in DECORATIVE:
                decorative.add(colour[0].lower())
            else:
                graphic.append((f"{selector} {name}", colour[0], behind))
    return text, graphic, decorative


def test_every_colour_pair_of_the_stylesheet_meets_wcag_aa() -> None:
    css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    text, graphic, decorative = pairs(css)
    assert ("body", "#1a1a1a", "#fff") in text  # the parser reads what it should
    assert ("header a,header span", "#fff", "#12355b") in text
    assert len(text) >= 5 and graphic
    failing = [
        f"{where}: {fg} on {bg} is {contrast(fg, bg):.2f}:1 (needs {need}:1)"
        for pairs_, need in ((text, TEXT), (graphic, GRAPHIC))
        for where, fg, bg in pairs_
        if contrast(fg, bg) < need
    ]
    assert not failing, failing
    backgrounds = {bg.lower() for _, _, bg in text + graphic}
    checked = {fg.lower() for _, fg, _ in text + graphic} | backgrounds | decorative
    unchecked = {c.lower() for c in HEX.findall(css)} - checked
    assert not unchecked, f"colours in style.css no test checks: {unchecked}"


def test_the_checker_catches_a_low_contrast_pair() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    text, _, _ = pairs("body{color:#999;background:#fff}")
    assert [contrast(fg, bg) < TEXT for _, fg, bg in text] == [True]


def test_chart_colours_on_the_pages_stand_out_from_the_page(
    demo_db: Database, tmp_path: Path
) -> None:
    """The bars and their legend keys (inline SVG fills and styles) need 3:1 against
    the white page, so each status's part of a bar can be seen."""
    site = tmp_path / "site"
    build(demo_db, site, languages=["en"])
    page = (site / "en" / "members" / "KEN.html").read_text(encoding="utf-8")
    used = set(re.findall(r'fill="(#[0-9a-f]{6})"', page))
    used |= set(re.findall(r'style="background:(#[0-9a-f]{6})"', page))
    assert len(used) >= 3  # Kenya's bars have several statuses
    page_bg = background(rules((TEMPLATES / "style.css").read_text(encoding="utf-8")), "main")
    weak = {c: round(contrast(c, page_bg), 2) for c in used if contrast(c, page_bg) < GRAPHIC}
    assert not weak, weak
    assert all(contrast(c, page_bg) >= GRAPHIC for c in COLOURS.values())
