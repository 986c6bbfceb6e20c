"""Resuming an interrupted run: checkpoints, salvage, and replay from the run's own WARC.

While a run writes, it saves a checkpoint (``resume.json`` in the run folder) about once a
second, at a moment when every output is at a record boundary: the byte length of the
JSON archive, of pages.jsonl and of the WARC file being written, and how many records
the source had given. Nothing before those offsets is ever rewritten, so after a kill
they mark a consistent state.

``--resume`` cuts every file back to the checkpoint and runs again. Every HTTP response
the interrupted run received is in its WARC, so the resumed run asks the WARC, not the
site (`ReplayCache`): the source sees the same answers in the same order and gives the
same records, the ones already written are counted but not written again, and the run
carries on from where it stopped with the network. Complete captures written after the
checkpoint are read back before the cut and written again when the resumed run asks
for them, so no request the interrupted run completed is made twice, and no capture
ends up in the WARC twice.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .http import retryable_status, strip_userinfo
from .sinks.json_archive import named
from .sinks.warc import HttpExchange
from .urls import to_uri

FILENAME = "resume.json"
WANTS = "resume-media.jsonl"  # the media a run asked for, so a resumed run asks again
_UNRESOLVED_KEPT = 1000  # the summary shows the top 20; its total is kept exactly
_FRESH = "run without --resume to start again"
_CHUNK = 1 << 20
INTERVAL = 1.0  # seconds between checkpoints: a kill repeats at most this much work

# The options that shape what a run writes: a resumed run must use the same ones.
SHAPING_OPTIONS = (
    "keep_personal_data",
    "warc",
    "warc_max_size",
    "digest",
    "gzip_level",
    "operator",
    "clean",
    "locale",
    "keep",
    "only",
    "l10n_dirs",
    "rewrite",
    "media",
    "uploads_dir",
    "media_hosts",
    "user",
    "pages",
)


class ResumeError(Exception):
    """The interrupted run can't be continued; the message says what to do instead."""


@dataclass
class Checkpoint:
    """A consistent state of a run's outputs: every offset is a record boundary."""

    source: list[str]  # what the run read: resolved export paths (with size), or the URL
    options: dict[str, Any]
    stamp: str  # the WARC files' timestamp
    warc_files: list[str] = field(default_factory=list)  # closed, in order
    warc_open: str = ""  # the file being written ("" before the first)
    warc_offset: int = 0
    archive_offset: int = 0
    pages_offset: int = 0
    records: int = 0  # records the source gave, all written
    media: int = 0  # media records written
    last: str = ""  # the last record written ("kind id"): the replay must meet it there
    phase: str = "records"  # or "closing": everything read and written, files closing
    # the summary so far, for the records a resumed run does not write again
    written: dict[str, int] = field(default_factory=dict)
    links_rewritten: int = 0
    unresolved: dict[str, int] = field(default_factory=dict)  # the most frequent
    unresolved_total: int = 0
    not_cleaned: list[str] = field(default_factory=list)  # the first ones, by name
    not_cleaned_total: int = 0
    wants_offset: int = 0  # length of the media journal (WANTS)

    def save(self, run_dir: Path) -> None:
        temporary = run_dir / (FILENAME + ".tmp")
        # Not asdict(): it deep-copies the unresolved tally (up to 10,000 URLs) on every
        # save, about once a second for the whole run; json.dumps reads the dicts as they are.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, run_dir / FILENAME)

    @classmethod
    def load(cls, run_dir: Path) -> Checkpoint | None:
        try:
            data = json.loads((run_dir / FILENAME).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None


def source_key(sources: list[str]) -> list[str]:
    """How a checkpoint names its source: a site's URL (without any ``user:password@``:
    the checkpoint is a file like any output), or each export file's absolute path and
    size (a different file under the same name is not resumed)."""
    key = []
    for source in sources:
        if source.startswith(("http://", "https://")):
            key.append(strip_userinfo(source)[0])
        else:
            path = Path(source).resolve()
            key.append(f"{path} {path.stat().st_size}")
    return key


def shaping(options: Any) -> dict[str, Any]:
    """The options a checkpoint must agree with, JSON-ready."""
    out = {}
    for name in SHAPING_OPTIONS:
        value = getattr(options, name, None)
        if isinstance(value, tuple | list):
            value = [str(v) for v in value]
        elif isinstance(value, Path):
            value = str(value)
        out[name] = value
    return out


def find(out: Path, key: list[str]) -> Path | None:
    """The run folder under ``out`` whose checkpoint names this source, if any."""
    if not Path(out).is_dir():
        return None
    for candidate in sorted(Path(out).glob(f"*/{FILENAME}")):
        checkpoint = Checkpoint.load(candidate.parent)
        if checkpoint is not None and checkpoint.source == key:
            return candidate.parent
    return None


# -- the WARC, member by member --------------------------------------------------------


def members(fh: IO[bytes], start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(offset, length, record bytes) of each complete gzip member from ``start`` on.

    Each wparchive record is one gzip member; the first member that does not end (a
    write cut by a kill) ends the walk, as does anything that isn't gzip."""
    fh.seek(start)
    offset = start
    buffer = b""
    while True:
        if not buffer:
            buffer = fh.read(_CHUNK)
            if not buffer:
                return
        unzip = zlib.decompressobj(zlib.MAX_WBITS + 16)
        parts: list[bytes] = []
        used = 0
        while True:
            try:
                parts.append(unzip.decompress(buffer))
            except zlib.error:
                return
            if unzip.eof:
                rest = unzip.unused_data
                used += len(buffer) - len(rest)
                buffer = rest
                break
            used += len(buffer)
            buffer = fh.read(_CHUNK)
            if not buffer:
                return  # cut short
        yield offset, used, b"".join(parts)
        offset += used


@dataclass
class _Record:
    headers: dict[str, str]
    block: bytes


def parse_record(data: bytes) -> _Record:
    head, _, rest = data.partition(b"\r\n\r\n")
    headers: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(rest)))
    return _Record(headers, rest[:length])


def _http_head(block: bytes) -> tuple[str, int, str, list[tuple[str, str]], bytes]:
    """(version, status, reason, headers, body) of a response or request block."""
    head, _, body = block.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    first = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    status = int(first[1]) if len(first) > 1 and first[1].isdigit() else 0
    return first[0], status, first[2] if len(first) > 2 else "", headers, body


# -- replay ------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A response the interrupted run received: in a kept WARC file (read when asked),
    or in memory (``exchange``) when it lay past the checkpoint and must be written again."""

    path: Path | None = None
    offset: int = 0
    length: int = 0
    payload: tuple[Path, int, int] | None = None  # a revisit's original response
    exchange: HttpExchange | None = None
    record_id: str = ""  # its WARC-Record-ID, when it stays where it is


class ReplayCache:
    """Answers an interrupted run already received, handed out again, per URL in the
    order they came. Thread-safe: the HTTP client's workers ask it."""

    def __init__(self) -> None:
        self._entries: dict[str, deque[_Entry]] = {}
        self._lock = threading.Lock()
        # record ids of kept answers handed out, until the source asks (pages only; the
        # rest stay, no more of them than the entries the cache began with)
        self._kept_ids: dict[str, str] = {}
        self.kept = 0
        self.recaptured = 0

    def __len__(self) -> int:
        return sum(len(q) for q in self._entries.values())

    def add(self, url: str, entry: _Entry) -> None:
        self._entries.setdefault(url, deque()).append(entry)

    def take(self, url: str) -> tuple[HttpExchange, bool] | None:
        """The next answer for ``url`` and whether it must be captured again, or None."""
        key = to_uri(url)  # as WARC-Target-URI spells it
        with self._lock:
            queue = self._entries.get(key)
            if not queue:
                return None
            entry = queue.popleft()
            if not queue:
                del self._entries[key]
        if entry.exchange is not None:
            self.recaptured += 1
            return dataclasses.replace(entry.exchange, url=url), True
        self.kept += 1
        if entry.record_id:
            with self._lock:
                self._kept_ids[key] = entry.record_id
        return _read_exchange(url, entry), False

    def kept_record(self, url: str) -> str:
        """The WARC-Record-ID of the kept answer `take` last handed out for ``url`` (the
        capture a record written now refers to), once; "" when there is none."""
        with self._lock:
            return self._kept_ids.pop(to_uri(url), "")


