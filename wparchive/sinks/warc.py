"""WARC 1.1 writer: per-record gzip, rollover before the limit, one digest algorithm per run.

Records are serialised and compressed in memory first, so the writer knows a
record's final size *before* it touches the file: a file never passes
``max_size`` unless it holds a single record bigger than that. Every file starts
with its own ``warcinfo``, is written as ``*.warc.gz.open`` and renamed on close.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import shutil
import socket
import tempfile
import uuid
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote, urlsplit

import orjson

from .. import model
from ..model import Comment, Post, Site
from ..render import render_content, render_frame
from ..urls import to_uri as uri
from .json_archive import named

DEFAULT_MAX_SIZE = 1_000_000_000  # 1 GB, the size web archives conventionally roll at
# zlib level 9 (warcio's fixed choice) takes ~35% more CPU than 6 for files ~2% smaller
# (measured on generated exports; tests/test_warc.py checks both directions).
DEFAULT_GZIP_LEVEL = 6
DIGESTS = ("sha1", "sha256")
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"

# Request headers that carry credentials: never written to a WARC.
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


def warc_date(moment: datetime | None = None) -> str:
    """WARC-Date in UTC with microseconds (WARC 1.1 allows sub-second precision)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Digester:
    """``sha1:`` uppercase base32 (what dedup indexes use) or ``sha256:`` lowercase hex."""

    def __init__(self, algorithm: str = "sha1"):
        if algorithm not in DIGESTS:
            raise ValueError(f"digest must be one of {', '.join(DIGESTS)}, not {algorithm!r}")
        self.algorithm = algorithm
        # hashlib.sha1 / hashlib.sha256 themselves: hashlib.new looks the name up each call
        self._new = getattr(hashlib, algorithm)

    def new(self) -> Any:
        return self._new()

    def format(self, digest: Any) -> str:
        if self.algorithm == "sha1":
            return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")
        return "sha256:" + digest.hexdigest()

    def __call__(self, *chunks: bytes) -> str:
        digest = self.new()
        for chunk in chunks:
            digest.update(chunk)
        return self.format(digest)


Body = bytes | Path  # a record body held in memory, or a file streamed from disk
_CHUNK = 1 << 20


def _chunks(body: Body) -> Iterator[bytes]:
    if isinstance(body, bytes):
        if body:
            yield body
        return
    with body.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


_SPOOL = 1 << 20


