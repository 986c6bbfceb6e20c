"""Issue 9's fault catalogue: the REST source against a WordPress that misbehaves.

A small threaded reverse proxy on 127.0.0.1 (`FaultServer`) stands in front of the real
WordPress test site (tests/wordpress). It records each answer the first time it is asked
(the site's content is fixed, so one recording serves every test), puts its own address
in place of the site's in headers and bodies, and breaks the answers the test's `Fault`
rules name: which requests, how many times, what goes wrong.

Every fault runs the whole pipeline (`wparchive.archive`; the CLI where the error message
is the point) and is held to the issue's bar: the run finishes, or stops with one clear
sentence and its outputs left as ``*.open``; every item the site has is in the archive
exactly once (against a clean run through the same proxy); the summary says what
happened; every output is valid (`wparchive verify` and ``warcio check``).

Collections are read 4 items a page (`rest.PER_PAGE`), so the fixture's 10 posts span 3
pages and pagination faults have pages to hit. Waits between retries are recorded, not
slept: the tests check what wparchive asked to wait, and stay fast.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

import wparchive
from wparchive.cli import app
from wparchive.http import HttpClient
from wparchive.sinks.media import MediaFetcher
from wparchive.sources import rest
from wparchive.verify import verify_run

pytestmark = pytest.mark.wordpress

BIN = Path(sys.executable).parent
# Which pages the random faults hit; set WPARCHIVE_FAULT_SEED to replay a failure.
SEED = int(os.environ.get("WPARCHIVE_FAULT_SEED") or 9)
PER_PAGE = 4
# Quick runs: one process, no permalink pages or media unless the fault needs them.
QUICK: dict[str, Any] = {"jobs": 1, "timeout": 2.0, "pages": False, "media": False}
MEDIA_CAP = 1_000_000  # bytes; the fixture's images are far smaller
HUGE = 256 * 1024 * 1024  # what the oversized media file claims or streams
STALL = 3.0  # seconds a stalled answer hangs (the runs under test time out long before)
POSTS = "/wp-json/wp/v2/posts"


# -- the fault server ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as the real site gave it (or as a fault makes it)."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def with_header(self, name: str, value: str) -> Answer:
        headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        return replace(self, headers=[*headers, (name, value)])


@dataclass(frozen=True)
class Request:
    target: str  # path and query, as sent
    path: str
    query: dict[str, str]
    auth: str | None


@dataclass
class Fault:
    """One rule: what goes wrong (``kind``), for which requests, how many times.

    ``path`` is a regular expression the request's path must match in full; ``query``
    the parameters it must have (None: must not have, so ``{"page": None}`` is page 1).
    Kinds: status, reset, stall, truncate, challenge, redirect, revoke, pages, corrupt,
    missing, huge, shift (see the `_Handler` method of the same name).
    """

    kind: str
    path: str
    query: dict[str, str | None] = field(default_factory=dict)
    times: int | None = 1  # requests it breaks; None: every one
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    detail: Any = None  # the kind's own parameter
    hits: int = 0

    def matches(self, request: Request) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if not re.fullmatch(self.path, request.path):
            return False
        return all(request.query.get(name) == value for name, value in self.query.items())


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class Upstream:
    """The real site; each answer fetched once per request target and credentials."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.netloc = parts.netloc
        self._host, self._port = parts.hostname or "", parts.port or 80
        self._answers: dict[tuple[str, str | None], Answer] = {}
        self._lock = threading.Lock()

    def get(self, target: str, auth: str | None = None) -> Answer:
        with self._lock:
            known = self._answers.get((target, auth))
        if known is not None:
            return known
        connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
        headers = {"Host": self.netloc, "Accept-Encoding": "identity"}
        if auth:
            headers["Authorization"] = auth
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            answer = Answer(
                response.status,
                response.reason,
                [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP],
                response.read(),
            )
        finally:
            connection.close()
        with self._lock:
            return self._answers.setdefault((target, auth), answer)


