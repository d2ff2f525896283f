"""Page arithmetic shared by every paged list (lists, history, queues, the audit log)."""

from __future__ import annotations


def page_count(total: int, size: int) -> int:
    """At least one page, so "1/1" reads right for an empty list."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """A page number a stale or forged button asks for, brought into range."""
    return max(0, min(page, page_count(total, size) - 1))


class Paged:
    """For dataclasses with ``page``, ``total`` and ``page_size`` fields."""

    page: int
    total: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages
