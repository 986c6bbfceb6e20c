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
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .pipeline import Progress, Summary
    from .sinks.json_archive import ArchiveReader


def archive(
    source: str | Path | Sequence[str | Path],
    *,
    out: str | Path = "warc",
    progress: Progress | None = None,
    **options: Any,
) -> Summary:
    """Archive a site from one WXR export (or the files of a split export).

    Writes ``<out>/<site-slug>/``: ``archive.jsonl``, the WARC files and
    ``pages.jsonl``; returns the run `Summary` (counts found and written,
    warnings, files). ``options`` are the fields of
    `wparchive.pipeline.ArchiveOptions`: ``strict``, ``keep_personal_data``,
    ``warc``, ``warc_max_size``, ``digest`` ("sha1" or "sha256"), ``gzip_level``,
    ``operator``. Raises `wparchive.pipeline.SourceError` when the source can't be
    read at all.
    """
    from .pipeline import ArchiveOptions, run_archive

    return run_archive(source, ArchiveOptions(out=Path(out), **options), progress=progress)


def open_archive(path: str | Path, *, allow_incomplete: bool = False) -> ArchiveReader:
    """Open a JSON archive (the file, or the run folder holding it) to stream its records."""
    from .sinks.json_archive import ArchiveReader

    return ArchiveReader(path, allow_incomplete=allow_incomplete)


__all__ = ["__version__", "archive", "open_archive"]
