"""Archiving a live site through the WordPress REST API.

The real WordPress test site (tests/wordpress) is archived once anonymously and once with
its application password; the tests read those two runs. Faults a real server can't show
(blocked REST, missing headers, shifting pages) come from a fake WordPress on
pytest-httpserver.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import math
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from werkzeug import Request, Response

import wparchive
import wparchive.pipeline as pipeline
from tests.replay import pywb
from tests.wordpress.site import FIXTURE_COUNTS
from wparchive.pipeline import ArchiveOptions, SourceError, run_archive
from wparchive.sources.rest import RestError, RestSource

BIN = Path(sys.executable).parent


# -- running an archive and keeping hold of its source ------------------------------------


@dataclass
class Run:
    summary: pipeline.Summary
    source: RestSource
    records: list[dict]
    log: list[str] = field(default_factory=list)

    @property
    def run_dir(self) -> Path:
        assert self.summary.run_dir is not None
        return self.summary.run_dir

    def of(self, kind: str) -> list[dict]:
        return [r for r in self.records if r["type"] == kind]

    def posts(self, post_type: str | None = None) -> dict[int, dict]:
        return {
            r["id"]: r for r in self.of("post") if post_type is None or r["post_type"] == post_type
        }


class _Logs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def archive_site(url: str, out: Path, **options: Any) -> Run:
    """`run_archive` as the CLI calls it, keeping the source (for its request counts)."""
    sources: list[RestSource] = []
    original = pipeline.open_source

    def spy(*args: Any, **kwargs: Any) -> Any:
        sources.append(original(*args, **kwargs))
        return sources[-1]

    logs = _Logs()
    logger = logging.getLogger("wparchive")
    level = logger.level
    logger.addHandler(logs)
    logger.setLevel(logging.DEBUG)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "open_source", spy)
        try:
            summary = run_archive(url, ArchiveOptions(out=out, **options))
        finally:
            logger.removeHandler(logs)
            logger.setLevel(level)
    records = list(wparchive.open_archive(summary.run_dir))
    return Run(summary, sources[0], records, logs.lines)


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pytest.MonkeyPatch]:
    """No credentials from the machine: an empty HOME (no ~/.netrc), no WPARCHIVE_* vars."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        for name in ("WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD", "NETRC"):
            mp.delenv(name, raising=False)
        yield mp


@pytest.fixture(scope="module")
def anonymous(wordpress_site, clean_env, tmp_path_factory) -> Run:
    return archive_site(wordpress_site.url + "/", tmp_path_factory.mktemp("anonymous"))


@pytest.fixture(scope="module")
def authenticated(wordpress_site, clean_env, tmp_path_factory) -> Run:
    clean_env.setenv("WPARCHIVE_USER", wordpress_site.user)
    clean_env.setenv("WPARCHIVE_APP_PASSWORD", wordpress_site.app_password)
    try:
        return archive_site(wordpress_site.url + "/", tmp_path_factory.mktemp("authenticated"))
    finally:
        clean_env.delenv("WPARCHIVE_USER")
        clean_env.delenv("WPARCHIVE_APP_PASSWORD")


@pytest.fixture(scope="module")
def from_export(wordpress_site, tmp_path_factory) -> Run:
    summary = wparchive.archive(wordpress_site.export_path, out=tmp_path_factory.mktemp("wxr"))
    return Run(summary, None, list(wparchive.open_archive(summary.run_dir)))  # type: ignore[arg-type]


def _status_counts(run: Run, post_type: str) -> dict[str, int]:
    return dict(Counter(p["status"] for p in run.posts(post_type).values()))


def _comment_counts(run: Run) -> dict[str, int]:
    names = {"pending": "hold"}
    return dict(
        Counter(
            f"{names.get(c['status'], c['status'])}/{c['comment_type']}" for c in run.of("comment")
        )
    )


# -- the real site ----------------------------------------------------------------------------


@pytest.mark.wordpress
def test_rest_anonymous_archives_every_published_item(anonymous, wordpress_site):
    ids = wordpress_site.fixture()["ids"]
    counts = FIXTURE_COUNTS
    assert _status_counts(anonymous, "post") == {"publish": counts["post"]["publish"]}
    for post_type in ("page", "recept", "attachment"):
        assert _status_counts(anonymous, post_type) == counts[post_type], post_type
    comments = {c["id"] for c in anonymous.of("comment")}
    assert len(comments) == counts["comments"]["approved/comment"]
    assert ids["comment_pending"] not in comments and ids["comment_pingback"] not in comments
    # users who published something; their public slug stands in for the login
    assert sorted(a["login"] for a in anonymous.of("author")) == [
        "kovacs-anna",
        "nagy-peter",
        "sala",
    ]
    terms = Counter(t["taxonomy"] for t in anonymous.of("term"))
    assert terms == counts["terms"]
    post = anonymous.posts()[ids["post_seed"]]
    assert post["author"] == "sala"
    assert {"taxonomy": "category", "slug": "eszak-korea", "name": "Észak-Korea"} in post["terms"]
    assert post["provenance"]["content"] == "rendered"
    assert "<!-- wp:" not in post["content"]["raw"]  # rendered HTML, blocks already run
    protected = anonymous.posts()[ids["post_protected"]]
    assert protected["content"]["raw"] == "" and protected["provenance"]["protected"]
    source = anonymous.summary.source
    assert source["kind"] == "rest" and source["discovery"] == "link-header"
    assert source["authenticated"] is False and source["user"] is None
    assert source["api_root"] == wordpress_site.url + "/wp-json/"
    assert any("drafts" in item for item in source["unavailable"])
    assert not anonymous.summary.lost, [str(w) for w in anonymous.summary.warnings]


