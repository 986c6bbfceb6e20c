"""The real WordPress test site starts, holds the fixture content, and stops without leftovers."""

from __future__ import annotations

import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.wordpress import site as wp

pytestmark = pytest.mark.wordpress

WP_NS = "{http://wordpress.org/export/1.2/}"
UNPUBLISHED = ("draft", "pending", "private", "future", "trash")


def test_site_announces_its_rest_api(wordpress_site: wp.Site) -> None:
    response = requests.head(wordpress_site.url + "/", timeout=30)
    assert response.status_code == 200
    assert response.links["https://api.w.org/"]["url"] == wordpress_site.url + "/wp-json/"


def test_rest_counts_every_published_post(wordpress_site: wp.Site) -> None:
    response = requests.get(wordpress_site.rest("/wp/v2/posts"), params={"per_page": 1}, timeout=30)
    assert response.status_code == 200
    expected = wp.PUBLISHED_POSTS + wordpress_site.bulk_posts
    assert int(response.headers["X-WP-Total"]) == expected
    pages = requests.get(wordpress_site.rest("/wp/v2/pages"), timeout=30)
    assert int(pages.headers["X-WP-Total"]) == wp.FIXTURE_COUNTS["page"]["publish"]
    comments = requests.get(wordpress_site.rest("/wp/v2/comments"), timeout=30)
    assert int(comments.headers["X-WP-Total"]) == wp.FIXTURE_COUNTS["comments"]["approved/comment"]


def test_unpublished_posts_need_the_application_password(wordpress_site: wp.Site) -> None:
    ids = wordpress_site.fixture()["ids"]
    anonymous = requests.get(
        wordpress_site.rest("/wp/v2/posts"), params={"status": "draft"}, timeout=30
    )
    assert anonymous.status_code in (400, 401)
    private = requests.get(wordpress_site.rest(f"/wp/v2/posts/{ids['post_private']}"), timeout=30)
    assert private.status_code in (401, 403, 404)

    signed_in = requests.get(
        wordpress_site.rest("/wp/v2/posts"),
        params={"status": ",".join(UNPUBLISHED), "per_page": 100},
        auth=wordpress_site.auth,
        timeout=30,
    )
    assert signed_in.status_code == 200
    assert Counter(post["status"] for post in signed_in.json()) == {s: 1 for s in UNPUBLISHED}
    held = requests.get(
        wordpress_site.rest("/wp/v2/comments"),
        params={"status": "hold"},
        auth=wordpress_site.auth,
        timeout=30,
    )
    assert [c["id"] for c in held.json()] == [ids["comment_pending"]]


def test_hungarian_post_permalink_shows_its_text(wordpress_site: wp.Site) -> None:
    link = wordpress_site.fixture()["links"]["post_seed"]
    assert link.startswith(wordpress_site.url + "/2024/06/17/az-orosz-putyin-ritka-utra-latogat-")
    page = requests.get(link, timeout=30)
    assert page.status_code == 200
    assert 'lang="hu-HU"' in page.text
    assert "Az orosz Putyin ritka útra látogat Észak-Koreába" in page.text
    assert "Putyin utoljára 2000-ben járt Észak-Koreában" in page.text
    assert "bejegyzéshez egy hozzászólás" in page.text


def test_rendered_page_has_the_plugin_artifacts(wordpress_site: wp.Site) -> None:
    fixture = wordpress_site.fixture()
    page = requests.get(fixture["links"]["post_seed"], timeout=30).text
    assert '<p class="akismet_comment_form_privacy_notice">' in page
    assert "Ez az oldal az Akismet szolgáltatást használja a spam csökkentésére." in page
    assert "Social Media Auto Publish</a> Powered By : <a" in page
    assert ">XYZScripts.com</a>" in page
    assert '<div class="sharedaddy sd-sharing-enabled">' in page
    assert '<div class="addtoany_share_save_container' in page
    # The share blocks come through the_content, so REST clients see them too; the footer doesn't.
    post = requests.get(
        wordpress_site.rest(f"/wp/v2/posts/{fixture['ids']['post_seed']}"), timeout=30
    ).json()
    rendered = post["content"]["rendered"]
    assert '<h3 class="sd-title">' in rendered
    assert 'class="a2a_kit' in rendered
    assert "XYZScripts" not in rendered


def test_fixture_counts_are_the_documented_ones(wordpress_site: wp.Site) -> None:
    assert wordpress_site.fixture()["counts"] == wp.FIXTURE_COUNTS


def test_export_is_the_sites_own_wxr(wordpress_site: wp.Site) -> None:
    channel = ET.parse(wordpress_site.export_path).getroot().find("channel")
    assert channel.findtext(f"{WP_NS}base_blog_url") == wordpress_site.url
    assert channel.findtext("language") == "hu-HU"
    items = channel.findall("item")
    types = Counter(item.findtext(f"{WP_NS}post_type") for item in items)
    counts = wp.FIXTURE_COUNTS
    assert types["post"] == sum(counts["post"].values()) + wordpress_site.bulk_posts
    assert types["page"] == counts["page"]["publish"]
    assert types["recept"] == counts["recept"]["publish"]
    assert types["attachment"] == counts["attachment"]["inherit"]
    # WordPress leaves spam out of exports; pending, trash and pingbacks are in.
    comments = sum(len(item.findall(f"{WP_NS}comment")) for item in items)
    assert comments == sum(counts["comments"].values()) - counts["comments"]["spam/comment"]


def test_wp_up_again_is_a_no_op(wordpress_site: wp.Site) -> None:
    started = time.monotonic()
    again = wp.start_site(wordpress_site.state_dir)
    assert again == wordpress_site
    assert time.monotonic() - started < 5


def test_start_stop_start_leaves_nothing_behind(wordpress_site: wp.Site) -> None:
    # A second site in its own state dir (short path: MariaDB's socket path has a length limit);
    # depending on wordpress_site means the Debian packages are installed before timing starts.
    state = Path(tempfile.mkdtemp(prefix="wpa-", dir="/tmp"))
    try:
        started = time.monotonic()
        first = wp.start_site(state)
        assert first.url != wordpress_site.url
        _assert_answers(first)
        wp.stop_site(state)
        cycle = time.monotonic() - started
        assert cycle < 30, f"up-populate-down took {cycle:.1f} s"
        _assert_gone(first)
        assert wp.is_up(), "stopping one site must leave the other running"

        second = wp.start_site(state)
        _assert_answers(second)
        wp.stop_site(state)
        _assert_gone(second)
    finally:
        wp.stop_site(state, purge=True)
    assert not state.exists()


def _assert_answers(site: wp.Site) -> None:
    response = requests.get(site.rest("/wp/v2/posts"), params={"per_page": 1}, timeout=30)
    assert int(response.headers["X-WP-Total"]) == wp.PUBLISHED_POSTS


def _assert_gone(site: wp.Site) -> None:
    assert wp.running_processes(site.state_dir) == []
    assert wp.port_is_free(site.port)
    assert not wp.is_up(site.state_dir)
