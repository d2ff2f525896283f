"""The ``ogp-bot`` command line: run, console, import, export, migrate, site.

Every failure a person can cause (no token, a broken config, a missing file)
ends with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import ConfigError, Settings, exposed_token_warning, load_settings
from bot.logs import redact_also, setup_logging

EXIT_USAGE = 2
EXIT_IMPORT_SKIPPED = 1


class CliError(Exception):
    """A problem worded for the person at the terminal."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogp-bot",
        description="Telegram bot for tracking Open Government Partnership commitments.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: $OGP_BOT_CONFIG, else ./config.toml if present)",
    )
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL; overrides the config")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run the bot against Telegram (needs a token)",
        description=(
            "Run the bot against Telegram. The token comes from the environment "
            "(OGP_BOT_TOKEN, preferred) or `token` in the config file (config.toml, "
            "--config FILE or OGP_BOT_CONFIG); get one from @BotFather. The database is "
            "migrated on start."
        ),
    )
    run.add_argument(
        "--standby",
        action="store_true",
        help="if another ogp-bot runs on this database, wait and take over when it stops",
    )
    console = sub.add_parser("console", help="chat with the bot in this terminal, offline")
    console.add_argument("--user", default="You", help="name of the first user you speak as")
    console.add_argument("--admin", action="store_true", help="make that user a bot admin")
    console.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    imp = sub.add_parser("import", help="import OGP's commitment export (CSV file or URL)")
    imp.add_argument(
        "source", metavar="FILE|URL", help="the CSV file as downloaded from OGP, or its address"
    )
    pledges = sub.add_parser(
        "import-pledges", help="import 2016 Anti-Corruption Summit pledges (CSV file or URL)"
    )
    pledges.add_argument(
        "source", metavar="FILE|URL", help="a CSV like storage/data/summit-2016-pledges.csv"
    )
    mig = sub.add_parser("migrate", help="bring the database schema up to date")
    mig.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if the schema is behind this version, 0 if current",
    )
    back = sub.add_parser("backup", help="copy the SQLite database, even while the bot runs")
    back.add_argument("file", type=Path, help="where to write the copy")
    rest = sub.add_parser("restore", help="replace the database with a backup (bot stopped)")
    rest.add_argument("file", type=Path, help="a file written by `ogp-bot backup`")
    status = sub.add_parser("status", help="is a bot running, backlogs, the last day's events")
    status.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    status.add_argument(
        "--check",
        action="store_true",
        help="print nothing; exit 0 if a bot is running on the database, 1 if not (health checks)",
    )
    exp = sub.add_parser("export", help="write commitments or reports as CSV")
    exp.add_argument("--what", choices=("reports", "commitments"), required=True)
    exp.add_argument("--out", metavar="FILE", type=Path, required=True, help="CSV file, or -")
    exp.add_argument("--country", metavar="CODE", help="only this OGP member (code or name)")
    site = sub.add_parser("site", help="generate the public static site (HTML, Atom feeds)")
    site.add_argument("--out", metavar="DIR", type=Path, required=True, help="the site's folder")
    site.add_argument(
        "--base-url",
        metavar="URL",
        help="where it will be published (default: site.base_url in the config)",
    )
    site.add_argument(
        "--language",
        action="append",
        metavar="CODE",
        help="only this language (repeatable; default: all the bot speaks)",
    )
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if args.database:
        overrides["database_url"] = args.database
    return load_settings(args.config, **overrides)


def _open_db(settings: Settings, *, migrate: bool = True):  # -> Database; lazy for --help
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import Database
    from storage.reference import prepare_database

    try:
        db = Database(settings.database_url)
        if migrate:
            prepare_database(db)
        else:
            with db.engine.connect():
                pass  # reachable?
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CliError(f"database {settings.database_url!r}: {reason}") from None
    except Exception as exc:  # a bad URL, a missing driver
        raise CliError(f"database {settings.database_url!r}: {exc}") from None
    return db


def cmd_migrate(settings: Settings, *, check: bool = False) -> int:
    from storage.db import current_revision, head_revision

    if check:
        db = _open_db(settings, migrate=False)
        current, head = current_revision(db.engine), head_revision()
        if current == head:
            print(f"database is current (revision {current})")
            return 0
        print(f"database is at revision {current}; this version needs {head}: run ogp-bot migrate")
        return 1
    db = _open_db(settings)
    print(f"database is at revision {current_revision(db.engine)}")
    return 0


