"""`wparchive export wxr`: a WXR 1.2 file WordPress's importer reads back into a site.

The proof here is wparchive's own reader — whose every parse-level behaviour is held to
the importer's parser tests in test_wxr_importer_conformance.py — finding every author,
term, post (every field, content.raw, meta) and comment of the archive in the file, and
the file having what the importer's parsers look for by name.
"""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

import wparchive
from wparchive.cli import app
from wparchive.export import export_wxr
from wparchive.export.run import record_from_dict
from wparchive.export.wxr import cdata, meta_strings
from wparchive.model import Author, Comment, Post, Site, Term
from wparchive.phpserialize import serialize as php_serialize
from wparchive.phpserialize import unserialize
from wparchive.sources.wxr import read_wxr

from .export_tools import ROOT, SAMPLE, sample_run, site_run

IMPORTER_DATA = ROOT / "tests/data/wordpress-importer"
WP = "http://wordpress.org/export/1.2/"


def comparable(record) -> tuple[str, object, dict]:
    """A record as the reader gives it back: the derived ``html`` and ``provenance`` are
    the archive's own, not the source's."""
    data = dataclasses.asdict(record)
    data.pop("provenance", None)
    for key in ("content", "excerpt"):
        if key in data:
            data[key] = data[key]["raw"]
    kind = type(record).__name__
    key = {
        "Author": lambda r: r.login,
        "Term": lambda r: (r.taxonomy, r.slug),
        "Post": lambda r: r.id,
        "Comment": lambda r: r.id,
    }[kind](record)
    return kind, key, data


def archive_records(run: Path) -> list:
    records = (record_from_dict(line) for line in wparchive.open_archive(run))
    return [r for r in records if isinstance(r, Author | Term | Post | Comment)]


def assert_round_trip(run: Path, wxr: Path) -> dict[str, int]:
    """Every record of the archive comes back from the WXR file equal, in the same order
    within its kind; returns the counts compared."""
    original = [comparable(r) for r in archive_records(run)]
    read = [comparable(r) for r in read_wxr(wxr) if not isinstance(r, Site)]
    counts: dict[str, int] = {}
    for kind in ("Author", "Term", "Post", "Comment"):
        mine = [(k, d) for t, k, d in original if t == kind]
        theirs = [(k, d) for t, k, d in read if t == kind]
        assert [k for k, _ in theirs] == [k for k, _ in mine], kind
        for (key, want), (_, got) in zip(mine, theirs, strict=True):
            assert got == want, (kind, key)
        counts[kind] = len(mine)
    return counts


def test_the_sample_comes_back_whole(tmp_path):
    run = sample_run(tmp_path / "run")
    summary = export_wxr(run, tmp_path / "sample.xml")
    counts = assert_round_trip(run, tmp_path / "sample.xml")
    assert counts == {"Author": 2, "Term": 12, "Post": 7, "Comment": 2}
    assert summary.written["comment"] == 2 and summary.written["nav_menu_item"] == 1
    assert "personal data" in summary.warnings[0]  # e-mails and passwords were left out


def test_personal_data_the_archive_kept_is_written(tmp_path):
    run = sample_run(tmp_path / "run", keep_personal_data=True)
    summary = export_wxr(run, tmp_path / "kept.xml")
    assert summary.warnings == []
    assert_round_trip(run, tmp_path / "kept.xml")
    authors = [r for r in read_wxr(tmp_path / "kept.xml") if isinstance(r, Author)]
    assert authors[0].email == "sala.gondolatai@example.com"


def test_the_site_facts_are_the_archives(tmp_path):
    run = sample_run(tmp_path / "run")
    export_wxr(run, tmp_path / "sample.xml")
    site = next(iter(read_wxr(tmp_path / "sample.xml")))
    original = next(iter(read_wxr(SAMPLE)))
    assert site == original  # title, link, description, language, base URLs, 1.2, generator


@pytest.mark.parametrize(
    "name",
    [
        "theme-unit-test-data.xml",  # 405 records: menus, attachments, every formatting case
        "crazy-cdata.xml",  # ]]> inside content
        "cdata-edge.xml",
        "test-serialized-postmeta-with-cdata.xml",
        "test-serialized-comment-meta.xml",
        "test-serialized-term-meta.xml",
        "term-meta.xml",
        "slashes.xml",
        "wxr-utf-8-challenges.xml",
        "valid-wxr-1.0.xml",  # a 1.0 file comes back as 1.2 with the same records
        "namespace-edge-cases.xml",
        "large-authors.xml",
    ],
)
def test_the_importers_own_test_files_come_back_whole(name, tmp_path):
    run = wparchive.archive(
        IMPORTER_DATA / name, out=tmp_path / "run", warc=False, keep_personal_data=True
    ).run_dir
    export_wxr(run, tmp_path / "out.xml")
    assert_round_trip(run, tmp_path / "out.xml")


