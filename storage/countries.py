"""OGP member reference data and a multilingual, typo-tolerant country/local resolver.

The reference list lives in ``storage/data/ogp_members.csv``
(columns ``code,name,kind,region,iso2,parent,status,since,source``): curated facts,
each member's standing in OGP with the page that states it (see ``storage/data/README.md``).
:class:`CountryIndex` resolves free text typed by users ("brasil", "Côte d’Ivoire", "BR",
"Philipines", "Buenos Aires") into members, using codes, pycountry names and their translations,
hand-written aliases, and fuzzy matching (rapidfuzz) as a last resort.
"""

from __future__ import annotations

import csv
import functools
import gettext
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from threading import Lock
from typing import Any, Protocol

import pycountry
import sqlalchemy as sa
from sqlmodel import select

from storage.db import Database
from storage.models import Country
from storage.text import fold_words

__all__ = [
    "INDEX_LANGUAGES",
    "LANGUAGE_MEMBERS",
    "CountryIndex",
    "OgpMember",
    "OgpMemberLike",
    "Resolution",
    "default_index",
    "load_members",
    "localized_name",
]

#: Languages whose pycountry translations are indexed for resolution.
INDEX_LANGUAGES: tuple[str, ...] = (
    "es",
    "fr",
    "pt",
    "id",
    "de",
    "it",
    "nl",
    "ru",
    "uk",
    "ar",
    "ko",
)

NATIONAL = "national"
LOCAL = "local"

#: A member's standing in OGP. ``unverified``: no source found for it, so the
#: bot says so rather than call it a member; ``removed``: OGP ended the
#: membership (Trinidad and Tobago, Turkey), which is not a withdrawal.
STATUSES = ("active", "inactive", "suspended", "withdrawn", "removed", "unverified")
UNVERIFIED = "unverified"
#: Members that no longer (or not now) take part: following them is allowed, with a note.
NOT_TAKING_PART = frozenset({"inactive", "suspended", "withdrawn", "removed"})

# Fuzzy matching parameters (scores are 0..100).
_CANDIDATE_CUTOFF = 80.0  # WRatio needed to be offered as a candidate
_MATCH_RATIO = 85.0  # plain ratio (whole-string similarity) needed for a confident match
_MARGIN = 6.0  # best member must beat the runner-up by this much to be a match
_MAX_CANDIDATES = 6
_MIN_FUZZY_LEN = 4

# Hand-written aliases (English and common colloquial forms) keyed by member code.
_ALIASES: dict[str, tuple[str, ...]] = {
    "BIH": ("Bosnia", "Bosnia-Herzegovina", "BiH"),
    "CIV": ("Ivory Coast", "Cote d'Ivoire", "Costa de Marfil", "Elfenbeinküste"),
    "CPV": ("Cape Verde", "Cabo Verde"),
    "CZE": ("Czechia", "Czech Republic", "Czech"),
    "DOM": ("Dominican Rep", "Republica Dominicana"),
    "GBR": ("UK", "U.K.", "Great Britain", "Britain", "England", "Reino Unido", "Royaume-Uni"),
    "KGZ": ("Kyrgyzstan", "Kyrgyz Republic", "Kyrgyz", "Kirghizia", "Kirguistán"),
    "KOR": ("Korea", "South Korea", "Republic of Korea", "Korea Republic", "ROK", "Corea"),
    "MDA": ("Moldova", "Republic of Moldova", "Moldavia"),
    "MKD": ("Macedonia", "North Macedonia", "FYROM", "Macedonia del Norte"),
    "NLD": ("Holland", "The Netherlands", "Netherlands", "Países Bajos", "Pays-Bas"),
    "PHL": ("Philippines", "The Philippines", "Filipinas"),
    "SVK": ("Slovakia", "Slovak Republic"),
    "TTO": ("Trinidad", "Trinidad & Tobago"),
    "USA": (
        "USA",
        "U.S.",
        "U.S.A.",
        "US",
        "United States of America",
        "Estados Unidos",
        "EEUU",
        "EE.UU.",
        "Etats-Unis",
    ),
    "XKX": ("Kosovo", "Kosova", "Kosovë", "Republic of Kosovo", "Kósovo", "Косово", "Kosowo"),
    "ARBA": (
        "CABA",
        "Ciudad de Buenos Aires",
        "Ciudad Autonoma de Buenos Aires",
        "City of Buenos Aires",
        "Buenos Aires City",
    ),
    "ESMD": ("Madrid City", "Ayuntamiento de Madrid"),
    "MXJL": ("Estado de Jalisco",),
    "NGKD": ("Kaduna",),
    "PHSC": ("South Cotabato Province",),
}