def cmd_import(settings: Settings, source: str, *, pledges: bool = False) -> int:
    """OGP's commitment export, or (``pledges``) a Summit pledge file: same report."""
    from storage.importer import ImportFileError, import_csv, import_url, is_url
    from storage.summit import import_pledges, import_pledges_url

    file = source if is_url(source) else Path(source)
    if isinstance(file, Path) and not file.is_file():
        raise CliError(f"{file}: no such file")
    db = _open_db(settings)
    progress = sys.stderr.isatty()
    try:
        if pledges:
            if isinstance(file, Path):
                result = import_pledges(db, file)
            else:
                result = import_pledges_url(db, file)
        elif isinstance(file, Path):
            result = import_csv(db, file, progress=progress)
        else:
            result = import_url(db, file, progress=progress)
    except ImportFileError as exc:
        raise CliError(f"{file}: {exc}") from None
    for problem in result.warnings:
        print(f"{file}:{problem.line}: warning: {problem.reason}", file=sys.stderr)
    for problem in result.skipped:
        ident = f" ({problem.commitment_id})" if problem.commitment_id else ""
        print(f"{file}:{problem.line}: skipped{ident}: {problem.reason}", file=sys.stderr)
    print(result.summary())
    return 0 if result.ok else EXIT_IMPORT_SKIPPED


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.countries import resolve_country
    from storage.export import commitments_csv, reports_csv

    out: Path = args.out
    if str(out) != "-" and not out.parent.is_dir():
        raise CliError(f"{out}: no such directory")
    db = _open_db(settings)
    codes = None
    if args.country:
        match = resolve_country(db, args.country).match
        if match is None:
            raise CliError(f"{args.country}: no such OGP member")
        codes = [match.code]
    if args.what == "reports":
        # The operator of the database sees who reported, as admins do.
        text, rows = reports_csv(db, codes, identities=True)
    else:
        text, rows = commitments_csv(db, codes)
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        try:
            # Reports name their reporters: readable by the file's owner only.
            _write(out, text, private=args.what == "reports")
        except OSError as exc:
            raise CliError(f"{out}: {exc.strerror or exc}") from None
        print(f"wrote {rows} {args.what} to {out}", file=sys.stderr)
    return 0