class Member:
    """A record built and compressed, not yet placed in a file.

    Small records stay in memory as bytes (so they can cross process boundaries);
    records with a streamed body are spooled to disk when big.
    """

    def __init__(
        self,
        level: int,
        *,
        spool: bool,
        record_id: str,
        warc_type: str,
        target_uri: str | None,
        date: str,
        warcinfo_id: str,
    ):
        self.record_id = record_id
        self.warc_type = warc_type
        self.target_uri = target_uri
        self.date = date
        self.warcinfo_id = warcinfo_id
        self.level = level
        self._spool = spool
        self._zip: Any = None  # the stream `write` compresses into, from its first call
        self._buffer: IO[bytes] | None = None
        self.data: bytes | None = None
        self.size = 0

    def compress(self, record: bytes) -> Member:
        """The whole record at once, when it is in memory: the same gzip member that
        `write` and `finish` make, in one call into zlib."""
        self.data = zlib.compress(record, self.level, zlib.MAX_WBITS + 16)
        self.size = len(self.data)
        return self

    def write(self, data: bytes) -> None:
        if self._buffer is None:
            self._zip = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            # Spooled past 1 MB: an export file's record is compressed while the run goes
            # on, and memory must not grow with the export's size (16 MB here, and as much
            # again while rolling over, was most of the difference between a 5k and a 50k
            # export).
            self._buffer = (
                tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - closed in copy_to
                if self._spool
                else io.BytesIO()
            )
        self.size += self._buffer.write(self._zip.compress(data))

    def finish(self) -> Member:
        assert self._buffer is not None
        self.size += self._buffer.write(self._zip.flush())
        self._zip = None
        if isinstance(self._buffer, io.BytesIO):
            self.data, self._buffer = self._buffer.getvalue(), None
        return self

    def copy_to(self, out: IO[bytes]) -> None:
        if self.data is not None:
            out.write(self.data)
            return
        assert self._buffer is not None
        self._buffer.seek(0)
        shutil.copyfileobj(self._buffer, out, _CHUNK)
        self._buffer.close()

    def rebase(self, warcinfo_id: str) -> Member:
        """The same record pointing at another file's warcinfo (after a rollover).

        Record ids have a fixed length, so only that header changes: the digests and
        Content-Length stay valid, and the member is recompressed as a stream.
        """
        old = f"WARC-Warcinfo-ID: {self.warcinfo_id}\r\n".encode()
        new = f"WARC-Warcinfo-ID: {warcinfo_id}\r\n".encode()
        rebased = Member(
            self.level,
            spool=self.data is None,
            record_id=self.record_id,
            warc_type=self.warc_type,
            target_uri=self.target_uri,
            date=self.date,
            warcinfo_id=warcinfo_id,
        )
        unzip = zlib.decompressobj(zlib.MAX_WBITS + 16)
        head_done = False
        for chunk in self._compressed_chunks():
            data = unzip.decompress(chunk)
            if not head_done and data:
                data, head_done = data.replace(old, new, 1), True
            rebased.write(data)
        rebased.write(unzip.flush())
        return rebased.finish()

    def _compressed_chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        assert self._buffer is not None
        self._buffer.seek(0)
        while chunk := self._buffer.read(_CHUNK):
            yield chunk


class RecordRef(Protocol):
    """What another record needs to point at this one."""

    record_id: str
    target_uri: str | None
    date: str


@dataclass(frozen=True)
class Captured:
    """A record written elsewhere (a page the source captured), known by its id."""

    record_id: str
    target_uri: str | None = None
    date: str = ""


