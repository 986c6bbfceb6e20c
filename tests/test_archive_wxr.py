"""WXR export in, portable JSON archive out: the first end-to-end path."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import wparchive
from wparchive.pipeline import SourceError
from wparchive.sinks.json_archive import ArchiveError

from .test_wxr_reader import item, wxr

COMMENT = (
    "<wp:comment><wp:comment_id>{id}</wp:comment_id>"
    "<wp:comment_author><![CDATA[Kovács Anna]]></wp:comment_author>"
    "<wp:comment_author_email>anna@example.hu</wp:comment_author_email>"
    "<wp:comment_author_IP>192.0.2.7</wp:comment_author_IP>"
    "<wp:comment_approved>{approved}</wp:comment_approved>"
    "<wp:comment_content><![CDATA[Jó cikk!]]></wp:comment_content></wp:comment>"
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    comments = COMMENT.format(id=1, approved="1") + COMMENT.format(id=2, approved="0")
    body = (
        "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>admin</wp:author_login>"
        "<wp:author_email>admin@example.org</wp:author_email></wp:author>"
        + item(1, extra=comments + "<wp:post_password>titok</wp:post_password>")
        + item(
            2,
            extra="<wp:postmeta><wp:meta_key>_size</wp:meta_key>"
            '<wp:meta_value><![CDATA[a:1:{s:1:"w";i:300;}]]></wp:meta_value></wp:postmeta>',
        )
    )
    path = tmp_path / "export.xml"
    path.write_text(wxr(body))
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_archive_writes_header_records_and_end_line(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path / "out")
    assert summary.archive == tmp_path / "out" / "example-org" / "archive.jsonl"
    data = lines(summary.archive)
    header, end = data[0], data[-1]
    assert header["type"] == "archive" and header["format"] == "wparchive"
    assert header["version"] == 1 and header["tool"] == f"wparchive {wparchive.__version__}"
    assert header["source"]["kind"] == "wxr"
    [file] = header["source"]["files"]
    assert file["name"] == "export.xml" and file["bytes"] == export.stat().st_size
    assert file["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert header["site"]["wxr_version"] == "1.2"
    assert [d["type"] for d in data[1:-1]] == ["author", "post", "comment", "comment", "post"]
    assert end == {
        "type": "end",
        "counts": {
            "author": 1,
            "term": 0,
            "post": 2,
            "comment": 2,
            "media": 0,
            "post_types": {"post": 2},
        },
    }
    assert not summary.archive.with_name("archive.jsonl.open").exists()


def test_archive_keeps_every_comment_with_its_status(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    comments = [d for d in lines(summary.archive) if d["type"] == "comment"]
    assert [(c["id"], c["post_id"], c["status"]) for c in comments] == [
        (1, 1, "approved"),
        (2, 1, "pending"),
    ]
    assert summary.found == summary.written
    assert summary.found["comment"] == 2 and not summary.lost


def test_personal_data_is_left_out_by_default(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    text = summary.archive.read_text()
    for secret in ("anna@example.hu", "192.0.2.7", "titok", "admin@example.org"):
        assert secret not in text
    assert lines(summary.archive)[0]["personal_data"] == "left out"
    assert summary.to_dict()["personal_data"] == "left out"


def test_keep_personal_data_keeps_emails_ips_and_passwords(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path, keep_personal_data=True)
    data = lines(summary.archive)
    comment = next(d for d in data if d["type"] == "comment")
    assert comment["author_email"] == "anna@example.hu" and comment["author_ip"] == "192.0.2.7"
    assert next(d for d in data if d["type"] == "post")["password"] == "titok"
    assert next(d for d in data if d["type"] == "author")["email"] == "admin@example.org"


def test_serialized_meta_is_decoded_with_the_raw_string_beside(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    post = [d for d in lines(summary.archive) if d["type"] == "post"][1]
    assert post["meta"] == {"_size": [{"w": 300}]}
    assert post["meta_raw"] == {"_size": ['a:1:{s:1:"w";i:300;}']}


def test_content_html_equals_raw_until_transforms_run(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    for post in (d for d in lines(summary.archive) if d["type"] == "post"):
        assert post["content"]["html"] == post["content"]["raw"]
        assert post["provenance"] == {}


def test_open_archive_streams_records_back(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    reader = wparchive.open_archive(summary.run_dir)
    assert reader.header["site"]["title"] == "Test"
    records = list(reader)
    assert len(records) == 5 and reader.complete
    assert reader.end["counts"]["post"] == 2


def test_open_archive_refuses_an_archive_without_end_line(export, tmp_path):
    summary = wparchive.archive(export, out=tmp_path)
    cut = summary.archive.read_text().splitlines()[:-1]
    summary.archive.write_text("\n".join(cut) + "\n")
    with pytest.raises(ArchiveError, match="no end line"):
        list(wparchive.open_archive(summary.archive))
    assert len(list(wparchive.open_archive(summary.archive, allow_incomplete=True))) == 5


def test_a_failed_run_leaves_only_the_open_file(tmp_path):
    # Megabytes of good items first, so the damage is met after the archive was opened.
    text = wxr("".join(item(i, title="x" * 50_000) for i in range(3, 60)) + item(2))
    path = tmp_path / "x.xml"
    path.write_text(text.replace("<wp:post_id>2<", "<wp:post_id>2\x01<"))
    with pytest.raises(SourceError, match="control character"):
        wparchive.archive(path, out=tmp_path / "out", strict=True)
    run = tmp_path / "out" / "example-org"
    assert not (run / "archive.jsonl").exists()
    assert (run / "archive.jsonl.open").exists()


def test_lost_items_are_reported_and_set_the_exit_code(tmp_path):
    text = wxr(item(1) + item(2) + item(3))
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index("<wp:post_id>3") + 30])
    summary = wparchive.archive(path, out=tmp_path)
    assert summary.written["post"] == 2
    assert summary.lost and summary.exit_code == 1


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        wparchive.archive(tmp_path / "nope.xml", out=tmp_path)


def test_integers_beyond_64_bits_in_meta_are_kept_exactly(tmp_path):
    meta = (
        "<wp:postmeta><wp:meta_key>big</wp:meta_key>"
        "<wp:meta_value><![CDATA[a:1:{i:0;i:123456789012345678901234;}]]></wp:meta_value>"
        "</wp:postmeta>"
    )
    path = tmp_path / "big.xml"
    path.write_text(wxr(item(1, extra=meta)))
    summary = wparchive.archive(path, out=tmp_path, warc=False)
    [post] = [d for d in lines(summary.archive) if d["type"] == "post"]
    assert post["meta"]["big"] == [[123456789012345678901234]]


def test_unicode_line_separators_never_split_an_archive_line(tmp_path):
    path = tmp_path / "sep.xml"
    path.write_text(wxr(item(1, title="a\u2028b\u2029c\u0085d")), encoding="utf-8")
    summary = wparchive.archive(path, out=tmp_path, warc=False)
    text = summary.archive.read_text(encoding="utf-8")
    assert text.splitlines() == text.split("\n")[:-1]
    [post] = [d for d in lines(summary.archive) if d["type"] == "post"]
    assert post["title"] == "a\u2028b\u2029c\u0085d"


def test_the_summary_counts_every_unresolved_link_in_bounded_memory(tmp_path, monkeypatch):
    """Each link to nothing archived is counted; past UNRESOLVED_KEPT distinct URLs only
    the total grows (a site full of broken links must not grow the main process)."""
    import wparchive.pipeline as pipeline

    from .test_hostile_input import post

    links = "".join(f'<a href="https://example.org/missing-{i}/">{i}</a>' for i in range(6))
    source = tmp_path / "site.xml"
    source.write_text(wxr(post(1, content=f"<p>{links}</p>") + post(2, content=links)))
    full = wparchive.archive(source, out=tmp_path / "full", jobs=1)
    monkeypatch.setattr(pipeline, "UNRESOLVED_KEPT", 2)
    bounded = wparchive.archive(source, out=tmp_path / "bounded", jobs=1)
    assert full.unresolved_total == bounded.unresolved_total == 12
    assert len(full.unresolved) == 6 and len(bounded.unresolved) == 2
    assert bounded.unresolved_other == 8
