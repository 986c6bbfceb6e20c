"""The project's one HTTP session: politeness, retries, and a capture of every exchange.

Every request wparchive makes goes through `HttpClient.get`: one User-Agent, timeouts,
bounded concurrency and an optional rate limit, retries with exponential backoff and
jitter on connection errors and 5xx, ``Retry-After`` honoured on 429/503. Each request
and its response, as they crossed the wire (bodies decoded), become an `HttpExchange`
handed to the ``capture`` callback, failed attempts and redirects included.

Credentials are attached only to requests for their own origin, never follow a
redirect, and never leave this module: the captured request headers carry
``Authorization: [redacted]`` (the WARC writer then drops the header altogether), and no
message, log line or exception names them.
"""

from __future__ import annotations

import base64
import logging
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from . import __version__
from .sinks.warc import HttpExchange

PROJECT_URL = "https://github.com/wparchive/wparchive"
USER_AGENT = f"wparchive/{__version__} (+{PROJECT_URL})"

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONCURRENCY = 4
DEFAULT_RETRIES = 5
MAX_REDIRECTS = 10
# The longest single wait wparchive accepts (a Retry-After above it ends the run with a
# clear message rather than an hour of silence).
MAX_RETRY_WAIT = 300.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

log = logging.getLogger("wparchive.http")

Capture = Callable[[HttpExchange], None]


