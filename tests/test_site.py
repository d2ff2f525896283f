"""The public static site (#15): what it publishes, how it is wired, that it is valid HTML.

The browser check lives in test_site_browser.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from xml.etree import ElementTree

import html5lib
import pytest

from bot.__main__ import main
from bot.emulator import Driver, UserHandle
from bot.site import build
from storage.db import Database
from storage.summit import import_pledges, shipped_pledges_path
from tests.conftest import ADMIN_ID, make_lead, make_settings, send_report, start_bot

MAX_PAGE = 100 * 1024


def page(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def run_site(db: Database, out: Path, *extra: str) -> tuple[int, str]:
    """``ogp-bot site`` as a person types it; (exit status, what it printed)."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["--database", db.url, "site", "--out", str(out), *extra])
    return status, printed.getvalue()


async def report_with_evidence(user: UserHandle, commitment: str, note: str, link: str) -> None:
    await user.send(f"/report {commitment}")
    await user.press("🟡 Substantial")
    await user.send(note)
    await user.send_photo(caption="Hearing photo")
    await user.send(f"Minutes: {link}")
    await user.press("Done")
    await user.press("Send")


async def test_only_verified_reports_are_published_and_only_chosen_names(
    demo_bot: Driver, demo_db: Database, tmp_path: Path
) -> None:
    lead, ana, ben, cleo = (demo_bot.user(n) for n in ("Leo", "Ana", "Ben", "Cleo"))
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    # Ben chooses, in /settings, to be named on the public site; Ana and Cleo do not.
    settings = (await ben.send("/settings"))[0]
    assert "On the public site: “a coalition member”" in settings.text
    changed = await ben.press("Public site: show my name", message=settings)
    assert "On the public site: your name" in changed.replies[0].text

    await report_with_evidence(ana, "KE0012", "Hearings held", "https://parliament.go.ke/m/1")
    await lead.press("✅ Verify", message=lead.last_reply)
    await send_report(ben, "KE0021", "Portal launched")
    await lead.press("✅ Verify", message=lead.last_reply)
    await send_report(cleo, "KE0021", "Rejected claim")
    await lead.press("❌ Reject", message=lead.last_reply)
    await lead.send("No source")
    await send_report(cleo, "KE0012", "Still pending claim")
    # A report Ben sends anonymously stays anonymous on the site too.
    ask = (await ben.send("/report KE0027"))[0]
    await ben.press(next(t for t in ask.button_texts if "Limited" in t), message=ask)
    evidence = (await ben.send("Sent without my name"))[0]
    preview = (await ben.press("Skip", message=evidence)).replies[0]
    preview = (await ben.press("🕶 Send anonymously", message=preview)).replies[0]
    await ben.press("Send", message=preview)
    await lead.press("✅ Verify", message=lead.last_reply)

    out = tmp_path / "site"
    status, printed = run_site(demo_db, out)
    assert status == 0 and "files written" in printed
    ke12 = page(out, "en/commitments/KE0012.html")
    assert "Hearings held" in ke12 and "a coalition member" in ke12
    assert "Ana" not in ke12 and "Still pending claim" not in ke12
    assert 'href="https://parliament.go.ke/m/1"' in ke12
    assert "Hearing photo" not in ke12  # files are not published, only links
    ke21 = page(out, "en/commitments/KE0021.html")
    assert "Portal launched" in ke21 and "Ben" in ke21
    assert "Rejected claim" not in ke21
    ke27 = page(out, "en/commitments/KE0027.html")
    assert "Sent without my name" in ke27 and "Ben" not in ke27
    assert "a coalition member" in ke27
    feed = page(out, "en/members/KEN.atom")
    assert "Portal launched" in feed and "Hearings held" in feed and "Rejected" not in feed
    assert "Comunidad" not in page(out, "en/index.html")
    spanish = page(out, "es/commitments/KE0021.html")
    assert '<html lang="es">' in spanish and "Limitado" in spanish
    assert 'hreflang="fr"' in spanish

    # Nothing changed: nothing rewritten.
    status, printed = run_site(demo_db, out)
    assert status == 0 and " 0 files written" in printed

    # Ben asks to be forgotten: his name leaves the site at the next build.
    await ben.send("/forgetme")
    await ben.press("Yes, delete my data")
    summary = build(demo_db, out)
    assert summary.written > 0
    ke21 = page(out, "en/commitments/KE0021.html")
    assert "Portal launched" in ke21 and "Ben" not in ke21


