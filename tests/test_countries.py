from __future__ import annotations

from types import SimpleNamespace

import pycountry
import pytest

from storage.countries import (
    CountryIndex,
    OgpMember,
    Resolution,
    default_index,
    load_members,
    localized_name,
)
from storage.text import fold_words

REGIONS = {"Africa and the Middle East", "Americas", "Asia and the Pacific", "Europe"}
SAMPLE_LOCALS = {
    "ARBA": ("Buenos Aires", "ARG"),
    "MXJL": ("Jalisco", "MEX"),
    "ESMD": ("Madrid", "ESP"),
    "NGKD": ("Kaduna State", "NGA"),
    "GBSC": ("Scotland", "GBR"),
    "PHSC": ("South Cotabato", "PHL"),
}


@pytest.fixture(scope="module")
def index() -> CountryIndex:
    return CountryIndex(load_members())


def codes(members) -> list[str]:
    return [m.code for m in members]


# --------------------------------------------------------------------------------------------
# CSV sanity


def test_csv_codes_unique_and_wellformed():
    members = load_members()
    all_codes = codes(members)
    assert len(all_codes) == len(set(all_codes))
    assert len([m for m in members if m.kind == "national"]) >= 70
    for m in members:
        assert m.kind in {"national", "local"}, m
        assert m.region in REGIONS, m
        assert m.name.strip() == m.name and m.name, m
        if m.kind == "national":
            assert len(m.code) == 3 and m.code.isupper(), m
            assert len(m.iso2) == 2 and not m.parent, m
        else:
            assert len(m.code) == 4 and m.code.isupper(), m
            assert not m.iso2 and m.parent, m


def test_csv_locals_have_national_parent_present():
    by_code = {m.code: m for m in load_members()}
    for m in by_code.values():
        if m.kind == "local":
            parent = by_code.get(m.parent)
            assert parent is not None and parent.kind == "national", m
            assert m.code[:2] == parent.iso2, m
            assert m.region == parent.region, m


def test_csv_sample_locals_present():
    by_code = {m.code: m for m in load_members()}
    for code, (name, parent) in SAMPLE_LOCALS.items():
        assert by_code[code].name == name
        assert by_code[code].parent == parent
        assert by_code[code].kind == "local"


def test_csv_kosovo_present():
    kosovo = {m.code: m for m in load_members()}["XKX"]
    assert kosovo.iso2 == "XK" and kosovo.kind == "national" and kosovo.region == "Europe"


def test_csv_national_iso_codes_known_to_pycountry():
    for m in load_members():
        if m.kind != "national" or m.code == "XKX":
            continue
        rec = pycountry.countries.get(alpha_3=m.code)
        assert rec is not None, m
        assert rec.alpha_2 == m.iso2, m


def test_member_is_frozen():
    m = load_members()[0]
    with pytest.raises(AttributeError):
        m.code = "XXX"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# Normalisation / localisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Côte d’Ivoire", "cote divoire"),
        ("Cote d'Ivoire", "cote divoire"),
        ("  São   Paulo ", "sao paulo"),
        ("Sekondi-Takoradi", "sekondi takoradi"),
        ("EE.UU.", "ee uu"),
        ("Korea, Republic of", "korea republic of"),
    ],
)
def test_normalize(raw, expected):
    assert fold_words(raw) == expected


@pytest.mark.parametrize(
    ("member", "lang", "expected"),
    [
        ("BRA", "pt", "Brasil"),
        ("BRA", "pt-BR", "Brasil"),
        ("BRA", "es", "Brasil"),
        ("BRA", "en", "Brazil"),
        ("ESP", "fr", "Espagne"),
        ("KEN", "pt", "Quénia"),
        ("KOR", "en", "Republic of Korea"),
        ("KOR", "es", "Corea del Sur"),
        ("XKX", "ru", "Косово"),
        ("XKX", "fr", "Kosovo"),
        ("ARBA", "es", "Buenos Aires"),
        ("BRA", "xx", "Brazil"),
        ("BRA", None, "Brazil"),
    ],
)
def test_localized_name(member, lang, expected):
    assert localized_name(member, lang) == expected


def test_localized_name_accepts_member_objects():
    brazil = default_index().get("BRA")
    assert localized_name(brazil, "pt") == "Brasil"
    row = SimpleNamespace(code="BRA", name="Brazil", kind="national", iso2="BR", parent=None)
    assert localized_name(row, "de") == "Brasilien"


def test_localized_name_unknown_code_returned_as_is():
    assert localized_name("ZZZ", "es") == "ZZZ"


