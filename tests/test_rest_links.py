"""Links and media of REST runs, as of WXR runs (issue 7's proof), and media safety.

On the real test site (tests/wordpress), through its REST API (authenticated, media on: the
default) and through its own WXR export (``media=True``): no link is left pointing at the old
host but the reported unresolved ones; every image a post shows is in ``media/`` with the
server's bytes; the accented file name is stored safely; featured images resolve; the run
verifies. The REST source's first pass (``index_records``) is what makes this possible, at the
cost of one trimmed listing per collection, counted and captured.

Without WordPress: ``--media-hosts`` against a fake CDN (pytest-httpserver on 127.0.0.1, host
names mapped to it through the URL's host), and hostile upload paths that must never write
outside the run folder.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import posixpath
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import lxml.html
import pytest
import requests
from pytest_httpserver import HTTPServer
from requests.adapters import HTTPAdapter
from warcio.archiveiterator import ArchiveIterator
from werkzeug import Request, Response

import wparchive
import wparchive.pipeline as pipeline
from wparchive import names
from wparchive.http import HttpClient
from wparchive.links import (
    OFFSITE_DIR,
    LinkRewriter,
    SiteIndex,
    host_matches,
    parse_media_hosts,
)
from wparchive.model import Content, Post, Site
from wparchive.pipeline import ArchiveOptions, SourceError, run_archive
from wparchive.sinks.media import MediaFetcher, _Wanted
from wparchive.sources.rest import RestSource
from wparchive.verify import verify_run

BIN = Path(sys.executable).parent
NON_PUBLIC = ("draft", "pending", "private", "future", "trash")
# Where URLs live in content: the attributes an independent parser looks at.
URL_ATTRS = ("href", "src", "poster", "data-src", "data-lazy-src", "cite", "action")
SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")


# -- the two runs of the real site ------------------------------------------------------------


@dataclass
class Run:
    kind: str  # "rest" | "wxr"
    summary: pipeline.Summary
    records: list[dict]
    source: RestSource | None = None

    @property
    def run_dir(self) -> Path:
        assert self.summary.run_dir is not None
        return self.summary.run_dir

    def posts(self) -> dict[int, dict]:
        return {r["id"]: r for r in self.records if r["type"] == "post"}

    def published(self) -> list[dict]:
        """Every published post, page and recipe: what readers see."""
        return [
            r
            for r in self.posts().values()
            if r["status"] == "publish" and r["post_type"] in ("post", "page", "recept")
        ]

    def media(self) -> list[dict]:
        return [r for r in self.records if r["type"] == "media"]


@pytest.fixture(scope="module")
def rest_run(wordpress_site, tmp_path_factory) -> Run:
    """An authenticated REST run with the defaults (media on, pages captured)."""
    sources: list[Any] = []
    original = pipeline.open_source

    def spy(*args: Any, **kwargs: Any) -> Any:
        sources.append(original(*args, **kwargs))
        return sources[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))  # no ~/.netrc of the machine
        mp.delenv("NETRC", raising=False)
        mp.setenv("WPARCHIVE_USER", wordpress_site.user)
        mp.setenv("WPARCHIVE_APP_PASSWORD", wordpress_site.app_password)
        mp.setattr(pipeline, "open_source", spy)
        summary = run_archive(
            wordpress_site.url + "/", ArchiveOptions(out=tmp_path_factory.mktemp("rest"))
        )
    records = list(wparchive.open_archive(summary.run_dir))
    return Run("rest", summary, records, sources[0])


@pytest.fixture(scope="module")
def wxr_run(wordpress_site, tmp_path_factory) -> Run:
    summary = wparchive.archive(
        wordpress_site.export_path, out=tmp_path_factory.mktemp("wxr"), media=True
    )
    return Run("wxr", summary, list(wparchive.open_archive(summary.run_dir)))


@pytest.fixture(params=["rest", "wxr"])
def run(request) -> Run:
    return request.getfixturevalue(f"{request.param}_run")


# -- an independent look at content: lxml, not wparchive's scanner ---------------------------


def _urls(fragment: str) -> list[str]:
    """Every URL in an HTML fragment's URL attributes and srcsets, decoded (as a browser
    reads them), plus absolute URLs in any other attribute and in block-comment JSON."""
    if not fragment.strip():
        return []
    found: list[str] = []
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            value = value.strip()
            if name in URL_ATTRS:
                found.append(value)
            elif name in SRCSET_ATTRS:
                found += [c.strip().split()[0] for c in value.split(",") if c.strip()]
            elif re.match(r"(?:https?:)?//", value):
                found.append(value)
    for comment in re.findall(r"<!--(.*?)-->", fragment, re.S):
        found += [
            json.loads(f'"{s}"') for s in re.findall(r'"((?:https?:)?\\?/\\?/[^"]+)"', comment)
        ]
    return [u for u in found if u]


def _old_host_spellings(site_url: str) -> list[str]:
    """The old host as content may spell it: plain, percent-encoded, JSON-escaped."""
    host = urlsplit(site_url).hostname or ""
    return [host, host.replace(".", "%2E"), host.replace(".", "%2e")]


ARCHIVE_DIRS = {"posts", "pages", "types", "media", "category", "tag", "terms", "author"}


def _location_depth(post: dict, posts: dict[int, dict]) -> int:
    """How many folders down a post's archive page is (posts/<slug>/: 2, pages/<a>/<b>/: 3,
    types/<type>/<slug>/: 3) — the README's layout, read independently of links.py."""
    if post["post_type"] == "post":
        return 2
    if post["post_type"] == "page":
        depth, parent, seen = 2, post["parent"], {post["id"]}
        while parent and parent in posts and parent not in seen and len(seen) < 8:
            if posts[parent]["post_type"] != "page":
                break
            seen.add(parent)
            depth += 1
            parent = posts[parent]["parent"]
        return depth
    return 3