@pytest.mark.wordpress
def test_rest_with_application_password_archives_drafts_private_scheduled_and_pending(
    authenticated, wordpress_site
):
    counts = FIXTURE_COUNTS
    for post_type in ("post", "page", "recept", "wp_block", "attachment"):
        assert _status_counts(authenticated, post_type) == counts[post_type], post_type
    assert _comment_counts(authenticated) == counts["comments"]
    assert len(authenticated.of("author")) == counts["users"]
    assert Counter(t["taxonomy"] for t in authenticated.of("term")) == counts["terms"]
    ids = wordpress_site.fixture()["ids"]
    post = authenticated.posts()[ids["post_seed"]]
    assert post["provenance"]["content"] == "raw"
    assert post["content"]["raw"].startswith("<!-- wp:paragraph -->")
    assert authenticated.posts()[ids["post_protected"]]["content"]["raw"]
    logins = {a["login"] for a in authenticated.of("author")}
    assert logins == {"sala", "kovacs.anna", "nagy.peter", "szabo.eva"}
    assert all("email" not in a for a in authenticated.of("author"))  # personal data left out
    header = authenticated.summary.source
    assert header["authenticated"] is True and header["user"] == wordpress_site.user
    assert json.dumps(header).count(wordpress_site.app_password) == 0
    assert not authenticated.summary.lost, [str(w) for w in authenticated.summary.warnings]


@pytest.mark.wordpress
def test_rest_records_come_in_wxr_order_authors_terms_then_each_post_with_its_comments(
    authenticated,
):
    records = authenticated.records
    kinds = [r["type"] for r in records]
    first_term, first_post = kinds.index("term"), kinds.index("post")
    first_media = kinds.index("media")  # the files, fetched once the posts are read
    assert set(kinds[:first_term]) == {"author"}
    assert set(kinds[first_term:first_post]) == {"term"}
    assert set(kinds[first_media:]) == {"media"}
    post_id = None
    for record in records[first_post:first_media]:
        if record["type"] == "post":
            post_id = record["id"]
        else:
            assert record["type"] == "comment" and record["post_id"] == post_id, record["id"]


def _all_bytes(run_dir: Path) -> Iterator[tuple[Path, bytes]]:
    """Every output file's bytes, and the decompressed bytes of gzip files (WARCs)."""
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield path, data
        if data[:2] == b"\x1f\x8b":
            yield path, gzip.decompress(data)


def _secrets(site) -> set[str]:
    """The application password as given and as sent (spaces or not, Basic token)."""
    password, user = site.app_password, site.user
    return {
        password,
        password.replace(" ", ""),
        base64.b64encode(f"{user}:{password}".encode()).decode(),
        base64.b64encode(f"{user}:{password.replace(' ', '')}".encode()).decode(),
    }


@pytest.mark.wordpress
def test_rest_credentials_and_personal_data_never_reach_any_output(authenticated, wordpress_site):
    secrets = _secrets(wordpress_site)
    # e-mails and IPs are not even asked for without --keep-personal-data
    personal = {"bela.kovacs@example.org", "kovacs.anna@example.org", "192.0.2.21"}
    files = list(_all_bytes(authenticated.run_dir))
    assert len(files) >= 3
    for path, data in files:
        for secret in secrets | personal:
            assert secret.encode() not in data, f"{secret!r} found in {path.name}"
    text = json.dumps(authenticated.summary.to_dict(), ensure_ascii=False)
    text += "\n".join(authenticated.log) + repr(authenticated.source.__dict__)
    for secret in secrets:
        assert secret not in text
    # no Authorization header in any request record (responses may name it in CORS headers)
    warc = gzip.decompress(next(authenticated.run_dir.glob("*.warc.gz")).read_bytes())
    assert b"\r\nAuthorization:" not in warc and b"[redacted]" not in warc
    assert b"wparchive/" in warc and b"(+https://github.com/wparchive/wparchive)" in warc


