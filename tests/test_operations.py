"""Running it for years: backups, restore, status and health, upgrades, logs, deploy files.

The command line is run as a subprocess (`python -m bot ...`), as a coordinator
would type it; the bot itself polls or serves the emulator over loopback HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from alembic import command as alembic_command

from storage.db import Database, alembic_config, head_revision
from storage.instance import try_lock
from tests import heavy_writer
from tests.conftest import ROOT, make_settings, start_bot
from tests.test_run_polling import (
    LoopbackTelegram,
    _free_port,
    _start_bot,
    _wait_for,
    command_update,
    post_update,
    start_webhook_bot,
)


def ogp_bot(
    *args: str, db_url: str | None, cwd: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """`ogp-bot ARGS` in a child process with only these OGP_BOT_ settings (no database
    URL: the default file in ``cwd``), ``stdin`` typed in."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OGP_BOT_")}
    if db_url is not None:
        environ["OGP_BOT_DATABASE_URL"] = db_url
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------- backup and restore


async def test_a_backup_taken_during_heavy_writes_restores_whole(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    db = Database(f"sqlite:///{live}")
    db.migrate()
    from storage.reference import prepare_database

    prepare_database(db)
    from storage.importer import demo_csv_path, import_csv

    import_csv(db, demo_csv_path())
    db.dispose()
    writer = heavy_writer.start(live)
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        for _ in range(20):  # well into its writing
            writer.stdout.readline()
        with sqlite3.connect(live) as conn:
            committed = conn.execute("SELECT count(*) FROM progress_update").fetchone()[0]
        done = ogp_bot(
            "backup", str(tmp_path / "copy.db"), db_url=f"sqlite:///{live}", cwd=tmp_path
        )
        assert writer.poll() is None, "the writer stopped: the backup blocked it"
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
        writer.stderr.close()
    assert done.returncode == 0, done.stderr
    assert oct((tmp_path / "copy.db").stat().st_mode & 0o777) == "0o600"  # people's data

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    back = ogp_bot("restore", str(tmp_path / "copy.db"), db_url=restored_url, cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert f"database is at revision {head_revision()}" in back.stdout
    with sqlite3.connect(tmp_path / "restored.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = conn.execute("SELECT count(*) FROM progress_update").fetchone()[0]
    assert kept >= committed >= 1  # everything committed before the backup began

    restored = Database(restored_url)
    try:
        async with await start_bot(make_settings(restored_url), restored) as bot:
            reply = (await bot.user("Ana").send("/status KE0012"))[0].text
            assert "KE0012" in reply
    finally:
        restored.dispose()


def test_restore_refuses_while_a_bot_runs_and_explains_bad_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    assert ogp_bot("migrate", db_url=url, cwd=tmp_path).returncode == 0
    assert ogp_bot("backup", str(tmp_path / "copy.db"), db_url=url, cwd=tmp_path).returncode == 0
    lock = try_lock(url)  # a bot is running on it
    try:
        refused = ogp_bot("restore", str(tmp_path / "copy.db"), db_url=url, cwd=tmp_path)
    finally:
        lock.release()
    assert refused.returncode == 2
    assert refused.stderr.strip().startswith("ogp-bot: another ogp-bot (pid ")
    (tmp_path / "notes.txt").write_text("not a database")
    bad = ogp_bot("restore", str(tmp_path / "notes.txt"), db_url=url, cwd=tmp_path)
    assert bad.returncode == 2 and "not a SQLite database" in bad.stderr
    assert "Traceback" not in bad.stderr
    pg = ogp_bot("backup", "x.db", db_url="postgresql+psycopg://u@127.0.0.1:1/x", cwd=tmp_path)
    assert pg.returncode == 2 and "pg_dump" in pg.stderr


# ---------------------------------------------------------------- upgrades


async def test_upgrading_a_database_from_the_first_schema_keeps_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url)
    alembic_command.upgrade(alembic_config(old.engine), "0001")
    now = "2025-01-01 00:00:00.000000"
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO country (code, name, kind, region, iso2, ogp_name) "
            "VALUES ('KEN', 'Kenya', 'national', 'Africa and the Middle East', 'KE', 'Kenya')"
        )
        conn.exec_driver_sql(
            "INSERT INTO member (id, display_name, language, created_at, last_seen_at) "
            f"VALUES (4242, 'Amina', 'en', '{now}', '{now}')"
        )
        conn.exec_driver_sql(
            "INSERT INTO chat (id, type, title, language, timezone, state, created_at, "
            f"last_seen_at) VALUES (4242, 'private', 'Amina', 'en', 'UTC', 'active', '{now}', "
            f"'{now}')"
        )
        conn.exec_driver_sql(
            f"INSERT INTO subscription (chat_id, country_code, created_at) VALUES (4242, 'KEN', "
            f"'{now}')"
        )
    old.dispose()
    behind = ogp_bot("migrate", "--check", db_url=url, cwd=tmp_path)
    assert behind.returncode == 1 and "run ogp-bot migrate" in behind.stdout
    assert ogp_bot("migrate", db_url=url, cwd=tmp_path).returncode == 0
    current = ogp_bot("migrate", "--check", db_url=url, cwd=tmp_path)
    assert current.returncode == 0 and "current" in current.stdout

    db = Database(url)
    try:
        async with await start_bot(make_settings(url), db) as bot:
            amina = bot.user("Amina", user_id=4242)
            assert "Kenya" in (await amina.send("/following"))[0].text
    finally:
        db.dispose()


# ---------------------------------------------------------------- status, health, logs


def test_status_says_whether_a_bot_runs_and_how_it_does(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/run.db"
    with LoopbackTelegram() as telegram:
        telegram.call(telegram.server.add_user, 4242, "Amina")
        bot = _start_bot(telegram, tmp_path, OGP_BOT_LOG_FORMAT="json")
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in telegram.server.calls))
            telegram.call(
                lambda: telegram.server.push_update(command_update(telegram.server, 4242, "/help"))
            )
            assert _wait_for(lambda: bool(telegram.server.sent(4242)))
            assert ogp_bot("status", "--check", db_url=url, cwd=tmp_path).returncode == 0
            shown = ogp_bot("status", "--json", db_url=url, cwd=tmp_path)
            figures = json.loads(shown.stdout)
            assert figures["running"] is True and figures["inbox_backlog"] == 0
            assert figures["last_update_at"] is not None
            text = ogp_bot("status", db_url=url, cwd=tmp_path).stdout
            assert text.startswith("a bot is running (pid ")
        finally:
            bot.send_signal(signal.SIGINT)
            output, _ = bot.communicate(timeout=60)
    assert bot.returncode == 0, output
    assert ogp_bot("status", "--check", db_url=url, cwd=tmp_path).returncode == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines and all(json.loads(line)["level"] for line in lines)  # one JSON event a line
    assert "Amina" not in output  # no personal data in the log