def _location(post: dict, posts: dict[int, dict]) -> str:
    """The folder of a post's archive page, its own names left out (posts/_, pages/_/_,
    types/recept/_): enough to see where a relative link lands."""
    depth = _location_depth(post, posts)
    if post["post_type"] == "post":
        return "posts/_"
    if post["post_type"] == "page":
        return "pages/" + "/".join(["_"] * (depth - 1))
    return f"types/{post['post_type']}/_"


def _server_file(site, url: str) -> Path:
    path = unquote(urlsplit(url).path).split("/wp-content/uploads/", 1)[1]
    return site.state_dir / "wp-content" / "uploads" / path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_date_archive(url: str) -> bool:
    path = urlsplit(url).path.strip("/")
    return bool(path) and all(s.isdigit() for s in path.split("/")) and len(path) >= 4


# -- the first pass of REST runs ----------------------------------------------------------------


@pytest.mark.wordpress
def test_rest_first_pass_reads_each_linkable_collection_once_for_both_passes(
    rest_run, wordpress_site
):
    stats = rest_run.source.stats
    index = {k[6:]: v for k, v in stats["collections"].items() if k.startswith("index ")}
    main = {k: v for k, v in stats["collections"].items() if not k.startswith("index ")}
    # users, the taxonomies with archives, the post types with pages, and reusable blocks;
    # not comments, menus, menu items, templates or navigation
    assert set(index) == {
        "users",
        "terms category",
        "terms post_tag",
        "terms konyha",
        "post",
        "page",
        "attachment",
        "wp_block",
        "recept",
    }
    for name, listing in index.items():
        assert listing["total"] == main[name]["total"], name  # same auth, context, statuses
        assert listing["requests"] == max(1, math.ceil(listing["total"] / 100)), name
    assert stats["index_api_requests"] == sum(v["requests"] for v in index.values()) == 9
    # the main read took those 9 pages from the first pass: nothing is requested twice
    assert stats["api_requests"] == stats["minimum_api_requests"] == 21


