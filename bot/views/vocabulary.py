"""OGP's own words, shown in the reader's language: policy-area tags and themes.

The tags are the export's policy-area column names (``storage.importer.
POLICY_AREA_COLUMNS``; a test keeps the two lists equal). They are stored as OGP
writes them, in English, and translated only when shown, through the same
gettext catalogues as every other text. Themes are free text in the export,
often already in the member's language: the common English ones are
translated, anything else is shown as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from gettext import NullTranslations

from bot.commands import N_

POLICY_AREAS: tuple[str, ...] = (
    N_("Anti-Corruption and Integrity"),
    N_("Anti-corruption Institutions"),
    N_("Anti-Corruption Strategies"),
    N_("Asset Disclosure"),
    N_("Audits"),
    N_("Beneficial Ownership"),
    N_("Conflicts Of Interest"),
    N_("Elections"),
    N_("Political Finance"),
    N_("Lobbying"),
    N_("Open Contracting"),
    N_("Public Procurement"),
    N_("Right To Information"),
    N_("Whistleblower Protections"),
    N_("Civic Space and Enabling Environment"),
    N_("Freedom of Assembly"),
    N_("Freedom of Association"),
    N_("Freedom of Expression"),
    N_("Democratizing Decision-Making"),
    N_("Digital Participation"),
    N_("Mainstreaming Participation"),
    N_("Regulatory Governance"),
    N_("Social Accountability"),
    N_("Digital Governance"),
    N_("Automated Decision-making"),
    N_("Data Stewardship and Privacy"),
    N_("Digital Inclusion"),
    N_("Disinformation/Misinformation"),
    N_("Online Civic Space"),
    N_("Environment & Climate"),
    N_("Climate Finance"),
    N_("Climate Mitigation and Adaptation"),
    N_("Environmental Regulation"),
    N_("International Environmental Agreements"),
    N_("Fiscal Openness"),
    N_("Publication Of Budget/Fiscal Information"),
    N_("Public Participation In Budget/Fiscal Policy"),
    N_("Oversight Of Budget/Fiscal Policies"),
    N_("Stimulus and Economic Recovery"),
    N_("Tax"),
    N_("Debt"),
    N_("Inclusion"),
    N_("Gender"),
    N_("Gender-Based Violence"),
    N_("Economic Inclusion"),
    N_("LGBTQIA+"),
    N_("People with Disabilities"),
    N_("Youth"),
    N_("Justice"),
    N_("Access to Justice"),
    N_("Open Justice"),
    N_("Policing & Corrections"),
    N_("Judiciary"),
    N_("Open Parliaments"),
    N_("Public Service Delivery"),
    N_("Citizenship & Immigration"),
    N_("Education"),
    N_("Health & Nutrition"),
    N_("Infrastructure & Transport"),
    N_("Water & Sanitation"),
    N_("Capacity Building"),
    N_("Digital Transformation"),
    N_("Legislation"),
    N_("Regulation"),
    N_("Legislative Oversight"),
    N_("Open Data"),
    N_("Public Participation"),
    N_("Aid"),
    N_("Energy"),
    N_("Extractive Industries"),
    N_("Land and Spatial Planning"),
    N_("Media & Telecommunications"),
    N_("Science & Technology"),
    N_("Security & Public Safety"),
    N_("Labor"),
    N_("Private Sector"),
    N_("Subnational"),
    N_("Human Rights"),
    N_("Open Parliament Plan"),
    N_("Sustainable Development Goals"),
    N_("Open Data (Water/Sanitation)"),
    N_("Open Data (Health)"),
    N_("Open Data (Education)"),
    N_("Participation in Lawmaking"),
    N_("Access to information"),
    N_("Money in Politics"),
)

# Themes members often give in English (the export's "Theme" column is free text).
THEMES: tuple[str, ...] = (
    N_("Accountability"),
    N_("Transparency"),
    N_("Transparency and Accountability"),
    N_("Citizen Participation"),
    N_("Civic Participation"),
    N_("Citizen Engagement"),
    N_("Participation"),
    N_("Fiscal Transparency"),
    N_("Integrity"),
    N_("Government Integrity"),
    N_("Public Integrity"),
    N_("Anti-Corruption"),
    N_("Fight Against Corruption"),
    N_("Improved Service Delivery"),
    N_("Open Parliament"),
    N_("Environment"),
    N_("Employment"),
    N_("Open Information"),
    N_("Collaboration"),
    N_("Natural Resource Transparency"),
    N_("Technology and Innovation"),
)

# Case-insensitive: the export writes "Anti-corruption", "ANTI-CORRUPTION", ...
_KNOWN = {word.casefold(): word for word in (*THEMES, *POLICY_AREAS)}
_TAGS = frozenset(POLICY_AREAS)


def tag_name(tr: NullTranslations, tag: str) -> str:
    """A policy-area tag in the reader's language; an unknown one as it is."""
    return tr.gettext(tag) if tag in _TAGS else tag


def tag_names(tr: NullTranslations, tags: Iterable[str]) -> list[str]:
    return [tag_name(tr, tag) for tag in tags]


def theme_name(tr: NullTranslations, theme: str) -> str:
    """A theme in the reader's language when it is one of OGP's usual words."""
    known = _KNOWN.get(" ".join(theme.split()).casefold())
    return tr.gettext(known) if known else theme