@pytest.mark.wordpress
def test_the_real_site_comes_back_whole_with_passwords_and_every_status(wordpress_site, tmp_path):
    run = site_run(wordpress_site, tmp_path / "run", keep_personal_data=True)
    export_wxr(run, tmp_path / "site.xml.gz")
    with gzip.open(tmp_path / "site.xml.gz", "rb") as fh:
        (tmp_path / "site.xml").write_bytes(fh.read())
    counts = assert_round_trip(run, tmp_path / "site.xml")
    assert counts == {"Author": 4, "Term": 15, "Post": 26, "Comment": 9}
    posts = {r.id: r for r in read_wxr(tmp_path / "site.xml") if isinstance(r, Post)}
    assert {p.status for p in posts.values()} >= {"draft", "pending", "private", "future", "trash"}
    assert any(p.password == "titok" for p in posts.values())
    original = {r.id: r for r in read_wxr(wordpress_site.export_path) if isinstance(r, Post)}
    for ident, post in original.items():  # and the site's own export says the same
        assert posts[ident].content.raw == post.content.raw
        assert posts[ident].meta == post.meta and posts[ident].terms == post.terms


# -- what the importer's parsers look for ---------------------------------------------


def test_the_file_has_what_the_importers_parsers_read_by_name(tmp_path):
    run = sample_run(tmp_path / "run")
    export_wxr(run, tmp_path / "sample.xml")
    raw = (tmp_path / "sample.xml").read_bytes()
    root = etree.fromstring(raw)
    # The XML and regex parsers match literal prefixes; SimpleXML looks up 'wp' and 'excerpt'.
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.nsmap["wp"] == WP and root.nsmap["excerpt"] == WP + "excerpt/"
    assert root.nsmap["content"] == "http://purl.org/rss/1.0/modules/content/"
    assert root.nsmap["dc"] == "http://purl.org/dc/elements/1.1/"
    assert b"<wp:wxr_version>1.2</wp:wxr_version>" in raw
    channel = root.find("channel")
    ns = {"wp": WP}
    for field in ("base_site_url", "base_blog_url"):
        assert channel.findtext(f"wp:{field}", namespaces=ns) == "https://salagondolatai.hu"
    author = channel.find("wp:author", ns)
    assert [c.tag.split("}")[1] for c in author] == [
        "author_id",
        "author_login",
        "author_email",
        "author_display_name",
        "author_first_name",
        "author_last_name",
    ]
    items = channel.findall("item")
    assert len(items) == 7
    for item in items:
        for field in ("post_id", "post_type", "status", "post_date", "post_name", "is_sticky"):
            assert item.find(f"wp:{field}", ns) is not None, field
        assert item.find("{http://purl.org/rss/1.0/modules/content/}encoded") is not None
    # Parents before children: the importer finds a parent by slug when it makes the child.
    slugs = [
        c.findtext("wp:category_nicename", namespaces=ns)
        for c in channel.iterfind("wp:category", ns)
    ]
    assert slugs.index("hirek") < slugs.index("vilagpolitika")
    assert channel.find("wp:term", ns).findtext("wp:term_taxonomy", namespaces=ns) == "nav_menu"


def test_cdata_is_split_as_wordpress_splits_it():
    assert cdata("a ]]> b") == "<![CDATA[a ]]]]><![CDATA[> b]]>"
    assert cdata("tab\tok\x0bnot") == "<![CDATA[tab\tok not]]>"
    assert cdata(None) == "<![CDATA[]]>"


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        42,
        -7,
        1.5,
        "árvíztűrő",
        [],
        ["a", 1, None],
        {"width": 1200, "sizes": {"medium": {"file": "x-300x200.jpg"}}},
        {"0": "zero", "10": "ten", "key": [True, False]},
    ],
)
def test_php_serialize_is_what_unserialize_reads(value):
    assert unserialize(php_serialize(value)) == value


def test_meta_keeps_original_serialized_strings():
    original = 'a:1:{s:3:"key";s:13:"¯\\_(ツ)_/¯";}'
    meta = {"plain": ["text"], "data": [{"key": "¯\\_(ツ)_/¯"}], "twice": ["1", "2"]}
    pairs = list(meta_strings(meta, {"data": [original]}))
    assert pairs == [("plain", "text"), ("data", original), ("twice", "1"), ("twice", "2")]


def test_cli_writes_the_file_atomically(tmp_path):
    run = sample_run(tmp_path / "run")
    out = tmp_path / "deep" / "export.xml"
    result = CliRunner().invoke(app, ["export", "wxr", str(run), "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and not out.with_name("export.xml.open").exists()
    assert "personal data" in result.output
    over = CliRunner().invoke(app, ["export", "wxr", str(run), "--to", str(run / "archive.jsonl")])
    assert over.exit_code == 2
