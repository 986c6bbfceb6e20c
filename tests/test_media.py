"""Media brought home from the real test site: every file once, where links point, in the WARC."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import requests
from warcio.archiveiterator import ArchiveIterator

import wparchive
from wparchive.verify import verify_run

from .replay import pywb

pytestmark = pytest.mark.wordpress


def _server_file(site, url: str) -> Path:
    path = unquote(urlsplit(url).path).split("/wp-content/uploads/", 1)[1]
    return site.state_dir / "wp-content" / "uploads" / path


@pytest.fixture(scope="module")
def wxr_media(wordpress_site, tmp_path_factory):
    out = tmp_path_factory.mktemp("media")
    return wparchive.archive(wordpress_site.export_path, out=out, media=True)


def _records(summary):
    return list(wparchive.open_archive(summary.archive))


def test_every_attachment_and_linked_image_is_stored_with_the_servers_bytes(
    wxr_media, wordpress_site
):
    records = _records(wxr_media)
    media = [r for r in records if r["type"] == "media"]
    attachments = [r for r in records if r["type"] == "post" and r["post_type"] == "attachment"]
    assert {m["post_id"] for m in media if m["post_id"]} == {a["id"] for a in attachments}
    linked = {m["url"] for m in media if m["referenced_by"]}
    assert wordpress_site.fixture()["links"]["img_phenjan_medium"] in linked  # a -300x200 size
    for item in media:
        stored = wxr_media.run_dir / item["path"]
        assert stored.is_file()
        assert item["path"].isascii() and ".." not in item["path"]
        server = _server_file(wordpress_site, item["url"])
        assert hashlib.sha256(server.read_bytes()).hexdigest() == item["sha256"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == item["sha256"]
    assert wxr_media.written["media"] == len(media) and not wxr_media.lost


def test_relative_links_in_content_find_their_files(wxr_media):
    for record in _records(wxr_media):
        if record["type"] != "post":
            continue
        provenance = record["provenance"]
        page = wxr_media.run_dir / (
            "posts/x/index.html" if record["post_type"] == "post" else "index.html"
        )
        for original, target in provenance.get("links", {}).get("rewritten", {}).items():
            if "/wp-content/uploads/" in original and record["post_type"] == "post":
                assert (page.parent / target).resolve().is_file(), (original, target)
        featured = provenance.get("featured_image")
        if featured:
            assert (wxr_media.run_dir / featured["target"]).is_file()


def test_media_responses_are_in_the_warc_and_the_run_verifies(wxr_media):
    types = {}
    for warc in wxr_media.warc_files:
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    types[uri] = record.http_headers.get_header("Content-Type")
    images = [u for u in types if "/wp-content/uploads/" in u]
    assert images and all(types[u].startswith("image/") for u in images)
    assert verify_run(wxr_media.run_dir).ok


def test_an_image_replays_in_pywb(wxr_media, wordpress_site, tmp_path):
    url = wordpress_site.fixture()["links"]["img_phenjan_medium"]
    with pywb(tmp_path / "pywb", *wxr_media.warc_files) as coll:
        response = requests.get(f"{coll}/2030id_/{url}", timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("image/jpeg")
        assert response.content == _server_file(wordpress_site, url).read_bytes()


def test_a_missing_file_is_a_warning_not_the_end_of_the_run(wordpress_site, tmp_path):
    text = wordpress_site.export_path.read_text(encoding="utf-8")
    broken = tmp_path / "export.xml"
    broken.write_text(
        text.replace("2019/10/sala-logo.png", "2019/10/no-such-file.png"), encoding="utf-8"
    )
    summary = wparchive.archive(broken, out=tmp_path / "out", media=True)
    messages = [str(w) for w in summary.warnings]
    assert any("no-such-file.png" in m and "HTTP 404" in m for m in messages)
    assert summary.written["post"] == summary.found["post"]
    assert not summary.lost
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["written"]["media"] >= 3


def test_image_records_carry_their_pixel_size(wxr_media, wordpress_site):
    url = wordpress_site.fixture()["links"]["img_phenjan_medium"]
    [record] = [r for r in _records(wxr_media) if r["type"] == "media" and r["url"] == url]
    assert (record["width"], record["height"]) == (300, 200)


def test_verify_finds_a_changed_or_missing_media_file(wxr_media, tmp_path):
    import shutil

    run = tmp_path / wxr_media.run_dir.name
    shutil.copytree(wxr_media.run_dir, run)
    [first, second, *_] = [r for r in _records(wxr_media) if r["type"] == "media"]
    changed = run / first["path"]
    changed.write_bytes(changed.read_bytes() + b"\x00")
    (run / second["path"]).unlink()
    problems = " ".join(verify_run(run).problems)
    assert Path(first["path"]).name in problems and Path(second["path"]).name in problems