def _write(path: Path, text: str, *, private: bool) -> None:
    mode = 0o600 if private else 0o666  # before the umask, as open() does
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    if private and hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)  # a file that already existed keeps its mode otherwise
    with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(text)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram must send with every update; never none.

    Without it anyone who finds the webhook's address could post updates as any
    user, an admin included. Unset, a random one is made for this run: the bot
    hands it to Telegram in setWebhook at every start, so nothing else needs it.
    """
    configured = settings.webhook.secret_token
    if configured is not None and configured.get_secret_value().strip():
        return configured.get_secret_value().strip()
    logging.getLogger(__name__).info(
        "webhook.secret_token is not set: using a random secret for this run"
    )
    secret = secrets.token_urlsafe(32)
    redact_also(secret)
    return secret


def _try_lock_patiently(database_url: str, tries: int = 3):  # -> InstanceLock
    """`ogp-bot status` takes the lock for a moment to see whether a bot runs: a bot
    starting in that moment waits a little rather than refusing to start."""
    from storage.instance import HeldElsewhere, try_lock

    for attempt in range(tries):
        try:
            return try_lock(database_url)
        except HeldElsewhere:
            if attempt == tries - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


def _instance_lock(settings: Settings, *, standby: bool = False):  # -> InstanceLock
    """One bot per database (storage.instance), taken before migrating anything."""
    from storage.instance import HeldElsewhere, wait_for_lock

    log = logging.getLogger(__name__)
    try:
        if standby:
            return wait_for_lock(
                settings.database_url,
                on_wait=lambda holder: log.info(
                    "standing by: another ogp-bot (%s) runs on this database", holder
                ),
            )
        return _try_lock_patiently(settings.database_url)
    except HeldElsewhere as exc:
        raise CliError(
            f"another ogp-bot ({exc}) is already running on this database: stop it first, "
            "or start this one with --standby to take over when it stops"
        ) from None
    except Exception as exc:  # the database server unreachable, a bad URL
        raise CliError(f"database {settings.database_url!r}: {exc}") from None


def _watch_lock(app, lock) -> None:  # (Application, InstanceLock)
    """A PostgreSQL session can be cut (a network blip, a server restart): the lock
    goes with it and a standby may take over. Stop at once rather than run twice."""

    async def check(context) -> None:
        if not await asyncio.to_thread(lock.held):
            logging.getLogger(__name__).error(
                "lost the database's instance lock: stopping so that only one bot runs"
            )
            context.application.stop_running()

    if app.job_queue is not None:
        app.job_queue.run_repeating(check, interval=10, first=10, name="instance_lock")


def cmd_run(settings: Settings, *, standby: bool = False) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application, freeze_startup_heap

    token = settings.require_token()
    lock = _instance_lock(settings, standby=standby)
    db = _open_db(settings)
    app = build_application(settings, db, token=token)
    _watch_lock(app, lock)
    if settings.metrics_port:
        from bot.health import start_metrics

        try:
            start_metrics(app, settings.metrics_port)
        except (RuntimeError, OSError) as exc:
            raise CliError(f"metrics: {exc}") from None
    if settings.mode == "webhook":
        from bot.health import serve_healthz

        serve_healthz(app)
    freeze_startup_heap()
    logging.getLogger(__name__).info("starting in %s mode", settings.mode)
    if settings.mode == "webhook" and not settings.webhook.url:
        raise CliError("mode is webhook but webhook.url is not set in the config")
    try:
        if settings.mode == "webhook":
            app.run_webhook(
                listen=settings.webhook.listen,
                port=settings.webhook.port,
                url_path=urlsplit(settings.webhook.url).path.strip("/") or "telegram",
                webhook_url=settings.webhook.url,
                secret_token=webhook_secret(settings),
            )
        else:
            app.run_polling(drop_pending_updates=False)
    except InvalidToken:
        raise CliError("Telegram rejected the bot token: check OGP_BOT_TOKEN") from None
    except NetworkError as exc:
        reason = f"Telegram at {settings.base_url} refused or is unreachable: {exc}"
        raise CliError(reason) from None
    except RuntimeError as exc:  # e.g. webhook mode without the webhooks extra
        raise CliError(f"{settings.mode} mode: {exc}") from None
    finally:
        lock.release()
    return 0


def cmd_backup(settings: Settings, file: Path) -> int:
    from storage.backup import BackupError, backup

    try:
        backup(settings.database_url, file)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"backed up to {file}", file=sys.stderr)
    return 0


def cmd_restore(settings: Settings, file: Path) -> int:
    from storage.backup import BackupError, restore

    lock = _instance_lock(settings)  # never under a running bot
    try:
        restore(settings.database_url, file)
        db = _open_db(settings)  # migrates a backup taken by an older version
    except BackupError as exc:
        raise CliError(str(exc)) from None
    finally:
        lock.release()
    from storage.db import current_revision

    print(f"restored {file}; database is at revision {current_revision(db.engine)}")
    return 0


def cmd_status(settings: Settings, *, as_json: bool, check: bool = False) -> int:
    """Whether a bot holds the database, and how it is doing (from the database)."""
    from storage.health import health
    from storage.instance import HeldElsewhere, try_lock

    try:
        try_lock(settings.database_url).release()
        running = "no bot is running on this database"
    except HeldElsewhere as exc:
        running = f"a bot is running ({exc})"
    except Exception as exc:  # the database server unreachable
        raise CliError(f"database {settings.database_url!r}: {exc}") from None
    if check:
        return 0 if running.startswith("a bot") else 1
    db = _open_db(settings, migrate=False)
    figures = health(db)
    if as_json:
        print(json.dumps({"running": running.startswith("a bot"), **figures.as_json()}))
        return 0
    last = figures.last_update_at
    print(running)
    print(f"last update handled: {last:%Y-%m-%d %H:%M:%S} UTC" if last else "no update handled yet")
    print(f"inbox: {figures.inbox_backlog} waiting, {figures.set_aside} set aside")
    print(f"outbox: {figures.outbox_backlog} waiting")
    print(
        f"last day: {figures.delivered_last_day} delivered, {figures.failed_last_day} failed, "
        f"{figures.throttled_last_day} times throttled (429), "
        f"{figures.blocked_last_day} chats blocked the bot"
    )
    return 0


def cmd_site(settings: Settings, args: argparse.Namespace) -> int:
    """The public site: only pages whose content changed are rewritten."""
    from bot.site import build

    db = _open_db(settings)
    base_url = settings.site.base_url if args.base_url is None else args.base_url
    try:
        summary = build(db, args.out, base_url, args.language)
    except ValueError as exc:  # an unknown language
        raise CliError(str(exc)) from None
    except OSError as exc:  # the folder cannot be written
        raise CliError(f"{args.out}: {exc.strerror or exc}") from None
    print(
        f"site in {args.out}: {summary.members} members, {summary.commitments} commitments, "
        f"{len(summary.languages)} languages; {summary.written} files written, "
        f"{summary.unchanged} unchanged, {summary.removed} removed ({summary.seconds:.1f} s)"
    )
    return 0


def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import LOG_FILE, log_to_file, run_console

    lock = _instance_lock(settings)  # the console drains the outbox too: one bot per database
    log_to_file()
    print(f"(the bot's log goes to {LOG_FILE})")
    try:
        db = _open_db(settings)
        return run_console(
            settings, db, user_name=args.user, admin=args.admin, load_demo=not args.no_demo
        )
    finally:
        lock.release()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        setup_logging(settings)
        if warning := exposed_token_warning(settings):
            logging.getLogger("bot.config").warning(warning)
        if args.command == "run":
            return cmd_run(settings, standby=args.standby)
        if args.command == "console":
            return cmd_console(settings, args)
        if args.command == "import":
            return cmd_import(settings, args.source)
        if args.command == "import-pledges":
            return cmd_import(settings, args.source, pledges=True)
        if args.command == "migrate":
            return cmd_migrate(settings, check=args.check)
        if args.command == "backup":
            return cmd_backup(settings, args.file)
        if args.command == "restore":
            return cmd_restore(settings, args.file)
        if args.command == "status":
            return cmd_status(settings, as_json=args.json, check=args.check)
        if args.command == "export":
            return cmd_export(settings, args)
        if args.command == "site":
            return cmd_site(settings, args)
    except (ConfigError, CliError) as exc:
        print(f"ogp-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