# Display names pycountry lacks (Kosovo) or misspells in its catalogues (iso-codes'
# "Costa de Marfíl", "Burquina"): these win, language by language; the rest comes
# from pycountry.
_MANUAL_TRANSLATIONS: dict[str, dict[str, str]] = {
    "CIV": {"es": "Costa de Marfil"},
    "BFA": {"es": "Burkina Faso", "pt_BR": "Burkina Faso", "pt": "Burkina Faso"},
    "TUN": {"es": "Túnez"},
    "AZE": {"pt_BR": "Azerbaijão"},
    "XKX": {
        "es": "Kosovo",
        "fr": "Kosovo",
        "pt": "Kosovo",
        "id": "Kosovo",
        "de": "Kosovo",
        "it": "Kosovo",
        "nl": "Kosovo",
        "ru": "Косово",
        "uk": "Косово",
        "ar": "كوسوفو",
        "ko": "코소보",
    },
}

# Members a newcomer is likely to follow, by their Telegram language: where the
# language is an official one, most populous first (OGP members only; a code the
# database lacks is skipped). A language tag's region ("es-AR", "pt-BR") goes first.
LANGUAGE_MEMBERS: dict[str, tuple[str, ...]] = {
    "es": ("MEX", "COL", "ESP", "ARG", "PER", "CHL", "GTM", "ECU"),
    "pt": ("BRA", "PRT", "CPV"),
    "fr": ("FRA", "CIV", "BFA", "SEN", "TUN", "MAR", "CAN", "LUX"),
    "en": ("NGA", "PHL", "GBR", "KEN", "GHA", "USA", "CAN"),
    "id": ("IDN",),
    "ar": ("MAR", "TUN", "JOR"),
}

# Connector words dropped when splitting "kenya and ghana" style input in resolve_many.
_STOPWORDS = frozenset(
    {
        "and",
        "y",
        "e",
        "et",
        "und",
        "en",
        "og",
        "i",
        "&",
        "+",
        "or",
        "o",
        "ou",
        "oder",
        "of",
        "the",
        "de",
        "da",
        "do",
        "di",
        "del",
        "la",
        "el",
        "le",
        "dan",
        "и",
        "та",
        "або",
    }
)

_SEPARATORS = re.compile(r"[,;\n/|]+")

# One command names at most this many words of members ("Kenya Ghana", "Côte
# d'Ivoire"): resolving is fuzzy matching, ~1-10 ms a try, and a message may hold
# a thousand words. What lies beyond is left out, and the caller says so.
MAX_NAME_WORDS = 24
# Fuzzy tries one command may spend on word runs that match nothing exactly.
MAX_FUZZY_TRIES = 40
# Longer than any member's name with room for typos: never worth a fuzzy try.
MAX_NAME_CHARS = 80


class Resolutions(list["Resolution"]):
    """What a text named, in order; ``truncated`` when words beyond the cap were
    left out (see ``MAX_NAME_WORDS``)."""

    truncated: bool = False


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True, slots=True)
class OgpMember:
    """One OGP member (a national government or a local jurisdiction)."""

    code: str
    name: str
    kind: str  # "national" | "local"
    region: str
    iso2: str = ""  # nationals only ("" for locals)
    parent: str = ""  # locals only: national code of the parent country
    status: str = UNVERIFIED
    since: str = ""  # when the status began: "2023", "2023-08" or "2023-08-17"
    source: str = ""  # the page that states the status; empty only when unverified

    @property
    def is_local(self) -> bool:
        return self.kind == LOCAL


class OgpMemberLike(Protocol):
    code: str
    name: str
    kind: str
    iso2: str | None
    parent: str | None


