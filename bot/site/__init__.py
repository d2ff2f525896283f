"""The public static site (#15): pages anyone can read, built from the bot's data.

``build`` writes one folder per language under ``out_dir``; only pages whose
content changed are rewritten, so a sync to a static host moves little. What
may be shown is decided in ``storage.site``; this package only renders it.
"""

from bot.site.generator import BuildSummary, build

__all__ = ["BuildSummary", "build"]