def _read_member(path: Path, offset: int, length: int) -> _Record:
    with path.open("rb") as fh:
        fh.seek(offset)
        data = zlib.decompress(fh.read(length), zlib.MAX_WBITS + 16)
    return parse_record(data)


def _read_exchange(url: str, entry: _Entry) -> HttpExchange:
    assert entry.path is not None
    record = _read_member(entry.path, entry.offset, entry.length)
    version, status, reason, headers, body = _http_head(record.block)
    if entry.payload is not None:
        original = _read_member(*entry.payload)
        body = _http_head(original.block)[4]
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[],
        status=status,
        reason=reason,
        response_headers=headers,
        body=body,
        http_version=version,
        date=_date(record.headers.get("warc-date", "")),
    )


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now().astimezone()


# -- salvage -----------------------------------------------------------------------------


@dataclass
class Salvage:
    """What a resumed run starts from."""

    run_dir: Path
    checkpoint: Checkpoint
    header: dict[str, Any]  # the archive's first line, kept (its length is fixed)
    warc_files: list[Path]  # kept, closed
    held: set[str]  # targets of resource records already in the kept WARC files
    payloads: dict[str, tuple[str, str]]  # payload digest -> (uri, date), for revisits
    cache: ReplayCache


def salvage(run_dir: Path, checkpoint: Checkpoint) -> Salvage:
    """Cut the run's files back to the checkpoint and gather what can be replayed."""
    from .sinks.json_archive import FILENAME as ARCHIVE
    from .sinks.warc import PAGES_FILE

    cache = ReplayCache()
    for name, offset in (
        (ARCHIVE, checkpoint.archive_offset),
        (PAGES_FILE, checkpoint.pages_offset),
    ):
        _reopen(run_dir / name, offset)
    header = _header(run_dir / (ARCHIVE + ".open"))

    kept = [run_dir / name for name in checkpoint.warc_files]
    for path in kept:
        if not path.is_file():
            raise ResumeError(f"{path}: missing, so the run can't be resumed; {_FRESH}")
    current = _open_name(run_dir, checkpoint.warc_open) if checkpoint.warc_open else None
    if checkpoint.warc_open and current is None:
        raise ResumeError(
            f"{run_dir / checkpoint.warc_open}: missing, so the run can't be resumed; {_FRESH}"
        )
    # Files begun after the checkpoint: only their captures are of use.
    later = [
        path
        for path in sorted(run_dir.glob("*.warc.gz*"))
        if path.name.removesuffix(".open") not in {*checkpoint.warc_files, checkpoint.warc_open}
    ]

    if current is not None:
        # Renamed first, cut last: the offsets noted below stay valid, and a salvage that
        # is itself interrupted is simply done again.
        final = run_dir / checkpoint.warc_open
        os.replace(current, final)
        kept.append(final)
    payloads: dict[str, tuple[str, str]] = {}
    by_digest: dict[str, tuple[Path, int, int]] = {}
    held: set[str] = set()
    for path in kept:
        end = checkpoint.warc_offset if current is not None and path == kept[-1] else None
        _index(path, end, cache, payloads, by_digest, held)
    tail = [(path, 0) for path in later]
    if current is not None:
        tail.insert(0, (kept[-1], checkpoint.warc_offset))
    _harvest(tail, cache, by_digest)
    if current is not None:
        with kept[-1].open("r+b") as fh:
            fh.truncate(checkpoint.warc_offset)
    for path in later:
        path.unlink()
    return Salvage(run_dir, checkpoint, header, kept, held, payloads, cache)