class FaultServer(ThreadingHTTPServer):
    """The proxy: the site's answers with its own address in them, broken as told."""

    daemon_threads = True

    def __init__(self, upstream: Upstream, wrong_auth: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.netloc = f"127.0.0.1:{self.server_address[1]}"
        self.url = f"http://{self.netloc}"
        self.wrong_auth = wrong_auth
        self.faults: list[Fault] = []
        self.log: list[tuple[Request, str | None]] = []  # every request, with its fault
        self.revoked = False  # "revoke" happened: credentials are wrong from then on
        self.changed: str | None = None  # "shift" happened: "publish" or "trash"
        self.shift_ids: tuple[int, int, int] = (0, 0, 0)  # (clone of, new id, trashed id)
        self.huge_sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._swaps = [
            (upstream.netloc.encode(), self.netloc.encode()),
            (
                upstream.netloc.replace(":", "%3A").encode(),
                self.netloc.replace(":", "%3A").encode(),
            ),
        ]

    def reset(self, faults: list[Fault]) -> None:
        with self._lock:
            self.faults = faults
            self.log = []
            self.revoked, self.changed, self.huge_sent = False, None, 0

    def take(self, request: Request) -> Fault | None:
        """The first rule this request trips, counted; every request is logged."""
        with self._lock:
            fault = next((f for f in self.faults if f.matches(request)), None)
            if fault is not None:
                fault.hits += 1
            self.log.append((request, fault.kind if fault else None))
            return fault

    def seen(self, path: str) -> list[Request]:
        return [r for r, _ in self.log if re.fullmatch(path, r.path)]

    def rewrite(self, data: bytes) -> bytes:
        for old, new in self._swaps:
            data = data.replace(old, new)
        return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        request = Request(
            self.path,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            self.headers.get("Authorization"),
        )
        fault = self.server.take(request)
        try:
            if fault is None:
                self.passthrough(request)
            else:
                getattr(self, fault.kind)(request, fault)
        except OSError:  # the client gave up (a timeout, a size cap): nothing to answer
            self.close_connection = True

    # what the site says ----------------------------------------------------------------

    def upstream(self, request: Request) -> Answer:
        auth = request.auth
        if auth and self.server.revoked:
            auth = self.server.wrong_auth
        if self.server.changed and request.path == POSTS and "context" not in request.query:
            return self.changed_listing(request, auth)
        return self.server.upstream.get(request.target, auth)

    def passthrough(self, request: Request) -> None:
        self.reply(self.upstream(request))

    def reply(self, answer: Answer, *, cut: int | None = None, length: int | None = None) -> None:
        """Send ``answer`` with the proxy's address in it; ``cut``: only that many bytes
        of the body (under a Content-Length of ``length``, default: what is sent)."""
        body = self.server.rewrite(answer.body)
        sent = body if cut is None else body[:cut]
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.headers:
            self.send_header(name, self.server.rewrite(value.encode("latin-1")).decode("latin-1"))
        self.send_header("Content-Length", str(len(sent) if length is None else length))
        self.end_headers()
        self.wfile.write(sent)

    def reset_connection(self) -> None:
        """Close with a TCP RST, as a crashing server or a middlebox does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # the faults --------------------------------------------------------------------------

    def status(self, request: Request, fault: Fault) -> None:
        body = (fault.detail or f"<html><body>HTTP {fault.status}</body></html>").encode()
        answer = Answer(fault.status, http.client.responses[fault.status], [], body)
        answer = answer.with_header("Content-Type", "text/html; charset=UTF-8")
        for name, value in fault.headers.items():
            if value == "in 3 s":  # an HTTP-date, made when the answer is sent
                value = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
            answer = answer.with_header(name, value)
        self.reply(answer)

    def reset(self, request: Request, fault: Fault) -> None:
        answer = self.upstream(request)
        self.reply(answer, cut=len(answer.body) // 2, length=len(self.server.rewrite(answer.body)))
        self.reset_connection()

    def stall(self, request: Request, fault: Fault) -> None:
        if fault.detail == "before headers":
            self.server.stopping.wait(STALL)
            self.passthrough(request)
            return
        answer = self.upstream(request)
        body = self.server.rewrite(answer.body)
        self.reply(answer, cut=len(body) // 2, length=len(body))
        self.wfile.flush()
        self.server.stopping.wait(STALL)
        self.wfile.write(body[len(body) // 2 :])

    def truncate(self, request: Request, fault: Fault) -> None:
        """A complete HTTP message whose JSON is cut short (a PHP worker killed while
        writing, a proxy's buffer limit)."""
        answer = self.upstream(request)
        self.reply(answer, cut=len(self.server.rewrite(answer.body)) // 2)

    def challenge(self, request: Request, fault: Fault) -> None:
        body = (
            b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
            b'<meta name="robots" content="noindex,nofollow"></head><body>'
            b"<h2>Checking if the site connection is secure</h2>"
            b"<noscript>Enable JavaScript and cookies to continue</noscript>"
            b'<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'
            b"</body></html>"
        )
        headers = [("Content-Type", "text/html; charset=UTF-8"), *fault.headers.items()]
        self.reply(Answer(fault.status, "Forbidden", headers, body))

    def redirect(self, request: Request, fault: Fault) -> None:
        location = fault.detail + request.target
        self.reply(Answer(301, "Moved Permanently", [("Location", location)], b""))

    def revoke(self, request: Request, fault: Fault) -> None:
        """From this request on, the application password no longer works (revoked in
        wp-admin mid-run): the real site answers requests with a wrong one."""
        self.server.revoked = True
        self.passthrough(request)

    def pages(self, request: Request, fault: Fault) -> None:
        answer = self.upstream(request)
        pages = answer.header("X-WP-TotalPages")
        if pages is not None:
            answer = answer.with_header("X-WP-TotalPages", str(fault.detail(int(pages))))
        self.reply(answer)

    def corrupt(self, request: Request, fault: Fault) -> None:
        answer = self.upstream(request)
        body = answer.body
        for old, new in fault.detail:
            assert old in body, old
            body = body.replace(old, new, 1)
        self.reply(replace(answer, body=body))

    def missing(self, request: Request, fault: Fault) -> None:
        body = b"<html><body>Not Found</body></html>"
        self.reply(Answer(404, "Not Found", [("Content-Type", "text/html")], body))

    def huge(self, request: Request, fault: Fault) -> None:
        """A file far over the media cap: declared (Content-Length) or not (chunked)."""
        self.send_response_only(200, "OK")
        self.send_header("Content-Type", "image/jpeg")
        chunked = fault.detail == "chunked"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = b"\0" * 65536
        while self.server.huge_sent < HUGE:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            self.server.huge_sent += len(chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def shift(self, request: Request, fault: Fault) -> None:
        """The site changes under the reader: from this request on, the posts list has
        one post more (an old draft published: a low id) or one less (trashed)."""
        self.server.changed = fault.detail
        self.passthrough(request)

    def changed_listing(self, request: Request, auth: str | None) -> Answer:
        """The posts collection as WordPress would list it after the change: the real
        list (one page of 100, every field asked for), plus or minus one post, paged."""
        query = dict(request.query)
        page, per_page = int(query.pop("page", "1")), int(query.pop("per_page", "10"))
        include = query.pop("include", None)
        assert query.get("orderby") == "id" and query.get("order") == "asc", query
        whole = self.server.upstream.get(f"{POSTS}?{urlencode({**query, 'per_page': 100})}", auth)
        items = json.loads(whole.body)
        clone_of, new_id, trashed = self.server.shift_ids
        if self.server.changed == "publish":
            post = dict(next(item for item in items if item["id"] == clone_of))
            post["id"] = new_id
            for key, value in (("slug", "kozben-megjelent"), ("link", f"?p={new_id}")):
                if key in post:
                    post[key] = value
            items.append(post)
        else:
            items = [item for item in items if item["id"] != trashed]
        items.sort(key=lambda item: item["id"])
        if include:
            wanted = {int(i) for i in include.split(",")}
            items = [item for item in items if item["id"] in wanted]
        pages = math.ceil(len(items) / per_page)
        json_type = ("Content-Type", "application/json; charset=UTF-8")
        if page > max(pages, 1):
            error = {"code": "rest_post_invalid_page_number", "message": "", "data": {}}
            return Answer(400, "Bad Request", [json_type], json.dumps(error).encode())
        body = json.dumps(items[(page - 1) * per_page : page * per_page]).encode()
        totals = [("X-WP-Total", str(len(items))), ("X-WP-TotalPages", str(pages))]
        return Answer(200, "OK", [json_type, *totals], body)


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        if isinstance(server, FaultServer):
            server.stopping.set()
        server.shutdown()
        server.server_close()


class _Trap(BaseHTTPRequestHandler):
    """Another host: a redirect wparchive followed would end here."""

    def do_GET(self) -> None:  # noqa: N802
        self.server.visits.append((self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        self.send_error(500)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


# -- fixtures ------------------------------------------------------------------------------


class Waits(list):
    """Stands in for time.sleep in every HttpClient: remembers what it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@contextmanager
def small_pages_and_recorded_waits() -> Iterator[Waits]:
    waits = Waits()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rest, "PER_PAGE", PER_PAGE)
        # Defaults are read at each call: every client the pipeline makes records its
        # waits instead of sleeping, and every media download has a small cap.
        mp.setitem(HttpClient.__init__.__kwdefaults__, "sleep", waits)
        mp.setitem(MediaFetcher.__init__.__kwdefaults__, "max_bytes", MEDIA_CAP)
        for name in ("WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD", "NETRC"):
            mp.delenv(name, raising=False)
        yield waits


@pytest.fixture(scope="module")
def server(wordpress_site, tmp_path_factory) -> Iterator[FaultServer]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))  # no ~/.netrc
        wrong = base64.b64encode(f"{wordpress_site.user}:abcd efgh ijkl mnop qrst uvwx".encode())
        proxy = FaultServer(Upstream(wordpress_site.url), f"Basic {wrong.decode()}")
        with serving(proxy):
            yield proxy


@pytest.fixture(autouse=True)
def waits(request) -> Iterator[Waits]:
    print(f"fault seed: {SEED} (WPARCHIVE_FAULT_SEED={SEED} replays this run)")
    with small_pages_and_recorded_waits() as recorded:
        yield recorded
    if "server" in request.fixturenames:
        request.getfixturevalue("server").reset([])


@pytest.fixture(scope="module")
def baseline(server, wordpress_site, tmp_path_factory) -> Counter[tuple[str, str]]:
    """Every item of the site, once: a clean run through the proxy, with pages and media
    (which also records every answer the fault runs will ask for)."""
    with small_pages_and_recorded_waits():
        server.reset([])
        summary = wparchive.archive(
            server.url + "/", out=tmp_path_factory.mktemp("baseline"), jobs=1
        )
    found = inventory(summary.run_dir)
    counts = Counter(kind for kind, _ in found)
    assert counts["post"] == 10 and counts["page"] == 3 and counts["recept"] == 3
    assert counts["attachment"] == 4 and counts["comment"] == 6 and counts["author"] == 3
    assert counts["media"] > 4 and not summary.lost, [str(w) for w in summary.warnings]
    return found


@pytest.fixture
def trap() -> Iterator[Any]:
    other = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    other.visits = []  # type: ignore[attr-defined]
    other.base = f"http://localhost:{other.server_address[1]}"  # type: ignore[attr-defined]
    with serving(other):
        yield other


# -- running and judging ---------------------------------------------------------------------


@dataclass
class Run:
    summary: Any
    found: Counter[tuple[str, str]]

    @property
    def run_dir(self) -> Path:
        return self.summary.run_dir

    @property
    def warnings(self) -> list[str]:
        return [str(w) for w in self.summary.warnings]


def inventory(run_dir: Path) -> Counter[tuple[str, str]]:
    """How many times each item is in the archive: (kind, id), kind being the post type
    for posts, ``term <taxonomy>`` for terms; media by path."""
    found: Counter[tuple[str, str]] = Counter()
    for record in wparchive.open_archive(run_dir):
        kind = record["type"]
        if kind == "post":
            found[(record["post_type"], str(record["id"]))] += 1
        elif kind == "term":
            found[(f"term {record['taxonomy']}", str(record["id"]))] += 1
        elif kind == "media":
            found[("media", record["path"])] += 1
        else:
            found[(kind, str(record["id"]))] += 1
    return found


def archive(server: FaultServer, out: Path, site: Any = None, **options: Any) -> Run:
    """A run through the proxy; ``site`` given: with its application password."""
    settings = {**QUICK, **options}
    if site is not None:
        settings.update(user=site.user, password=site.app_password)
    summary = wparchive.archive(server.url + "/", out=out, **settings)
    return Run(summary, inventory(summary.run_dir))


def expected(
    baseline: Counter[tuple[str, str]],
    *,
    media: bool = False,
    plus: tuple[tuple[str, str], ...] = (),
    minus: tuple[tuple[str, str], ...] = (),
) -> set[tuple[str, str]]:
    keys = {key for key in baseline if media or key[0] != "media"}
    return (keys | set(plus)) - set(minus)


def assert_every_item_once(run: Run, want: set[tuple[str, str]]) -> None:
    twice = {key: n for key, n in run.found.items() if n > 1}
    assert not twice, f"in the archive more than once: {twice} (seed {SEED})"
    have = set(run.found)
    assert have == want, f"missing {sorted(want - have)}, extra {sorted(have - want)} (seed {SEED})"


def assert_valid(run_dir: Path) -> None:
    """`wparchive verify` passes, and warcio's own checker on every WARC."""
    problems = verify_run(run_dir).problems
    assert not problems, problems
    warcs = sorted(map(str, run_dir.glob("*.warc.gz")))
    assert warcs
    check = subprocess.run(
        [BIN / "warcio", "check", "-v", *warcs], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def retried(run: Run) -> str:
    """The summary's word on the requests retried ('' when none were)."""
    return next((w for w in run.warnings if "retried" in w), "")


def cli(server: FaultServer, out: Path, site: Any = None, *args: str) -> Any:
    """`wparchive archive` on the proxy, quick options, the password from the environment."""
    argv = ["archive", server.url + "/", "--out", str(out), "-q", "--jobs", "1"]
    argv += ["--no-pages", "--no-media", "--timeout", "2", *args]
    env = {}
    if site is not None:
        argv += ["--user", site.user]
        env["WPARCHIVE_APP_PASSWORD"] = site.app_password
    return CliRunner().invoke(app, argv, env=env)


def assert_stopped(result: Any, out: Path, site: Any, *words: str, started: bool = True) -> str:
    """Exit code 2 with one ``Error:`` sentence and a hint, no traceback and no secret;
    a run that had ``started`` writing left its outputs ``*.open``, and they do not
    verify (one stopped in discovery wrote nothing)."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    hints = [line for line in output.splitlines() if line.startswith("Hint:")]
    assert len(errors) == 1 and len(hints) == 1, output
    secret = site.app_password
    token = base64.b64encode(f"{site.user}:{secret}".encode()).decode()
    for leaked in (secret, secret.replace(" ", ""), token):
        assert leaked not in output
    for word in words:
        assert word in errors[0], (word, output)
    run_dirs = [p for p in out.iterdir() if p.is_dir()]
    assert len(run_dirs) == started, run_dirs
    for run_dir in run_dirs:
        assert list(run_dir.glob("*.open")), f"{run_dir}: nothing left *.open"
        assert not (run_dir / "archive.jsonl").exists()
        assert not verify_run(run_dir).ok
    return errors[0]


def api_pages(count: int) -> list[dict[str, str | None]]:
    """Query matchers for pages 1..count of a collection (page 1 has no ``page``)."""
    return [{"page": str(n) if n > 1 else None} for n in range(1, count + 1)]


# -- 1. 500/502/503 bursts on random pages ----------------------------------------------------

# The collections and how many pages of 4 they span on the fixture site (anonymous).
COLLECTIONS = {
    "/wp-json/wp/v2/posts": 3,
    "/wp-json/wp/v2/pages": 1,
    "/wp-json/wp/v2/media": 1,
    "/wp-json/wp/v2/receptek": 1,
    "/wp-json/wp/v2/comments": 2,
    "/wp-json/wp/v2/categories": 2,
    "/wp-json/wp/v2/tags": 2,
    "/wp-json/wp/v2/users": 1,
    "/wp-json/": 1,
    "/wp-json/wp/v2/types": 1,
}


def test_server_error_bursts_on_random_pages_are_retried_until_every_item_is_read(
    server, baseline, waits, tmp_path
):
    rng = random.Random(SEED)
    pages = [(route, q) for route, n in COLLECTIONS.items() for q in api_pages(n)]
    faults = [
        Fault("status", route, query, times=rng.randint(1, 3), status=rng.choice([500, 502, 503]))
        for route, query in rng.sample(pages, 6)
    ]
    server.reset(faults)
    run = archive(server, tmp_path)
    assert_every_item_once(run, expected(baseline))
    assert all(f.hits == f.times for f in faults), [(f.path, f.query, f.hits) for f in faults]
    assert len(waits) == sum(f.times or 0 for f in faults)
    note = retried(run)
    for status in {f.status for f in faults}:
        assert f"HTTP {status}" in note, (status, note)
    assert not run.summary.lost
    assert_valid(run.run_dir)


# -- 2. 429 with Retry-After -----------------------------------------------------------------


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_is_retried_after_the_wait_retry_after_asks_for(
    server, baseline, waits, form, tmp_path
):
    value = "3" if form == "seconds" else "in 3 s"
    faults = [
        Fault("status", POSTS, {"page": "2"}, times=2, status=429, headers={"Retry-After": value}),
        Fault("status", "/wp-json/wp/v2/tags", times=1, status=429, headers={"Retry-After": value}),
    ]
    server.reset(faults)
    run = archive(server, tmp_path)
    assert_every_item_once(run, expected(baseline))
    assert len(waits) == 3
    low = 3.0 if form == "seconds" else 1.5  # an HTTP-date has whole seconds
    assert all(low <= wait <= 3.5 for wait in waits), waits
    assert "HTTP 429" in retried(run)
    assert_valid(run.run_dir)


# -- 3. connection reset mid-body; 4. slower than the timeout -----------------------------------


def test_a_connection_reset_mid_body_is_retried(server, baseline, tmp_path):
    faults = [
        Fault("reset", POSTS, {"page": "2"}, times=2),
        Fault("reset", "/wp-json/wp/v2/comments", {"page": None}, times=1),
        Fault("reset", r"/wp-content/uploads/.*\.jpg", times=1),  # a media download too
    ]
    server.reset(faults)
    run = archive(server, tmp_path, media=True)
    assert_every_item_once(run, expected(baseline, media=True))
    assert all(f.hits == f.times for f in faults)
    assert "connection broken" in retried(run), run.warnings
    assert any(w.startswith("media: ") and "connection broken" in w for w in run.warnings)
    assert not any("not archived" in w for w in run.warnings), run.warnings
    assert_valid(run.run_dir)


@pytest.mark.parametrize("where", ["before headers", "mid-body"])
def test_answers_slower_than_the_timeout_are_retried(server, baseline, where, tmp_path):
    faults = [
        Fault("stall", POSTS, {"page": "3"}, detail=where),
        Fault("stall", "/wp-json/wp/v2/categories", {"page": "2"}, detail=where),
    ]
    server.reset(faults)
    run = archive(server, tmp_path, timeout=0.5)
    assert_every_item_once(run, expected(baseline))
    assert all(f.hits == 1 for f in faults)
    assert "timed out" in retried(run), run.warnings
    assert_valid(run.run_dir)


# -- 5. truncated JSON -----------------------------------------------------------------------


def test_truncated_json_is_read_again(server, baseline, tmp_path):
    faults = [
        Fault("truncate", "/wp-json/", times=1),  # the API index, during discovery
        Fault("truncate", "/wp-json/wp/v2/users", times=1),
        Fault("truncate", POSTS, {"page": "2", "_fields": None}, times=2),
    ]
    server.reset(faults)
    run = archive(server, tmp_path)
    assert_every_item_once(run, expected(baseline))
    assert all(f.hits == f.times for f in faults)
    assert "malformed JSON" in retried(run), run.warnings
    assert_valid(run.run_dir)


# -- a site that keeps failing: a clear stop ----------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault("status", POSTS, {"page": "2"}, times=None, status=503), ["HTTP 503"]),
        (Fault("truncate", POSTS, {"page": "2"}, times=None), ["malformed JSON"]),
        (Fault("reset", POSTS, {"page": "2"}, times=None), ["connection broken"]),
    ],
    ids=["503", "truncated", "reset"],
)
def test_a_site_that_keeps_failing_stops_with_a_clear_error(
    server, baseline, wordpress_site, fault, words, tmp_path
):
    server.reset([replace(fault)])
    result = cli(server, tmp_path, wordpress_site)
    error = assert_stopped(result, tmp_path, wordpress_site, "kept refusing", *words)
    assert "6 attempt(s)" in error and "--concurrency 1" in error


def test_an_error_the_site_words_with_brackets_is_printed_as_it_is(
    server, baseline, wordpress_site, tmp_path
):
    error = {"code": "rest_invalid_param", "message": "Invalid parameter(s): page [/] [b]"}
    json_type = {"Content-Type": "application/json; charset=UTF-8"}
    server.reset(
        [Fault("status", POSTS, {"page": "2"}, None, 400, json_type, detail=json.dumps(error))]
    )
    result = cli(server, tmp_path, wordpress_site)
    line = assert_stopped(result, tmp_path, wordpress_site, "HTTP 400 rest_invalid_param")
    assert "page [/] [b]" in line  # the site's words, not rich markup


# -- 6. an HTML challenge page instead of JSON --------------------------------------------------


CF = {"cf-mitigated": "challenge", "Server": "cloudflare"}


@pytest.mark.parametrize(
    ("fault", "started"),
    [
        (Fault("challenge", "/", status=403, headers=CF, times=None), False),
        (Fault("challenge", "/wp-json/", status=403, headers=CF, times=None), False),
        (Fault("challenge", POSTS, {"page": "2"}, status=403, headers=CF, times=None), True),
        (Fault("challenge", POSTS, {"page": "2"}, status=503, times=None), True),  # no header
    ],
    ids=["front page", "API index", "mid-run", "mid-run, 503 without the header"],
)
def test_a_cloudflare_challenge_stops_at_once_with_a_clear_error(
    server, baseline, wordpress_site, fault, started, tmp_path
):
    fault = replace(fault)
    server.reset([fault])
    result = cli(server, tmp_path, wordpress_site)
    error = assert_stopped(
        result, tmp_path, wordpress_site, "blocked", "Cloudflare challenge", started=started
    )
    assert "WXR" in result.output and fault.hits == 1  # a challenge is not retried
    assert "Just a moment" not in error  # named, not pasted


# -- 7. X-WP-TotalPages lying --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lie", "claim"),
    [("more", lambda pages: pages + 3), ("fewer", lambda pages: 1)],
    ids=["more", "fewer"],
)
def test_total_pages_that_lie_still_give_every_item_once(server, baseline, lie, claim, tmp_path):
    server.reset([Fault("pages", "/wp-json/wp/v2/.*", times=None, detail=claim)])
    run = archive(server, tmp_path)
    assert_every_item_once(run, expected(baseline))
    assert not run.summary.lost, run.warnings
    if lie == "fewer":
        assert any("X-WP-TotalPages" in w for w in run.warnings), run.warnings
    assert_valid(run.run_dir)


# -- 8. items shifting across page boundaries -----------------------------------------------------


@pytest.mark.parametrize("change", ["publish", "trash"])
def test_posts_shifting_across_pages_while_read_are_archived_once(
    server, baseline, change, tmp_path
):
    posts = sorted(int(i) for kind, i in baseline if kind == "post")
    not_posts = ("author", "comment", "media", "term")
    used = {int(i) for kind, i in baseline if not kind.startswith(not_posts)}
    new_id = min(set(range(1, posts[0])) - used)  # an old draft's id, below every post
    # published: everything after it moves one place on, across each page boundary;
    # trashed (the second post, on page 1): everything after it moves one place back
    server.shift_ids = (posts[0], new_id, posts[1])
    server.reset([Fault("shift", POSTS, {"page": "2", "_fields": None}, detail=change)])
    run = archive(server, tmp_path, concurrency=1)
    plus = (("post", str(new_id)),) if change == "publish" else ()
    assert_every_item_once(run, expected(baseline, plus=plus))
    assert run.summary.duplicates == (1 if change == "publish" else 0)
    missed = new_id if change == "publish" else posts[PER_PAGE]  # the one that moved back
    assert any("while the collection was read" in w and str(missed) in w for w in run.warnings)
    assert not run.summary.lost, run.warnings
    assert_valid(run.run_dir)


# -- 9. redirects to another host ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [("/wp-json/", {}), (POSTS, {"page": "2"})],
    ids=["API root", "mid-run, with credentials"],
)
def test_a_redirect_of_the_api_to_another_host_is_never_followed(
    server, baseline, wordpress_site, trap, path, query, tmp_path
):
    server.reset([Fault("redirect", path, query, times=None, detail=trap.base)])
    result = cli(server, tmp_path, wordpress_site)
    host = trap.base.split("//")[1]
    assert_stopped(result, tmp_path, wordpress_site, "another host", host, started=path == POSTS)
    assert trap.visits == []


def test_pages_and_media_redirected_to_another_host_are_reported_not_followed(
    server, baseline, trap, tmp_path
):
    faults = [
        Fault(
            "redirect", r"/\d{4}/\d\d/\d\d/ramsay-csoport-a-feladat-teljesitve/", detail=trap.base
        ),
        Fault("redirect", r"/wp-content/uploads/.*/grafikon\.png", detail=trap.base),
    ]
    server.reset(faults)
    run = archive(server, tmp_path, pages=True, media=True)
    assert trap.visits == [] and all(f.hits == 1 for f in faults)
    media = next(key for key in baseline if key[0] == "media" and key[1].endswith("grafikon.png"))
    assert_every_item_once(run, expected(baseline, media=True, minus=(media,)))
    for name in ("ramsay-csoport", "grafikon.png"):
        assert any(name in w and "another host" in w for w in run.warnings), run.warnings
    # The redirect itself is what the server answered there: archived, so verify passes.
    assert_valid(run.run_dir)


# -- 10. 401 in the middle of an authenticated run -------------------------------------------------


def test_credentials_revoked_mid_run_stop_it_with_a_clear_error(
    server, baseline, wordpress_site, tmp_path
):
    server.reset([Fault("revoke", POSTS, {"page": "2"})])
    result = cli(server, tmp_path, wordpress_site)
    assert_stopped(result, tmp_path, wordpress_site, "stopped accepting", wordpress_site.user)
    assert "Application Passwords" in result.output
    assert server.revoked


# -- 11. a media file that 404s or is over the size cap ------------------------------------------


def test_a_media_file_that_404s_is_a_warning_and_the_rest_is_archived(server, baseline, tmp_path):
    server.reset([Fault("missing", r"/wp-content/uploads/.*/phenjan-latkep-300x200\.jpg")])
    run = archive(server, tmp_path, media=True)
    gone = next(key for key in baseline if key[1].endswith("phenjan-latkep-300x200.jpg"))
    assert_every_item_once(run, expected(baseline, media=True, minus=(gone,)))
    assert any("phenjan-latkep-300x200.jpg" in w and "HTTP 404" in w for w in run.warnings)
    assert_valid(run.run_dir)


@pytest.mark.parametrize("declared", ["content-length", "chunked"])
def test_a_media_file_over_the_size_cap_is_not_downloaded_past_it(
    server, baseline, declared, tmp_path
):
    server.reset([Fault("huge", r"/wp-content/uploads/.*/grafikon\.png", detail=declared)])
    run = archive(server, tmp_path, media=True)
    big = next(key for key in baseline if key[1].endswith("grafikon.png"))
    assert_every_item_once(run, expected(baseline, media=True, minus=(big,)))
    assert any("grafikon.png" in w and f"{MEDIA_CAP:,}" in w for w in run.warnings), run.warnings
    # stopped at the cap (what the sockets' buffers hold may have been sent beyond it)
    assert server.huge_sent < 32 * 1024 * 1024, server.huge_sent
    assert not list(run.run_dir.rglob("grafikon.png*"))
    assert_valid(run.run_dir)


# -- 12. invalid UTF-8 and NUL bytes in JSON strings --------------------------------------------


def test_invalid_utf8_and_nul_in_json_strings_are_replaced_in_the_archive_and_kept_in_the_warc(
    server, baseline, tmp_path
):
    broken = [
        # raw bytes: not UTF-8, and a raw NUL; then an escaped NUL and a lone surrogate
        (b'"rendered":"Ramsay-csoport', b'"rendered":"Ramsay\xff\xfe-csoport\x00'),
        (b'"rendered":"Az orosz Putyin', b'"rendered":"Az orosz\\u0000 Putyin\\ud800'),
    ]
    fault = Fault("corrupt", POSTS, {"page": None, "_fields": None}, detail=broken)
    server.reset([fault])
    run = archive(server, tmp_path)
    assert fault.hits == 1
    assert_every_item_once(run, expected(baseline))
    titles = [r["title"] for r in wparchive.open_archive(run.run_dir) if r["type"] == "post"]
    assert any(t.startswith("Ramsay\ufffd\ufffd-csoport ") for t in titles), titles
    assert any(t.startswith("Az orosz  Putyin\ufffd ") for t in titles), titles
    text = (run.run_dir / "archive.jsonl").read_bytes()
    assert b"\\u0000" not in text and b"\\ud800" not in text
    for what in ("invalid UTF-8", "control characters", "lone surrogates"):
        assert any(what in w and "the WARC keeps the bytes" in w for w in run.warnings), what
    payloads = []
    for warc in sorted(run.run_dir.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response" and uri.startswith(server.url + POSTS + "?"):
                    payloads.append(record.content_stream().read())
    assert any(b"Ramsay\xff\xfe-csoport\x00" in p and b"\\ud800" in p for p in payloads)
    assert_valid(run.run_dir)