class RecordBuilder:
    """Builds WARC records as gzip members. Holds no file, so it also runs in workers."""

    def __init__(self, digest: str = "sha1", gzip_level: int = DEFAULT_GZIP_LEVEL):
        self.digest = Digester(digest)
        self.gzip_level = gzip_level

    def build(
        self,
        warc_type: str,
        target: str | None,
        headers: list[tuple[str, str]],
        prefix: bytes,
        body: Body = b"",
        *,
        payload: bool = True,
        date: str | None = None,
        warcinfo_id: str = "",
        record_id: str | None = None,
        payload_digest: str | None = None,
    ) -> Member:
        """One record as its own gzip member, with digests and length filled in.

        The block is ``prefix`` (e.g. HTTP headers) followed by ``body``; when
        ``payload`` is set, the body is also the payload that gets a payload digest
        (``payload_digest``, when the caller has already computed it).
        A body given as a path is streamed from disk, never read whole.
        """
        record_id = record_id or _record_id()
        date = date or warc_date()
        target_uri = uri(target) if target is not None else None
        base = [("WARC-Type", warc_type), ("WARC-Record-ID", record_id), ("WARC-Date", date)]
        if target_uri is not None:
            base.append(("WARC-Target-URI", target_uri))
        if warcinfo_id:
            base.append(("WARC-Warcinfo-ID", warcinfo_id))
        block_digest = self.digest.new()
        # Without a prefix the block is the payload: hashed and formatted once.
        payload_hash = self.digest.new() if prefix and payload_digest is None else None
        block_digest.update(prefix)
        length = len(prefix)
        for chunk in _chunks(body):
            block_digest.update(chunk)
            if payload_hash is not None:
                payload_hash.update(chunk)
            length += len(chunk)
        block = self.digest.format(block_digest)
        headers = [*base, *headers, ("WARC-Block-Digest", block)]
        if payload:
            if payload_hash is not None:
                payload_digest = self.digest.format(payload_hash)
            headers.append(("WARC-Payload-Digest", payload_digest or block))
        fields = _header_block([*headers, ("Content-Length", str(length))])
        head = b"WARC/1.1\r\n" + fields + b"\r\n"
        member = Member(
            self.gzip_level,
            spool=isinstance(body, Path),
            record_id=record_id,
            warc_type=warc_type,
            target_uri=target_uri,
            date=date,
            warcinfo_id=warcinfo_id,
        )
        if isinstance(body, bytes) and len(body) <= _SPOOL:
            # Small and in memory (almost every record): compressed in one call.
            return member.compress(b"".join((head, prefix, body, b"\r\n\r\n")))
        member.write(head + prefix)
        for chunk in _chunks(body):
            member.write(chunk)
        member.write(b"\r\n\r\n")
        return member.finish()

    def conversion(
        self,
        target: str,
        content_type: str,
        payload: bytes,
        *,
        refers_to: RecordRef,
        warcinfo_id: str = "",
    ) -> Member:
        """Derived content (cleaned, rewritten) linked to the record it came from."""
        headers = [("Content-Type", content_type), ("WARC-Refers-To", refers_to.record_id)]
        if refers_to.target_uri:
            headers.append(("WARC-Refers-To-Target-URI", refers_to.target_uri))
        headers.append(("WARC-Refers-To-Date", refers_to.date))
        return self.build("conversion", target, headers, b"", payload, warcinfo_id=warcinfo_id)

    def metadata(
        self,
        target: str,
        fields: Iterable[tuple[str, str]],
        *,
        refers_to: RecordRef | None = None,
        warcinfo_id: str = "",
    ) -> Member:
        """Facts about a capture (``application/warc-fields``), linked to it."""
        block = "".join(f"{k}: {_one_line(v)}\r\n" for k, v in fields).encode("utf-8")
        headers = [("Content-Type", "application/warc-fields")]
        if refers_to is not None:
            headers += [
                ("WARC-Refers-To", refers_to.record_id),
                ("WARC-Concurrent-To", refers_to.record_id),
            ]
        return self.build(
            "metadata", target, headers, block, payload=False, warcinfo_id=warcinfo_id
        )


