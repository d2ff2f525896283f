"""The daily rebuild of the public site, and the command that publishes it.

The build is CPU and disk work: it runs off the event loop. The command (say an
rsync to a static host) runs without a shell, with a time limit; any failure is
logged and told to the admins, and the bot carries on.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.bulk import off_loop
from bot.context import BotContext
from bot.site.generator import build
from bot.views import site as views
from bot.views.base import View
from storage import outbox

log = logging.getLogger(__name__)

SITE_SECONDS = 24 * 60 * 60
SITE_FIRST = 15 * 60  # after a start, once the bot has settled
COMMAND_TIMEOUT = 30 * 60


async def _run(command: list[str]) -> str | None:
    """None when the command succeeded, else why it did not."""
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        return f"{command[0]}: {exc.strerror or exc}"
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        return f"no answer after {COMMAND_TIMEOUT} s"
    if process.returncode:
        tail = stderr.decode("utf-8", "replace").strip()[-300:]
        return f"exit status {process.returncode}" + (f": {tail}" if tail else "")
    return None


async def publish_site(context: BotContext) -> None:
    site = context.settings.site
    out = Path(site.out_dir)
    try:
        summary = await off_loop(build, context.db, out, site.base_url)
    except Exception as exc:  # a full disk, a bad folder: told, never a crash
        log.exception("public site: the build into %s failed", out)
        await _tell_admins(context, views.build_failed(context.tr_for(None), str(out), str(exc)))
        return
    log.info(
        "public site: %d pages written, %d unchanged, %d removed in %.1f s",
        summary.written,
        summary.unchanged,
        summary.removed,
        summary.seconds,
    )
    if not site.after_command:
        return
    problem = await _run(site.after_command)
    if problem is None:
        log.info("public site: %s done", site.after_command[0])
        return
    log.error("public site: %s failed: %s", " ".join(site.after_command), problem)
    view = views.command_failed(context.tr_for(None), " ".join(site.after_command), problem)
    await _tell_admins(context, view)


async def _tell_admins(context: BotContext, view: View) -> None:
    now = context.now()
    await asyncio.to_thread(
        outbox.enqueue_to_all,
        context.db,
        context.settings.admins,
        view.text,
        kind="site",
        dedup_key=f"site-failed:{now.isoformat(timespec='seconds')}",
        now=now,
    )
    from bot.jobs import drain  # bot.jobs schedules this module's job

    await drain(context)
