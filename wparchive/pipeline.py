"""Source → transforms → sinks, with progress and a run summary.

The CLI and the Python API both call `run_archive`; neither holds logic of its own.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .model import Post, Site
from .names import site_slug
from .sinks.json_archive import FILENAME, JsonArchiveWriter, now_iso, record_category
from .sources.wxr import ReadWarning, WxrError, WxrReader, describe_file

# progress(bytes_done, bytes_total, records_done)
Progress = Callable[[int, int, int], None]

DEFAULT_OUT = Path("warc")

# The order the summary lists record kinds in; other post types follow.
CATEGORIES = ("post", "page", "attachment", "comment", "term", "author", "media")


class SourceError(Exception):
    """The source can't be read at all (missing file, not a WXR export...)."""


@dataclass
class Summary:
    """What a run read and wrote. ``found`` and ``written`` count by record kind."""

    run_dir: Path | None
    archive: Path | None
    site: Site
    source: dict[str, Any]
    found: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    warnings: list[ReadWarning] = field(default_factory=list)
    duplicates: int = 0
    keep_personal_data: bool = False

    @property
    def lost(self) -> bool:
        """True when something the source had is not in the archive."""
        return any(w.lost for w in self.warnings) or self.found != self.written

    @property
    def exit_code(self) -> int:
        return 1 if self.lost else 0

    def rows(self) -> list[tuple[str, int, int]]:
        """(kind, found, written) for every kind seen, in a stable order."""
        kinds = [k for k in CATEGORIES if k in self.found or k in self.written]
        kinds += sorted((set(self.found) | set(self.written)) - set(kinds))
        return [(k, self.found.get(k, 0), self.written.get(k, 0)) for k in kinds]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir) if self.run_dir else None,
            "archive": str(self.archive) if self.archive else None,
            "site": dataclasses.asdict(self.site),
            "source": self.source,
            "found": dict(self.found),
            "written": dict(self.written),
            "warnings": [str(w) for w in self.warnings],
            "duplicates": self.duplicates,
            "personal_data": "kept" if self.keep_personal_data else "left out",
            "lost": self.lost,
        }


def _as_paths(sources: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(sources, str | Path):
        sources = [sources]
    paths = [Path(s) for s in sources]
    if not paths:
        raise SourceError("no source given: name one or more WXR export files")
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
    return paths


def open_source(
    sources: str | Path | Sequence[str | Path],
    *,
    strict: bool = False,
    warn: Callable[[ReadWarning], None] | None = None,
) -> WxrReader:
    """The reader for one or more WXR files (the REST source joins here later)."""
    return WxrReader(_as_paths(sources), strict=strict, warn=warn)


def run_archive(
    sources: str | Path | Sequence[str | Path],
    *,
    out: str | Path = DEFAULT_OUT,
    strict: bool = False,
    keep_personal_data: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Archive a site from its export file(s) into ``out/<site-slug>/``; return the summary."""
    warnings: list[ReadWarning] = []
    reader = open_source(sources, strict=strict, warn=warnings.append)
    files = [dataclasses.asdict(describe_file(p)) for p in reader.paths]
    total = reader.bytes_total
    records = iter(reader)
    try:
        site = next(records)
    except WxrError as exc:
        raise SourceError(str(exc)) from exc
    except StopIteration:
        raise SourceError("the export holds no channel: not a WXR file") from None
    assert isinstance(site, Site)

    run_dir = Path(out) / site_slug(site.base_blog_url or site.url, site.title)
    archive = run_dir / FILENAME
    summary = Summary(
        run_dir=run_dir,
        archive=archive,
        site=site,
        source={"kind": "wxr", "files": files},
        warnings=warnings,
        keep_personal_data=keep_personal_data,
    )
    writer = JsonArchiveWriter(archive, keep_personal_data=keep_personal_data)
    writer.open(
        {
            "created": now_iso(),
            "tool": f"wparchive {__version__}",
            "source": summary.source,
            "site": dataclasses.asdict(site),
            "personal_data": summary.to_dict()["personal_data"],
        }
    )
    try:
        _copy(records, writer, summary, reader, total, progress)
    except WxrError as exc:
        writer.abort()
        raise SourceError(str(exc)) from exc
    except BaseException:
        writer.abort()
        raise
    writer.close()
    summary.duplicates = reader.duplicates
    return summary


def _copy(
    records: Iterable[Any],
    writer: JsonArchiveWriter,
    summary: Summary,
    reader: WxrReader,
    total: int,
    progress: Progress | None,
) -> None:
    done = 0
    for record in records:
        kind = record_category(record)
        summary.found[kind] += 1
        writer.write(record)
        summary.written[kind] += 1
        done += 1
        if progress is not None and (done & 63 == 0 or isinstance(record, Post) and done < 64):
            progress(reader.bytes_read, total, done)
    if progress is not None:
        progress(total, total, done)


def inspect_sources(
    sources: str | Path | Sequence[str | Path],
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Read the source(s) to the end and count what they hold, writing nothing."""
    warnings: list[ReadWarning] = []
    reader = open_source(sources, strict=strict, warn=warnings.append)
    files = [dataclasses.asdict(describe_file(p)) for p in reader.paths]
    summary = Summary(
        run_dir=None,
        archive=None,
        site=Site(),
        source={"kind": "wxr", "files": files},
        warnings=warnings,
    )
    done = 0
    total = reader.bytes_total
    try:
        for record in reader:
            if isinstance(record, Site):
                summary.site = record
                continue
            summary.found[record_category(record)] += 1
            done += 1
            if progress is not None and done & 63 == 0:
                progress(reader.bytes_read, total, done)
    except WxrError as exc:
        raise SourceError(str(exc)) from exc
    summary.duplicates = reader.duplicates
    return summary