@functools.cache
def _read_csv() -> tuple[OgpMember, ...]:
    text = (resources.files("storage") / "data" / "ogp_members.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return tuple(
        OgpMember(
            code=r["code"].strip(),
            name=r["name"].strip(),
            kind=r["kind"].strip(),
            region=r["region"].strip(),
            iso2=(r.get("iso2") or "").strip(),
            parent=(r.get("parent") or "").strip(),
            status=(r.get("status") or "").strip() or UNVERIFIED,
            since=(r.get("since") or "").strip(),
            source=(r.get("source") or "").strip(),
        )
        for r in rows
        if r.get("code")
    )


def load_members() -> list[OgpMember]:
    """All OGP members shipped with the package, in CSV order."""
    return list(_read_csv())


# ---------------------------------------------------------------------------------------------
# Normalisation / translations


# Spanish dictionaries put ñ after n (a letter of its own): "n" plus a letter that
# sorts after "z" and that folding keeps (a word character without accents).
_AFTER_N = {"es": str.maketrans({"ñ": "n\u4e00"})}


def collation_key(text: str, language: str | None) -> tuple[str, str]:
    """Sort key for names as ``language`` sorts them.

    No collation library is installed (Babel has none; pyuca and ICU are not
    dependencies), so this is a per-language folding key: case, accents and
    punctuation are ignored, as French and Portuguese dictionaries (and English)
    do at the first level, and Spanish keeps ñ as the letter after n. "Émirats"
    files under E, "Österreich" under O. Ties fall back to the text itself.
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    folded = folded.translate(_AFTER_N.get((language or "")[:2], {}))
    return fold_words(folded), text


@functools.cache
def _translator(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def _translate(msgid: str, lang: str) -> str:
    return _translator(lang).gettext(msgid)


def _norm_lang(lang: str | None) -> str:
    return (lang or "en").replace("-", "_").strip() or "en"


@functools.cache
def _pycountry_record(alpha2: str | None, alpha3: str | None) -> Any | None:
    for key, value in (("alpha_3", alpha3), ("alpha_2", alpha2)):
        if value and value.isalpha() and len(value) == (3 if key == "alpha_3" else 2):
            rec = pycountry.countries.get(**{key: value.upper()})
            if rec is not None:
                return rec
    return None


def _record_for(member: OgpMemberLike) -> Any | None:
    if (member.kind or NATIONAL) != NATIONAL:
        return None
    return _pycountry_record(member.iso2 or None, member.code)


def localized_name(member: OgpMemberLike | str, lang: str | None) -> str:
    """Display name of ``member`` (object or code) in ``lang``, falling back to English.

    English (and locals, which pycountry does not know) use the CSV name. For nationals the
    pycountry common name (else the short name) is translated via pycountry's catalogues.
    """
    if isinstance(member, str):
        found = default_index().get(member)
        if found is None:
            return member
        member = found
    lang = _norm_lang(lang)
    if lang.split("_")[0] == "en":
        return member.name
    manual = _MANUAL_TRANSLATIONS.get(member.code.upper(), {})
    fixed = manual.get(lang) or manual.get(lang.split("_")[0])
    if fixed:
        return fixed
    rec = _record_for(member)
    if rec is None:
        return member.name
    for msgid in (getattr(rec, "common_name", None), rec.name):
        if msgid:
            translated = _translate(msgid, lang)
            if translated != msgid:
                return translated
            if fold_words(msgid) == fold_words(member.name):
                return msgid  # the same name, with the accents OGP's export leaves out
    return member.name


@functools.cache
def _country_names() -> dict[str, frozenset[str]]:
    """Normalised names (English + indexed languages) of every ISO country -> alpha-3 codes."""
    out: dict[str, set[str]] = {}
    for rec in pycountry.countries:
        for msgid in (
            rec.name,
            getattr(rec, "official_name", None),
            getattr(rec, "common_name", None),
        ):
            if not msgid:
                continue
            for lang in ("en", *INDEX_LANGUAGES):
                text = msgid if lang == "en" else _translate(msgid, lang)
                for variant in _name_variants(text):
                    out.setdefault(fold_words(variant), set()).add(rec.alpha_3)
    return {k: frozenset(v) for k, v in out.items()}


def _name_variants(name: str) -> list[str]:
    """A name plus derived forms: 'Korea, Republic of' -> 'Korea', 'Republic of Korea'."""
    out = [name]
    if ", " in name:
        head, _, tail = name.partition(", ")
        out.append(head)
        out.append(f"{tail} {head}")
    return out


# ---------------------------------------------------------------------------------------------
# Index


@dataclass(slots=True)
class Resolution:
    """Outcome of resolving one piece of text.

    - ``match`` set: a confident single member (``candidates == [match]``).
    - ``match`` None and ``candidates`` non-empty: ambiguous / uncertain, best first.
    - both empty: nothing plausible.
    """

    match: Any | None
    candidates: list[Any] = field(default_factory=list)
    query: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.match is None and bool(self.candidates)

    @property
    def found(self) -> bool:
        return self.match is not None


class CountryIndex:
    """Lookup of OGP members by code, name (multilingual), alias and fuzzy name."""

    def __init__(self, members: Iterable[OgpMemberLike] | None = None) -> None:
        self.members: list[Any] = list(load_members() if members is None else members)
        self._by_code: dict[str, Any] = {}
        self._codes: dict[str, list[str]] = {}  # upper-case code -> member codes
        self._names: dict[str, list[str]] = {}  # normalised name -> member codes
        self._compact: dict[str, list[str]] = {}  # normalised name w/o spaces -> member codes
        for m in self.members:
            self._by_code[m.code.upper()] = m
        for m in self.members:
            self._index_member(m)
        # Very short keys ("us", "uk", "bih") would dominate WRatio's partial matching.
        self._choices: list[str] = [
            k for k in self._names if len(k.replace(" ", "")) >= _MIN_FUZZY_LEN
        ]
        self._choice_codes: list[list[str]] = [self._names[k] for k in self._choices]
        self._max_words = max((len(k.split()) for k in self._choices), default=1)

    # -- building -------------------------------------------------------------------------

    @staticmethod
    def _add(table: dict[str, list[str]], key: str, code: str) -> None:
        if not key:
            return
        codes = table.setdefault(key, [])
        if code not in codes:
            codes.append(code)

    def _add_name(self, name: str | None, code: str) -> None:
        if not name:
            return
        for variant in _name_variants(name):
            key = fold_words(variant)
            self._add(self._names, key, code)
            self._add(self._compact, key.replace(" ", ""), code)

    def _index_member(self, m: OgpMemberLike) -> None:
        code = m.code.upper()
        self._add(self._codes, code, code)
        if (m.kind or NATIONAL) == NATIONAL and m.iso2:
            self._add(self._codes, m.iso2.upper(), code)
        self._add_name(m.name, code)
        for alias in _ALIASES.get(code, ()):
            self._add_name(alias, code)
        for text in _MANUAL_TRANSLATIONS.get(code, {}).values():
            self._add_name(text, code)
        rec = _record_for(m)
        if rec is None:
            return
        self._add(self._codes, rec.alpha_2, code)
        self._add(self._codes, rec.alpha_3, code)
        msgids = [
            n
            for n in (
                rec.name,
                getattr(rec, "official_name", None),
                getattr(rec, "common_name", None),
            )
            if n
        ]
        for msgid in msgids:
            self._add_name(msgid, code)
            for lang in INDEX_LANGUAGES:
                self._add_name(_translate(msgid, lang), code)

    # -- accessors -------------------------------------------------------------------------

    def get(self, code: str | None) -> Any | None:
        """Member by its code (case-insensitive); national members also by alpha-2."""
        if not code:
            return None
        key = code.strip().upper()
        found = self._by_code.get(key)
        if found is not None:
            return found
        codes = self._codes.get(key)
        return self._by_code[codes[0]] if codes and len(codes) == 1 else None

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.upper() in self._by_code

    def by_region(self) -> dict[str, list[Any]]:
        """Members grouped by region (regions sorted); nationals first, then locals, by name."""
        groups: dict[str, list[Any]] = {}
        for m in self.members:
            region = getattr(m, "region", None)
            if not region:
                parent = self._by_code.get((m.parent or "").upper())
                region = getattr(parent, "region", None) or ""
            groups.setdefault(region, []).append(m)
        return {
            region: sorted(
                groups[region],
                key=lambda m: ((m.kind or NATIONAL) != NATIONAL, fold_words(m.name)),
            )
            for region in sorted(groups)
        }

    def nationals(self) -> list[Any]:
        return [m for m in self.members if (m.kind or NATIONAL) == NATIONAL]

    def locals_of(self, parent_code: str) -> list[Any]:
        p = parent_code.upper()
        return [m for m in self.members if (m.parent or "").upper() == p]

    # -- resolution ------------------------------------------------------------------------

    def _members(self, codes: Iterable[str]) -> list[Any]:
        return [self._by_code[c] for c in codes]

    def _exact(self, text: str) -> list[str]:
        raw = text.strip()
        if raw.isalpha() and 2 <= len(raw) <= 4 and raw.isascii():
            codes = self._codes.get(raw.upper())
            if codes:
                return codes
        key = fold_words(raw)
        if not key:
            return []
        return self._names.get(key) or self._compact.get(key.replace(" ", "")) or []

    def _resolved(self, codes: list[str], query: str) -> Resolution:
        members = self._members(codes)
        if len(members) == 1:
            return Resolution(members[0], members, query)
        return Resolution(None, members[:_MAX_CANDIDATES], query)

    def _fuzzy(self, key: str, query: str) -> Resolution:
        from rapidfuzz import fuzz, process  # 4 MB: only once a name needs guessing

        hits = process.extract(
            key,
            self._choices,
            scorer=fuzz.WRatio,
            score_cutoff=_CANDIDATE_CUTOFF,
            limit=60,
        )
        best: dict[str, tuple[float, float]] = {}  # code -> (wratio, plain ratio)
        for choice, score, idx in hits:
            plain = fuzz.ratio(key, choice)
            for code in self._choice_codes[idx]:
                prev = best.get(code)
                cur = (score, plain)
                if prev is None or cur > prev:
                    best[code] = cur
        if not best:
            return Resolution(None, [], query)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        top_code, (top_score, top_plain) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if top_plain >= _MATCH_RATIO and top_score - runner_up >= _MARGIN:
            member = self._by_code[top_code]
            return Resolution(member, [member], query)
        return Resolution(None, self._members(c for c, _ in ranked[:_MAX_CANDIDATES]), query)

    def named_in(self, words: list[str]) -> tuple[Any, int, int] | None:
        """The member a run of ``words`` names exactly (the longest run, leftmost),
        with the run's bounds: "kenya procurement" -> (Kenya, 0, 1).

        Names and aliases in any indexed language count; codes only when typed
        in capitals ("KEN"), since "es" or "it" are words too.
        """
        for size in range(min(len(words), self._max_words), 0, -1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                key = fold_words(phrase)
                codes = self._names.get(key) if len(key) >= _MIN_FUZZY_LEN else None
                if not codes and size == 1 and phrase.isupper():
                    codes = self._codes.get(phrase)
                if codes and len(codes) == 1:
                    return self._by_code[codes[0]], start, start + size
        return None

    def resolve(self, text: str) -> Resolution:
        """Resolve one name/code: exact code/name/alias first, then fuzzy.

        Two-letter input only matches codes or exact aliases (never fuzzy).
        """
        query = text or ""
        codes = self._exact(query)
        if codes:
            return self._resolved(codes, query)
        key = fold_words(query)
        if not _MIN_FUZZY_LEN <= len(key.replace(" ", "")) <= MAX_NAME_CHARS:
            return Resolution(None, [], query)
        res = self._fuzzy(key, query)
        if res.match is not None and _names_other_country(key, res.match):
            # e.g. "Niger" or "Austria": a real country that is not an OGP member must never
            # silently become its look-alike ("Nigeria", "Australia"); offer it as a candidate.
            return Resolution(None, res.candidates, query)
        return res

    def resolve_many(self, text: str) -> Resolutions:
        """Resolve text naming several members ("Kenya, Ghana", "kenya ghana nigeria").

        Commas/semicolons/newlines/slashes separate items when present; each item (or the
        whole text) is then split into the longest word runs matching the index exactly,
        leftover runs being resolved fuzzily. Duplicated matches are dropped. Only the
        first ``MAX_NAME_WORDS`` words are read, and at most ``MAX_FUZZY_TRIES`` fuzzy
        tries spent, so that no message can keep the bot busy for long.
        """
        unique = Resolutions()
        text = text or ""
        if not text.strip():
            return unique
        words = re.findall(r"\S+|[,;\n/|]", text)
        if sum(1 for w in words if not _SEPARATORS.fullmatch(w)) > MAX_NAME_WORDS:
            kept, count = [], 0
            for word in words:
                count += not _SEPARATORS.fullmatch(word)
                if count > MAX_NAME_WORDS:
                    break
                kept.append(word)
            text = " ".join(kept)
            unique.truncated = True
        whole = self._exact(text)
        if whole:
            unique.append(self._resolved(whole, text.strip()))
            return unique
        results: list[Resolution] = []
        tries = [MAX_FUZZY_TRIES]
        for piece in _SEPARATORS.split(text):
            if piece.strip():
                results.extend(self._split_words(piece, tries))
        seen: set[str] = set()
        for r in results:
            if r.match is not None:
                if r.match.code in seen:
                    continue
                seen.add(r.match.code)
            unique.append(r)
        return unique

    def _split_words(self, piece: str, tries: list[int]) -> list[Resolution]:
        words = piece.split()
        n = len(words)
        # Phase 1: greedy longest exact runs.
        exact: dict[int, tuple[int, Resolution]] = {}
        i = 0
        while i < n:
            for j in range(min(n, i + self._max_words), i, -1):
                span = words[i:j]
                if j - i == 1 and _is_stopword(span[0]):
                    continue
                phrase = " ".join(span)
                codes = self._exact(phrase)
                if codes:
                    exact[i] = (j, self._resolved(codes, phrase))
                    i = j
                    break
            else:
                i += 1
        # Phase 2: leftover runs (split at stopwords) resolved fuzzily.
        out: list[Resolution] = []
        run: list[str] = []
        i = 0
        while i <= n:
            if i == n or i in exact or _is_stopword(words[i]):
                if run:
                    out.extend(self._fuzzy_run(run, tries))
                    run = []
                if i == n:
                    break
                if i in exact:
                    j, res = exact[i]
                    out.append(res)
                    i = j
                    continue
                i += 1
                continue
            run.append(words[i])
            i += 1
        return out

    def _fuzzy_run(self, words: list[str], tries: list[int]) -> list[Resolution]:
        """``tries`` is the command's remaining fuzzy budget, shared by its runs."""
        out: list[Resolution] = []
        i, n = 0, len(words)
        while i < n:
            if tries[0] <= 0:
                out.extend(Resolution(None, [], word) for word in words[i:])
                break
            for j in range(min(n, i + self._max_words), i + 1, -1):
                phrase = " ".join(words[i:j])
                tries[0] -= 1
                res = self.resolve(phrase)
                if res.match is not None:
                    out.append(res)
                    i = j
                    break
            else:
                out.append(self.resolve(words[i]))
                i += 1
        return out