@dataclass
class HttpExchange:
    """One HTTP request and its response, as they crossed the wire (bodies decoded)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes
    http_version: str = "HTTP/1.1"
    request_body: bytes = b""
    date: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class WrittenRecord:
    """Where a record went: enough to refer to it and to index it."""

    record_id: str
    warc_type: str
    target_uri: str | None
    date: str
    filename: str
    offset: int
    length: int


def _header_block(headers: Iterable[tuple[str, str]]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers).encode()


def _http_response_head(ex: HttpExchange, headers: list[tuple[str, str]]) -> bytes:
    status = f"{ex.http_version} {ex.status} {ex.reason}\r\n".encode("latin-1")
    return status + _header_block(headers) + b"\r\n"


def replayable_headers(headers: Iterable[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """Response headers that match a decoded body, so ``id_`` replay serves it whole.

    The body we hold was already de-chunked and decompressed, so the original
    Content-Encoding and Transfer-Encoding are kept under ``X-Archive-Orig-`` names
    (as pywb does) and Content-Length is set to the bytes actually recorded.
    """
    out: list[tuple[str, str]] = []
    for name, value in headers:
        lower = name.lower()
        if lower in ("content-encoding", "transfer-encoding", "content-length"):
            if lower != "content-length":
                out.append((f"X-Archive-Orig-{name}", value))
            continue
        out.append((name, value))
    out.append(("Content-Length", str(len(body))))
    return out


class WarcWriter:
    """Writes the run's WARC files: ``<prefix>-<YYYYMMDDhhmmss>-<NNNNN>.warc.gz``."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        *,
        info: Mapping[str, str],
        max_size: int = DEFAULT_MAX_SIZE,
        digest: str = "sha1",
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        started: datetime | None = None,
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.info = dict(info)
        self.max_size = max_size
        self.builder = RecordBuilder(digest, gzip_level)
        self.digest = self.builder.digest
        self.stamp = (started or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
        self.files: list[Path] = []
        self.records = 0
        self._fh: IO[bytes] | None = None
        self._name = ""
        self._size = 0
        self._in_file = 0  # records after the warcinfo in the current file
        self._warcinfo_id = ""
        # payload digest -> (target uri, date) of its first capture, for revisits
        self._payloads: dict[str, tuple[str, str]] = {}
        self._queued: deque[Future[Member]] = deque()
        self._held: set[str] = set()  # resource targets an interrupted run already wrote
        self._failed = False  # a write failed: the current file may end in part of a record

    # -- files ---------------------------------------------------------------

    def _open_next(self) -> None:
        self._close_file()
        self._name = f"{self.prefix}-{self.stamp}-{len(self.files):05d}.warc.gz"
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self._fh = self._open_path.open("wb")
        except OSError as exc:
            raise named(exc, self._open_path)  # noqa: B904 - the OSError, with its file
        self._size = 0
        self._in_file = 0
        fields = {**self.info, "format": "WARC File Format 1.1", "conformsTo": CONFORMS_TO}
        block = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        self._warcinfo_id = _record_id()
        member = self.builder.build(
            "warcinfo",
            None,
            [("WARC-Filename", self._name), ("Content-Type", "application/warc-fields")],
            block,
            payload=False,
            record_id=self._warcinfo_id,
        )
        self._copy(member)
        self._size = member.size

    @property
    def _open_path(self) -> Path:
        return self.directory / (self._name + ".open")

    def _copy(self, member: Member) -> None:
        """Append a record to the current file. A write that fails may have left part
        of the record there: that file is never given its final name (`_close_file`)."""
        assert self._fh is not None
        try:
            member.copy_to(self._fh)
        except OSError as exc:
            self._failed = True
            raise named(exc, self._open_path)  # noqa: B904 - the OSError, with its file

    def _close_file(self) -> None:
        if self._fh is None:
            return
        if self._failed:  # it stays *.open: a whole file is never one with a torn record
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        except OSError as exc:
            self._failed = True
            raise named(exc, self._open_path)  # noqa: B904 - the OSError, with its file
        self._fh = None
        final = self.directory / self._name
        os.replace(self._open_path, final)
        self.files.append(final)

    def close(self) -> list[Path]:
        """Close the current file (renaming it from ``.open``); return every file written."""
        while self._queued and not self._failed:
            self._place(self._built(self._queued.popleft()))
        self._close_file()
        return self.files

    @staticmethod
    def _built(future: Future[Member]) -> Member:
        """A record built elsewhere; a big one is spooled to a temporary file, whose
        write may fail (a full disk): named by the folder it was in."""
        try:
            return future.result()
        except OSError as exc:
            raise named(exc, Path(tempfile.gettempdir()))  # noqa: B904 - with where it was

    def position(self) -> tuple[str, int] | None:
        """The file being written and its length, flushed to the OS: a record boundary
        (``("", 0)`` before the first file). None while a record built elsewhere waits."""
        if self._queued:
            return None
        if self._fh is None:
            return "", 0
        try:
            self._fh.flush()
        except OSError as exc:
            self._failed = True
            raise named(exc, self._open_path)  # noqa: B904 - the OSError, with its file
        return self._name, self._size

    def resume(
        self, files: list[Path], held: set[str], payloads: dict[str, tuple[str, str]]
    ) -> None:
        """Carry on after an interrupted run's closed ``files``: the numbering continues,
        revisits may point into them, and ``held`` resources are not written again."""
        self.files = list(files)
        self._held = set(held)
        self._payloads.update(payloads)

    def holds(self, target: str) -> bool:
        """Whether an interrupted run this one resumes already wrote a resource here."""
        return uri(target) in self._held

    # -- records -------------------------------------------------------------

    @property
    def warcinfo_id(self) -> str:
        """The warcinfo of the file being written (opening the first file if needed)."""
        if self._fh is None:
            self._open_next()
        return self._warcinfo_id

    def _write(
        self,
        warc_type: str,
        target: str | None,
        headers: list[tuple[str, str]],
        prefix: bytes,
        body: Body = b"",
        *,
        payload: bool = True,
        date: str | None = None,
        payload_digest: str | None = None,
    ) -> WrittenRecord:
        member = self.builder.build(
            warc_type,
            target,
            headers,
            prefix,
            body,
            payload=payload,
            date=date,
            warcinfo_id=self.warcinfo_id,
            payload_digest=payload_digest,
        )
        return self.append(member)

    def enqueue(self, future: Future[Member]) -> None:
        """A record still being built elsewhere: placed before any record appended later."""
        self._queued.append(future)

    def append(self, member: Member) -> WrittenRecord:
        """Place a built record: in the current file, or first in a new one when it
        would pass ``max_size`` — decided before anything is written."""
        while self._queued:
            self._place(self._built(self._queued.popleft()))
        return self._place(member)

    def _place(self, member: Member) -> WrittenRecord:
        if member.warcinfo_id != self.warcinfo_id:
            member = member.rebase(self.warcinfo_id)
        if self._in_file and self._size + member.size > self.max_size:
            self._open_next()
            member = member.rebase(self._warcinfo_id)
        assert self._fh is not None
        offset = self._size
        self._copy(member)
        self._size += member.size
        self._in_file += 1
        self.records += 1
        return WrittenRecord(
            record_id=member.record_id,
            warc_type=member.warc_type,
            target_uri=member.target_uri,
            date=member.date,
            filename=self._name,
            offset=offset,
            length=member.size,
        )

    def resource(
        self,
        target: str,
        content_type: str,
        payload: Body,
        *,
        date: str | None = None,
        extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
    ) -> WrittenRecord:
        """A file not fetched over HTTP (the export, a rendering): its bytes as they are.

        ``payload`` may be a path: big files are streamed, never read whole."""
        headers = [("Content-Type", content_type), *extra]
        return self._write("resource", target, headers, b"", payload, date=date)

    def conversion(
        self, target: str, content_type: str, payload: bytes, *, refers_to: RecordRef
    ) -> WrittenRecord:
        """Derived content (cleaned, rewritten) linked to the record it came from."""
        return self.append(
            self.builder.conversion(
                target, content_type, payload, refers_to=refers_to, warcinfo_id=self.warcinfo_id
            )
        )

    def metadata(
        self, target: str, fields: Iterable[tuple[str, str]], *, refers_to: RecordRef | None = None
    ) -> WrittenRecord:
        """Facts about a capture (``application/warc-fields``), linked to it."""
        return self.append(
            self.builder.metadata(target, fields, refers_to=refers_to, warcinfo_id=self.warcinfo_id)
        )

    def exchange(self, ex: HttpExchange) -> tuple[WrittenRecord, WrittenRecord]:
        """An HTTP capture: a ``response`` (or ``revisit``) and its ``request``, linked.

        Credentials in the request headers are never written.
        """
        date = warc_date(ex.date)
        headers = replayable_headers(ex.response_headers, ex.body)
        head = _http_response_head(ex, headers)
        payload_digest = self.digest(ex.body)
        first = self._payloads.get(payload_digest)
        if first is not None and ex.body and ex.status == 200:
            # The same bytes already archived under another URL (or earlier): a revisit
            # keeps the HTTP headers and points at the capture that holds the payload.
            response = self._write(
                "revisit",
                ex.url,
                [
                    ("Content-Type", "application/http; msgtype=response"),
                    ("WARC-Profile", REVISIT_PROFILE),
                    ("WARC-Refers-To-Target-URI", first[0]),
                    ("WARC-Refers-To-Date", first[1]),
                    ("WARC-Payload-Digest", payload_digest),
                ],
                head,
                payload=False,
                date=date,
            )
        else:
            response = self._write(
                "response",
                ex.url,
                [("Content-Type", "application/http; msgtype=response")],
                head,
                ex.body,
                date=date,
                payload_digest=payload_digest,  # (the body hashed once, above)
            )
            if ex.body and ex.status == 200:
                self._payloads.setdefault(payload_digest, (uri(ex.url), date))
        parts = urlsplit(uri(ex.url))  # the request line is ASCII: percent-encoded
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        request_headers = [(k, v) for k, v in ex.request_headers if k.lower() not in SECRET_HEADERS]
        request_head = f"{ex.method} {target} {ex.http_version}\r\n".encode("latin-1")
        request = self._write(
            "request",
            ex.url,
            [
                ("Content-Type", "application/http; msgtype=request"),
                ("WARC-Concurrent-To", response.record_id),
            ],
            request_head + _header_block(request_headers) + b"\r\n",
            ex.request_body,
            date=date,
        )
        return response, request


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _one_line(value: str) -> str:
    """warc-fields values are single lines: fold any line breaks into spaces."""
    return " ".join(str(value).split())


def default_info(
    *,
    software: str,
    is_part_of: str,
    description: str,
    operator: str = "",
    user_agent: str = "",
    robots: str = "",
) -> dict[str, str]:
    """The warcinfo fields every file of a run carries."""
    return {
        "software": software,
        "isPartOf": is_part_of,
        "description": description,
        "operator": operator,
        "hostname": socket.gethostname(),
        "http-header-user-agent": user_agent,
        "robots": robots,
    }


# -- the run's WARC sink -------------------------------------------------------------

# Post types that get no rendering: WordPress gives them no page, or the page is the file.
NO_PAGE_TYPES = model.NO_PAGE_TYPES | {"attachment"}
CLEANED_PREFIX = "urn:wparchive:cleaned:"
RUN_URI = "urn:wparchive:run"
PAGES_FILE = "pages.jsonl"


def cleaned_uri(original: str) -> str:
    """Where a cleaned rendering lives: a URN of its own, so replay tools that index
    conversion records (pywb does) never serve it in place of the original page."""
    return CLEANED_PREFIX + uri(original)


def export_uri(site: Site, filename: str) -> str:
    """The export file's place on its site: WordPress serves exports from export.php."""
    base = (site.base_blog_url or site.url or "http://localhost").rstrip("/")
    return f"{base}/wp-admin/export.php?download=true&file={quote(filename)}"


def post_members(
    post: Post,
    comments: list[Comment],
    site: Site,
    builder: RecordBuilder,
    *,
    author: str,
    warcinfo_id: str,
    tool: str,
    render: bool,
    source: str,
    captured: bool = False,
) -> tuple[list[Member], dict[str, str] | None]:
    """The WARC records of one post, and its pages.jsonl entry when it has a page.

    A rendering at the permalink (published posts and pages, when the source has no
    real pages: ``render``), a conversion record when transforms changed the content,
    and a metadata record. Pure: it runs in worker processes as well. ``captured``: the
    source captured the real page itself (REST), so it gets a pages.jsonl entry only.
    """
    members: list[Member] = []
    capture: Member | None = None
    page = None
    has_page = post.status == "publish" and post.link and post.post_type not in NO_PAGE_TYPES
    if has_page and captured and not render:
        page = {
            "id": f"post-{post.id}",
            "url": uri(post.link),
            "ts": warc_date(),
            "title": post.title,
            "text": " ".join(_TAGS.sub(" ", post.content.html).split()),
        }
    if render and has_page:
        head, tail = render_frame(post, site, author=author, comments=comments, generator=tool)
        html = render_content(head, tail, post.content.raw)
        capture = builder.build(
            "resource",
            post.link,
            [("Content-Type", "text/html; charset=utf-8")],
            b"",
            html.encode(),
            warcinfo_id=warcinfo_id,
        )
        members.append(capture)
        if post.content.html != post.content.raw:
            cleaned = render_content(head, tail, post.content.html)
            members.append(
                builder.conversion(
                    cleaned_uri(post.link),
                    "text/html; charset=utf-8",
                    cleaned.encode(),
                    refers_to=capture,
                    warcinfo_id=warcinfo_id,
                )
            )
        page = {
            "id": f"post-{post.id}",
            "url": capture.target_uri or "",
            "ts": capture.date,
            "title": post.title,
            "text": " ".join(_TAGS.sub(" ", post.content.html).split()),
        }
    fields = [
        ("wparchive-post-id", str(post.id)),
        ("wparchive-post-type", post.post_type),
        ("wparchive-status", post.status),
        ("wparchive-source", source),
    ]
    removed = post.provenance.get("removed") or []
    fields += [("wparchive-rule-fired", r.get("rule", "")) for r in removed]
    links = post.provenance.get("links") or {}
    fields.append(("wparchive-links-rewritten", str(len(links.get("rewritten", {})))))
    # what the record describes: the rendering above, or the page the source captured
    described: RecordRef | None = capture or (
        Captured(post.page_record) if post.page_record else None
    )
    members.append(
        builder.metadata(
            post.link or post.guid or f"urn:wparchive:post:{post.id}",
            fields,
            refers_to=described,
            warcinfo_id=warcinfo_id,
        )
    )
    return members, page


class WarcSink:
    """The run's WARC files and pages.jsonl, fed with records built by `post_members`
    (in this process or in workers) beside the source's own raw captures."""

    def __init__(self, writer: WarcWriter, run_dir: Path, *, resume: bool = False):
        self.writer = writer
        self.pages_path = run_dir / PAGES_FILE
        run_dir.mkdir(parents=True, exist_ok=True)
        # resume: pages.jsonl.open was cut back to a checkpoint; carry on after it
        self._pages = (run_dir / (PAGES_FILE + ".open")).open("ab" if resume else "wb")
        self.pages = 0

    def flush(self) -> int:
        """Hand what is buffered to the OS; the pages file's length."""
        try:
            self._pages.flush()
        except OSError as exc:
            raise named(exc, Path(self._pages.name))  # noqa: B904 - the OSError, with its file
        return self._pages.tell()

    def write_encoded(self, members: list[Member], pages: list[dict[str, str]]) -> None:
        for member in members:
            self.writer.append(member)
        try:
            for page in pages:
                self._pages.write(orjson.dumps(page, option=orjson.OPT_APPEND_NEWLINE))
                self.pages += 1
        except OSError as exc:
            raise named(exc, Path(self._pages.name))  # noqa: B904 - the OSError, with its file

    def close(self, fixity: Iterable[Path] = ()) -> None:
        """Finish the pages file and the WARC. The last record holds the SHA-256 of the
        run's files written outside the WARC (``fixity``, and pages.jsonl), so a
        changed byte in any of them is found by `wparchive verify`."""
        try:
            self._pages.close()
        except OSError as exc:
            raise named(exc, Path(self._pages.name))  # noqa: B904 - the OSError, with its file
        os.replace(self._pages.name, self.pages_path)
        fields = [
            ("wparchive-file", f"{p.name} sha256:{_sha256_file(p)}")
            for p in [*fixity, self.pages_path]
        ]
        self.writer.metadata(RUN_URI, fields)
        self.writer.close()

    def abort(self) -> None:
        # After a full disk these fail too; what was written stays, as *.open if torn.
        with contextlib.suppress(OSError):
            self._pages.close()
        with contextlib.suppress(OSError):
            self.writer.close()


_TAGS = re.compile(r"<[^>]*>|<!--.*?-->", re.S)
