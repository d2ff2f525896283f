"""Full-text search over commitments: what a person types in, a page of rows out.

Every word typed must appear somewhere in a commitment (id, titles, full text,
institutions, policy areas, theme); commitments whose id or titles hold every
word come first. A commitment id typed on its own ("ar0045") comes first of all.

On SQLite the ``commitment_fts`` FTS5 index (migration 0002) answers: its
tokenizer folds case and accents ("participacion" finds "participación"),
every word is prefix-matched ("transparen" finds "transparency"), and within
each of the two tiers results are ranked by bm25, ids and titles weighing more
than the full text. Elsewhere a scan over the same fields answers, each tier
in id order, matching what FTS matches (a word's start, blind to case and
accents): on PostgreSQL a regular expression, on other databases GLOB.

A member named in the query ("kenya procurement", "Nairobi", "Kenia") narrows
the search to that member's commitments (a national's include its local
members'), and its name is no longer a word to match. When nothing matches,
words found nowhere in the index's vocabulary (titles, policy areas, themes,
institutions) are replaced by the closest vocabulary word ("procurment" ->
"procurement", rapidfuzz), and that corrected query answers, saying so.

What a person types never reaches MATCH as it is: :func:`query_tokens` keeps
only runs of letters, digits and combining marks, and :func:`fts_expression`
quotes each one, so FTS5 operators (``AND``, ``NEAR(``, ``*``, ``"``, ``-``,
``:``) are just words or nothing. A query with no words gives an empty page.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage import saved_search
from storage.commitments import PAGE_SIZE, CommitmentCard, Page, card_in, list_rows
from storage.countries import country_index
from storage.db import Database
from storage.ids import normalise_commitment_id
from storage.models import Commitment, SummitPledge, utcnow
from storage.paging import page_count
from storage.text import fold

__all__ = [
    "BM25_WEIGHTS",
    "MAX_TOKENS",
    "SEARCH_TABLE",
    "TITLE_COLUMNS",
    "Query",
    "SavedPage",
    "fts_expression",
    "fts_statements",
    "has_fts_index",
    "include_name",
    "indexing_in_bulk",
    "interpret",
    "query_tokens",
    "rebuild_search_index",
    "saved_search_page",
    "search_and_remember",
    "search_cards",
    "search_commitments",
    "search_commitments_like",
    "search_ids",
    "search_pledges",
]

#: The FTS5 table; its shadow tables share the prefix.
SEARCH_TABLE = "commitment_fts"
#: The trigger indexing each new commitment (migration 0002).
INSERT_TRIGGER = "commitment_fts_ai"
#: bm25 weights, in the index's column order (see migration 0002): id, title,
#: short_title, full_text, lead_institution, supporting_institutions,
#: policy_areas, theme.
BM25_WEIGHTS: tuple[float, ...] = (10.0, 5.0, 4.0, 1.0, 2.0, 1.0, 2.0, 2.0)
#: Matches holding every word in these columns rank before all others.
TITLE_COLUMNS = ("id", "title", "short_title")
#: Summit pledges shown under a search's first page (the rest: /summit).
PLEDGES_SHOWN = 5
#: Words beyond these are ignored: they bound the cost of a pasted essay.
MAX_TOKENS = 12
MAX_TOKEN_CHARS = 64
MAX_QUERY_CHARS = 1000

# Accent folding for the fallback (no unaccent extension needed on PostgreSQL):
# each letter of a word becomes a class of its accented forms in both cases.
_ACCENTED = "àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöōőřśšşťùúûüūůűųýÿźżž"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic hook: the search index is not in the models, so autogenerate skips it."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


# --------------------------------------------------------------------------- parsing


def _is_word_char(char: str) -> bool:
    # The characters FTS5's unicode61 keeps (letters, numbers, private use),
    # plus combining marks so that decomposed accents stay inside their word.
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def query_tokens(text: str) -> list[str]:
    """The words of a query: NFKC-normalised, de-duplicated, at most MAX_TOKENS.

    A commitment id typed loosely (``al-0066``, ``AL 0066``) is one word, its id.
    """
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_QUERY_CHARS])
    if commitment_id := normalise_commitment_id(text):
        return [commitment_id]
    tokens: list[str] = []
    seen: set[str] = set()
    word: list[str] = []
    for char in [*text, " "]:
        if _is_word_char(char):
            word.append(char)
            continue
        if word:
            token = "".join(word)[:MAX_TOKEN_CHARS]
            word = []
            key = token.casefold()
            # A run of combining marks alone is no word.
            if key not in seen and any(unicodedata.category(c)[0] in "LN" for c in token):
                seen.add(key)
                tokens.append(token)
                if len(tokens) == MAX_TOKENS:
                    break
    return tokens


def fts_expression(tokens: Sequence[str]) -> str:
    """A safe FTS5 MATCH expression: every word, quoted, prefix-matched, ANDed.

    One-letter words are matched whole: "a" expanding to every word that starts
    with a would match nearly everything, and slowly.
    """
    parts = []
    for token in tokens:
        quoted = '"' + token.replace('"', '""') + '"'
        if len(token) > 1:
            quoted += "*"
        parts.append(quoted)
    return " AND ".join(parts)


def _exact_id(tokens: Sequence[str]) -> str | None:
    """The commitment id a query is, if it is one word shaped like one."""
    return normalise_commitment_id(tokens[0]) if len(tokens) == 1 else None


_PLAIN = fold(_ACCENTED)
_FORMS: dict[str, str] = {}
for _accented, _plain in zip(_ACCENTED, _PLAIN, strict=True):
    _FORMS[_plain] = _FORMS.get(_plain, _plain) + _accented


def _letters_pattern(token: str, dialect: str) -> str:
    """``token`` in any case, with or without accents, as a PostgreSQL regular
    expression or an SQLite GLOB: "Año" -> "[aàá…AÀÁ…][nñń…NÑŃ…][oòó…OÒÓ…]".

    Each character of the folded token (``storage.text.fold``) becomes the class
    of every character that folds to it, so the SQL matches what ``fold`` would
    equate. It replaced ``translate(lower(field), ...) LIKE``, which costs a scan
    of the accent table per character of every text searched: half a second per
    search on the 104 demo commitments. Both cases are listed rather than using
    ``~*`` so that the match does not depend on the server's locale.
    """
    parts = []
    for char in fold(token):
        forms = _FORMS.get(char, char)
        forms += "".join(u for u in (f.upper() for f in forms) if len(u) == 1)
        forms = "".join(dict.fromkeys(forms))
        if len(forms) > 1:
            parts.append(f"[{forms}]")
        elif char.isalnum():
            parts.append(char)
        elif dialect == "postgresql":  # a backslash makes a non-alphanumeric literal
            parts.append("\\" + char)
        else:  # GLOB has no escape: a class of one character is literal
            parts.append(f"[{char}]")
    return "".join(parts)


# --------------------------------------------------------------------------- SQLite FTS5


def has_fts_index(session: Session) -> bool:
    """Whether this database has the FTS5 index (SQLite after migration 0002)."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    found = session.connection().exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SEARCH_TABLE,)
    )
    return found.first() is not None