# --------------------------------------------------------------------------------------------
# resolve: confident matches


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("brasil", "BRA"),
        ("Brazil", "BRA"),
        ("BR", "BRA"),
        ("br", "BRA"),
        ("bra", "BRA"),
        ("BRA", "BRA"),
        ("Бразилия", "BRA"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("cote divoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Costa de Marfil", "CIV"),
        ("코트디부아르", "CIV"),
        ("Korea", "KOR"),
        ("South Korea", "KOR"),
        ("Republic of Korea", "KOR"),
        ("Corée du Sud", "KOR"),
        ("Kyrgyzstan", "KGZ"),
        ("Kyrgyz Republic", "KGZ"),
        ("Slovakia", "SVK"),
        ("Slovak Republic", "SVK"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Macedonia", "MKD"),
        ("North Macedonia", "MKD"),
        ("UK", "GBR"),
        ("Great Britain", "GBR"),
        ("United Kingdom", "GBR"),
        ("GB", "GBR"),
        ("USA", "USA"),
        ("US", "USA"),
        ("United States of America", "USA"),
        ("Estados Unidos", "USA"),
        ("Holland", "NLD"),
        ("Moldova", "MDA"),
        ("Kenya", "KEN"),
        ("kenia", "KEN"),
        ("Quénia", "KEN"),
        ("Espagne", "ESP"),
        ("España", "ESP"),
        ("Nueva Zelanda", "NZL"),
        ("Kosovo", "XKX"),
        ("XK", "XKX"),
        ("xkx", "XKX"),
        ("Buenos Aires", "ARBA"),
        ("ARBA", "ARBA"),
        ("arba", "ARBA"),
        ("CABA", "ARBA"),
        ("Ciudad de Buenos Aires", "ARBA"),
        ("Scotland", "GBSC"),
        ("Madrid", "ESMD"),
        ("Jalisco", "MXJL"),
        ("Kaduna State", "NGKD"),
        ("South Cotabato", "PHSC"),
        ("Iasi", "ROIS"),
        ("Kigoma", "TZKG"),
        # typos -> fuzzy, one clear winner
        ("Philipines", "PHL"),
        ("Phillipines", "PHL"),
        ("Grmany", "DEU"),
        ("Nigera", "NGA"),
        ("Untied States", "USA"),
        ("Columbia", "COL"),
        ("Austrlia", "AUS"),
        ("Sierra Leon", "SLE"),
    ],
)
def test_resolve_match(index, text, expected):
    res = index.resolve(text)
    assert res.match is not None, (text, codes(res.candidates))
    assert res.match.code == expected
    assert codes(res.candidates) == [expected]
    assert res.found and not res.ambiguous


# --------------------------------------------------------------------------------------------
# resolve: ambiguous / uncertain -> candidates, no match


@pytest.mark.parametrize(
    ("text", "must_include"),
    [
        ("niger", {"NGA"}),  # Niger is not a member: never silently Nigeria
        ("Niger", {"NGA"}),
        ("Austria", {"AUS"}),  # not a member: never silently Australia
        ("Guinea", {"PNG"}),
        ("South", {"KOR", "ZAF", "PHSC"}),
        ("Republic", {"CZE", "DOM"}),
        ("North", {"MKD"}),
        ("Dominican", {"DOM"}),
    ],
)
def test_resolve_candidates_without_match(index, text, must_include):
    res = index.resolve(text)
    assert res.match is None
    assert res.ambiguous
    got = codes(res.candidates)
    assert must_include <= set(got), got
    assert len(got) == len(set(got)) <= 6


def test_resolve_candidates_best_first(index):
    res = index.resolve("Republic")
    assert len(res.candidates) == 6


@pytest.mark.parametrize(
    "text",
    ["", "   ", "xx", "ZZ", "qq", "zzzz", "Atlantis", "Congo", "Nepal", "!!!", "12345", "ab"],
)
def test_resolve_nothing(index, text):
    res = index.resolve(text)
    assert res.match is None
    assert res.candidates == []
    assert not res.found and not res.ambiguous


@pytest.mark.parametrize("text", ["NI", "ni", "Ke", "GA"])
def test_two_letters_never_fuzzy(index, text):
    res = index.resolve(text)
    if res.match is not None:
        assert res.match.iso2.upper() == text.upper()
    else:
        assert res.candidates == []


def test_resolve_keeps_query(index):
    assert index.resolve("brasil").query == "brasil"


