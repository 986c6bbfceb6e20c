"""wparchive: archive a WordPress site into WARC files and a portable JSON archive.

The Python API has the same power as the CLI::

    import wparchive

    summary = wparchive.archive("exports/site.xml", out="warc")
    print(summary.written)                 # Counter({'post': 12, 'comment': 30, ...})

    archive = wparchive.open_archive(summary.archive)
    for record in archive:                 # one dict per line, header and end excluded
        if record["type"] == "post":
            print(record["title"])
"""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .pipeline import Progress, Summary
    from .sinks.json_archive import ArchiveReader


def archive(
    source: str | Path | Sequence[str | Path],
    *,
    out: str | Path = "warc",
    strict: bool = False,
    keep_personal_data: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Archive a site from one WXR export (or the files of a split export).

    Writes ``<out>/<site-slug>/archive.jsonl`` and returns the run `Summary`
    (counts found and written, warnings). Raises `wparchive.pipeline.SourceError`
    when the source can't be read at all.
    """
    from .pipeline import run_archive

    return run_archive(
        source, out=out, strict=strict, keep_personal_data=keep_personal_data, progress=progress
    )


def open_archive(path: str | Path, *, allow_incomplete: bool = False) -> ArchiveReader:
    """Open a JSON archive (the file, or the run folder holding it) to stream its records."""
    from .sinks.json_archive import ArchiveReader

    return ArchiveReader(path, allow_incomplete=allow_incomplete)


__all__ = ["__version__", "archive", "open_archive"]
