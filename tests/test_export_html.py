"""`wparchive export html`: a static, browsable site of the archive, no JavaScript."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest
from typer.testing import CliRunner

import wparchive
from wparchive.cli import app
from wparchive.export import export_html

from .export_tools import (
    PUTIN,
    ROOT,
    SEED_POST,
    broken_links,
    debian_tool,
    paragraphs,
    sample_run,
    site_run,
    squeeze,
    text_of,
)

THEME_UNIT_TEST = ROOT / "tests/data/wordpress-importer/theme-unit-test-data.xml"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    base = tmp_path_factory.mktemp("html")
    run = sample_run(base / "run")
    summary = export_html(run, base / "site")
    return run, base / "site", summary


def page_text(path: Path) -> str:
    return text_of(path.read_text(encoding="utf-8"))


def published_text_is_on_its_page(run: Path, site: Path) -> int:
    """Each published post's title and every paragraph are on its page; returns how many."""
    archive = wparchive.open_archive(run)
    from wparchive.export.run import RunArchive

    layout = RunArchive(run).scan()
    checked = 0
    for record in archive:
        if record["type"] != "post" or record["status"] != "publish":
            continue
        if record["post_type"] in ("attachment", "nav_menu_item", "wp_block"):
            continue
        text = squeeze(page_text(site / layout.location(record["id"])))
        assert squeeze(record["title"]) in text
        for paragraph in paragraphs(record["content"]["html"]):
            assert squeeze(paragraph) in text, (record["id"], paragraph)
        checked += 1
    return checked


def test_no_internal_link_of_the_sample_site_is_broken(sample):
    _, site, _ = sample
    assert broken_links(site) == []


def test_the_home_page_lists_posts_by_date_and_every_year(sample):
    _, site, summary = sample
    doc = lxml.html.fromstring((site / "index.html").read_bytes())
    latest = [a.text_content() for a in doc.xpath("//main/ul[1]/li/a")]
    assert latest[0].startswith("Az orosz Putyin") and latest[1].startswith("Ramsay-csoport")
    assert doc.xpath("//a[@href='date/2024/index.html']")
    assert "Rólam" in page_text(site / "index.html")  # the pages
    year = page_text(site / "date/2024/index.html")
    assert year.index("2024-06") < year.index("Ramsay-csoport")
    assert summary.written == {
        "post": 2,
        "page": 1,
        "comment": 1,
        "home page": 1,
        "year page": 1,
        "term page": 11,
        "author page": 1,
    }


def test_a_post_page_has_its_content_terms_author_and_approved_comments(sample):
    run, site, _ = sample
    text = page_text(site / "posts" / PUTIN / "index.html")
    assert "Vlagyimir Putyin keddtől kétnapos látogatásra" in text
    assert "Kovács Éva" in text and "Köszönöm a fordítást!" in text  # the approved comment
    doc = lxml.html.fromstring((site / "posts" / PUTIN / "index.html").read_bytes())
    hrefs = set(doc.xpath("//a/@href"))
    assert {"../../tag/putyin/index.html", "../../category/vilagpolitika/index.html"} <= hrefs
    assert "../../author/sala/index.html" in hrefs
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["../../style.css"]
    seed = page_text(site / "posts" / SEED_POST / "index.html")
    assert "A bejegyzés a szerző saját véleményét tükrözi" in seed  # the reusable block
    assert "Comments" not in seed  # its only comment is a pending pingback
    assert published_text_is_on_its_page(run, site) == 3


def test_drafts_and_unapproved_comments_are_left_out(sample):
    _, site, summary = sample
    everything = " ".join(page_text(p) for p in site.rglob("*.html"))
    assert "Mit hozott a G7-csúcs" not in everything  # the draft
    assert not (site / "posts/52").exists()
    assert summary.skipped == {"post (draft)": 1, "comment (not approved)": 1}


def test_plain_html_and_css_without_javascript(sample):
    _, site, _ = sample
    for page in site.rglob("*.html"):
        doc = lxml.html.fromstring(page.read_bytes())
        assert not doc.xpath("//script"), page
        assert not [
            a
            for el in doc.iter()
            if isinstance(el.tag, str)
            for a in el.attrib
            if a.startswith("on")
        ]
        assert doc.xpath("//meta[@name='viewport']")
    assert (site / "style.css").is_file()


def test_the_theme_unit_test_export_browses_without_a_broken_link(tmp_path):
    run = wparchive.archive(THEME_UNIT_TEST, out=tmp_path / "run", warc=False).run_dir
    summary = export_html(run, tmp_path / "site")
    assert summary.written["post"] >= 50 and summary.written["term page"] >= 100
    assert broken_links(tmp_path / "site") == []
    assert published_text_is_on_its_page(run, tmp_path / "site") >= 70


@pytest.mark.wordpress
def test_the_real_site_with_media_threads_and_every_link_form(wordpress_site, tmp_path):
    run = site_run(wordpress_site, tmp_path / "run")
    summary = export_html(run, tmp_path / "site")
    site = tmp_path / "site"
    assert broken_links(site) == []
    assert summary.written["media"] == 7 and summary.written["recept"] == 3
    assert published_text_is_on_its_page(run, site) >= 15
    doc = lxml.html.fromstring((site / "posts/mit-gondolnak-az-olvasok/index.html").read_bytes())
    depths = [a.get("class") for a in doc.xpath("//section[@id='comments']/article")]
    assert depths[:3] == ["depth-0", "depth-1", "depth-2"]  # guest → admin → guest
    text = page_text(site / "posts/mit-gondolnak-az-olvasok/index.html")
    assert "Első hozzászólásom" not in text and "véletlenül küldtem el kétszer" not in text
    links = lxml.html.fromstring(
        (site / "posts/belso-hivatkozasok-probaja/index.html").read_bytes()
    )
    hrefs = set(links.xpath("//div[@class='content']//a/@href"))
    assert "../../pages/rolunk/kapcsolat/index.html" in hrefs
    assert "../../media/2024/06/phenjan-latkep.jpg" in hrefs
    assert f"{wordpress_site.url}/2024/06/" in hrefs  # a date archive: not in the export
    assert (site / "types/recept/lecso/index.html").is_file()
    assert (site / "terms/konyha/magyar-konyha/index.html").is_file()
    assert not (site / "posts/privat-jegyzet").exists()


def test_a_headless_browser_renders_the_site(sample, tmp_path):
    _, site, _ = sample
    chromium = debian_tool("chromium", "chromium", install=False)
    shot = tmp_path / "post.png"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            (site / "posts" / PUTIN / "index.html").as_uri(),
        ],
        capture_output=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page, not a blank


def test_cli_exports_html(sample, tmp_path):
    run, _, _ = sample
    result = CliRunner().invoke(app, ["export", "html", str(run), "--to", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s/index.html").is_file() and "HTML" in result.output
