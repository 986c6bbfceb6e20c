"""Media brought home: the site's files, downloaded once, stored under ``media/``,
archived in the WARC, and listed as ``media`` records in the JSON archive.

Which files: every attachment's original, and every file of the site's uploads that
a post's content links to (each referenced size of an image included). Where: the
very path link rewriting points at (`SiteIndex.media_path_for`), so a relative link
in ``content.html`` finds its file. A download that fails is a warning naming the
URL and the reason, never the end of the run.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..http import HttpClient, HttpError, strip_userinfo
from ..imagesize import image_size
from ..links import SiteIndex
from ..model import Media
from .warc import HttpExchange, WarcWriter

DEFAULT_MAX_BYTES = 200_000_000  # a per-file cap: one huge video must not fill the disk


@dataclass
class _Wanted:
    url: str
    path: str  # relative to the run folder
    attachment: int | None = None
    referenced_by: set[int] = field(default_factory=set)


def fetchable(url: str) -> str | None:
    """``url`` as wparchive may fetch it: http(s) with a host and a valid port, without
    the ``user:password@`` a link may carry (never sent), or None. A backslash or a space
    in the host part is refused: parsers disagree on which host such a URL names."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        parts.port  # noqa: B018 - raises on a port that isn't one
    except ValueError:
        return None
    if any(c in parts.netloc for c in "\\ \t\r\n"):
        return None
    return strip_userinfo(url)[0]