@contextmanager
def indexing_in_bulk(session: Session) -> Iterator[None]:
    """Index the commitments inserted in the block with one INSERT ... SELECT.

    FTS5 indexes a set of rows in one statement with about 40% less CPU than
    its insert trigger does row by row (10,000 exported rows, bench.importer):
    the trigger is dropped for the block and re-created from its own stored
    SQL after it. Both happen inside the session's transaction (SQLite's DDL
    is transactional), so an error or a crash rolls the drop back with the
    rows: the index is never left without its trigger. Only inserts are
    covered: updates and deletes in the block must not happen.
    """
    if not has_fts_index(session):
        yield
        return
    connection = session.connection()
    trigger_sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INSERT_TRIGGER,)
    ).scalar()
    if trigger_sql is None:
        yield
        return
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        # pysqlite begins a transaction only before DML: the drop must be in it.
        connection.exec_driver_sql("BEGIN")
    last = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM commitment").scalar()
    connection.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    yield
    columns = ", ".join(
        row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({SEARCH_TABLE})")
    )
    connection.exec_driver_sql(
        f"INSERT INTO {SEARCH_TABLE}(rowid, {columns}) "
        f"SELECT rowid, {columns} FROM commitment WHERE rowid > ?",
        (last,),
    )
    connection.exec_driver_sql(trigger_sql)


