"""Sources: where records come from. Each yields a `Site` first, then the site's records.

A source also hands its raw captures — the export file, or every HTTP exchange it
made — to the WARC writer, untouched: the original bytes are the archive's ground truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..model import Record
    from ..sinks.warc import WarcWriter


class Source(Protocol):
    kind: str  # "wxr" | "rest": the archive header's source.kind
    # True when the source has no pages of its own to capture, so the WARC sink
    # renders each published post (WXR); False when the source captures real pages.
    renders_pages: bool
    duplicates: int  # items met twice and written once
    robots: str  # the robots policy actually followed, for warcinfo
    description: str  # what the WARC files hold, for warcinfo

    def __iter__(self) -> Iterator[Record]: ...

    def describe(self) -> dict[str, Any]:
        """The archive header's ``source`` object (kind, files or API root, ...)."""
        ...

    def position(self) -> tuple[int, int | None, str]:
        """Progress so far: (done, total or None, unit), e.g. bytes of the export read."""
        ...

    def finish(self) -> None:
        """Wait for any background work; `describe` is final afterwards."""
        ...

    def start_capture(self, writer: WarcWriter) -> None:
        """Write raw captures to this WARC writer from now on (and what exists already)."""
        ...
