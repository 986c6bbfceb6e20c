"""The portable JSON archive: one JSON Lines file per run (format version 1).

Line 1 is the ``archive`` header, then one record per line, then an ``end``
line whose presence proves the archive is complete. The file is written as
``archive.jsonl.open`` and renamed only after the end line is on disk, so a
reader never mistakes a half-written archive for a whole one.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from ..model import RECORD_TYPES, Author, Comment, Post, Record

FORMAT = "wparchive"
VERSION = 1
FILENAME = "archive.jsonl"

# Fields that identify or reach a person, or unlock content: out unless asked for.
PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {
    Comment: ("author_email", "author_ip"),
    Post: ("password",),
    Author: ("email",),
}
# Fields about this run's WARC files rather than the content: never in the archive.
RUN_FIELDS: dict[type, tuple[str, ...]] = {Post: ("page_record",)}


class ArchiveError(Exception):
    """An archive file that can't be read as a wparchive JSON archive."""


def record_to_dict(record: Record, *, keep_personal_data: bool = False) -> dict[str, Any]:
    """The archive line of a record as a dict: its fields, with ``type`` first.

    Nested records (terms, content) stay dataclasses: `encode_line` serialises them
    directly, which is several times faster than `dataclasses.asdict`'s deep copy.
    """
    data = {"type": RECORD_TYPES[type(record)], **vars(record)}
    for name in RUN_FIELDS.get(type(record), ()):
        del data[name]
    if not keep_personal_data:
        for name in PERSONAL_FIELDS.get(type(record), ()):
            data.pop(name, None)
    return data


_fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=vars)


def encode_line(data: dict[str, Any]) -> bytes:
    """One archive line, UTF-8, newline-terminated.

    orjson is ~6x faster than the standard library here; the standard library
    takes over for what orjson refuses (integers beyond 64 bits, which PHP-serialized
    meta can hold).
    """
    try:
        line = orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        line = (_fallback.encode(data) + "\n").encode("utf-8")
    if b"\xe2\x80\xa8" in line or b"\xe2\x80\xa9" in line or b"\xc2\x85" in line:
        # Valid JSON, but Python's str.splitlines() and older JavaScript treat these as
        # line breaks: escaped, a line of the archive is a line for every reader.
        for raw, escaped in _LINE_BREAKS:
            line = line.replace(raw, escaped)
    return line


_LINE_BREAKS = (
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
    ("\u0085".encode(), b"\\u0085"),
)


def named(exc: OSError, path: Path) -> OSError:
    """``exc``, naming the file it happened to: a failed write() names none, and "File
    too large" alone does not say which file to make room for."""
    if exc.filename is not None:
        return exc
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def record_category(record: Record) -> str:
    """The counting bucket of a record: its type, or its post type for posts."""
    if isinstance(record, Post):
        return record.post_type
    return RECORD_TYPES[type(record)]


def record_kind(record: Record) -> tuple[str, str]:
    """(type, category): what the end line's counts and the summary count a record as."""
    return RECORD_TYPES[type(record)], record_category(record)


