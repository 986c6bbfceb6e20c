"""What a librarian's replay tool shows: the sample run replayed in a real pywb."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from warcio.archiveiterator import ArchiveIterator

import wparchive
from wparchive.model import Post
from wparchive.pipeline import ArchiveOptions, run_archive

from .replay import pywb

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return wparchive.archive(SAMPLE, out=tmp_path_factory.mktemp("out"), wacz=True)


def published(summary) -> list[dict]:
    return [
        r
        for r in wparchive.open_archive(summary.archive)
        if r["type"] == "post" and r["status"] == "publish" and r["post_type"] in ("post", "page")
    ]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_published_post_replays_at_its_original_url(run, tmp_path):
    with pywb(tmp_path / "pywb", *run.warc_files) as coll:
        for post in published(run):
            for mode in ("id_", "mp_"):
                response = requests.get(f"{coll}/2026{mode}/{post['link']}", timeout=30)
                assert response.status_code == 200, (mode, post["link"])
                assert post["title"] in response.text.replace("&quot;", '"')
                first_words = _text(post["content"]["raw"])[:60]
                assert first_words in _text(response.text)
        missing = requests.get(
            f"{coll}/2026mp_/https://salagondolatai.hu/no-such-post/", timeout=30
        )
        assert missing.status_code == 404
        cdx = requests.get(
            f"{coll}/cdx", params={"url": "salagondolatai.hu/*", "output": "json"}, timeout=30
        )
        urls = {json.loads(line)["url"] for line in cdx.text.splitlines()}
        assert {p["link"] for p in published(run)} <= urls


def test_the_export_file_replays_byte_for_byte(run, tmp_path):
    with pywb(tmp_path / "pywb", *run.warc_files) as coll:
        url = (
            "https://salagondolatai.hu/wp-admin/export.php?download=true"
            "&file=sala-gondolatai.wordpress.2024-06-18.xml"
        )
        response = requests.get(f"{coll}/2026id_/{url}", timeout=30)
        assert response.status_code == 200 and response.content == SAMPLE.read_bytes()


def test_the_wacz_replays_in_pywb(run, tmp_path):
    with pywb(tmp_path / "pywb", run.outputs["wacz"], unpack_wacz=True) as coll:
        for post in published(run):
            response = requests.get(f"{coll}/2026id_/{post['link']}", timeout=30)
            assert response.status_code == 200


def _cleaned(record):
    """A stand-in transform: changes the derived content, as cleaning does."""
    if isinstance(record, Post):
        record.content.html = "<p>CLEANED words</p>"
    return record


def test_the_original_replays_not_the_cleaned_conversion(tmp_path):
    summary = run_archive(SAMPLE, ArchiveOptions(out=tmp_path / "out"), transforms=[_cleaned])
    types = [r.rec_type for r in _records(summary.warc_files[0])]
    assert "conversion" in types
    with pywb(tmp_path / "pywb", *summary.warc_files) as coll:
        for post in published(summary):
            for _ in range(2):  # the same answer whatever pywb cached
                page = requests.get(f"{coll}/2026id_/{post['link']}", timeout=30)
                assert page.status_code == 200
                assert _text(post["content"]["raw"])[:60] in _text(page.text)
                assert "CLEANED" not in page.text


def _records(path):
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            record.content_stream().read()
            yield record