def rebuild_search_index(db: Database) -> bool:
    """Re-index every commitment from scratch (e.g. after a batch migration of
    ``commitment``). Returns False where there is no FTS index."""
    with db.session() as session:
        if not has_fts_index(session):
            return False
        session.connection().exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')"
        )
    return True


def _fts_boost_rowid(session: Session, exact: str | None) -> int:
    if exact is None:
        return -1
    found = session.connection().exec_driver_sql(
        "SELECT rowid FROM commitment WHERE id = ?", (exact,)
    )
    rowid = found.scalar()
    return -1 if rowid is None else int(rowid)


_IN_COUNTRIES = "rowid IN (SELECT rowid FROM commitment WHERE country_code IN :codes)"


def fts_statements(countries: Sequence[str]) -> tuple[sa.TextClause, sa.TextClause]:
    """(count, page) statements, narrowed to ``countries`` when there are any."""
    return _fts_statements(bool(countries))


@functools.cache
def _fts_statements(narrowed: bool) -> tuple[sa.TextClause, sa.TextClause]:
    """Built once for each of the two shapes: parsing a text() for its bind
    parameters on every search cost more than running it (bench.throughput)."""
    where = f"{SEARCH_TABLE} MATCH :q" + (f" AND {_IN_COUNTRIES}" if narrowed else "")
    count = sa.text(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {where}")
    # Rank inside the index alone (joining every match to ``commitment`` costs as
    # much as ranking), then fetch the ids of the page's rows only.
    page = sa.text(
        "SELECT c.id FROM ("
        f"SELECT rowid AS r, rowid = :boost AS boosted, "
        f"bm25({SEARCH_TABLE}, {', '.join(str(w) for w in BM25_WEIGHTS)}) AS score "
        f"FROM {SEARCH_TABLE} WHERE {where} "
        "ORDER BY boosted DESC, score, r LIMIT :limit OFFSET :offset"
        ") AS top JOIN commitment AS c ON c.rowid = top.r "
        "ORDER BY top.boosted DESC, top.score, top.r"
    )
    if narrowed:
        count = count.bindparams(sa.bindparam("codes", expanding=True))
        page = page.bindparams(sa.bindparam("codes", expanding=True))
    return count, page


def _fts_tiers(tokens: Sequence[str]) -> tuple[str, str]:
    """(every word in the id or a title, every word somewhere but not all there)."""
    anywhere = fts_expression(tokens)
    in_titles = f"{{{' '.join(TITLE_COLUMNS)}}} : ({anywhere})"
    return in_titles, f"({anywhere}) NOT ({in_titles})"


def _fts_count(session: Session, tokens: Sequence[str], countries: Sequence[str] = ()) -> int:
    count, _ = fts_statements(countries)
    params = {"q": fts_expression(tokens), "codes": list(countries)}
    return int(session.execute(count, params).scalar_one())


def _fts_ids(
    session: Session,
    tokens: Sequence[str],
    limit: int,
    offset: int,
    countries: Sequence[str] = (),
) -> list[str]:
    """One page of ids: commitments whose id/titles hold every word first, each
    tier by bm25. Ranking only the first tier keeps the first pages of a common
    query cheap; the second tier is ranked only when a page reaches into it."""
    count, page = fts_statements(countries)
    codes = list(countries)
    in_titles, elsewhere = _fts_tiers(tokens)
    boost = _fts_boost_rowid(session, _exact_id(tokens))
    first = int(session.execute(count, {"q": in_titles, "codes": codes}).scalar_one())
    ids: list[str] = []
    if offset < first:
        params = {"q": in_titles, "boost": boost, "limit": limit, "offset": offset}
        ids += session.execute(page, params | {"codes": codes}).scalars()
    if len(ids) < limit:
        params = {
            "q": elsewhere,
            "boost": boost,
            "limit": limit - len(ids),
            "offset": max(0, offset - first),
            "codes": codes,
        }
        ids += session.execute(page, params).scalars()
    return ids


# --------------------------------------------------------------------------- LIKE fallback


def _searchable_fields() -> list[sa.ColumnElement[str]]:
    return [
        col(Commitment.id),
        col(Commitment.title),
        col(Commitment.short_title),
        col(Commitment.full_text),
        col(Commitment.lead_institution),
        col(Commitment.supporting_institutions),
        sa.cast(col(Commitment.policy_areas), sa.Text),
        col(Commitment.theme),
    ]


#: A character that does not continue a word, as FTS5's unicode61 tokeniser splits
#: words, for the scripts OGP's texts use (ASCII, and Latin letters with accents).
_NOT_IN_WORD = "[^0-9A-Za-zÀ-ɏ]"


def _contains(field: sa.ColumnElement[str], token: str, dialect: str) -> sa.ColumnElement[bool]:
    """``field`` has a word that begins with ``token``, in any case, with or without
    accents: what the FTS path matches (a prefix of a word). When the fallback
    matched any substring, "oder" found "modernise" there and nothing through FTS,
    which then offered the correction "order": the two paths answered differently.
    """
    return _word_starts(field, _word_start_pattern(token, dialect), dialect)


def _word_start_pattern(token: str, dialect: str) -> str:
    """The pattern :func:`_word_starts` matches for a word beginning with ``token``."""
    pattern = _letters_pattern(token, dialect)
    if dialect == "postgresql":
        return f"(^|{_NOT_IN_WORD}){pattern}"
    # A space before the text makes its start a word's start, in one GLOB.
    return f"*{_NOT_IN_WORD}{pattern}*"


def _word_starts(
    field: sa.ColumnElement[str], pattern: object, dialect: str
) -> sa.ColumnElement[bool]:
    """``field`` matches a :func:`_word_start_pattern` (a string or a bound parameter)."""
    if dialect == "postgresql":
        return field.regexp_match(pattern)  # type: ignore[arg-type]
    return (sa.literal(" ") + field).op("GLOB")(pattern)


def _like_clauses(
    tokens: Sequence[str], dialect: str, countries: Sequence[str] = ()
) -> tuple[list[sa.ColumnElement[bool]], sa.ColumnElement[bool]]:
    """(every word somewhere and in ``countries`` if any, every word in the id or a title)."""
    fields = _searchable_fields()
    titles = fields[:3]
    where = [sa.or_(*(_contains(f, t, dialect) for f in fields)) for t in tokens]
    if countries:
        where.append(col(Commitment.country_code).in_(list(countries)))
    in_title = sa.and_(
        sa.true(), *(sa.or_(*(_contains(f, t, dialect) for f in titles)) for t in tokens)
    )
    return where, in_title


def _like_count(session: Session, tokens: Sequence[str], countries: Sequence[str] = ()) -> int:
    where, _ = _like_clauses(tokens, session.get_bind().dialect.name, countries)
    return int(session.exec(select(sa.func.count()).select_from(Commitment).where(*where)).one())


def _like_ids(
    session: Session,
    tokens: Sequence[str],
    limit: int,
    offset: int,
    countries: Sequence[str] = (),
) -> list[str]:
    where, in_title = _like_clauses(tokens, session.get_bind().dialect.name, countries)
    exact = _exact_id(tokens)
    order: list[sa.ColumnElement] = []
    if exact is not None:
        order.append(sa.case((col(Commitment.id) == exact, 0), else_=1))
    order += [sa.case((in_title, 0), else_=1), col(Commitment.id)]
    return list(
        session.exec(
            select(Commitment.id).where(*where).order_by(*order).offset(offset).limit(limit)
        ).all()
    )


# --------------------------------------------------------------------------- Summit pledges


def _pledge_ids(session: Session, query: Query, limit: int) -> list[str]:
    """Pledges holding every word in their id, country, theme or text, in the
    countries the query named: a scan, not an index, since a few hundred pledges
    at most (505 by OGP members in 2016) cost less to read than to keep indexed.
    On PostgreSQL the regular expressions blind to case and accents, elsewhere
    GLOB, as :func:`_contains` does for commitments."""
    dialect = session.get_bind().dialect.name
    statement = _pledge_statement(dialect, len(query.tokens), bool(query.countries))
    params: dict[str, object] = {
        f"w{i}": _word_start_pattern(t, dialect) for i, t in enumerate(query.tokens)
    }
    params |= {"codes": list(query.countries), "limit": limit}
    return list(session.execute(statement, params).scalars())


@functools.cache
def _pledge_statement(dialect: str, words: int, narrowed: bool) -> sa.Select:
    """:func:`_pledge_ids`'s statement for that many words, built once: building its
    clauses word by word was a third of a /search (py-spy, bench.throughput)."""
    fields = [
        col(SummitPledge.id),
        col(SummitPledge.country),
        col(SummitPledge.theme),
        col(SummitPledge.text),
    ]
    where = []
    for i in range(words):
        pattern = sa.bindparam(f"w{i}", type_=sa.String)
        where.append(sa.or_(*(_word_starts(f, pattern, dialect) for f in fields)))
    if narrowed:
        where.append(
            col(SummitPledge.iso3).in_(sa.bindparam("codes", type_=sa.String, expanding=True))
        )
    return (
        sa.select(col(SummitPledge.id))
        .where(*where)
        .order_by(col(SummitPledge.id))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )


def search_pledges(db: Database, text: str, *, limit: int = PLEDGES_SHOWN) -> list[SummitPledge]:
    """The 2016 Summit pledges matching ``text`` (a pledge id, a country, theme or
    text words), by id: for /search and inline answers."""
    understood = interpret(db, text)
    if understood.empty or limit <= 0:
        return []
    with db.session() as session:
        return _pledges(session, understood, limit)


_PLEDGES = select(SummitPledge).where(
    col(SummitPledge.id).in_(sa.bindparam("ids", type_=sa.String, expanding=True))
)


def _pledges(session: Session, query: Query, limit: int) -> list[SummitPledge]:
    ids = _pledge_ids(session, query, limit)
    if not ids:
        return []
    found = {p.id: p for p in session.exec(_PLEDGES, params={"ids": ids})}  # type: ignore[call-overload]
    return [found[i] for i in ids if i in found]


# --------------------------------------------------------------------------- what a query means


@dataclass(frozen=True, slots=True)
class Query:
    """A query as understood: the words to match, and the members it narrows to."""

    tokens: list[str]
    text: str = ""  # as typed
    place: str | None = None  # the member the query named
    countries: tuple[str, ...] = ()  # that member's code, and its locals' for a national
    corrected: str | None = None  # the query as spelt once misspelt words were replaced

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.countries


def interpret(db: Database, text: str) -> Query:
    """The words of ``text``, less a member's name, which narrows to that member."""
    tokens = query_tokens(text)
    if not tokens or _exact_id(tokens):
        return Query(tokens, text)
    index = country_index(db)
    named = index.named_in(tokens)
    if named is None:
        return Query(tokens, text)
    member, start, end = named
    codes = [member.code]
    if not member.parent:
        codes += [local.code for local in index.locals_of(member.code)]
    return Query(tokens[:start] + tokens[end:], text, member.code, tuple(codes))


# Words shorter than this are never corrected: too many look alike.
_MIN_CORRECTED = 4
_CORRECTION_CUTOFF = 80.0
_WORDS = re.compile(r"[^\W_]+")
_vocabulary_lock = Lock()
_vocabulary_cache: dict[str, tuple[tuple[int, object], list[str]]] = {}


def _vocabulary(session: Session, url: str) -> list[str]:
    """Sorted folded words of every commitment's titles, policy areas, theme and lead
    institution (the words people look for), rebuilt when the commitments change."""
    stamp = tuple(
        session.exec(
            select(sa.func.count(), sa.func.max(col(Commitment.imported_at))).select_from(
                Commitment
            )
        ).one()
    )
    cached = _vocabulary_cache.get(url)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    words: set[str] = set()
    rows = session.exec(
        select(
            Commitment.title,
            Commitment.short_title,
            Commitment.theme,
            Commitment.lead_institution,
            Commitment.policy_areas,
        )
    )
    for title, short_title, theme, institution, areas in rows:
        text = " ".join([title, short_title, theme, institution, *(areas or [])])
        words.update(w for w in (fold(t) for t in _WORDS.findall(text)) if len(w) >= 2)
    ordered = sorted(words)
    with _vocabulary_lock:
        _vocabulary_cache[url] = (stamp, ordered)
    return ordered


def _corrected(session: Session, url: str, tokens: Sequence[str]) -> list[str] | None:
    """``tokens`` with each word the vocabulary lacks replaced by its closest
    word there; None when nothing was replaced."""
    from rapidfuzz import fuzz, process  # 4 MB: only once a word needs correcting

    vocabulary = _vocabulary(session, url)
    out: list[str] = []
    changed = False
    for token in tokens:
        word = fold(token)
        if len(word) < _MIN_CORRECTED or _is_prefix(vocabulary, word):
            out.append(token)
            continue
        best = process.extractOne(
            word, vocabulary, scorer=fuzz.ratio, score_cutoff=_CORRECTION_CUTOFF
        )
        if best is None:
            out.append(token)
            continue
        out.append(best[0])
        changed = True
    return out if changed else None


def _respelt(query: Query, better: Sequence[str]) -> str:
    """The query as typed, its misspelt words replaced: "kenya procurment" ->
    "kenya procurement"."""
    text = query.text
    for typed, fixed in zip(query.tokens, better, strict=True):
        if typed != fixed:
            text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", fixed, text, count=1)
    return text


def _is_prefix(ordered: list[str], word: str) -> bool:
    """Whether ``word`` is or begins a vocabulary word (a prefix search finds it)."""
    at = bisect_left(ordered, word)
    return at < len(ordered) and ordered[at].startswith(word)


# --------------------------------------------------------------------------- API


@dataclass(frozen=True, slots=True)
class _Found:
    page: Page
    query: Query  # as answered: ``corrected`` set when misspelt words were replaced


def _page(
    session: Session,
    url: str,
    query: Query,
    page: int,
    page_size: int,
    now: datetime | None,
    *,
    fts: bool | None,
) -> _Found:
    page_size = max(1, page_size)
    if query.empty:
        return _Found(Page([], 0, 0, page_size), query)
    now = now or utcnow()
    use_fts = bool(query.tokens) and (has_fts_index(session) if fts is None else fts)
    count, ids_for = (_fts_count, _fts_ids) if use_fts else (_like_count, _like_ids)
    total = count(session, query.tokens, query.countries)
    if not total and query.tokens:
        better = _corrected(session, url, query.tokens)
        if better is not None:
            query = Query(better, query.text, query.place, query.countries, _respelt(query, better))
            total = count(session, query.tokens, query.countries)
    last = page_count(total, page_size) - 1
    page = max(0, min(page, last))
    ids: list[str] = []
    if total:
        ids = ids_for(session, query.tokens, page_size, page * page_size, query.countries)
    return _Found(Page(list_rows(session, ids, now.date()), page, total, page_size), query)


def _search(
    db: Database, query: str, page: int, page_size: int, now: datetime | None, *, fts: bool | None
) -> Page:
    understood = interpret(db, query)
    if understood.empty:
        return Page([], 0, 0, max(1, page_size))
    with db.session() as session:
        return _page(session, db.url, understood, page, page_size, now, fts=fts).page


def search_commitments(
    db: Database,
    query: str,
    *,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Page:
    """One page of the commitments matching ``query``, best first.

    The page number is clamped to the pages there are; ``total`` counts every
    match. Uses the FTS5 index where there is one, else the LIKE fallback.
    """
    return _search(db, query, page, page_size, now, fts=None)


def search_commitments_like(
    db: Database,
    query: str,
    *,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Page:
    """:func:`search_commitments` through the LIKE fallback, whatever the database.

    What PostgreSQL always uses; callable on SQLite for tests and comparisons.
    """
    return _search(db, query, page, page_size, now, fts=False)


@dataclass(frozen=True, slots=True)
class SavedPage:
    """A page of a search whose paging buttons carry ``query_id``; ``corrected``
    is the query that answered when the one typed found nothing as spelt."""

    query_id: int
    text: str
    page: Page
    corrected: str | None = None
    place: str | None = None
    pledges: list[SummitPledge] = field(default_factory=list)  # on the first page only


def search_and_remember(
    db: Database,
    chat_id: int,
    query: str,
    *,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> SavedPage:
    """The first page of a search, and the search saved for its paging buttons.

    The search runs before the save: on SQLite the write lock is taken at the
    first write and held to the commit, so other writers wait for the insert
    only, not for the search as well.
    """
    understood = interpret(db, query)
    with db.session() as session:
        found = _page(session, db.url, understood, 0, page_size, now, fts=None)
        pledges = _pledges(session, understood, PLEDGES_SHOWN) if not understood.empty else []
        query_id = saved_search.remember(session, chat_id, query)
        return SavedPage(
            query_id, query, found.page, found.query.corrected, found.query.place, pledges
        )


def saved_search_page(
    db: Database,
    query_id: int,
    chat_id: int,
    page: int,
    *,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> SavedPage | None:
    """A later page of a saved search; None unless ``chat_id`` made the search."""
    with db.session() as session:
        text = saved_search.recall(session, query_id, chat_id)
    if text is None:
        return None
    understood = interpret(db, text)
    with db.session() as session:
        found = _page(session, db.url, understood, page, page_size, now, fts=None)
        return SavedPage(query_id, text, found.page, found.query.corrected, found.query.place)


def search_cards(
    db: Database,
    query: str,
    *,
    limit: int,
    chat_id: int | None = None,
    now: datetime | None = None,
) -> list[CommitmentCard]:
    """Cards of the best matches, no count: for inline-query answers."""
    understood = interpret(db, query)
    if understood.empty or limit <= 0:
        return []
    with db.session() as session:
        use_fts = bool(understood.tokens) and has_fts_index(session)
        ids_for = _fts_ids if use_fts else _like_ids
        found = ids_for(session, understood.tokens, limit, 0, understood.countries)
        conn = session.connection()
        cards = (card_in(conn, i, chat_id=chat_id, now=now) for i in found)
        return [card for card in cards if card is not None]


def search_ids(db: Database, query: str, *, limit: int = 20, offset: int = 0) -> list[str]:
    """Just the ids of the best matches, no count: for inline-query answers."""
    understood = interpret(db, query)
    if understood.empty or limit <= 0:
        return []
    with db.session() as session:
        use_fts = bool(understood.tokens) and has_fts_index(session)
        ids_for = _fts_ids if use_fts else _like_ids
        return ids_for(session, understood.tokens, limit, max(0, offset), understood.countries)