def _open_name(run_dir: Path, name: str) -> Path | None:
    for candidate in (run_dir / (name + ".open"), run_dir / name):
        if candidate.is_file():
            return candidate
    return None


def _reopen(path: Path, offset: int) -> None:
    """``path.open`` cut to ``offset``; a file the run had already closed is opened again."""
    open_path = path.with_name(path.name + ".open")
    if not open_path.exists() and path.exists():
        os.replace(path, open_path)
    if not open_path.exists():
        raise ResumeError(f"{open_path}: missing, so the run can't be resumed; {_FRESH}")
    if open_path.stat().st_size < offset:
        raise ResumeError(
            f"{open_path}: shorter than the checkpoint says, so the run can't be resumed; {_FRESH}"
        )
    with open_path.open("r+b") as fh:
        fh.truncate(offset)


def _header(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        line = fh.readline()
    try:
        header = json.loads(line)
    except ValueError:
        raise ResumeError(f"{path}: no header line; {_FRESH}") from None
    return {k: v for k, v in header.items() if k not in ("type", "format", "version")}


def _index(
    path: Path,
    end: int | None,
    cache: ReplayCache,
    payloads: dict[str, tuple[str, str]],
    by_digest: dict[str, tuple[Path, int, int]],
    held: set[str],
) -> None:
    """Note every answer in a kept file (where it lies, not its bytes)."""
    with path.open("rb") as fh:
        for offset, length, data in members(fh):
            if end is not None and offset >= end:
                break
            record = parse_record(data)
            kind = record.headers.get("warc-type")
            uri = record.headers.get("warc-target-uri", "")
            if kind == "resource":
                held.add(uri)
            if kind not in ("response", "revisit"):
                continue
            _, status, _, _, body = _http_head(record.block)
            digest = record.headers.get("warc-payload-digest", "")
            entry = _Entry(path, offset, length, record_id=record.headers.get("warc-record-id", ""))
            if kind == "response" and digest:
                by_digest.setdefault(digest, (path, offset, length))
                if status == 200 and body:
                    payloads.setdefault(digest, (uri, record.headers.get("warc-date", "")))
            if kind == "revisit":
                entry.payload = by_digest.get(digest)
                if entry.payload is None:
                    continue
            if not retryable_status(status):
                cache.add(uri, entry)


def _harvest(
    tail: list[tuple[Path, int]], cache: ReplayCache, by_digest: dict[str, tuple[Path, int, int]]
) -> None:
    """Complete exchanges past the checkpoint, held in memory to be written again."""
    responses: dict[str, tuple[str, _Record]] = {}
    bodies: dict[str, bytes] = {}  # payload digest -> body, for revisits of the tail's own
    for path, start in tail:
        with path.open("rb") as fh:
            for _offset, _length, data in members(fh, start):
                record = parse_record(data)
                kind = record.headers.get("warc-type")
                if kind in ("response", "revisit"):
                    uri = record.headers.get("warc-target-uri", "")
                    responses[record.headers.get("warc-record-id", "")] = (uri, record)
                elif kind == "request":
                    found = responses.pop(record.headers.get("warc-concurrent-to", ""), None)
                    if found is None:
                        continue
                    exchange = _exchange(found[1], record, by_digest, bodies)
                    if exchange is not None and not retryable_status(exchange.status):
                        cache.add(found[0], _Entry(exchange=exchange))


def _exchange(
    response: _Record,
    request: _Record,
    by_digest: dict[str, tuple[Path, int, int]],
    bodies: dict[str, bytes],
) -> HttpExchange | None:
    version, status, reason, headers, body = _http_head(response.block)
    digest = response.headers.get("warc-payload-digest", "")
    if response.headers.get("warc-type") == "revisit":
        if digest in bodies:
            body = bodies[digest]
        elif digest in by_digest:
            body = _http_head(_read_member(*by_digest[digest]).block)[4]
        else:
            return None
    elif digest:
        bodies.setdefault(digest, body)
    method, _, _, request_headers, _ = _http_head(request.block)
    return HttpExchange(
        url=response.headers.get("warc-target-uri", ""),
        method=method or "GET",
        request_headers=request_headers,
        status=status,
        reason=reason,
        response_headers=headers,
        body=body,
        http_version=version,
        date=_date(response.headers.get("warc-date", "")),
    )


# -- writing checkpoints -----------------------------------------------------------------


class Checkpointer:
    """Saves the run's checkpoint at most once per `INTERVAL`, when the outputs allow;
    keeps the journal of media wanted (which only content transforms can tell)."""

    def __init__(
        self, run_dir: Path, checkpoint: Checkpoint, json_sink: Any, warc_sink: Any, summary: Any
    ):
        self.run_dir = run_dir
        self.checkpoint = checkpoint
        self.json_sink = json_sink
        self.warc_sink = warc_sink
        self.summary = summary
        self._wants: IO[bytes] | None = None
        self._last = 0.0
        self._key = checkpoint.last
        # A resumed run saves nothing until it has read past its checkpoint: until then
        # the checkpoint it started from still describes the files.
        self.ready = not checkpoint.records and not checkpoint.warc_offset

    def want(self, url: str, post_id: int | None, attachment: bool) -> None:
        if self._wants is None:
            path = self.run_dir / WANTS
            self._wants = path.open("r+b" if path.exists() else "wb")
            self._wants.truncate(self.checkpoint.wants_offset)
            self._wants.seek(self.checkpoint.wants_offset)
        try:
            self._wants.write(json.dumps([url, post_id, attachment]).encode() + b"\n")
        except OSError as exc:
            raise named(exc, self.run_dir / WANTS)  # noqa: B904 - the OSError, with its file

    def __call__(
        self,
        *,
        records: int,
        media: int = 0,
        last: str = "",
        force: bool = False,
        phase: str = "records",
    ) -> None:
        self._key = last or self._key  # the last record, even when this call saves nothing
        now = time.monotonic()
        if not self.ready or (not force and now - self._last < INTERVAL):
            return
        checkpoint = self.checkpoint
        if self.warc_sink is not None:
            writer = self.warc_sink.writer
            position = writer.position()
            if position is None:
                return  # a record is still being built elsewhere: next time
            checkpoint.warc_files = [p.name for p in writer.files]
            checkpoint.warc_open, checkpoint.warc_offset = position
            checkpoint.pages_offset = self.warc_sink.flush()
        checkpoint.archive_offset = self.json_sink.flush()
        if self._wants is not None:
            self._wants.flush()
            checkpoint.wants_offset = self._wants.tell()
        checkpoint.records, checkpoint.media, checkpoint.phase = records, media, phase
        checkpoint.last = self._key
        summary = self.summary
        checkpoint.written = dict(summary.written)
        checkpoint.links_rewritten = summary.links_rewritten
        checkpoint.unresolved = dict(summary.unresolved.most_common(_UNRESOLVED_KEPT))
        checkpoint.unresolved_total = summary.unresolved_total
        checkpoint.not_cleaned = summary.not_cleaned
        checkpoint.not_cleaned_total = summary.not_cleaned_total
        checkpoint.save(self.run_dir)
        self._last = now

    def done(self) -> None:
        if self._wants is not None:
            self._wants.close()
        for name in (FILENAME, WANTS):
            (self.run_dir / name).unlink(missing_ok=True)


def wanted(run_dir: Path, checkpoint: Checkpoint) -> Iterator[tuple[str, int | None, bool]]:
    """The media the interrupted run had asked for by its checkpoint."""
    path = run_dir / WANTS
    if not checkpoint.wants_offset or not path.exists():
        return
    with path.open("rb") as fh:
        data = fh.read(checkpoint.wants_offset)
    for line in data.splitlines():
        url, post_id, attachment = json.loads(line)
        yield url, post_id, attachment
