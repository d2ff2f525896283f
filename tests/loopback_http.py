"""A folder served over loopback HTTP for the tests that fetch files as a browser or
the CLI would (the published site, a data file at a URL)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The server's access log is not the output under test."""


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free loopback port until the block ends; yields its address
    (``http://127.0.0.1:PORT``, no trailing slash)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