class MediaFetcher:
    """Collects the media a run wants, then fetches each file once (``fetch_all``)."""

    def __init__(
        self,
        run_dir: Path,
        index: SiteIndex,
        *,
        writer: WarcWriter | None,
        client: HttpClient | None = None,
        uploads_dir: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        warn: Callable[[str], None] = lambda message: None,
        grow: bool = False,
        replay: Any = None,
    ):
        self.run_dir = run_dir
        self.index = index
        self.writer = writer
        self.uploads_dir = uploads_dir
        self.max_bytes = max_bytes
        self.warn = warn
        self.failures: list[str] = []
        self.grow = grow  # no first pass: the pipeline adds records to `index` as they pass
        self._wanted: dict[str, _Wanted] = {}  # by URL
        self._by_path: dict[str, _Wanted] = {}  # the same, once per file
        self._captured: list[HttpExchange] = []
        self._lock = threading.Lock()
        self._client = client or HttpClient(capture=self._capture)
        if client is not None:
            client.capture = self._capture
        self._client.max_body = max_bytes  # a download stops at the cap, not after it
        self._client.replay = replay  # a resumed run: files its interrupted run fetched
        self._by_digest: dict[str, Path] = {}
        self._stored: dict[str, str] = {}  # path -> sha256 of what was written there

    def want(self, url: str, *, post_id: int | None = None, attachment: bool = False) -> None:
        """Ask for the file behind ``url`` (ignored unless it is one of the site's uploads,
        or a file on an off-site host named with ``--media-hosts``)."""
        resolution = self.index.resolve(url)
        target = resolution.target if resolution is not None else None
        if target is not None and target.kind == "post":
            # An attachment page (?attachment_id=N, its permalink): we want its file.
            url = self.index.attachment_url(target.id) or url
        elif resolution is None:
            offsite = self.index.offsite_media(url)
            if offsite is None:
                return
            url = offsite.url  # one download per file: ?w=640 and ?w=300 share the original
        known = self._wanted.get(url)
        if known is None:
            fetch = fetchable(url)
            path = self.index.media_path_for(url) if fetch is not None else None
            if fetch is None or path is None:
                return
            # Two spellings of one file (raw Unicode and percent-encoded) share a path:
            # one download, one record.
            known = self._wanted[url] = self._by_path.setdefault(path, _Wanted(fetch, path))
        if post_id is not None:
            if attachment:
                known.attachment = post_id
            else:
                known.referenced_by.add(post_id)

    def __len__(self) -> int:
        return len(self._by_path)

    def _capture(self, exchange: HttpExchange) -> None:
        with self._lock:  # called from download threads; the WARC is written here, in order
            self._captured.append(exchange)

    def _drain(self) -> None:
        with self._lock:
            captured, self._captured = self._captured, []
        if self.writer is not None:
            for exchange in captured:
                self.writer.exchange(exchange)

    def fetch_all(self) -> Iterator[Media]:
        """Fetch every wanted file (in parallel), store it, and yield its `Media` record."""
        wanted = sorted(self._by_path.values(), key=lambda w: w.path)
        futures = [(w, self._client.submit(self._fetch, w)) for w in wanted]
        try:
            for item, future in futures:
                body, mime = future.result()
                self._drain()
                if body is None:
                    continue
                media = self._store(item, body, mime)
                if media is not None:
                    yield media
            if self._client.retried:
                what = ", ".join(f"{why} ×{n}" for why, n in self._client.retried.most_common())
                self.warn(
                    f"media: the site failed {self._client.retried.total()} download "
                    f"attempt(s) on the way ({what}); each was retried"
                )
        finally:
            self._drain()
            self._client.close()

    def _fetch(self, item: _Wanted) -> tuple[bytes | None, str | None]:
        if self.uploads_dir is not None:
            local = self._local(item)
            if local is not None:
                return local
        try:
            response = self._client.get(item.url, follow="same-host", kind="media")
        except HttpError as exc:  # refused, redirected elsewhere, over the size cap
            self._fail(item, str(exc).removeprefix(f"{item.url}: "))
            return None, None
        if response.status != 200:
            self._fail(item, f"HTTP {response.status}")
            return None, None
        return response.body, response.content_type or None

    def _local(self, item: _Wanted) -> tuple[bytes, str | None] | None:
        """The file from a local copy of wp-content/uploads, archived as a resource."""
        resolution = self.index.resolve(item.url)
        target = resolution.target if resolution is not None else None
        if target is None or not target.file:
            return None
        assert self.uploads_dir is not None
        try:
            local = (self.uploads_dir / target.file).resolve()
            if self.uploads_dir.resolve() not in local.parents or not local.is_file():
                return None  # outside the copy (../, a symlink out of it), or not there
            body = local.read_bytes()
        except (OSError, ValueError):  # a NUL in the name, a file that went away
            return None
        mime = mimetypes.guess_type(local.name)[0]
        if self.writer is not None and not self.writer.holds(item.url):
            with self._lock:
                self.writer.resource(item.url, mime or "application/octet-stream", body)
        return body, mime

    def _fail(self, item: _Wanted, reason: str) -> None:
        message = f"media {item.url} not archived: {reason}"
        self.failures.append(message)
        self.warn(message)

    def _inside(self, path: str) -> Path | None:
        """``path`` in the run folder, or None if it would lead anywhere else. Paths come
        from `names.safe_path` and never do; this holds even if that ever broke. (Checked
        as written: a ``media`` folder the user made a symlink to a bigger disk is fine.)"""
        if not path or "\0" in path or "\\" in path or ":" in path.split("/", 1)[0]:
            return None
        if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
            return None
        return self.run_dir / path

    def _store(self, item: _Wanted, body: bytes, mime: str | None) -> Media | None:
        digest = hashlib.sha256(body).hexdigest()
        target = self._inside(item.path)
        if target is None:
            self._fail(item, f"unsafe path {item.path!r}")
            return None
        stored = self._stored.get(item.path)
        if stored is None:
            # Two spellings of one URL share a path; identical bytes are stored once.
            target.parent.mkdir(parents=True, exist_ok=True)
            same = self._by_digest.get(digest)
            target.unlink(missing_ok=True)
            if same is not None:
                os.link(same, target)
            else:
                tmp = target.with_name(target.name + ".open")
                tmp.write_bytes(body)
                os.replace(tmp, target)
                self._by_digest[digest] = target
            self._stored[item.path] = digest
        elif stored != digest:
            self.warn(
                f"media {item.url}: other bytes than the file already at {item.path}; "
                f"the first is kept"
            )
        width, height = image_size(body) or (None, None)
        return Media(
            url=item.url,
            post_id=item.attachment,
            path=item.path,
            mime_type=mime or mimetypes.guess_type(item.path)[0],
            bytes=len(body),
            sha256=digest,
            referenced_by=sorted(item.referenced_by),
            width=width,
            height=height,
        )