def test_webhook_mode_serves_healthz_and_metrics(tmp_path: Path) -> None:
    port, metrics = _free_port(), _free_port()
    with LoopbackTelegram() as telegram:
        server = telegram.server
        telegram.call(server.add_user, 4242, "Amina")
        bot = start_webhook_bot(telegram, tmp_path, port, OGP_BOT_METRICS_PORT=str(metrics))
        try:
            assert _wait_for(lambda: bool(server.webhook)), "no setWebhook"

            def get(url: str) -> str | None:
                try:
                    with urllib.request.urlopen(url, timeout=5) as answer:
                        return answer.read().decode()
                except OSError:
                    return None

            assert _wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") is not None, 30)
            health = json.loads(get(f"http://127.0.0.1:{port}/healthz"))
            assert health["running"] is True and health["outbox_backlog"] == 0
            update = {"update_id": 1, **telegram.call(command_update, server, 4242, "/help")}
            assert post_update(port, update, server.webhook["secret_token"]) == 200
            assert _wait_for(lambda: bool(server.sent(4242)), 30)
            assert _wait_for(
                lambda: (
                    'ogp_bot_updates_total{outcome="done"} 1.0'
                    in (get(f"http://127.0.0.1:{metrics}/metrics") or "")
                ),
                30,
            )
            assert "ogp_bot_handler_seconds_bucket" in get(f"http://127.0.0.1:{metrics}/metrics")
        finally:
            bot.send_signal(signal.SIGINT)
            output, _ = bot.communicate(timeout=60)
    assert bot.returncode == 0, output


# ---------------------------------------------------------------- deploy files


def test_the_dockerfile_lints_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (it comes with the dev extras)")
    done = subprocess.run(
        [hadolint, str(ROOT / "deploy" / "Dockerfile")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _docker_runs() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _docker_runs(), reason="no container engine runs on this machine")
def test_the_image_builds_and_its_health_check_answers(tmp_path: Path) -> None:
    tag = f"ogp-bot-test:{os.getpid()}"
    build = subprocess.run(
        ["docker", "build", "-f", "deploy/Dockerfile", "-t", tag, "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    try:
        check = subprocess.run(
            ["docker", "run", "--rm", tag, "status", "--check"], capture_output=True, timeout=300
        )
        assert check.returncode == 1  # healthy only while its bot runs
        migrated = subprocess.run(
            ["docker", "run", "--rm", tag, "migrate"], capture_output=True, text=True, timeout=300
        )
        assert migrated.returncode == 0 and "revision" in migrated.stdout
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)


def test_the_health_check_command_follows_the_bot(tmp_path: Path) -> None:
    """What the image's HEALTHCHECK runs: 0 while a bot holds the database, else 1."""
    url = f"sqlite:///{tmp_path}/run.db"
    assert ogp_bot("status", "--check", db_url=url, cwd=tmp_path).returncode == 1
    with LoopbackTelegram() as telegram:
        bot = _start_bot(telegram, tmp_path)
        try:
            assert _wait_for(lambda: any(c.method == "getUpdates" for c in telegram.server.calls))
            assert ogp_bot("status", "--check", db_url=url, cwd=tmp_path).returncode == 0
        finally:
            bot.send_signal(signal.SIGKILL)
            bot.communicate(timeout=60)
    assert ogp_bot("status", "--check", db_url=url, cwd=tmp_path).returncode == 1  # died


@pytest.mark.sqlite_only("backs up a SQLite file (PostgreSQL is backed up with pg_dump)")
async def test_the_daily_backup_is_written_once_a_day_and_old_ones_go(
    tmp_path: Path, demo_db: Database
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 5):  # four old copies
        (folder / f"ogp-bot-2020-01-0{day}.db").write_bytes(b"old")
    settings = make_settings(demo_db.url)
    settings.backup.dir, settings.backup.keep = str(folder), 3
    async with await start_bot(settings, demo_db) as bot:
        await bot.run_jobs()
        await bot.run_jobs()  # the same day: nothing more
        today = folder / f"ogp-bot-{bot.clock.now():%Y-%m-%d}.db"
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == ["ogp-bot-2020-01-03.db", "ogp-bot-2020-01-04.db", today.name]
    with sqlite3.connect(today) as conn:
        assert conn.execute("SELECT count(*) FROM commitment").fetchone()[0] == 104