async def test_site_command_errors_are_one_line(demo_db: Database, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--database", demo_db.url, "site", "--out", str(blocker)]) == 2
    assert capsys.readouterr().err.startswith(f"ogp-bot: {blocker}:")
    assert main(["--database", demo_db.url, "site", "--out", str(tmp_path), "--language", "xx"])
    assert "no catalogue for language(s): xx" in capsys.readouterr().err


def internal_links(site: Path, path: Path) -> list[Path]:
    """Every local target a page's <a href> and <link href> point to."""
    document = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    found = []
    for element in document.iter():
        href = element.get("href") if element.tag in ("a", "link") else None
        if not href or urlsplit(href).scheme:
            continue
        target = urldefrag(href)[0]
        if target:
            found.append((path.parent / target).resolve())
    return found


def check_site(site: Path) -> None:
    """Strictly valid HTML5 with ``lang``, each page < 100 KB, no broken internal link."""
    pages = sorted(site.rglob("*.html"))
    assert pages
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path in pages:
        data = path.read_bytes()
        assert len(data) < MAX_PAGE, f"{path}: {len(data)} bytes"
        root = parser.parse(data)  # strict: the first parse error raises
        assert root.get("lang"), path
        for target in internal_links(site, path):
            assert target.is_file(), f"{path.relative_to(site)} links to missing {target}"


def test_demo_site_is_valid_small_and_has_no_broken_links(
    demo_db: Database, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    summary = build(demo_db, site, "https://tracker.example.org/")
    assert summary.commitments == 104 and summary.languages == ("en", "es", "fr", "pt")
    check_site(site)
    index = page(site, "fr/index.html")
    assert "Kenya" in index and '<link rel="alternate" hreflang="pt"' in index
    assert 'href="https://tracker.example.org/pt/index.html"' in index
    assert "<svg" in index and "<script" not in index
    atom = "{http://www.w3.org/2005/Atom}"
    for feed in site.rglob("*.atom"):  # well-formed Atom, a title and an id each
        root = ElementTree.parse(feed).getroot()
        assert root.tag == f"{atom}feed" and root.find(f"{atom}id") is not None, feed


async def test_cards_link_to_their_public_page_when_a_site_is_configured(
    demo_db: Database,
) -> None:
    settings = make_settings(demo_db.url, site={"base_url": "https://tracker.example.org"})
    async with await start_bot(settings, demo_db) as driver:
        ana = driver.user("Ana", language_code="es")
        card = (await ana.send("/status KE0012"))[0]
        button = card.button("Página pública")
        assert button.url == "https://tracker.example.org/es/commitments/KE0012.html"


async def test_cards_have_no_public_page_button_without_a_site(demo_bot: Driver) -> None:
    card = (await demo_bot.user("Ana").send("/status KE0012"))[0]
    assert "Public page" not in card.button_texts


async def test_daily_job_builds_the_site_and_tells_admins_when_the_command_fails(
    demo_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    failing = [
        sys.executable,
        "-c",
        "import sys; print('host unreachable', file=sys.stderr); sys.exit(3)",
    ]
    settings = make_settings(
        demo_db.url,
        site={"base_url": "https://t.example.org/", "out_dir": str(out), "after_command": failing},
    )
    async with await start_bot(settings, demo_db) as driver:
        admin = driver.user("Ada", user_id=ADMIN_ID)
        await admin.send("/start")
        await driver.run_jobs()
        assert (out / "en" / "commitments" / "KE0012.html").is_file()
        text = admin.last_reply.text
        assert "The public site was built, but the command run after it failed" in text
        assert "exit status 3: host unreachable" in text
        await admin.send("/status KE0012")  # the bot carries on
        assert "KE0012" in admin.last_reply.text


async def test_daily_job_runs_the_command_after_building(demo_db: Database, tmp_path: Path) -> None:
    out, marker = tmp_path / "public", tmp_path / "synced"
    touch = [sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"]
    settings = make_settings(
        demo_db.url,
        site={"base_url": "https://t.example.org/", "out_dir": str(out), "after_command": touch},
    )
    async with await start_bot(settings, demo_db) as driver:
        admin = driver.user("Ada", user_id=ADMIN_ID)
        await admin.send("/start")
        before = len(admin.messages)
        await driver.run_jobs()
        assert marker.is_file() and (out / "index.html").is_file()
        assert len(admin.messages) == before  # nothing to tell


async def test_a_missing_command_is_told_not_raised(demo_db: Database, tmp_path: Path) -> None:
    settings = make_settings(
        demo_db.url,
        site={
            "base_url": "https://t.example.org/",
            "out_dir": str(tmp_path / "p"),
            "after_command": ["no-such-program-xyz"],
        },
    )
    async with await start_bot(settings, demo_db) as driver:
        admin = driver.user("Ada", user_id=ADMIN_ID)
        await admin.send("/start")
        await driver.run_jobs()
        assert "no-such-program-xyz: No such file or directory" in admin.last_reply.text


async def test_member_and_commitment_pages_show_summit_pledges_from_the_database(
    demo_bot: Driver, demo_db: Database, tmp_path: Path
) -> None:
    import_pledges(demo_db, shipped_pledges_path())
    admin = demo_bot.user("Ada", user_id=ADMIN_ID)
    await admin.send("/start")
    linked = (await admin.send("/embed ACS2016-KEN-01 KE0033"))[0]
    assert "KE0033" in linked.text and "ACS2016-KEN-01" in linked.text

    site = tmp_path / "site"
    build(demo_db, site)
    check_site(site)
    kenya = page(site, "en/members/KEN.html")
    section = kenya[kenya.index('<section id="pledges">') : kenya.index("</section>")]
    assert "2016 Anti-Corruption Summit pledges" in section
    assert "assessments from 2017–2020" in section  # statuses are old: said so
    # By theme, each with its status, who assessed it and when, and its source.
    assert section.index("<h3>Asset recovery</h3>") < section.index("<h3>Beneficial ownership</h3>")
    kenya_01 = section[section.index('<li id="ACS2016-KEN-01">') :]
    kenya_01 = kenya_01[: kenya_01.index("</li>")]
    assert "Ongoing (TI-UK pledge tracker, 2020-12)" in kenya_01
    assert (
        'href="https://www.anticorruptionpledgetracker.com/commitments/public-register-6-2/"'
        in kenya_01
    )
    assert 'Carried by NAP commitments: <a href="../commitments/KE0033.html">KE0033</a>' in (
        kenya_01
    )
    kenya_03 = section[section.index('<li id="ACS2016-KEN-03">') :]
    kenya_03 = kenya_03[: kenya_03.index("</li>")]
    assert "No data (no tracker status found)" in kenya_03
    assert "not in a NAP commitment yet" in kenya_03
    assert "(a paraphrase, not the pledge’s own words)" in kenya_03
    # Only Kenya's pledges on Kenya's page; no section where a member has none.
    assert "ACS2016-GBR" not in kenya
    assert 'id="pledges"' not in page(site, "en/members/GHA.html")

    carrier = page(site, "en/commitments/KE0033.html")
    assert 'href="../members/KEN.html#ACS2016-KEN-01"' in carrier
    assert "Ongoing (TI-UK pledge tracker, 2020-12)" in carrier
    assert "ACS2016-KEN-03" not in carrier
    assert "Summit" not in page(site, "en/commitments/KE0012.html")
    spanish = page(site, "es/members/KEN.html")
    assert "Promesas de la Cumbre" in spanish or "Cumbre" in spanish


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_atom(site: Path, feed: Path, base: str) -> list[ElementTree.Element]:
    """RFC 4287's musts: the feed and each entry have exactly one id (an absolute
    IRI), title and updated (RFC 3339); an author for each entry (its own or the
    feed's); an entry without content has an alternate link; entry ids are unique;
    every link leads to a page of the site. Returns the entries."""
    root = ElementTree.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed", feed

    def one(element: ElementTree.Element, name: str) -> str:
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{feed}: {len(found)} atom:{name} in {element.tag}"
        return (found[0].text or "").strip()

    def target(link: ElementTree.Element) -> Path:
        href = link.get("href", "")
        if base and href.startswith(base):
            return site / href[len(base) :]
        assert not urlsplit(href).scheme, f"{feed}: link {href} leaves the site"
        return (feed.parent / href).resolve()

    for element in (root, *root.findall(f"{ATOM}entry")):
        assert urlsplit(one(element, "id")).scheme in ("tag", "urn", "http", "https")
        assert one(element, "title")
        assert RFC3339.match(one(element, "updated")), feed
        for link in element.findall(f"{ATOM}link"):
            assert target(link).is_file(), f"{feed}: {link.get('href')} is missing"
    feed_author = root.find(f"{ATOM}author/{ATOM}name")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        author = entry.find(f"{ATOM}author/{ATOM}name")
        assert (author if author is not None else feed_author) is not None, feed
        if entry.find(f"{ATOM}content") is None:
            rels = [link.get("rel", "alternate") for link in entry.findall(f"{ATOM}link")]
            assert "alternate" in rels, feed
    ids = [one(entry, "id") for entry in entries]
    assert len(ids) == len(set(ids)), feed
    selfs = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(selfs) == 1 and target(selfs[0]) == feed.resolve(), feed
    return entries


@pytest.mark.parametrize("base", ["https://tracker.example.org/", ""])
async def test_atom_feeds_have_what_rfc_4287_requires(
    demo_bot: Driver, demo_db: Database, tmp_path: Path, base: str
) -> None:
    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    await send_report(ana, "KE0012", "Hearings held")
    await lead.press("✅ Verify", message=lead.last_reply)
    await send_report(ana, "KE0021", "Portal launched")
    await lead.press("✅ Verify", message=lead.last_reply)

    site = tmp_path / "site"
    build(demo_db, site, base)
    feeds = sorted(site.rglob("*.atom"))
    assert len(feeds) == 4 * build(demo_db, site, base).members  # one per member and language
    entries = {feed.relative_to(site).as_posix(): check_atom(site, feed, base) for feed in feeds}
    kenya = entries["en/members/KEN.atom"]
    assert [e.findtext(f"{ATOM}title") for e in kenya] == ["KE0021 · Limited", "KE0012 · Limited"]
    assert "Portal launched" in (kenya[0].findtext(f"{ATOM}summary") or "")
    assert entries["en/members/GHA.atom"] == []  # a feed with no entry is still valid


async def test_a_rebuild_renders_only_the_pages_whose_data_changed(
    demo_bot: Driver, demo_db: Database, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    first = build(demo_db, site)
    assert first.written == first.pages and (site / ".manifest.json").is_file()
    again = build(demo_db, site)
    assert again.written == 0 and again.unchanged == first.pages

    lead, ana = demo_bot.user("Leo"), demo_bot.user("Ana")
    await lead.send("/start")
    make_lead(demo_db, lead.id, "KEN")
    await send_report(ana, "KE0012", "Hearings held")
    await lead.press("✅ Verify", message=lead.last_reply)
    (site / "fr" / "commitments" / "GH0040.html").unlink()  # someone deleted a page
    changed = build(demo_db, site)
    # KE0012's page, Kenya's page and feed, the index, in 4 languages; and the lost page.
    assert changed.written == 4 * 4 + 1
    assert "Hearings held" in page(site, "pt/commitments/KE0012.html")
    assert "GH0040" in page(site, "fr/commitments/GH0040.html")

    (site / ".manifest.json").write_text("{not json", encoding="utf-8")  # damaged
    rebuilt = build(demo_db, site)
    assert rebuilt.written == 0 and rebuilt.unchanged == first.pages
    check_site(site)