@pytest.mark.wordpress
def test_rest_needs_no_more_requests_than_the_collections_pages(authenticated, anonymous):
    for run in (anonymous, authenticated):
        stats = run.source.stats
        minimum = stats["minimum_api_requests"]
        # every collection read in ceil(total/100) pages (one, even when empty), plus the
        # requests that find the collections (index, types, taxonomies, users/me)
        pages = sum(  # the first pass's listings ("index ...") are the same pages
            max(1, math.ceil((c["total"] or 0) / 100))
            for name, c in stats["collections"].items()
            if not name.startswith("index ")
        )
        assert 0 <= minimum - pages <= 4
        assert stats["api_requests"] <= minimum * 1.02, stats
        published = [
            p
            for p in run.of("post")
            if p["status"] == "publish" and p["post_type"] in ("post", "page", "recept")
        ]
        assert stats["page_requests"] == len(published) + 1  # + the front page, at discovery


@pytest.mark.wordpress
def test_rest_warc_passes_warcio_check_and_replays_pages_and_api_in_pywb(
    authenticated, wordpress_site, tmp_path
):
    warcs = sorted(authenticated.run_dir.glob("*.warc.gz"))
    check = subprocess.run(
        [BIN / "warcio", "check", "-v", *map(str, warcs)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    links = wordpress_site.fixture()["links"]
    api = wordpress_site.rest("/wp/v2/posts")
    captured = [u for u in _target_uris(warcs) if u.startswith(api + "?") and "context=edit" in u]
    assert captured
    published = [
        p
        for p in authenticated.records
        if p["type"] == "post"
        and p["status"] == "publish"
        and p["post_type"] in ("post", "page", "recept")
    ]
    assert len(published) == 10 + 3 + 3
    with pywb(tmp_path / "pywb", *warcs) as coll:
        for post in published:  # every published post, page and recipe, as readers saw it
            for mode in ("id_", "mp_"):
                page = requests.get(f"{coll}/2030{mode}/{post['link']}", timeout=30)
                assert page.status_code == 200, (mode, post["link"])
                assert "text/html" in page.headers["Content-Type"]
                if post["title"] and "&" not in post["title"]:
                    assert post["title"] in page.text, (mode, post["link"])
        missing = requests.get(f"{coll}/2030mp_/{wordpress_site.url}/no-such-page/", timeout=30)
        assert missing.status_code == 404
        rewritten = requests.get(f"{coll}/2030mp_/{links['post_seed']}", timeout=30)
        assert rewritten.status_code == 200 and "Putyin" in rewritten.text
        response = requests.get(f"{coll}/2030id_/{captured[0]}", timeout=30)
        assert response.status_code == 200
        assert {p["id"] for p in response.json()} == {
            p["id"] for p in authenticated.posts("post").values()
        }


def _target_uris(warcs: list[Path]) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    uris = []
    for path in warcs:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    uris.append(record.rec_headers.get_header("WARC-Target-URI"))
    return uris


# What one source has and the other lacks (also in the README's REST section).
KNOWN_DIFFERENCES = """
- drafts and pending posts: REST computes date_gmt from the local date; WXR has none (null)
- reusable blocks (wp_block): REST gives no author, comment_status or ping_status
- meta: REST has only the keys registered for REST (xyz_smap, _wp_trash_meta_* are WXR's)
- private posts: REST's link is the pretty permalink, WXR's the ?p= form
- spam comments: only REST (WordPress leaves them out of exports)
- record order: REST writes posts in id order, WXR in the database's order
"""


@pytest.mark.wordpress
def test_rest_and_the_sites_own_wxr_export_hold_the_same_posts_and_comments(
    authenticated, from_export
):
    rest, wxr = authenticated.posts(), from_export.posts()
    assert set(rest) == set(wxr)
    fields = ("post_type", "slug", "title", "date", "modified", "modified_gmt", "status")
    for post_id, ours in rest.items():
        theirs = wxr[post_id]
        for name in fields:
            assert ours[name] == theirs[name], (post_id, name)
        if ours["status"] in ("draft", "pending"):
            assert theirs["date_gmt"] is None and ours["date_gmt"]  # a known difference
        else:
            assert ours["date_gmt"] == theirs["date_gmt"], post_id
        if ours["post_type"] != "wp_block":  # a known difference
            assert ours["author"] == theirs["author"], post_id
        assert _terms(ours) == _terms(theirs), post_id
        assert ours["content"]["raw"] == theirs["content"]["raw"], post_id
        assert ours["excerpt"]["raw"] == theirs["excerpt"]["raw"], post_id
        assert ours["parent"] == theirs["parent"], post_id
        assert ours.get("attachment_url") == theirs.get("attachment_url"), post_id

    def approved(run: Run) -> dict[int, tuple]:
        return {
            c["id"]: (c["post_id"], c["parent"], c["content"]["raw"], c["comment_type"])
            for c in run.of("comment")
            if c["status"] == "approved"
        }

    assert approved(authenticated) == approved(from_export)
    others = {
        c["id"]: c["status"] for c in authenticated.of("comment") if c["status"] != "approved"
    }
    assert {
        c["id"]: c["status"] for c in from_export.of("comment") if c["status"] != "approved"
    } == {i: s for i, s in others.items() if s != "spam"}

    def terms(run: Run) -> set[tuple]:
        return {(t["taxonomy"], t["slug"], t["name"], t["parent"]) for t in run.of("term")}

    assert terms(authenticated) == terms(from_export)
    assert {a["login"] for a in authenticated.of("author")} == {
        a["login"] for a in from_export.of("author")
    }


def _terms(post: dict) -> set[tuple[str, str, str]]:
    return {(t["taxonomy"], t["slug"], t["name"]) for t in post["terms"]}


@pytest.mark.wordpress
def test_rest_reads_the_site_through_rest_route_when_wp_json_is_unusable(
    wordpress_site, clean_env, tmp_path
):
    """Plain ?rest_route= URLs reach the same API (what the fallback relies on)."""
    source = RestSource(wordpress_site.url + "/", ArchiveOptions(pages=False))
    source.api_root = wordpress_site.url + "/?rest_route=/"
    response = source._api("/wp/v2/posts", {"per_page": 1, "_fields": "id"})
    assert response.status == 200 and response.header("X-WP-Total") == "10"
    source.finish()


@pytest.mark.wordpress
def test_rest_cli_archives_a_site_url_without_pages(wordpress_site, clean_env, tmp_path):
    from typer.testing import CliRunner

    from wparchive.cli import app

    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(
        app,
        [
            "archive",
            wordpress_site.url + "/",
            "--out",
            str(tmp_path),
            "--no-pages",
            "--concurrency",
            "2",
            "--rate",
            "50",
            "-q",
            "--summary-json",
            str(summary),
        ],
    )
    assert result.exit_code == 0, result.output
    facts = json.loads(summary.read_text())
    assert facts["source"]["kind"] == "rest" and facts["written"]["post"] == 10
    warc = gzip.decompress(next(Path(facts["run_dir"]).glob("*.warc.gz")).read_bytes())
    assert b"/2024/06/20/belso-hivatkozasok-probaja/ HTTP" not in warc  # no permalink pages


@pytest.mark.wordpress
def test_rest_reads_credentials_from_netrc(wordpress_site, clean_env, tmp_path):
    netrc = tmp_path / ".netrc"
    password = wordpress_site.app_password.replace(" ", "")  # WordPress ignores the spaces
    netrc.write_text(f"machine 127.0.0.1 login {wordpress_site.user} password {password}\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    try:
        source = RestSource(wordpress_site.url + "/", ArchiveOptions(pages=False))
        records = iter(source)
        next(records)  # the Site: discovery and the credentials check are done
        assert source.authenticated and source.user == wordpress_site.user
        records.close()
    finally:
        clean_env.delenv("NETRC")


@pytest.mark.wordpress
def test_rest_wrong_application_password_is_a_clear_error(wordpress_site, clean_env):
    options = ArchiveOptions(user=wordpress_site.user, password="abcd efgh ijkl mnop qrst uvwx")
    with pytest.raises(RestError) as error:
        next(iter(RestSource(wordpress_site.url + "/", options)))
    assert "abcd" not in str(error.value) and "abcd" not in error.value.hint
    assert wordpress_site.user in str(error.value)


# -- a fake WordPress for what a real one can't show ---------------------------------------------


@dataclass
class FakeWordPress:
    """Just enough of a WordPress REST API, with switches for the faults under test."""

    base: str
    posts: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    link_header: bool = True
    html_link: bool = False
    wp_json: bool = True  # False: /wp-json/ is blocked by the web server (404 HTML)
    totals: bool = True  # False: a proxy strips X-WP-Total and X-WP-TotalPages
    front: Callable[[Request], Response] | None = None  # replaces the front page
    index: Callable[[Request], Response] | None = None  # replaces the API index
    me: Callable[[Request], Response] | None = None  # replaces users/me
    on_page: Callable[[str, int], None] | None = None  # called before a page is served
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)

    @property
    def seen(self) -> list[str]:
        return [path for path, _ in self.log]

    def handle(self, request: Request) -> Response:
        self.log.append((request.full_path, request.headers.get("Authorization")))
        args = {k: v[-1] for k, v in parse_qs(request.query_string.decode(), True).items()}
        route = None
        if request.path.startswith("/wp-json"):
            if not self.wp_json:
                return Response("<html>Not Found</html>", 404, content_type="text/html")
            route = request.path[len("/wp-json") :] or "/"
        elif "rest_route" in args:
            route = args.pop("rest_route")
        if route is None:
            return self._front(request)
        if route == "/":
            if self.index is not None:
                return self.index(request)
            return self._json(
                {
                    "name": "Fake",
                    "url": self.base,
                    "home": self.base,
                    "description": "",
                    "namespaces": ["wp/v2"],
                }
            )
        if route == "/wp/v2/users/me":
            if self.me is not None:
                return self.me(request)
            return self._json({"id": 1, "username": "admin", "slug": "admin"})
        if route == "/wp/v2/types":
            return self._json({"post": {"slug": "post", "rest_base": "posts", "taxonomies": []}})
        if route == "/wp/v2/taxonomies":
            return self._json({})
        items = {"/wp/v2/posts": self.posts, "/wp/v2/comments": self.comments}.get(route, [])
        key = "post" if route == "/wp/v2/comments" else "id"
        return self._page(route, sorted(items, key=lambda i: i[key]), args, route == "/wp/v2/posts")

    def _front(self, request: Request) -> Response:
        if self.front is not None:
            return self.front(request)
        if request.path != "/":
            return Response(f"<html><body>{request.path}</body></html>", content_type="text/html")
        link = (
            f'<link rel="https://api.w.org/" href="{self.base}/wp-json/" />'
            if self.html_link
            else ""
        )
        response = Response(
            f'<!doctype html><html lang="en-GB"><head>{link}</head><body>Fake</body></html>',
            content_type="text/html; charset=UTF-8",
        )
        if self.link_header:
            response.headers["Link"] = f'<{self.base}/wp-json/>; rel="https://api.w.org/"'
        return response

    def _page(self, route: str, items: list[dict], args: dict, posts_like: bool) -> Response:
        per_page, page = int(args.get("per_page", 10)), int(args.get("page", 1))
        if self.on_page is not None:
            self.on_page(route, page)
            items = {"/wp/v2/posts": self.posts, "/wp/v2/comments": self.comments}.get(route, [])
            items = sorted(items, key=lambda i: i["post" if route.endswith("comments") else "id"])
        if "include" in args:
            wanted = {int(i) for i in args["include"].split(",")}
            items = [item for item in items if item["id"] in wanted]
        pages = max(1, math.ceil(len(items) / per_page)) if items else 0
        if page > max(pages, 1) and posts_like:
            return self._json(
                {"code": "rest_post_invalid_page_number", "message": "too far", "data": {}}, 400
            )
        response = self._json(items[(page - 1) * per_page : page * per_page])
        if self.totals:
            response.headers["X-WP-Total"] = str(len(items))
            response.headers["X-WP-TotalPages"] = str(pages)
        return response

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status, content_type="application/json; charset=UTF-8")


def fake_post(base: str, post_id: int) -> dict:
    return {
        "id": post_id,
        "date": "2024-01-01T10:00:00",
        "date_gmt": "2024-01-01T09:00:00",
        "slug": f"p{post_id}",
        "status": "publish",
        "type": "post",
        "link": f"{base}/p{post_id}/",
        "title": {"rendered": f"Post &#8220;{post_id}&#8221;"},
        "content": {"rendered": "<p>x</p>"},
        "excerpt": {"rendered": ""},
        "author": 0,
    }


@pytest.fixture
def fake(httpserver, clean_env) -> FakeWordPress:
    base = httpserver.url_for("/").rstrip("/")
    site = FakeWordPress(base=base)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    return site


def read(url: str, **options: Any) -> tuple[list[Any], list[Any], RestSource]:
    warnings: list[Any] = []
    source = RestSource(url, ArchiveOptions(**options), warn=warnings.append)
    records = list(source)
    return records, warnings, source


def test_rest_discovers_the_api_through_the_html_link_tag(fake):
    fake.link_header, fake.html_link = False, True
    fake.posts = [fake_post(fake.base, 1)]
    records, _, source = read(fake.base + "/", pages=False)
    assert source.describe()["discovery"] == "html-link"
    assert source.api_root == fake.base + "/wp-json/"
    assert records[0].language == "en-GB"
    assert records[1].title == "Post “1”"  # rendered titles are unescaped


def test_rest_falls_back_to_rest_route_when_wp_json_is_blocked(fake):
    fake.link_header = True
    fake.wp_json = False
    fake.posts = [fake_post(fake.base, i) for i in (3, 1, 2)]
    fake.comments = [
        {"id": 7, "post": 2, "content": {"rendered": "<p>hi</p>"}, "status": "approved"}
    ]
    records, warnings, source = read(fake.base + "/", pages=False)
    assert source.describe()["discovery"] == "rest_route"
    assert source.api_root == fake.base + "/?rest_route=/"
    kinds = [(type(r).__name__, getattr(r, "id", None)) for r in records]
    assert kinds == [("Site", None), ("Post", 1), ("Post", 2), ("Comment", 7), ("Post", 3)]
    assert any("rest_route=/wp/v2/posts" in path for path in fake.seen)
    assert not any(w.lost for w in warnings)


def test_rest_follows_each_post_with_its_comments_whatever_their_ids(fake):
    fake.posts = [fake_post(fake.base, i) for i in (1, 2, 3, 4)]
    # comment ids out of step with their posts', as on any site with a long history;
    # comment 99 belongs to a post the API does not list
    pairs = [(50, 1), (10, 3), (30, 2), (20, 1), (40, 3), (99, 0)]
    fake.comments = [
        {"id": c, "post": p, "content": {"rendered": "c"}, "status": "approved"} for c, p in pairs
    ]
    records, warnings, _ = read(fake.base + "/")
    order = [(type(r).__name__[0], r.id) for r in records[1:]]
    assert order == [
        ("C", 99),  # before the first post: it comes first in post order
        ("P", 1),
        ("C", 20),
        ("C", 50),
        ("P", 2),
        ("C", 30),
        ("P", 3),
        ("C", 10),
        ("C", 40),
        ("P", 4),
    ]
    assert any("posts the API did not list (post ids 0)" in w.message for w in warnings)


def test_rest_finds_no_api_on_a_site_without_one(fake):
    fake.link_header = False
    fake.wp_json = False
    fake.index = lambda request: Response("<html>home</html>", content_type="text/html")
    with pytest.raises(RestError, match="no WordPress REST API found") as error:
        read(fake.base + "/")
    assert "WXR" in error.value.hint


BLOCKS = {
    "rest_cannot_access": (
        401,
        {
            "code": "rest_cannot_access",
            "message": "Only authenticated users can access the REST API.",
        },
        {},
    ),
    "rest_login_required": (
        401,
        {"code": "rest_login_required", "message": "REST API restricted to authenticated users."},
        {},
    ),
    "itsec_rest_api_access_restricted": (
        403,
        {"code": "itsec_rest_api_access_restricted", "message": "You do not have access."},
        {},
    ),
    "Cloudflare": (
        403,
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
        {"cf-mitigated": "challenge", "Server": "cloudflare"},
    ),
    "Wordfence": (
        503,
        "<html><body><h1>Your access to this site has been limited by the site owner</h1>"
        "<p>Generated by Wordfence</p></body></html>",
        {},
    ),
}


# WordPress's own error codes come from the API; firewalls answer for the front page too.
BLOCK_CASES = [(name, "index") for name in sorted(BLOCKS)] + [
    ("Cloudflare", "front"),
    ("Wordfence", "front"),
]


@pytest.mark.parametrize(("name", "where"), BLOCK_CASES)
def test_rest_blocked_by_a_plugin_or_firewall_is_a_clear_error_suggesting_wxr(fake, name, where):
    status, body, headers = BLOCKS[name]

    def blocked(request: Request) -> Response:
        text = json.dumps(body) if isinstance(body, dict) else body
        kind = "application/json" if isinstance(body, dict) else "text/html"
        return Response(text, status, headers=headers, content_type=kind)

    setattr(fake, where, blocked)
    with pytest.raises(RestError) as error:
        read(fake.base + "/")
    assert name in str(error.value)
    assert "blocked" in str(error.value)
    assert "WXR" in error.value.hint
    assert len(fake.seen) <= 2  # a block page is not retried


def test_rest_blocked_error_exits_2_on_the_cli_with_the_hint(fake, tmp_path):
    from typer.testing import CliRunner

    from wparchive.cli import app

    status, body, headers = BLOCKS["rest_cannot_access"]
    fake.index = lambda request: Response(json.dumps(body), status, content_type="application/json")
    result = CliRunner().invoke(app, ["archive", fake.base + "/", "--out", str(tmp_path), "-q"])
    assert result.exit_code == 2
    assert "rest_cannot_access" in result.output and "Tools → Export" in result.output
    assert "Traceback" not in result.output


def test_rest_detects_credentials_the_server_silently_ignores(fake):
    fake.me = lambda request: FakeWordPress._json(
        {"code": "rest_not_logged_in", "message": "You are not currently logged in."}, 401
    )
    with pytest.raises(RestError) as error:
        read(fake.base + "/", user="admin", password="s3cr3t pass word")
    message = str(error.value) + error.value.hint
    assert "Authorization" in message and "CGIPassAuth" in message
    assert "s3cr3t" not in message
    sent = [auth for _, auth in fake.log if auth]
    assert sent and all(auth.startswith("Basic ") for auth in sent)
    # credentials went to the API only, never to the front page
    assert dict(fake.log)["/?"] is None


def test_rest_user_option_asks_for_the_password_without_echo(fake, tmp_path):
    from typer.testing import CliRunner

    from wparchive.cli import app

    fake.posts = [fake_post(fake.base, 1)]
    result = CliRunner().invoke(
        app,
        ["archive", fake.base + "/", "--user", "admin", "--out", str(tmp_path), "-q"],
        input="s3cret pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "Application password of admin on localhost" in result.output
    assert "s3cret" not in result.output
    token = base64.b64encode(b"admin:s3cret pass").decode()
    assert f"Basic {token}" in {auth for _, auth in fake.log}


def test_rest_sends_credentials_only_to_the_api(fake, tmp_path):
    fake.posts = [fake_post(fake.base, 1)]
    run = archive_site(fake.base + "/", tmp_path, user="admin", password="pw")
    assert run.source.authenticated and run.source.user == "admin"
    assert "/p1/?" in fake.seen  # the permalink page was captured, anonymously
    # discovery reads the index anonymously (credentials are bound to the API's origin,
    # known only then); from users/me on, every API request carries them, no page ever
    checked = [p for p, _ in fake.log].index("/wp-json/wp/v2/users/me?context=edit")
    for path, auth in fake.log[checked:]:
        assert (auth is not None) == path.startswith("/wp-json/"), path
    assert all(auth is None for path, auth in fake.log if not path.startswith("/wp-json/"))
    # with credentials: context=edit and every status
    posts = [p for p in fake.seen if p.startswith("/wp-json/wp/v2/posts")]
    assert "context=edit" in posts[0] and "status=any,trash" in posts[0]


def test_rest_reads_every_page_and_both_end_of_list_behaviours(fake):
    fake.posts = [fake_post(fake.base, i) for i in range(1, 251)]
    fake.comments = [
        {"id": 1000 + i, "post": i, "content": {"rendered": "c"}, "status": "approved"}
        for i in range(1, 201)
    ]
    records, warnings, source = read(fake.base + "/", pages=False, concurrency=3)
    posts = [r.id for r in records if type(r).__name__ == "Post"]
    comments = [r.id for r in records if type(r).__name__ == "Comment"]
    assert posts == list(range(1, 251)) and len(comments) == 200
    stats = source.stats
    assert stats["collections"]["post"] == {"total": 250, "requests": 3}
    assert stats["collections"]["comments"] == {"total": 200, "requests": 2}
    assert stats["api_requests"] == stats["minimum_api_requests"]
    assert not warnings or not any(w.lost for w in warnings)


def test_rest_reads_to_the_end_when_a_proxy_strips_the_total_headers(fake):
    fake.totals = False
    fake.posts = [fake_post(fake.base, i) for i in range(1, 201)]  # exactly two full pages
    fake.comments = [
        {"id": 1000 + i, "post": i, "content": {"rendered": "c"}, "status": "approved"}
        for i in range(1, 151)
    ]
    records, _, source = read(fake.base + "/", pages=False)
    assert [r.id for r in records if type(r).__name__ == "Post"] == list(range(1, 201))
    assert len([r for r in records if type(r).__name__ == "Comment"]) == 150
    collections = source.stats["collections"]
    assert collections["post"]["requests"] == 3  # the third answers 400: the end
    assert collections["comments"]["requests"] == 2  # a short page ends it


def test_rest_items_shifting_while_read_are_deduplicated_and_the_missed_ones_read_by_id(fake):
    fake.posts = [fake_post(fake.base, i) for i in range(10, 260)]

    def publish_an_old_draft(route: str, page: int) -> None:
        if route == "/wp/v2/posts" and page == 2 and not any(p["id"] == 5 for p in fake.posts):
            fake.posts.append(fake_post(fake.base, 5))  # everything after it shifts by one

    fake.on_page = publish_an_old_draft
    records, warnings, source = read(fake.base + "/", pages=False, concurrency=1)
    posts = [r.id for r in records if type(r).__name__ == "Post"]
    assert len(posts) == len(set(posts)) == 251  # the shifted one not written twice
    assert posts[-1] == 5  # missed by the pages, then read by id
    assert source.duplicates == 1
    assert not any(w.lost for w in warnings)
    assert any("read again by id: ids 5" in w.message for w in warnings)
    assert any("include=5" in path for path in fake.seen)


def test_rest_captures_every_exchange_in_the_warc(fake, tmp_path):
    fake.posts = [fake_post(fake.base, i) for i in (1, 2)]
    run = archive_site(fake.base + "/", tmp_path, concurrency=2)
    uris = _target_uris(sorted(run.run_dir.glob("*.warc.gz")))
    assert uris[0] == fake.base + "/"  # discovery, written once the WARC was open
    assert f"{fake.base}/p1/" in uris and f"{fake.base}/p2/" in uris
    assert any(u.startswith(fake.base + "/wp-json/wp/v2/posts?") for u in uris)
    assert len(uris) == len(fake.seen)
    assert run.records[0]["type"] == "post"  # no authors or terms on this site
    assert run.summary.site.language == "en-GB"


def test_rest_inspect_reads_a_site_without_capturing_pages(fake):
    fake.posts = [fake_post(fake.base, 1)]
    summary = pipeline.inspect_sources(fake.base + "/")
    assert summary.found["post"] == 1 and summary.source["kind"] == "rest"
    assert not any(path.startswith("/p1/") for path in fake.seen)


def test_rest_source_error_is_a_source_error():
    assert issubclass(RestError, SourceError)


@pytest.mark.wordpress
def test_rest_run_with_packages_passes_verify_and_lists_its_pages(
    wordpress_site, clean_env, tmp_path
):
    from wparchive.verify import verify_run

    summary = wparchive.archive(
        wordpress_site.url + "/", out=tmp_path, cdxj=True, wacz=True, bag=True
    )
    result = verify_run(summary.run_dir)
    assert result.ok, result.problems
    pages = [json.loads(line) for line in (summary.run_dir / "pages.jsonl").open()]
    links = wordpress_site.fixture()["links"]
    assert {links["post_seed"], links["page_kapcsolat"]} <= {p["url"] for p in pages}


@pytest.mark.wordpress
def test_rest_run_cleans_the_sites_plugin_artifacts_with_a_ledger(anonymous):
    """AddToAny and the Jetpack-style share block come through the_content into REST's
    rendered content: cleaned from content.html, kept in raw, each removal in the ledger."""
    posts = [p for p in anonymous.posts("post").values() if p["status"] == "publish"]
    with_residue = [p for p in posts if "addtoany_share_save_container" in p["content"]["raw"]]
    assert with_residue
    for post in with_residue:
        assert "addtoany_share_save_container" not in post["content"]["html"]
        families = {entry["family"] for entry in post["provenance"]["removed"]}
        assert "addtoany" in families


@pytest.mark.wordpress
def test_rest_captured_pages_get_cleaned_conversion_records_beside_the_original(
    anonymous, wordpress_site
):
    from warcio.archiveiterator import ArchiveIterator

    seed = wordpress_site.fixture()["links"]["post_seed"]
    original = cleaned = None
    for path in sorted(anonymous.run_dir.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and uri == seed:
                    original = record.content_stream().read().decode()
                    original_id = record.rec_headers.get_header("WARC-Record-ID")
                elif record.rec_type == "conversion" and uri == "urn:wparchive:cleaned:" + seed:
                    cleaned = record.content_stream().read().decode()
                    refers_to = record.rec_headers.get_header("WARC-Refers-To")
    assert original is not None and cleaned is not None
    assert refers_to == original_id
    for artifact in ("XYZScripts", "akismet_comment_form_privacy_notice", "addtoany"):
        assert artifact in original and artifact not in cleaned
    assert "Vlagyimir Putyin" in cleaned


@pytest.mark.wordpress
def test_rest_post_metadata_records_refer_to_the_page_captured_at_the_permalink(anonymous):
    """Each post's metadata record (rules fired, links rewritten) is linked to the capture
    it describes: the response at the post's permalink, captured while the post was read."""
    from warcio.archiveiterator import ArchiveIterator

    responses: dict[str, str] = {}
    refers_to: dict[str, str | None] = {}
    for path in sorted(anonymous.run_dir.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                headers = record.rec_headers
                uri = headers.get_header("WARC-Target-URI")
                if record.rec_type in ("response", "revisit"):
                    responses.setdefault(uri, headers.get_header("WARC-Record-ID"))
                elif record.rec_type == "metadata" and b"wparchive-post-id" in (
                    record.content_stream().read()
                ):
                    refers_to[uri] = headers.get_header("WARC-Refers-To")
                    assert headers.get_header("WARC-Concurrent-To") == refers_to[uri]
    pages = [json.loads(line)["url"] for line in (anonymous.run_dir / "pages.jsonl").open()]
    assert len(pages) >= 5
    for url in pages:
        assert refers_to[url] == responses[url], url


@pytest.mark.wordpress
@pytest.mark.parametrize("keep_personal_data", [False, True], ids=["default", "keep-personal"])
def test_no_secret_in_any_output_or_log_and_personal_data_only_when_kept(
    wordpress_site, tmp_path, keep_personal_data
):
    """Issue 9's secrets grep, through the CLI as a user runs it: every output file (WARCs
    decompressed), the summary JSON, and everything printed, at --debug."""
    password = wordpress_site.app_password
    user = wordpress_site.user
    secrets = _secrets(wordpress_site)
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "WPARCHIVE_USER": user,
        "WPARCHIVE_APP_PASSWORD": password,
    }
    summary = tmp_path / "summary.json"
    command = [BIN / "wparchive", "archive", wordpress_site.url + "/", "--out", tmp_path / "out"]
    command += ["--summary-json", summary, "--debug", "--jobs", "1"]
    if keep_personal_data:
        command.append("--keep-personal-data")
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    run_dir = next((tmp_path / "out").iterdir())
    outputs = [*_all_bytes(run_dir), (summary, summary.read_bytes())]
    outputs.append((Path("stdout+stderr"), (result.stdout + result.stderr).encode()))
    for path, data in outputs:
        for secret in secrets:
            assert secret.encode() not in data, f"the password or its token in {path.name}"
        assert b"\r\nCookie:" not in data and b"\r\nAuthorization:" not in data, path.name
    personal = {"bela.kovacs@example.org", "192.0.2.21"}
    archive = (run_dir / "archive.jsonl").read_text(encoding="utf-8")
    everything = b"".join(data for _, data in outputs)
    for value in personal:
        if keep_personal_data:
            assert value in archive
        else:
            assert value.encode() not in everything, f"{value} without --keep-personal-data"
