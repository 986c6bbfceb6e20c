"""The one HTTP session (wparchive.http): manners, retries, redirects, captures, secrets."""

from __future__ import annotations

import base64
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from werkzeug import Request, Response

from wparchive import __version__
from wparchive.http import (
    USER_AGENT,
    Credentials,
    HttpClient,
    RedirectError,
    RefusedError,
    origin,
    retry_after,
    strip_userinfo,
)


class Sleeps(list):
    """A stand-in for time.sleep that remembers what it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(**kwargs) -> tuple[HttpClient, Sleeps, list]:
    sleeps, captured = Sleeps(), []
    http = HttpClient(sleep=sleeps, capture=captured.append, **kwargs)
    return http, sleeps, captured


def answers(*responses: Response):
    """A handler giving these responses in turn (the last one repeats)."""
    queue = list(responses)

    def handler(request: Request) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_user_agent_names_wparchive_its_version_and_project():
    assert f"wparchive/{__version__} (+https://github.com/wparchive/wparchive)" == USER_AGENT


def test_every_exchange_is_captured_with_the_headers_sent_and_received(httpserver):
    httpserver.expect_request("/a").respond_with_data(
        "hello", headers={"X-Thing": "1"}, content_type="text/plain"
    )
    http, _, captured = client()
    response = http.get(httpserver.url_for("/a"), kind="page")
    assert response.status == 200 and response.body == b"hello"
    (exchange,) = captured
    sent = dict(exchange.request_headers)
    assert sent["User-Agent"] == USER_AGENT
    assert sent["Host"] == f"localhost:{httpserver.port}"
    assert ("X-Thing", "1") in exchange.response_headers
    assert exchange.status == 200 and exchange.body == b"hello"
    assert http.stats["page"] == 1


def test_gzip_bodies_are_recorded_decoded_with_the_original_encoding_header(httpserver):
    import gzip

    httpserver.expect_request("/z").respond_with_data(
        gzip.compress(b"x" * 1000), headers={"Content-Encoding": "gzip"}
    )
    http, _, captured = client()
    assert http.get(httpserver.url_for("/z")).body == b"x" * 1000
    assert ("Content-Encoding", "gzip") in captured[0].response_headers


def test_server_errors_are_retried_with_growing_jittered_waits(httpserver):
    httpserver.expect_request("/flaky").respond_with_handler(
        answers(Response("no", 503), Response("no", 502), Response("no", 500), Response("ok"))
    )
    http, sleeps, captured = client(backoff=1.0)
    response = http.get(httpserver.url_for("/flaky"))
    assert response.status == 200
    assert [e.status for e in captured] == [503, 502, 500, 200]  # failed attempts recorded too
    assert 0.5 <= sleeps[0] <= 1 and 1 <= sleeps[1] <= 2 and 2 <= sleeps[2] <= 4


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_waits_as_long_as_retry_after_says(httpserver, form):
    later = datetime.now(UTC) + timedelta(seconds=7)
    value = "7" if form == "seconds" else format_datetime(later, usegmt=True)
    httpserver.expect_request("/busy").respond_with_handler(
        answers(Response("slow down", 429, headers={"Retry-After": value}), Response("ok"))
    )
    http, sleeps, _ = client()
    assert http.get(httpserver.url_for("/busy")).status == 200
    assert 5.5 <= sleeps[0] <= 7.2


@pytest.mark.parametrize(
    ("status", "headers", "pauses"),
    [
        (429, {"Retry-After": "1"}, True),
        (429, {}, True),
        (503, {"Retry-After": "1"}, True),
        (503, {}, False),
    ],
)
def test_a_site_asking_to_slow_down_pauses_every_request_not_only_the_one_told(
    httpserver, status, headers, pauses
):
    # Real time: while one thread waits out the answer, another is about to ask for
    # something else. Only a 503 without Retry-After (a server error) pauses no one.
    told = threading.Event()
    started: dict[str, float] = {}

    def busy(request: Request) -> Response:
        if "busy" in started:
            return Response("ok")
        started["busy"] = time.monotonic()
        told.set()
        return Response("slow down", status, headers=headers)

    def other(request: Request) -> Response:
        started["other"] = time.monotonic()
        return Response("ok")

    httpserver.expect_request("/busy").respond_with_handler(busy)
    httpserver.expect_request("/other").respond_with_handler(other)
    http = HttpClient(concurrency=2, backoff=1.0, capture=None)
    first = http.submit(http.get, httpserver.url_for("/busy"))
    assert told.wait(5)
    time.sleep(0.1)  # (the first thread is in its wait by now)
    assert http.get(httpserver.url_for("/other")).status == 200
    assert first.result().status == 200
    http.close()
    waited = started["other"] - started["busy"]
    assert (waited >= 0.5) is pauses, waited  # (backoff's first wait: 0.5-1 s, Retry-After 1 s)


def test_retry_after_parses_both_forms():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after("120") == 120
    assert retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60
    assert retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0
    assert retry_after("soon") is None and retry_after(None) is None


def test_a_site_that_keeps_refusing_is_a_clear_error(httpserver):
    httpserver.expect_request("/down").respond_with_data("down", status=503)
    http, sleeps, captured = client(retries=3)
    with pytest.raises(RefusedError) as error:
        http.get(httpserver.url_for("/down"))
    message = str(error.value)
    assert "kept refusing" in message and "503" in message and "4 attempt(s)" in message
    assert "--concurrency 1" in message
    assert len(captured) == 4 and len(sleeps) == 3


def test_a_retry_after_longer_than_wparchive_waits_ends_at_once(httpserver):
    httpserver.expect_request("/maint").respond_with_data(
        "maintenance", status=503, headers={"Retry-After": "3600"}
    )
    http, sleeps, _ = client(max_wait=300)
    with pytest.raises(RefusedError, match="asks to wait 3600 s"):
        http.get(httpserver.url_for("/maint"))
    assert sleeps == []


def test_connection_errors_are_retried_then_reported_without_internals():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    http, sleeps, _ = client(retries=2)
    with pytest.raises(RefusedError) as error:
        http.get(f"http://127.0.0.1:{port}/")
    assert "connection refused" in str(error.value)
    assert "HTTPConnectionPool" not in str(error.value)
    assert len(sleeps) == 2


def test_a_permanent_block_page_is_not_retried(httpserver):
    httpserver.expect_request("/").respond_with_data("Generated by Wordfence", status=503)
    http, sleeps, captured = client(permanent=lambda r: b"Wordfence" in r.body)
    assert http.get(httpserver.url_for("/")).status == 503
    assert sleeps == [] and len(captured) == 1


def test_credentials_go_to_their_origin_only_and_never_into_captures(httpserver):
    seen = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("Authorization"))
        return Response("ok")

    httpserver.expect_request("/api").respond_with_handler(handler)
    url = httpserver.url_for("/api")
    http, _, captured = client(credentials=Credentials("ann", "pa ss", origin(url)))
    http.get(url, auth=True)
    http.get(url)  # not asked to authenticate
    token = base64.b64encode(b"ann:pa ss").decode()
    assert seen == [f"Basic {token}", None]
    for exchange in captured:
        assert token not in repr(exchange) and "pa ss" not in repr(exchange)
    assert ("Authorization", "[redacted]") in captured[0].request_headers
    assert "pa ss" not in repr(http.credentials)
    other = Credentials("ann", "pa ss", "https://elsewhere.example:443")
    http.credentials = other
    with pytest.raises(RedirectError, match="not sending credentials"):
        http.get(url, auth=True)


def test_redirects_to_another_host_are_not_followed_for_the_api(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "http://127.0.0.1:1/new"}
    )
    http, _, captured = client()
    with pytest.raises(RedirectError, match="another host"):
        http.get(httpserver.url_for("/old"), follow="same-host")
    assert captured[0].status == 301  # the redirect itself is archived


def test_redirects_within_the_host_are_followed_and_recorded(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data("here")
    http, _, captured = client()
    response = http.get(httpserver.url_for("/old"))
    assert response.body == b"here" and response.redirects == [httpserver.url_for("/old")]
    assert [e.status for e in captured] == [302, 200]


def test_a_front_page_may_redirect_to_another_host_without_credentials(httpserver):
    httpserver.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"http://127.0.0.1:{httpserver.port}/home"}
    )
    httpserver.expect_request("/home").respond_with_data("home")
    http, _, _ = client()
    assert http.get(httpserver.url_for("/"), follow="any").body == b"home"  # localhost → 127.0.0.1


def test_concurrency_is_bounded(httpserver):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Response("ok")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    http = HttpClient(concurrency=2)
    futures = [http.submit(http.get, httpserver.url_for("/slow")) for _ in range(8)]
    assert all(f.result().status == 200 for f in futures)
    http.close()
    assert peak[0] <= 2


def test_rate_limit_spaces_requests(httpserver):
    httpserver.expect_request("/r").respond_with_data("ok")
    http, sleeps, _ = client(rate=10)
    for _ in range(4):
        http.get(httpserver.url_for("/r"))
    assert sum(sleeps) >= 0.25  # four starts at 10/s span at least 0.3 s, minus request time


def test_user_and_password_in_a_url_are_taken_out_of_it():
    assert strip_userinfo("https://ann:p%40ss@example.org:8443/blog/") == (
        "https://example.org:8443/blog/",
        "ann",
        "p@ss",
    )
    assert strip_userinfo("https://example.org/") == ("https://example.org/", None, None)
