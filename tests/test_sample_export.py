"""The bundled sample export (the seed's Hungarian blog) archives completely and faithfully."""

from __future__ import annotations

from pathlib import Path

import pytest

import wparchive

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"
SEED_TITLE = (
    "Az orosz Putyin ritka útra látogat Észak-Koreába a Nyugat-ellenes felállás "
    "elmélyülésével – Frissítve 2024. június 17-én, 7:58 EDT"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    summary = wparchive.archive(SAMPLE, out=tmp_path_factory.mktemp("out"))
    reader = wparchive.open_archive(summary.archive)
    return summary, reader.header, list(reader)


def test_sample_site_facts(archive):
    summary, header, _ = archive
    assert summary.run_dir.name == "salagondolatai-hu"
    assert header["site"] == {
        "title": "SaLa gondolatai",
        "url": "https://salagondolatai.hu",
        "description": "SaLa gondolatai egy szebb világról!",
        "language": "hu-HU",
        "base_site_url": "https://salagondolatai.hu",
        "base_blog_url": "https://salagondolatai.hu",
        "wxr_version": "1.2",
        "generator": "https://wordpress.org/?v=6.5.4",
    }


def test_sample_archive_holds_every_item_of_the_export(archive):
    summary, _, records = archive
    assert summary.found == summary.written and not summary.warnings
    posts = {r["id"]: r for r in records if r["type"] == "post"}
    assert {(p["post_type"], p["status"]) for p in posts.values()} == {
        ("page", "publish"),
        ("nav_menu_item", "publish"),
        ("wp_block", "publish"),
        ("post", "publish"),
        ("post", "draft"),
        ("attachment", "inherit"),
    }
    assert sum(r["type"] == "comment" for r in records) == 2
    assert sum(r["type"] == "author" for r in records) == 2


def test_the_seed_post_keeps_its_full_hungarian_text_and_its_comment(archive):
    _, _, records = archive
    [post] = [r for r in records if r["type"] == "post" and r["title"] == SEED_TITLE]
    for words in (
        "Vlagyimir Putyin keddtől kétnapos látogatásra",
        "Kim Dzsong Il-lel",
        "megvétózta azt az ENSZ-határozatot",
    ):
        assert words in post["content"]["raw"]
    assert "<!--more bővebben-->" in post["content"]["raw"]
    assert post["sticky"] is True
    assert post["meta"]["_thumbnail_id"] == ["62"]
    comments = [r for r in records if r["type"] == "comment" and r["post_id"] == post["id"]]
    assert [c["status"] for c in comments] == ["approved"]
    assert "author_email" not in comments[0] and "author_ip" not in comments[0]


def test_the_attachment_metadata_is_decoded(archive):
    _, _, records = archive
    [attachment] = [r for r in records if r["type"] == "post" and r["post_type"] == "attachment"]
    assert attachment["attachment_url"].endswith("/wp-content/uploads/2024/06/putyin-phenjan.jpg")
    [metadata] = attachment["meta"]["_wp_attachment_metadata"]
    assert metadata["sizes"]["medium"]["width"] == 300
    assert attachment["meta_raw"]["_wp_attachment_metadata"][0].startswith("a:")