def _names_other_country(key: str, member: Any) -> bool:
    """True when ``key`` is the name of an ISO country other than ``member``'s own."""
    codes = _country_names().get(key)
    if not codes:
        return False
    rec = _record_for(member)
    own = rec.alpha_3 if rec is not None else None
    return own not in codes


def _is_stopword(word: str) -> bool:
    if word.isupper() and len(word) >= 2:
        return False  # "DE", "DO" typed in capitals are codes
    return fold_words(word) in _STOPWORDS or not fold_words(word)


@functools.cache
def default_index() -> CountryIndex:
    """Shared index over the shipped CSV (built once)."""
    return CountryIndex()


_index_lock = Lock()
_index_cache: dict[str, tuple[int, CountryIndex]] = {}


# Built once, read on a bare connection: every /subscribe asks it (bench.throughput).
_MEMBER_COUNT = sa.select(sa.func.count()).select_from(Country.__table__)  # type: ignore[arg-type]


def country_index(db: Database) -> CountryIndex:
    """The resolver over the members in this database, rebuilt when that set changes."""
    with db.engine.connect() as connection:
        count = connection.execute(_MEMBER_COUNT).scalar_one()
    cached = _index_cache.get(db.url)
    if cached is not None and cached[0] == count:
        return cached[1]
    with db.session() as session:
        rows = session.exec(select(Country)).all()
    index = CountryIndex(rows)
    with _index_lock:
        _index_cache[db.url] = (count, index)
    return index


def resolve_countries(db: Database, text: str) -> Resolutions:
    return country_index(db).resolve_many(text)


def resolve_country(db: Database, text: str) -> Resolution:
    return country_index(db).resolve(text)


def country(db: Database, code: str) -> Country | None:
    with db.session() as session:
        return session.get(Country, code.upper())
