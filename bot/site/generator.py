"""Rendering the public site with Jinja2 (autoescaped) in the bot's languages."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from bot.i18n import DOMAIN, available_languages, language_name, locale_dir, translation
from bot.views import base as base_view
from bot.views import commitments as commitments_view
from bot.views.base import member_label
from bot.views.commitments import irm_value, plan_label, status_name
from storage.db import Database
from storage.models import Status
from storage.site import PublicCommitment, PublicData, PublicMember, PublicPledge, public_data
from storage.statuses import REPORT_STATUSES
from storage.summit import STATUS, THEMES

TEMPLATES = Path(__file__).with_name("templates")
# Member pages list at most this many commitments each, so a page stays < 100 KB.
PER_PAGE = 200
REPORTS_SHOWN = 20  # latest verified reports in full on a commitment page
FEED_ENTRIES = 50
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # ids become file names
# Bar colours: the registry's (storage/statuses.py), each at least 3:1 against
# white (WCAG 1.4.11, tests/test_site_contrast.py); the words are beside them.
COLOURS: dict[Status | None, str] = {entry.code: entry.colour for entry in REPORT_STATUSES}
COLOURS[None] = "#767676"  # no verified report yet
SCALE: tuple[Status | None, ...] = (*Status, None)
IRM_WORDS = {s.value.replace("_", " "): s for s in Status}


@dataclass(frozen=True, slots=True)
class BuildSummary:
    members: int
    commitments: int
    languages: tuple[str, ...]
    written: int
    unchanged: int
    removed: int
    seconds: float

    @property
    def pages(self) -> int:
        return self.written + self.unchanged


@dataclass(frozen=True, slots=True)
class Segment:
    label: str
    count: int
    colour: str
    x: float
    width: float


def irm_status(word: str | None) -> Status | None:
    return IRM_WORDS.get(word.strip().casefold()) if word else None


def segments(
    tr: NullTranslations, counts: Counter[Status | None], none_label: str
) -> list[Segment]:
    """A stacked bar's parts, in the scale's order, as percentages of the whole."""
    total = sum(counts.values()) or 1
    out, x = [], 0.0
    for status in SCALE:
        count = counts.get(status, 0)
        if not count:
            continue
        width = 100 * count / total
        label = status_name(tr, status) if status else none_label
        out.append(Segment(label, count, COLOURS[status], round(x, 3), round(width, 3)))
        x += width
    return out


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["day"] = lambda v: (
        v.date().isoformat() if isinstance(v, datetime) else (v.isoformat() if v else "—")
    )
    env.filters["stamp"] = lambda v: v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return env


MANIFEST = ".manifest.json"  # page -> digest of what it was rendered from


def digest(*parts: object) -> str:
    """A page's inputs as one short key: the same inputs render the same bytes."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def code_digest(lang: str) -> str:
    """What every page of ``lang`` depends on besides its data: the templates, the
    code that words it (this module's colours and page size, the views' labels)
    and the language's compiled catalogue."""
    modules = (sys.modules[__name__], base_view, commitments_view)
    parts = [Path(module.__file__ or "").read_bytes() for module in modules]
    parts += [path.read_bytes() for path in sorted(TEMPLATES.iterdir()) if path.is_file()]
    catalogue = locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    parts.append(catalogue.read_bytes() if catalogue.is_file() else b"")
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).hexdigest()


class _Writer:
    """Writes a file only when its bytes differ from what is there, and skips
    rendering a page whose inputs' digest is the one the last build recorded
    (the manifest) while its file is still there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written = 0
        self.unchanged = 0
        self.paths: set[Path] = set()
        self.folders: set[Path] = set()  # made already: one mkdir per folder, not per page
        try:
            loaded = json.loads((root / MANIFEST).read_bytes())
            self.previous: dict[str, str] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):  # none yet, or damaged: render every page
            self.previous = {}
        self.manifest: dict[str, str] = {}

    def fresh(self, relative: str, key: str) -> bool:
        """True when the page need not be rendered again (counted unchanged)."""
        path = self.root / relative
        if self.previous.get(relative) != key or not path.is_file():
            return False
        self.paths.add(path)
        self.manifest[relative] = key
        self.unchanged += 1
        return True

    def __call__(self, relative: str, text: str, key: str | None = None) -> None:
        path = self.root / relative
        self.paths.add(path)
        if key is not None:
            self.manifest[relative] = key
        data = text.encode("utf-8")
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                self.unchanged += 1
                return
        except FileNotFoundError:
            # A new file: written in place, two syscalls fewer than a rename, and
            # nobody can have read half of it; a crash leaves it out of the
            # manifest, so the next build writes it again.
            if path.parent not in self.folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            self.written += 1
            return
        part = path.with_name(f".{path.name}.part")  # a page replaced: never half-read
        part.write_bytes(data)
        os.replace(part, path)
        self.written += 1

    def save_manifest(self, built: Iterable[str]) -> None:
        """Keep the entries of languages not built this time; write atomically."""
        folders = set(built)
        kept = {k: v for k, v in self.previous.items() if k.split("/")[0] not in folders}
        part = self.root / f".{MANIFEST}.part"
        part.write_text(json.dumps(kept | self.manifest, sort_keys=True), encoding="utf-8")
        os.replace(part, self.root / MANIFEST)

    def remove_stale(self, folders: Iterable[Path]) -> int:
        """Pages of what is no longer published (a commitment gone), in the languages built."""
        removed = 0
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in folder.rglob("*"):
                if path.suffix in {".html", ".atom"} and path not in self.paths:
                    path.unlink()
                    removed += 1
        return removed


def pledge_status(tr: NullTranslations, pledge: PublicPledge) -> str:
    """ "Ongoing (TI Kenya, 2017)": a tracker's status always with who said it and when."""
    _ = tr.gettext
    label = _(STATUS.get(pledge.status, STATUS["no_data"]).label)
    said = ", ".join(part for part in (pledge.status_source, pledge.status_date) if part)
    return f"{label} ({said})" if said else f"{label} {_('(no tracker status found)')}"