class HttpError(Exception):
    """A request that could not get a usable answer. The message names the URL, never
    credentials."""

    def __init__(self, message: str, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class RefusedError(HttpError):
    """The site kept refusing (5xx, 429, connection errors) after every retry."""


class RedirectError(HttpError):
    """A redirect wparchive will not follow (another host with credentials, a loop...)."""


class TooLargeError(HttpError):
    """A body longer than the client's ``max_body``: the download was stopped at the cap."""


@dataclass(frozen=True)
class Credentials:
    """An application password for HTTP Basic, bound to one origin. Its repr hides it."""

    user: str
    password: str = field(repr=False)
    origin: str = ""  # scheme://host:port the credentials may be sent to

    def header(self) -> str:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


@dataclass
class Response:
    """What the server sent for the last hop of a request (redirects already followed)."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    redirects: list[str] = field(default_factory=list)  # URLs left behind, in order

    def header(self, name: str) -> str | None:
        """The first header of this name (case-insensitive), or None."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def header_values(self, name: str) -> list[str]:
        lower = name.lower()
        return [v for k, v in self.headers if k.lower() == lower]

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def text(self, limit: int | None = None) -> str:
        return self.body[:limit].decode("utf-8", "replace")


def origin(url: str) -> str:
    """``scheme://host:port`` with the default port spelt out, for same-origin checks."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def strip_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """A URL without ``user:password@``, and the user and password it held."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = parts._replace(netloc=netloc).geturl()
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return clean, user, password


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retryable_status(status: int) -> bool:
    """Whether a response of this status is worth asking for again."""
    # 501 Not Implemented and 505 HTTP Version Not Supported will not change on retry.
    return status == 429 or (500 <= status < 600 and status not in (501, 505))


def _slow_down(response: Response) -> bool:
    """The site asks the client itself to slow down, not only this request to wait."""
    return response.status == 429 or (
        response.status == 503 and response.header("Retry-After") is not None
    )


class _RateLimit:
    """At most ``rate`` request starts per second, across threads."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self, sleep: Callable[[float], None]) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            sleep(slot - now)


class _Gate:
    """Shut while any thread waits out a site's "slow down" (a 429, or a 503 with
    Retry-After): no request starts then, so the whole client pauses, not only the
    request that was told to."""

    def __init__(self) -> None:
        self._shut = 0  # threads waiting one out
        self._changed = threading.Condition()

    @contextmanager
    def shut(self) -> Iterator[None]:
        with self._changed:
            self._shut += 1
        try:
            yield
        finally:
            with self._changed:
                self._shut -= 1
                self._changed.notify_all()

    def wait_open(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self._shut)


class HttpClient:
    """One `requests.Session` with wparchive's manners; thread-safe.

    ``capture`` receives every exchange (from worker threads too: it must be
    thread-safe). ``permanent`` may mark an error response as not worth retrying
    (a firewall's block page answers 503 but will not change); ``incomplete`` may name
    what is wrong with a 200's body (JSON cut short), to retry it like a 5xx.
    ``max_body`` caps every body: reading stops there, with `TooLargeError`.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        credentials: Credentials | None = None,
        capture: Capture | None = None,
        permanent: Callable[[Response], bool] | None = None,
        incomplete: Callable[[Response], str | None] | None = None,
        max_body: int | None = None,
        backoff: float = 1.0,
        max_wait: float = MAX_RETRY_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = USER_AGENT,
    ):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.timeout = timeout
        self.retries = retries
        self.concurrency = concurrency
        self.credentials = credentials
        self.capture = capture
        self.permanent = permanent
        self.incomplete = incomplete
        self.max_body = max_body
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.user_agent = user_agent
        self.stats: Counter[str] = Counter()  # requests made, by kind ("replayed <kind>" too)
        # A resumed run's answers from its interrupted run (`wparchive.resume.ReplayCache`)
        self.replay: Any = None
        self.retried: Counter[str] = Counter()  # attempts repeated, by what went wrong
        self._stats_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._rate = _RateLimit(rate)
        self._gate = _Gate()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.session = requests.Session()
        # trust_env off: requests would otherwise send ~/.netrc credentials to any host it
        # matches, behind our back. Proxies and CA bundles from the environment are
        # applied explicitly in `_send`.
        self.session.trust_env = False
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(concurrency, 4), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._verify: bool | str = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[tuple[str, str], dict[str, str]] = {}  # by (scheme, host:port)

    # -- concurrency ------------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` on the client's thread pool (``concurrency`` workers)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.concurrency, thread_name_prefix="wparchive-http"
                )
            return self._pool.submit(fn, *args, **kwargs)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -----------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        auth: bool = False,
        follow: str = "same-host",
        kind: str = "api",
        headers: Iterable[tuple[str, str]] = (),
    ) -> Response:
        """GET ``url``, following redirects as ``follow`` allows, retrying what is transient.

        ``follow``: ``"any"`` (any host; only without credentials), ``"same-host"``
        (same host, http→https allowed) or ``"none"``. ``auth`` sends the client's
        credentials — only to their own origin. ``kind`` labels the request in `stats`.
        Returns the final response whatever its status; raises `RefusedError` when
        retries run out and `RedirectError` for a redirect it must not follow.
        """
        if auth and self.credentials is None:
            auth = False
        if auth and follow == "any":
            follow = "same-host"  # credentials never follow a redirect to another host
        current = url
        left_behind: list[str] = []
        for _hop in range(MAX_REDIRECTS + 1):
            send_auth = auth and self.credentials is not None
            if send_auth and origin(current) != self.credentials.origin:  # type: ignore[union-attr]
                raise RedirectError(
                    f"{url}: not sending credentials to {origin(current)}, which is not the "
                    f"API's origin",
                    url,
                )
            response = self._attempts(current, send_auth, kind, list(headers))
            location = response.header("Location")
            if response.status not in REDIRECT_STATUSES or not location or follow == "none":
                response.redirects = left_behind
                return response
            target = urljoin(current, location.strip())
            self._check_redirect(url, current, target, follow, send_auth)
            left_behind.append(current)
            current = target
        raise RedirectError(f"{url}: more than {MAX_REDIRECTS} redirects", url)

    @staticmethod
    def _check_redirect(url: str, current: str, target: str, follow: str, auth: bool) -> None:
        here, there = urlsplit(current), urlsplit(target)
        if there.scheme not in ("http", "https"):
            raise RedirectError(f"{url}: redirects to a {there.scheme or 'relative'} URL", url)
        if follow == "any" and not auth:
            return
        same_host = (here.hostname or "").lower() == (there.hostname or "").lower()
        upgrade = here.scheme == there.scheme or (here.scheme, there.scheme) == ("http", "https")
        if not same_host or not upgrade:
            raise RedirectError(
                f"{url} redirects to another host or scheme ({there.scheme}://{there.netloc}), "
                f"which wparchive does not follow for the API or with credentials: "
                f"run again with that address",
                url,
            )

    def _attempts(
        self, url: str, auth: bool, kind: str, headers: list[tuple[str, str]]
    ) -> Response:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                response = self._send(url, auth, kind, headers)
                problem = None
                if response.status == 200 and self.incomplete is not None:
                    problem = self.incomplete(response)
                retryable = problem is not None or (
                    retryable_status(response.status)
                    and not (self.permanent is not None and self.permanent(response))
                )
            except requests.RequestException as exc:
                response = None
                problem = _describe_exception(exc)
                retryable = True
            if not retryable:
                assert response is not None
                return response
            if attempt >= self.retries:
                break
            wait = self._wait(attempt, response)
            if wait is None:
                break
            why = problem or f"HTTP {response.status}"  # type: ignore[union-attr]
            log.info("%s: %s; retrying in %.1f s", url, why, wait)
            with self._stats_lock:
                self.retried[why] += 1
            if response is not None and _slow_down(response):
                with self._gate.shut():
                    self.sleep(wait)
            else:
                self.sleep(wait)
            attempt += 1
        elapsed = time.monotonic() - started
        what = problem or f"HTTP {response.status} {response.reason}".strip()  # type: ignore[union-attr]
        asked = retry_after(response.header("Retry-After")) if response is not None else None
        if asked is not None and asked > self.max_wait:
            what += f" and asks to wait {asked:.0f} s (Retry-After), more than wparchive waits"
        raise RefusedError(
            f"{url}: the site kept refusing: {what} after {attempt + 1} attempt(s) over "
            f"{elapsed:.0f} s. Try again later, or slow down with --concurrency 1 --rate 1",
            url,
            response.status if response is not None else None,
        )

    def _wait(self, attempt: int, response: Response | None) -> float | None:
        """Seconds before the next attempt, or None when waiting is pointless."""
        if response is not None and response.status in (429, 503):
            asked = retry_after(response.header("Retry-After"))
            if asked is not None:
                if asked > self.max_wait:
                    return None
                return asked + random.uniform(0, 0.1 * self.backoff)
        # Exponential backoff with full jitter: 1, 2, 4, 8... seconds at most, spread out.
        ceiling = min(self.max_wait, self.backoff * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)

    def _body(self, url: str, raw: requests.Response) -> bytes:
        """The body, de-chunked and decompressed; with ``max_body``, never more than that
        is read (a huge file is refused by its Content-Length, or cut off at the cap)."""
        if self.max_body is None:
            return raw.content
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise TooLargeError(
                f"{url}: {int(declared):,} bytes (Content-Length), over the "
                f"{self.max_body:,}-byte cap; not downloaded",
                url,
                raw.status_code,
            )
        body = bytearray()
        for chunk in raw.iter_content(1 << 16):
            body += chunk
            if len(body) > self.max_body:
                raise TooLargeError(
                    f"{url}: more than the {self.max_body:,}-byte cap; download stopped there",
                    url,
                    raw.status_code,
                )
        return bytes(body)

    def _send(self, url: str, auth: bool, kind: str, extra: list[tuple[str, str]]) -> Response:
        if self.replay is not None and (replayed := self.replay.take(url)) is not None:
            return self._replayed(url, kind, *replayed)
        headers = dict(extra)
        if auth:
            assert self.credentials is not None
            headers["Authorization"] = self.credentials.header()
        proxies = self._environ_proxies(url)
        self._gate.wait_open()
        self._rate.wait(self.sleep)
        with self._slots:
            with self._stats_lock:
                self.stats[kind] += 1
            sent_at = datetime.now(UTC)
            raw = self.session.get(
                url,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,
                proxies=proxies,
                verify=self._verify,
            )
            try:
                body = self._body(url, raw)
                response_headers = list(raw.raw.headers.items())
                version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(raw.raw, "version", 11))
            finally:
                raw.close()
        response = Response(url, raw.status_code, raw.reason or "", response_headers, body)
        log.debug("GET %s -> %s (%d bytes)", url, response.status, len(body))
        if self.capture is not None:
            self.capture(
                HttpExchange(
                    url=url,
                    method="GET",
                    request_headers=_sent_headers(url, raw.request.headers),
                    status=response.status,
                    reason=response.reason,
                    response_headers=response_headers,
                    body=body,
                    http_version=version or "HTTP/1.1",
                    date=sent_at,
                )
            )
        return response

    def _environ_proxies(self, url: str) -> dict[str, str]:
        """The proxies the environment names for this URL's scheme and host (none where
        ``no_proxy`` matches). Looked up once per host: requests walks the whole
        environment twice for each lookup, a tenth of a page request's CPU."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        proxies = self._proxies.get(key)
        if proxies is None:
            proxies = self._proxies[key] = requests.utils.get_environ_proxies(url)
        return proxies

    def _replayed(self, url: str, kind: str, exchange: HttpExchange, recapture: bool) -> Response:
        """An answer the interrupted run this one resumes already received: from its
        WARC, not the site. One it received after its last checkpoint is captured again."""
        with self._stats_lock:
            self.stats[kind] += 1
            self.stats[f"replayed {kind}"] += 1
        if recapture and self.capture is not None:
            self.capture(exchange)
        return Response(
            url, exchange.status, exchange.reason, exchange.response_headers, exchange.body
        )


def _sent_headers(url: str, headers: Any) -> list[tuple[str, str]]:
    """The request headers as sent, Host first; credentials replaced by a marker."""
    out = [("Host", urlsplit(url).netloc)]
    for name, value in headers.items():
        if name.lower() in ("authorization", "proxy-authorization", "cookie"):
            value = "[redacted]"
        out.append((name, value))
    return out


def _describe_exception(exc: requests.RequestException) -> str:
    """A short reason for a failed request; requests' own messages repeat pool internals."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection broken mid-body"  # reset or closed before the body's end
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "a body that does not decompress"
    if isinstance(exc, requests.ConnectionError):
        reason = str(exc.args[0]) if exc.args else ""
        if "Read timed out" in reason:  # a stall mid-body: requests calls it a ConnectionError
            return "timed out"
        for known in ("Connection refused", "Name or service not known", "Connection reset"):
            if known in reason:
                return known.lower()
        return "connection failed"
    return type(exc).__name__