def test_exact_duplicate_names_are_ambiguous():
    members = [
        *load_members(),
        SimpleNamespace(
            code="USGA", name="Georgia", kind="local", region="Americas", iso2=None, parent="USA"
        ),
    ]
    idx = CountryIndex(members)
    res = idx.resolve("Georgia")
    assert res.match is None
    assert set(codes(res.candidates)) == {"GEO", "USGA"}
    assert idx.resolve("GE").match.code == "GEO"
    assert idx.resolve("usga").match.code == "USGA"


def test_extra_members_from_database_rows():
    rows = [
        SimpleNamespace(code="KEN", name="Kenya", kind="national", iso2="KE", parent=None),
        SimpleNamespace(code="KENK", name="Nakuru", kind="local", iso2=None, parent="KEN"),
    ]
    idx = CountryIndex(rows)
    assert idx.resolve("kenia").match.code == "KEN"
    assert idx.resolve("Nakuru").match.code == "KENK"
    assert idx.resolve("Nakurru").match.code == "KENK"
    assert idx.resolve("Brazil").match is None
    assert idx.get("kenk") is rows[1]
    assert idx.get("KE") is rows[0]
    assert set(idx.by_region()) == {""}


# --------------------------------------------------------------------------------------------
# resolve_many


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenya Ghana", ["KEN", "GHA"]),
        ("Kenya, Ghana", ["KEN", "GHA"]),
        ("kenya ghana nigeria", ["KEN", "GHA", "NGA"]),
        ("kenya; ghana\nnigeria", ["KEN", "GHA", "NGA"]),
        ("kenya and ghana", ["KEN", "GHA"]),
        ("brasil y chile", ["BRA", "CHL"]),
        ("Buenos Aires Sierra Leone Costa Rica", ["ARBA", "SLE", "CRI"]),
        (
            "cote d'ivoire new zealand south cotabato north macedonia",
            ["CIV", "NZL", "PHSC", "MKD"],
        ),
        ("Bosnia and Herzegovina Trinidad and Tobago", ["BIH", "TTO"]),
        ("Sierra Leone, Costa Rica, Buenos Aires", ["SLE", "CRI", "ARBA"]),
        ("kenya philipines ghanna", ["KEN", "PHL", "GHA"]),
        ("sierra leon ghana", ["SLE", "GHA"]),
        ("DE FR", ["DEU", "FRA"]),
        ("Korea, Republic of", ["KOR"]),
        ("Kenya kenya KE", ["KEN"]),
        ("Costa Rica", ["CRI"]),
    ],
)
def test_resolve_many(index, text, expected):
    results = index.resolve_many(text)
    assert all(isinstance(r, Resolution) for r in results)
    assert [r.match.code if r.match else None for r in results] == expected


def test_resolve_many_reports_unknown_pieces(index):
    results = index.resolve_many("Kenya Atlantis")
    assert [r.match.code if r.match else None for r in results] == ["KEN", None]
    assert results[1].query == "Atlantis"
    assert results[1].candidates == []


def test_resolve_many_empty(index):
    assert index.resolve_many("") == []
    assert index.resolve_many(" , ; ") == []


# --------------------------------------------------------------------------------------------
# accessors


def test_get(index):
    assert index.get("BRA").name == "Brazil"
    assert index.get("bra").code == "BRA"
    assert index.get("BR").code == "BRA"
    assert index.get("arba").code == "ARBA"
    assert index.get("ZZZ") is None
    assert index.get("") is None
    assert index.get(None) is None
    assert "BRA" in index and "ZZZ" not in index
    assert len(index) == len(load_members())


def test_members_are_member_instances(index):
    assert all(isinstance(m, OgpMember) for m in index.members)


def test_by_region(index):
    regions = index.by_region()
    assert set(regions) == REGIONS
    assert sum(len(v) for v in regions.values()) == len(index.members)
    for members in regions.values():
        kinds = [m.kind for m in members]
        assert kinds == sorted(kinds, key=lambda k: k != "national")
        nationals = [fold_words(m.name) for m in members if m.kind == "national"]
        locals_ = [fold_words(m.name) for m in members if m.kind == "local"]
        assert nationals == sorted(nationals)
        assert locals_ == sorted(locals_)
    assert "ARBA" in codes(regions["Americas"])
    assert "KEN" in codes(regions["Africa and the Middle East"])


def test_locals_of(index):
    assert {"ESMD"} <= set(codes(index.locals_of("esp")))


def test_default_index_is_shared():
    assert default_index() is default_index()


# --------------------------------------------------------------------------------------------
# performance
