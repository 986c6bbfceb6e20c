"""Parallel encoding gives exactly what serial encoding gives, in the source's order."""

from __future__ import annotations

import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

import wparchive
from bench.wxrgen import write_export
from wparchive.model import Author, Comment, Post
from wparchive.units import group_units
from wparchive.verify import verify_run


def _lines(path: Path) -> list[dict]:
    data = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    data[0].pop("created")
    return data


def test_group_units_keeps_each_post_with_its_comments():
    records = [
        Author(id=1, login="a"),
        Post(id=1),
        Comment(id=1, post_id=1),
        Comment(id=2, post_id=1),
        Post(id=2),
        Comment(id=3, post_id=9),
    ]
    units = [[type(r).__name__ + str(r.id) for r in u] for u in group_units(records)]
    assert units == [["Author1"], ["Post1", "Comment1", "Comment2"], ["Post2"], ["Comment3"]]


def test_worker_pool_output_equals_in_process_output(tmp_path):
    export = write_export(tmp_path / "e.xml", 300)
    one = wparchive.archive(export, out=tmp_path / "one", jobs=1)
    two = wparchive.archive(export, out=tmp_path / "two", jobs=2)
    assert _lines(one.archive) == _lines(two.archive)
    assert one.written == two.written
    pages_one = (one.run_dir / "pages.jsonl").read_text().splitlines()
    pages_two = (two.run_dir / "pages.jsonl").read_text().splitlines()
    assert [json.loads(p)["url"] for p in pages_one] == [json.loads(p)["url"] for p in pages_two]
    assert verify_run(two.run_dir).ok


def test_records_built_in_workers_point_at_their_own_files_warcinfo(tmp_path):
    export = write_export(tmp_path / "e.xml", 200)
    summary = wparchive.archive(export, out=tmp_path, jobs=2, warc_max_size=60_000)
    assert len(summary.warc_files) > 3
    for warc in summary.warc_files:
        with warc.open("rb") as fh:
            records = [r.rec_headers for r in ArchiveIterator(fh)]
        assert records[0].get_header("WARC-Type") == "warcinfo" and len(records) > 1
        info = records[0].get_header("WARC-Record-ID")
        assert all(r.get_header("WARC-Warcinfo-ID") == info for r in records[1:])
    assert verify_run(summary.run_dir).ok