class JsonArchiveWriter:
    """Writes one archive: `open()` with the header, `write()` records, `close()`."""

    def __init__(self, path: Path, *, keep_personal_data: bool = False):
        self.path = Path(path)
        self.open_path = self.path.with_name(self.path.name + ".open")
        self.keep_personal_data = keep_personal_data
        self.counts: Counter[str] = Counter()
        self.post_types: Counter[str] = Counter()
        self._fh: IO[bytes] | None = None

    def open(self, header: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = encode_line({"type": "archive", "format": FORMAT, "version": VERSION, **header})
        try:
            self._fh = self.open_path.open("wb")
            self._fh.write(line)
        except OSError as exc:
            raise named(exc, self.open_path)  # noqa: B904 - the OSError, with its file
        self._header_length = len(line)

    def resume(self) -> None:
        """Carry on writing an archive an interrupted run left open (cut back to a
        checkpoint); `count` the records it already holds."""
        self._fh = self.open_path.open("r+b")
        self._header_length = len(self._fh.readline())
        self._fh.seek(0, os.SEEK_END)

    def flush(self) -> int:
        """Hand what is buffered to the OS; the file's length (a line boundary)."""
        assert self._fh is not None, "open() first"
        try:
            self._fh.flush()
        except OSError as exc:
            raise named(exc, self.open_path)  # noqa: B904 - the OSError, with its file
        return self._fh.tell()

    def write(self, record: Record) -> None:
        line = encode_line(record_to_dict(record, keep_personal_data=self.keep_personal_data))
        self.write_encoded(line, [record_kind(record)])

    def write_encoded(self, lines: bytes, types: list[tuple[str, str]]) -> None:
        """Append lines encoded elsewhere (by a worker); ``types`` are (type, category)."""
        assert self._fh is not None, "open() first"
        try:
            self._fh.write(lines)
        except OSError as exc:
            raise named(exc, self.open_path)  # noqa: B904 - the OSError, with its file
        self.count(types)

    def count(self, types: list[tuple[str, str]]) -> None:
        """Count records in the end line's totals (written now, or by a resumed run)."""
        for kind, category in types:
            self.counts[kind] += 1
            if kind == "post":
                self.post_types[category] += 1

    def close(self, header: dict[str, Any] | None = None) -> None:
        """Write the end line, flush to disk and give the file its final name.

        ``header`` replaces line 1 in place: facts that were placeholders of the same
        length when the archive was opened (the export files' SHA-256)."""
        assert self._fh is not None, "open() first"
        try:
            if header is not None:
                line = encode_line(
                    {"type": "archive", "format": FORMAT, "version": VERSION, **header}
                )
                if len(line) != self._header_length:
                    raise ValueError("the final header must have the length of the first")
                position = self._fh.tell()
                self._fh.seek(0)
                self._fh.write(line)
                self._fh.seek(position)
            counts = {
                t: self.counts.get(t, 0) for t in ("author", "term", "post", "comment", "media")
            }
            self._line({"type": "end", "counts": {**counts, "post_types": dict(self.post_types)}})
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        except OSError as exc:
            raise named(exc, self.open_path)  # noqa: B904 - the OSError, with its file
        self._fh = None
        os.replace(self.open_path, self.path)

    def abort(self) -> None:
        """Stop writing, leaving the ``.open`` file as evidence of an incomplete run."""
        if self._fh is not None:
            # (the full disk that stopped the run can fail this flush too: the .open file
            # is evidence enough)
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    def _line(self, data: dict[str, Any]) -> None:
        assert self._fh is not None, "open() first"
        self._fh.write(encode_line(data))


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ArchiveReader:
    """Streams a JSON archive back: `header`, then the records, then `end` is set.

    ``for record in reader`` yields each record as a dict. When the file stops
    without its end line, iteration raises `ArchiveError` (unless
    ``allow_incomplete``), so an interrupted run is never taken as complete.
    """

    def __init__(self, path: str | Path, *, allow_incomplete: bool = False):
        path = Path(path)
        if path.is_dir():
            path = path / FILENAME
        self.path = path
        self.allow_incomplete = allow_incomplete
        self.end: dict[str, Any] | None = None
        try:
            with path.open(encoding="utf-8") as fh:
                first = fh.readline()
        except UnicodeDecodeError as exc:
            raise ArchiveError(f"{path}: line 1 is not UTF-8: {exc}") from exc
        except OSError as exc:
            raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.header = self._parse(first, 1)
        if self.header.get("type") != "archive" or self.header.get("format") != FORMAT:
            raise ArchiveError(f"{path} is not a wparchive JSON archive")
        if self.header.get("version") != VERSION:
            raise ArchiveError(
                f"{path} is format version {self.header.get('version')}; "
                f"this wparchive reads version {VERSION}"
            )

    def _parse(self, line: str, number: int) -> dict[str, Any]:
        try:
            return json.loads(line)
        except ValueError as exc:
            raise ArchiveError(f"{self.path}:{number}: not JSON ({exc})") from exc

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open(encoding="utf-8") as fh:
            fh.readline()
            number = 1
            try:
                for number, line in enumerate(fh, start=2):  # noqa: B007 - used after the loop
                    data = self._parse(line, number)
                    if data.get("type") == "end":
                        self.end = data
                        return
                    yield data
            except UnicodeDecodeError as exc:
                raise ArchiveError(f"{self.path}: not UTF-8 after line {number}: {exc}") from exc
        if not self.allow_incomplete:
            raise ArchiveError(f"{self.path} has no end line: the run that wrote it did not finish")

    @property
    def complete(self) -> bool:
        return self.end is not None