def pledges_by_theme(
    tr: NullTranslations, pledges: list[PublicPledge]
) -> list[tuple[str, list[PublicPledge]]]:
    """A member's pledges under their themes, in the registry's order."""
    return [
        (tr.gettext(theme.label), found)
        for theme in THEMES
        if (found := [p for p in pledges if p.theme == theme.code])
    ]


def _pages(member: PublicMember) -> int:
    return max(1, -(-len(member.commitments) // PER_PAGE))


def member_page(code: str, page: int = 1) -> str:
    return f"members/{code}.html" if page == 1 else f"members/{code}-{page}.html"


def build(
    db: Database,
    out_dir: Path | str,
    base_url: str = "",
    languages: Sequence[str] | None = None,
) -> BuildSummary:
    """Generate the site into ``out_dir``; CPU and disk bound: call it off the event loop."""
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    langs = tuple(languages or sorted(available_languages(), key=lambda c: (c != "en", c)))
    unknown = [code for code in langs if code not in available_languages()]
    if unknown:
        raise ValueError(f"no catalogue for language(s): {', '.join(unknown)}")
    data = public_data(db)
    members = [m for m in data.members if SAFE_NAME.match(m.code)]
    for member in members:
        member.commitments = [c for c in member.commitments if SAFE_NAME.match(c.id)]
    write = _Writer(out)
    base = base_url.rstrip("/") + "/" if base_url else ""
    env = _environment()
    for name in ("style.css", "favicon.svg"):  # browsers ask for an icon: none is a 404
        write(name, (TEMPLATES / name).read_text(encoding="utf-8"))
    write(
        "index.html",
        env.get_template("root.html").render(
            languages=[(code, language_name(code)) for code in langs], base=base
        ),
    )
    published = frozenset(c.id for m in members for c in m.commitments)
    env.globals["published"] = published
    # The data each page is made of, digested once for all languages.
    keys = {c.id: digest(c) for m in members for c in m.commitments}
    keys |= {
        m.code: digest(m, sorted(published & {c for p in m.pledges for c in p.carriers}))
        for m in members
    }
    for lang in langs:
        _build_language(env, write, PublicData(members), lang, langs, base, keys)
    removed = write.remove_stale(out / code for code in langs)
    write.save_manifest(langs)
    return BuildSummary(
        members=len(members),
        commitments=sum(len(m.commitments) for m in members),
        languages=langs,
        written=write.written,
        unchanged=write.unchanged,
        removed=removed,
        seconds=time.perf_counter() - started,
    )


def _build_language(
    env: jinja2.Environment,
    write: _Writer,
    data: PublicData,
    lang: str,
    langs: tuple[str, ...],
    base: str,
    keys: dict[str, str],
) -> None:
    tr = translation(lang)
    code_key = code_digest(lang)
    _ = tr.gettext
    # Plain gettext, not the i18n extension's context-passing wrappers: a third of
    # the render time of 40,000 pages went there. Templates escape what it returns.
    # Translations escaped once each (Markup), not once per page they appear on:
    # the catalogue's texts carry no markup of their own.
    gettext = cache(lambda message: Markup(escape(tr.gettext(message))))
    env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=tr.ngettext,
        pledge_status=lambda pledge: pledge_status(tr, pledge),
    )
    none_status = _("no verified report")
    none_irm = _("not assessed")
    names = {code: language_name(code) for code in langs}

    # The header's language links, made here with their parts escaped once: as a
    # template loop they were a fifth of the time of 40,000 pages. ``relative``
    # needs no escaping: it is made of SAFE_NAME ids.
    named = {code: str(escape(names[code])) for code in langs}
    prefix = str(escape(base))

    def common(relative: str) -> dict[str, object]:
        depth = relative.count("/")
        root = "../" * (depth + 1)
        at = prefix or root
        return {
            "lang": lang,
            "root": root,
            "home": root + f"{lang}/index.html",
            "alternate_links": Markup(
                "\n".join(
                    f'<link rel="alternate" hreflang="{code}" href="{at}{code}/{relative}">'
                    for code in langs
                )
            ),
            "language_nav": Markup(
                "\n".join(
                    f'<span aria-current="page">{named[code]}</span>'
                    if code == lang
                    else f'<a href="{at}{code}/{relative}" hreflang="{code}" lang="{code}">'
                    f"{named[code]}</a>"
                    for code in langs
                )
            ),
        }

    def status_bar(commitments: list[PublicCommitment]) -> list[Segment]:
        return segments(tr, Counter(c.status for c in commitments), none_status)

    def irm_bar(commitments: list[PublicCommitment]) -> list[Segment]:
        return segments(tr, Counter(irm_status(c.irm_completion) for c in commitments), none_irm)

    labels = {m.code: member_label(tr, m) for m in data.members}
    rows = [
        (m, labels[m.code], status_bar(m.commitments), irm_bar(m.commitments)) for m in data.members
    ]
    all_commitments = [c for m in data.members for c in m.commitments]
    write(
        f"{lang}/index.html",
        env.get_template("index.html").render(
            **common("index.html"),
            rows=rows,
            total=len(all_commitments),
            status_total=status_bar(all_commitments),
            irm_total=irm_bar(all_commitments),
        ),
    )
    statuses = {s: status_name(tr, s) for s in Status}
    member_tpl = env.get_template("member.html")
    commitment_tpl = env.get_template("commitment.html")
    feed_tpl = env.get_template("feed.atom")
    for member in data.members:
        plans = {p.id: plan_label(tr, p) for p in member.plans}
        pages = _pages(member)
        feed = f"members/{member.code}.atom"
        page_key = digest(code_key, keys[member.code], labels[member.code], plans, langs, base)
        bars: tuple[list[Segment], list[Segment]] | None = None
        for page in range(1, pages + 1):
            relative = member_page(member.code, page)
            key = digest(page_key, page)
            if write.fresh(f"{lang}/{relative}", key):
                continue
            shown = member.commitments[(page - 1) * PER_PAGE : page * PER_PAGE]
            if bars is None:
                bars = status_bar(member.commitments), irm_bar(member.commitments)
            write(
                f"{lang}/{relative}",
                member_tpl.render(
                    **common(relative),
                    member=member,
                    label=labels[member.code],
                    plans=plans,
                    commitments=shown,
                    statuses=statuses,
                    irm_word=lambda word: irm_value(tr, word),
                    status_bar=bars[0],
                    irm_bar=bars[1],
                    page=page,
                    pages=pages,
                    prev=member_page(member.code, page - 1).split("/")[-1] if page > 1 else "",
                    next=member_page(member.code, page + 1).split("/")[-1] if page < pages else "",
                    feed=f"{member.code}.atom",
                    pledges=pledges_by_theme(tr, member.pledges) if page == 1 else [],
                ),
                key,
            )
        reports = sorted(
            (r for c in member.commitments for r in c.reports),
            key=lambda r: (r.verified_at or r.reported_at, r.id),
            reverse=True,
        )[:FEED_ENTRIES]
        titles = {c.id: c.title for c in member.commitments}
        write(
            f"{lang}/{feed}",
            feed_tpl.render(
                **common(feed),
                member=member,
                label=labels[member.code],
                reports=reports,
                titles=titles,
                statuses=statuses,
                base=base,
                updated=(reports[0].verified_at or reports[0].reported_at) if reports else None,
            ),
        )
        for commitment in member.commitments:
            relative = f"commitments/{commitment.id}.html"
            plan = plans.get(commitment.plan_id or "", "")
            key = digest(code_key, keys[commitment.id], labels[member.code], plan, langs, base)
            if write.fresh(f"{lang}/{relative}", key):
                continue
            history = []
            for report in commitment.reports:
                if not history or history[-1].status != report.status:
                    history.append(report)
            write(
                f"{lang}/{relative}",
                commitment_tpl.render(
                    **common(relative),
                    c=commitment,
                    member=member,
                    label=labels[member.code],
                    plan=plan,
                    status=statuses[commitment.status] if commitment.status else none_status,
                    irm=irm_value(tr, commitment.irm_completion)
                    if commitment.irm_completion
                    else none_irm,
                    reports=commitment.reports[::-1][:REPORTS_SHOWN],
                    report_count=len(commitment.reports),
                    history=history,
                    statuses=statuses,
                ),
                key,
            )