@pytest.mark.wordpress
def test_rest_listing_pages_are_captured_once_with_everything_the_first_pass_saw(rest_run):
    responses: Counter[str] = Counter()
    posts = []
    for warc in sorted(rest_run.run_dir.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type in ("response", "revisit") and "/wp-json/" in uri:
                    responses[uri] += 1
                    if "/wp/v2/posts?" in uri and record.rec_type == "response":
                        posts.append((uri, json.loads(record.content_stream().read())))
    assert responses and max(responses.values()) == 1, responses.most_common(3)
    [(uri, items)] = posts  # one page of posts, read by the first pass, used by both
    assert "context=edit" in uri and "status=any,trash" in unquote(uri)
    assert {i["status"] for i in items} >= set(NON_PUBLIC)
    assert all("content" in item for item in items)


# -- issue 7's proof, through REST and through WXR ------------------------------------------------


@pytest.mark.wordpress
def test_no_link_to_the_old_host_is_left_but_the_reported_unresolved_ones(run, wordpress_site):
    spellings = _old_host_spellings(wordpress_site.url)
    posts = run.posts()
    checked = 0
    for post in run.published():
        here = _location(post, posts)
        content = post["content"]["html"]
        unresolved = post["provenance"].get("links", {}).get("unresolved", [])
        for url in _urls(content):
            checked += 1
            if url in unresolved:
                continue
            parts = urlsplit(url)
            if parts.scheme in ("mailto", "tel", "data") or url.startswith("#"):
                continue
            if parts.netloc or url.startswith("//"):
                # absolute: only ever another host (the deliberately off-site links)
                assert not any(s in parts.netloc.lower() for s in spellings), (post["id"], url)
                continue
            # relative: a path into the archive, never root- or query-relative (?p=12)
            assert not url.startswith(("/", "?")), (post["id"], url)
            target = posixpath.normpath(posixpath.join(here, url.split("#")[0]))
            assert target == "index.html" or target.split("/")[0] in ARCHIVE_DIRS, (url, target)
        # and nowhere else in the text, however spelt (entities, %-encoding, JSON escapes)
        text = unquote(html.unescape(content)).replace("\\/", "/")
        for url in unresolved:
            text = text.replace(url, "")
        for spelling in spellings:
            assert spelling.lower() not in text.lower(), (post["id"], spelling)
    assert checked > 30


@pytest.mark.wordpress
def test_unresolved_links_are_exactly_those_a_visitor_cannot_follow_into_the_archive(
    run, wordpress_site
):
    """Unresolved = same-site links of published content that 404 for an anonymous visitor
    (drafts, pending, private, scheduled and trashed posts, stale links) or that no archive
    holds (date archives): asked of the live site itself, not of wparchive."""
    host = urlsplit(wordpress_site.url).netloc
    expected, reported = set(), set()
    with requests.Session() as http:
        http.trust_env = False  # straight to 127.0.0.1, whatever proxy the machine names
        for post in run.published():
            reported |= set(post["provenance"].get("links", {}).get("unresolved", []))
            for url in _urls(post["content"]["raw"]):
                absolute = urljoin(post["link"], url)
                if urlsplit(absolute).netloc != host:
                    continue
                if _is_date_archive(absolute):
                    expected.add(url)
                    continue
                if "/wp-content/uploads/" in absolute:
                    continue  # files: the media tests below
                if http.get(absolute, timeout=30).status_code == 404:
                    expected.add(url)
    assert reported == expected
    assert any(_is_date_archive(u) for u in reported)


@pytest.mark.wordpress
def test_links_to_non_public_posts_are_reported_unresolved(wordpress_site):
    """The published fixture links to no draft; so link to every non-public post (by its
    ?p=, by the link the API gives, by slug) from a post rewritten against the REST index."""
    source = RestSource(
        wordpress_site.url + "/",
        ArchiveOptions(user=wordpress_site.user, password=wordpress_site.app_password),
    )
    try:
        index = SiteIndex.from_records(source.index_records())
    finally:
        source.finish()
    ids = wordpress_site.fixture()["ids"]
    hidden = [ids[f"post_{s}"] for s in NON_PUBLIC]
    home = wordpress_site.url
    urls = [f"{home}/?p={i}" for i in hidden] + [index.post(i).link for i in hidden]
    urls += [f"{home}/{index.post(i).slug}/" for i in hidden if index.post(i).slug]
    urls += [f"{home}/?p={ids['post_seed']}", f"{home}/?page_id={ids['page_kapcsolat']}"]
    html_text = "".join(f'<a href="{u}">x</a>' for u in urls)
    post = Post(
        id=ids["post_links"],
        slug="belso-hivatkozasok-probaja",
        link=index.post(ids["post_links"]).link,
        content=Content(html_text, html_text),
    )
    report = LinkRewriter(index).rewrite_post(post)
    assert sorted(report.unresolved) == sorted(set(urls[:-2]))
    assert set(report.rewritten) == set(urls[-2:])
    assert {index.post(i).status for i in hidden} == set(NON_PUBLIC)


@pytest.mark.wordpress
def test_every_image_a_post_shows_is_in_media_with_the_servers_bytes(run, wordpress_site):
    posts = run.posts()
    run_dir = run.run_dir.resolve()
    seen = 0
    for post in run.published():
        links = post["provenance"].get("links", {}).get("rewritten", {})
        # as spelt in content.html: cleaning's serialiser %-encodes non-ASCII in src/href
        rewritten = {unquote(k): v for k, v in links.items()}
        tree = lxml.html.fragment_fromstring(post["content"]["raw"] or "<p/>", "div")
        images = [img.get("src") for img in tree.iter("img")]
        for img in tree.iter("img"):
            images += [c.strip().split()[0] for c in (img.get("srcset") or "").split(",") if c]
        images += [
            a.get("href") for a in tree.iter("a") if "/wp-content/uploads/" in a.get("href", "")
        ]
        depth = _location_depth(post, posts)
        for url in filter(None, images):
            new = rewritten.get(unquote(url))
            assert new, (post["id"], url)  # every image link was pointed home
            ups = len(re.match(r"(?:\.\./)*", new).group()) // 3
            assert ups == depth and new[3 * ups :].startswith("media/"), (post["id"], new)
            local = (run_dir.joinpath(*["d"] * depth) / new).resolve()  # from that deep
            assert run_dir / "media" in local.parents and local.is_file(), (url, new)
            server = _server_file(wordpress_site, urljoin(post["link"], url))
            assert _sha256(local) == _sha256(server), url
            seen += 1
    assert seen >= 10
    for item in run.media():  # and every file brought home is the server's
        stored = run.run_dir / item["path"]
        assert (
            item["sha256"] == _sha256(stored) == _sha256(_server_file(wordpress_site, item["url"]))
        )


@pytest.mark.wordpress
def test_the_accented_file_name_is_stored_safely(run, wordpress_site):
    url = wordpress_site.fixture()["links"]["img_arvizturo"]
    name = "árvíztűrő-tükörfúrógép.jpg"
    assert unquote(url).endswith(name)
    found = {m["path"] for m in run.media() if unquote(m["url"]).endswith(name)}
    assert len(found) == 1  # its two spellings (raw UTF-8, %-encoded) share one file
    path = found.pop()
    assert path.isascii() and path.startswith("media/2024/05/arvizturo-tukorfurogep-")
    assert ".." not in path.split("/") and all(not names.is_reserved(p) for p in path.split("/"))
    assert _sha256(run.run_dir / path) == _sha256(_server_file(wordpress_site, url))
    images = run.posts()[wordpress_site.fixture()["ids"]["post_images"]]
    assert "../../" + path in images["content"]["html"]


@pytest.mark.wordpress
def test_featured_images_resolve_to_files_on_disk(run, wordpress_site):
    ids = wordpress_site.fixture()["ids"]
    expected = {ids["post_seed"]: ids["img_phenjan"], ids["post_images"]: ids["img_arvizturo"]}
    featured = {
        p["id"]: p["provenance"]["featured_image"]
        for p in run.published()
        if "featured_image" in p["provenance"]
    }
    assert {i: f["id"] for i, f in featured.items()} == expected
    by_attachment = {m["post_id"]: m["path"] for m in run.media() if m["post_id"]}
    for image in featured.values():
        assert (run.run_dir / image["target"]).is_file()
        assert image["target"] == by_attachment[image["id"]]


@pytest.mark.wordpress
def test_the_run_verifies(run):
    result = verify_run(run.run_dir)
    assert result.ok, result.problems
    assert not run.summary.lost
    assert run.summary.written["media"] == len(run.media()) >= 7
    # one record per file, however many spellings of its URL (raw and percent-encoded) link to it
    assert len({m["path"] for m in run.media()}) == len(run.media())


@pytest.mark.wordpress
def test_rest_and_wxr_runs_rewrite_links_alike(rest_run, wxr_run):
    def links(run: Run) -> dict[int, tuple]:
        return {
            p["id"]: (
                p["content"]["html"],
                p["provenance"].get("links", {}),
                p["provenance"].get("featured_image"),
            )
            for p in run.published()
        }

    assert links(rest_run) == links(wxr_run)
    assert rest_run.summary.unresolved == wxr_run.summary.unresolved
    assert {m["path"]: m["sha256"] for m in rest_run.media()} == {
        m["path"]: m["sha256"] for m in wxr_run.media()
    }


# -- the first pass on a fake WordPress (no real site needed) ---------------------------------


@pytest.mark.parametrize("warc", [True, False], ids=["warc", "no-warc"])
def test_rest_first_pass_on_a_fake_site_rewrites_links_and_is_counted(
    server, tmp_path, monkeypatch, warc
):
    from tests.test_rest import FakeWordPress, fake_post

    monkeypatch.setenv("HOME", str(tmp_path))  # no credentials from the machine
    for name in ("WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    base = f"http://127.0.0.1:{server.port}"
    fake = FakeWordPress(base=base, posts=[fake_post(base, i) for i in range(1, 151)])
    fake.posts[1]["content"] = {
        "rendered": f'<p><a href="{base}/p150/">later</a> <a href="{base}/?p=999">gone</a></p>'
    }
    server.clear()
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    sources: list[Any] = []
    original = pipeline.open_source

    def spy(*args: Any, **kwargs: Any) -> Any:
        sources.append(original(*args, **kwargs))
        return sources[-1]

    monkeypatch.setattr(pipeline, "open_source", spy)
    summary = run_archive(
        base + "/", ArchiveOptions(out=tmp_path / "out", warc=warc, pages=False, media=False)
    )
    server.clear()
    post = next(r for r in wparchive.open_archive(summary.run_dir) if r.get("id") == 2)
    assert post["content"]["html"] == (
        f'<p><a href="../p150/index.html">later</a> <a href="{base}/?p=999">gone</a></p>'
    )  # a post the main read meets only later: known from the first pass
    assert post["provenance"]["links"]["unresolved"] == [f"{base}/?p=999"]
    stats = sources[0].stats
    assert stats["collections"]["index post"] == {"total": 150, "requests": 2}
    assert stats["collections"]["index users"]["requests"] == 1
    assert stats["index_api_requests"] == 3
    api = [p for p in fake.seen if p.startswith("/wp-json/")]  # all but the front page
    assert stats["api_requests"] == stats["minimum_api_requests"] == len(api)
    assert max(Counter(api).values()) == 1  # the main read took the first pass's pages
    if warc:  # every exchange captured, the first pass's too
        uris = []
        for path in summary.warc_files:
            with path.open("rb") as fh:
                uris += [
                    r.rec_headers.get_header("WARC-Target-URI")
                    for r in ArchiveIterator(fh)
                    if r.rec_type in ("response", "revisit")  # same bytes: a revisit
                ]
        assert len(uris) == len(fake.seen)
    else:
        assert not sources[0]._queue  # nothing held back for a WARC that isn't there


def test_dot_segments_are_applied_as_a_browser_applies_them():
    site = "https://blog.example"
    photo = Post(id=5, post_type="attachment", status="inherit", slug="photo")
    photo.attachment_url = f"{site}/wp-content/uploads/2024/06/photo.jpg"
    photo.meta = {"_wp_attached_file": ["2024/06/photo.jpg"]}
    index = SiteIndex.from_records([Site(url=site, base_site_url=site, base_blog_url=site), photo])
    for spelling in ("2024/../2024/06/./photo.jpg", "2024/06/%2E%2e/06/photo.jpg"):
        url = f"{site}/wp-content/uploads/{spelling}"
        assert index.media_path_for(url) == "media/2024/06/photo.jpg", spelling
        assert index.resolve(url).target.id == 5
    # climbing out of uploads is not an upload any more (and never above the root)
    assert index.media_path_for(f"{site}/wp-content/uploads/../../../etc/passwd") is None


# -- --media-hosts: off-site files, only when named ---------------------------------------


def test_media_hosts_are_parsed_and_matched():
    assert parse_media_hosts(["i0.wp.com, *.files.wordpress.com", "https://CDN.Example.net/x"]) == (
        "i0.wp.com",
        "*.files.wordpress.com",
        "cdn.example.net",
    )
    assert parse_media_hosts("képek.example") == ("xn--kpek-bpa.example",)
    for bad in ("*", "*.", "http://", "a..b", "-bad.example", "*.*.example", "ex$ample.com"):
        with pytest.raises(ValueError, match="--media-hosts"):
            parse_media_hosts([bad])
    patterns = parse_media_hosts(["i0.wp.com", "*.files.wordpress.com"])
    assert host_matches("sala.files.wordpress.com", patterns)
    assert host_matches("a.b.files.wordpress.com", patterns)
    assert not host_matches("files.wordpress.com", patterns)  # below it, not itself
    assert not host_matches("evilfiles.wordpress.com", patterns)
    assert not host_matches("i1.wp.com", patterns)
    with pytest.raises(SourceError):
        run_archive("no-such.xml", ArchiveOptions(media_hosts=("*",)))


def test_offsite_files_are_pointed_at_media_hosts_copies_only_when_named():
    site = "https://blog.example"
    records = [Site(url=site, base_site_url=site, base_blog_url=site)]
    index = SiteIndex.from_records([*records, Post(id=1, slug="p", link=f"{site}/p/")])
    cdn = "https://cdn.example.net/img/pic.jpg?w=640"
    assert index.offsite_media(cdn) is None and index.media_path_for(cdn) is None
    index.allow_media_hosts(["cdn.example.net", "i0.wp.com", "*.files.wordpress.com"])
    found = index.offsite_media(cdn)
    assert found.url == "https://cdn.example.net/img/pic.jpg"  # the original, once
    assert found.path == f"{OFFSITE_DIR}/cdn.example.net/img/pic.jpg"
    assert index.media_path_for(cdn) == found.path
    assert index.offsite_media("https://cdn.example.net/about.html") is None  # a page
    assert index.offsite_media("https://cdn.example.net/img/") is None
    assert index.offsite_media("https://other.example/pic.jpg") is None
    # no extension: the query tells files apart
    a, b = (index.offsite_media(f"https://cdn.example.net/get?id={i}") for i in (1, 2))
    assert a.url.endswith("?id=1") and a.path != b.path
    photon = index.offsite_media("https://i0.wp.com/other.org/wp-content/uploads/a.jpg?resize=3,2")
    assert photon.path == f"{OFFSITE_DIR}/i0.wp.com/other.org/wp-content/uploads/a.jpg"
    # the site's own uploads through Jetpack's CDN stay the site's
    own = "https://i0.wp.com/blog.example/wp-content/uploads/2024/01/x.jpg"
    assert index.offsite_media(own) is None
    assert index.media_path_for(own) == "media/2024/01/x.jpg"
    html_text = f'<img src="{cdn}" srcset="{cdn} 640w, https://x.files.wordpress.com/p.png 2x">'
    post = Post(id=1, slug="p", link=f"{site}/p/", content=Content(html_text, html_text))
    LinkRewriter(index, "relative")(post)
    assert post.content.html == (
        '<img src="../../media/_hosts/cdn.example.net/img/pic.jpg" '
        'srcset="../../media/_hosts/cdn.example.net/img/pic.jpg 640w, '
        '../../media/_hosts/x.files.wordpress.com/p.png 2x">'
    )
    for mode, local in (("base=https://new.example", True), ("none", True), ("relative", False)):
        post.content.html = html_text
        LinkRewriter(index, mode, local_media=local)(post)
        assert post.content.html == html_text, mode  # only an archive with its media moves them


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """A pytest-httpserver of our own, on 127.0.0.1 only: the site and its fake CDN."""
    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.start()
    yield httpserver
    httpserver.clear()
    if httpserver.is_running():
        httpserver.stop()


@pytest.fixture
def files(server) -> Iterator[list[Request]]:
    """Every path answers 200 with bytes of its own (a few a JPEG's magic); the log."""
    seen: list[Request] = []

    def handle(request: Request) -> Response:
        seen.append(request)
        body = b"\xff\xd8\xff" + f"{request.host}{request.full_path}".encode()
        return Response(body, content_type="image/jpeg")

    server.clear()
    server.expect_request(re.compile(".*")).respond_with_handler(handle)
    yield seen
    server.clear()


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>CDN</title><link>{site}</link><language>en-US</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url><wp:base_blog_url>{site}</wp:base_blog_url>
<item><title>Own</title><link>{site}/own/</link><guid>{site}/wp-content/uploads/2024/01/own.jpg</guid>
<wp:post_id>5</wp:post_id><wp:post_date>2024-01-01 10:00:00</wp:post_date>
<wp:post_name>own</wp:post_name><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>{site}/wp-content/uploads/2024/01/own.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value>2024/01/own.jpg</wp:meta_value></wp:postmeta>
</item>
<item><title>Post</title><link>{site}/2024/01/01/post/</link><guid>{site}/?p=10</guid>
<content:encoded><![CDATA[{content}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>10</wp:post_id><wp:post_date>2024-01-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2024-01-01 10:00:00</wp:post_date_gmt>
<wp:post_name>post</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item>
</channel></rss>
"""


def _cdn_export(tmp_path: Path, server: HTTPServer) -> tuple[Path, str, str]:
    """An export of a site on 127.0.0.1 whose post shows images from ``localhost`` — the
    same server under another host name: off-site, as far as links go."""
    site = f"http://127.0.0.1:{server.port}"
    cdn = f"http://localhost:{server.port}"
    content = (
        f'<p><img src="{cdn}/cdn/pic.jpg?w=300" srcset="{cdn}/cdn/pic.jpg?w=600 600w, '
        f'{site}/wp-content/uploads/2024/01/own.jpg 900w"></p>'
        f'<p><a href="{cdn}/cdn/gallery.html">gallery</a> <a href="//localhost:{server.port}'
        f'/cdn/doc.pdf">pdf</a> <img src="{site}/wp-content/uploads/2024/01/own.jpg"></p>'
    )
    export = tmp_path / "cdn.xml"
    export.write_text(WXR.format(site=site, content=content), encoding="utf-8")
    return export, site, cdn


def test_media_hosts_downloads_offsite_files_only_when_named(server, files, tmp_path):
    export, site, cdn = _cdn_export(tmp_path, server)
    plain = wparchive.archive(export, out=tmp_path / "plain", media=True, jobs=1)
    assert not any(r.path.startswith("/cdn/") for r in files)  # never asked for
    assert {r.path for r in files} == {"/wp-content/uploads/2024/01/own.jpg"}
    post = next(r for r in wparchive.open_archive(plain.run_dir) if r.get("id") == 10)
    assert f"{cdn}/cdn/pic.jpg?w=300" in post["content"]["html"]
    files.clear()

    summary = wparchive.archive(
        export, out=tmp_path / "named", media=True, media_hosts=["localhost"], jobs=1
    )
    fetched = sorted(f"{r.host.split(':')[0]}{r.full_path.rstrip('?')}" for r in files)
    assert fetched == [
        "127.0.0.1/wp-content/uploads/2024/01/own.jpg",
        "localhost/cdn/doc.pdf",
        "localhost/cdn/pic.jpg",  # once, without ?w=: the original
    ]
    records = list(wparchive.open_archive(summary.run_dir))
    post = next(r for r in records if r.get("id") == 10)
    pic = f"{OFFSITE_DIR}/localhost/cdn/pic.jpg"
    assert post["content"]["html"] == (
        f'<p><img src="../../{pic}" srcset="../../{pic} 600w, '
        f'../../media/2024/01/own.jpg 900w"></p>'
        f'<p><a href="{cdn}/cdn/gallery.html">gallery</a> <a href="../../{OFFSITE_DIR}/'
        f'localhost/cdn/doc.pdf">pdf</a> <img src="../../media/2024/01/own.jpg"></p>'
    )
    media = {m["url"]: m for m in records if m["type"] == "media"}
    assert media[f"{cdn}/cdn/pic.jpg"]["path"] == pic
    assert media[f"{cdn}/cdn/pic.jpg"]["referenced_by"] == [10]
    body = f"localhost:{server.port}/cdn/pic.jpg?".encode()
    assert (summary.run_dir / pic).read_bytes() == b"\xff\xd8\xff" + body
    uris = set()
    for warc in summary.warc_files:
        with warc.open("rb") as fh:
            uris |= {
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh)
                if r.rec_type == "response"
            }
    assert f"{cdn}/cdn/pic.jpg" in uris
    assert verify_run(summary.run_dir).ok and not summary.lost


def test_media_hosts_on_the_command_line(server, files, tmp_path):
    from typer.testing import CliRunner

    from wparchive.cli import app

    export, _, _ = _cdn_export(tmp_path, server)
    args = ["archive", str(export), "-o", str(tmp_path / "out"), "--media", "-q", "-j", "1"]
    result = CliRunner().invoke(app, [*args, "--media-hosts", "cdn.invalid,localhost"])
    assert result.exit_code == 0, result.output
    assert any(r.path == "/cdn/pic.jpg" for r in files)
    bad = CliRunner().invoke(app, [*args, "--media-hosts", "*"])
    assert bad.exit_code == 2 and "--media-hosts" in bad.output


class _HostMap(HTTPAdapter):
    """Sends every request for a mapped host name to the local server (with the name in
    the Host header) and refuses any other: all traffic stays on 127.0.0.1."""

    def __init__(self, hosts: set[str], port: int):
        super().__init__()
        self.hosts, self.port = hosts, port

    def send(self, request, **kwargs):  # noqa: ANN001 - requests' own signature
        parts = urlsplit(request.url)
        if parts.hostname not in self.hosts:
            raise requests.ConnectionError(f"{parts.hostname}: not mapped in this test")
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))
        kwargs["proxies"] = {}
        return super().send(request, **kwargs)


def _mapped_client(server: HTTPServer, *hosts: str) -> HttpClient:
    client = HttpClient(retries=0, timeout=10)
    adapter = _HostMap(set(hosts), server.port)
    client.session.mount("http://", adapter)
    client.session.mount("https://", adapter)
    return client


def test_wildcard_media_hosts_and_jetpacks_cdn_through_the_fetcher(server, files, tmp_path):
    site = "http://blog.example"
    index = SiteIndex.from_records([Site(url=site, base_site_url=site, base_blog_url=site)])
    index.allow_media_hosts(["*.files.wordpress.com", "i0.wp.com"])
    client = _mapped_client(
        server, "sala.files.wordpress.com", "files.wordpress.com", "i0.wp.com", "blog.example"
    )
    fetcher = MediaFetcher(tmp_path / "run", index, writer=None, client=client)
    for url in (
        "http://sala.files.wordpress.com/2020/01/pic.jpg?w=640",
        "http://sala.files.wordpress.com/2020/01/pic.jpg?w=1024",
        "http://files.wordpress.com/2020/01/not-below.jpg",  # the bare domain: not named
        "http://i0.wp.com/other.org/wp-content/uploads/a.jpg?resize=300,200",
        "http://i0.wp.com/blog.example/wp-content/uploads/2024/01/own.jpg?w=50",  # the site's
    ):
        fetcher.want(url, post_id=1)
    stored = {m.url: m.path for m in fetcher.fetch_all()}
    assert stored == {
        "http://sala.files.wordpress.com/2020/01/pic.jpg": (
            f"{OFFSITE_DIR}/sala.files.wordpress.com/2020/01/pic.jpg"
        ),
        "http://i0.wp.com/other.org/wp-content/uploads/a.jpg": (
            f"{OFFSITE_DIR}/i0.wp.com/other.org/wp-content/uploads/a.jpg"
        ),
        "http://i0.wp.com/blog.example/wp-content/uploads/2024/01/own.jpg?w=50": (
            "media/2024/01/own.jpg"
        ),
    }
    assert sorted(r.host for r in files) == ["i0.wp.com", "i0.wp.com", "sala.files.wordpress.com"]
    assert not fetcher.failures


# -- path traversal: hostile upload paths never write outside the run folder --------------------

HOSTILE_FILES = [
    "../../../../../../tmp/escaped.jpg",
    "2024/06/../../../../escaped.jpg",
    "/etc/passwd",
    "/tmp/escaped-absolute.jpg",
    "..\\..\\..\\escaped-backslash.jpg",
    "C:\\Windows\\System32\\escaped.dll",
    "C:/escaped-drive.jpg",
    "2024/06/a\x00b.jpg",
    "2024/06/..%2F..%2F..%2Fescaped-encoded.jpg",
    "2024/06/%2e%2e/%2e%2e/%2e%2e/escaped-dots.jpg",
    "2024/06/%252e%252e%252fescaped-double.jpg",
    "CON",
    "2024/06/con.jpg",
    "2024/NUL/aux.txt",
    "com1/LPT9.png",
    "2024/06/" + "a" * 300 + ".jpg",
    "2024/06/" + "é" * 300 + ".jpg",
    "/".join(["x" * 200] * 20) + "/deep.jpg",
    "...",
    "2024/06/ .jpg",
    "2024/06/.htaccess",
]


def _attachment(post_id: int, site: str, file: str) -> Post:
    url_path = quote(file, safe="/%")
    return Post(
        id=post_id,
        post_type="attachment",
        status="inherit",
        slug=f"a{post_id}",
        link=f"{site}/a{post_id}/",
        attachment_url=f"{site}/wp-content/uploads/{url_path}",
        meta={"_wp_attached_file": [file]},
    )


def _all_files(root: Path) -> set[Path]:
    return {Path(d) / f for d, _, fs in os.walk(root) for f in fs}


def _safe(path: str) -> bool:
    parts = path.split("/")
    return (
        path.startswith("media/")
        and path.isascii()
        and "\x00" not in path
        and "\\" not in path
        and ":" not in path
        and all(p not in ("", ".", "..") and not p.startswith(".") for p in parts)
        and all(not names.is_reserved(p) for p in parts)
        and all(len(p.encode()) <= 160 for p in parts)
    )


@pytest.mark.parametrize("local", [False, True], ids=["download", "uploads-dir"])
def test_hostile_upload_paths_never_write_outside_the_run_folder(server, files, tmp_path, local):
    sandbox = tmp_path / "sandbox"
    run_dir = sandbox / "runs" / "site"
    uploads = sandbox / "uploads"
    uploads.mkdir(parents=True)
    secret = sandbox / "secret.txt"
    secret.write_bytes(b"never archived")
    site = f"http://127.0.0.1:{server.port}"
    records = [Site(url=site, base_site_url=site, base_blog_url=site)]
    records += [_attachment(100 + i, site, f) for i, f in enumerate(HOSTILE_FILES)]
    records.append(_attachment(97, site, "../secret.txt"))  # the local copy's neighbour
    # in the local copy: a symlink out of it (never followed) and an ordinary file
    (uploads / "2024" / "06").mkdir(parents=True)
    (uploads / "2024" / "06" / "link.jpg").symlink_to(secret)
    (uploads / "2024" / "06" / "local.jpg").write_bytes(b"from the local copy")
    records.append(_attachment(98, site, "2024/06/link.jpg"))
    records.append(_attachment(99, site, "2024/06/local.jpg"))
    index = SiteIndex.from_records(records)
    before = _all_files(tmp_path)
    fetcher = MediaFetcher(
        run_dir,
        index,
        writer=None,
        client=HttpClient(retries=0, timeout=10),
        uploads_dir=uploads if local else None,
    )
    for record in records[1:]:
        fetcher.want(record.attachment_url, post_id=record.id, attachment=True)
        fetcher.want(record.attachment_url.replace("/uploads/", "/uploads/2024/../"), post_id=1)
    for url in ("file:///etc/passwd", "/etc/passwd", f"{site}/wp-content/uploads/../../x.jpg"):
        fetcher.want(url, post_id=1)  # not the site's uploads: not wanted at all
    media = list(fetcher.fetch_all())
    assert media and not fetcher.failures
    by_path = {m.path: (run_dir / m.path).read_bytes() for m in media}
    assert (by_path["media/2024/06/local.jpg"] == b"from the local copy") is local
    assert by_path["media/2024/06/link.jpg"].startswith(b"\xff\xd8\xff")  # downloaded instead
    assert not any(r.path in ("/etc/passwd", "/x.jpg") for r in files)
    written = _all_files(tmp_path) - before
    assert written == {run_dir / m.path for m in media}  # nothing else, anywhere
    for path in written:
        assert run_dir.resolve() in path.resolve().parents
        assert path.read_bytes() != b"never archived"
    for item in media:
        assert _safe(item.path), item.path
    assert len({m.path for m in media}) == len({(m.path, m.sha256) for m in media})
    assert not Path("/tmp/escaped.jpg").exists() and not Path("/tmp/escaped-absolute.jpg").exists()


def test_a_path_that_would_leave_the_run_folder_is_refused_not_written(server, files, tmp_path):
    """Belt and braces: even a path that did not come from names.safe_path is checked."""
    site = f"http://127.0.0.1:{server.port}"
    index = SiteIndex.from_records([Site(url=site, base_site_url=site, base_blog_url=site)])
    run_dir = tmp_path / "run"
    warnings: list[str] = []
    fetcher = MediaFetcher(
        run_dir, index, writer=None, client=HttpClient(retries=0), warn=warnings.append
    )
    url = f"{site}/wp-content/uploads/2024/01/ok.jpg"
    for bad in ("../escaped.jpg", "/tmp/escaped.jpg", "media/../../x", "C:/x", "media/a\x00b"):
        assert fetcher._store(_Wanted(url, bad), b"x", None) is None
    assert not (tmp_path / "escaped.jpg").exists() and not run_dir.exists()
    assert len(warnings) == 5 and all("unsafe path" in w for w in warnings)
