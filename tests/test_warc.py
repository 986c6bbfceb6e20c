"""The WARC writer: WARC 1.1, digests, rollover, HTTP captures without credentials."""

from __future__ import annotations

import base64
import gzip
import hashlib
import subprocess
import sys
import time
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

import wparchive
from wparchive.sinks.warc import HttpExchange, WarcWriter, default_info

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"
WARCIO = Path(sys.executable).parent / "warcio"


def warcio_check(path: Path) -> None:
    result = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout


def records(path: Path) -> list:
    out = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            out.append((record.rec_type, record.rec_headers, record.content_stream().read()))
    return out


def writer(tmp_path: Path, **kwargs) -> WarcWriter:
    info = default_info(software="wparchive-test", is_part_of="t", description="test")
    return WarcWriter(tmp_path, "site", info=info, **kwargs)


def exchange(url: str, body: bytes, **kwargs) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[
            ("Host", "example.org"),
            ("Authorization", "Basic c2VjcmV0"),
            ("Cookie", "wordpress_logged_in=secret"),
            ("User-Agent", "wparchive"),
        ],
        status=200,
        reason="OK",
        response_headers=[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "7"),
        ],
        body=body,
        **kwargs,
    )


def test_the_sample_run_writes_valid_warc_1_1(tmp_path):
    summary = wparchive.archive(SAMPLE, out=tmp_path, operator="Test Library")
    [warc] = summary.warc_files
    assert warc.name.startswith("salagondolatai-hu-") and warc.name.endswith("-00000.warc.gz")
    warcio_check(warc)
    recs = records(warc)
    kind, headers, block = recs[0]
    assert kind == "warcinfo" and headers.get_header("WARC-Filename") == warc.name
    info = block.decode()
    for field in (
        "software: wparchive/",
        "format: WARC File Format 1.1",
        "conformsTo: http",
        "isPartOf: salagondolatai-hu",
        "operator: Test Library",
        "hostname: ",
        "robots: none",
    ):
        assert field in info
    warcinfo_id = headers.get_header("WARC-Record-ID")
    for _, h, _ in recs:
        assert h.protocol == "WARC/1.1"
    for _, h, _ in recs[1:]:
        assert h.get_header("WARC-Warcinfo-ID") == warcinfo_id
        assert h.get_header("WARC-Block-Digest").startswith("sha1:")


def test_the_export_file_is_archived_byte_for_byte(tmp_path):
    summary = wparchive.archive(SAMPLE, out=tmp_path)
    [export] = [
        (h, b)
        for k, h, b in records(summary.warc_files[0])
        if k == "resource" and "export.php" in h.get_header("WARC-Target-URI")
    ]
    assert export[1] == SAMPLE.read_bytes()
    assert export[0].get_header("Content-Type").startswith("text/xml")


def test_every_published_post_and_page_is_rendered_at_its_permalink(tmp_path):
    summary = wparchive.archive(SAMPLE, out=tmp_path)
    pages = {
        h.get_header("WARC-Target-URI"): b.decode()
        for k, h, b in records(summary.warc_files[0])
        if k == "resource" and b.startswith(b"<!DOCTYPE")
    }
    posts = [
        r
        for r in wparchive.open_archive(summary.archive)
        if r["type"] == "post" and r["status"] == "publish" and r["post_type"] in ("post", "page")
    ]
    assert sorted(pages) == sorted(p["link"] for p in posts)
    for post in posts:
        page = pages[post["link"]]
        assert f"<h1>{post['title']}</h1>" in page.replace("&quot;", '"')
    putin = next(p for u, p in pages.items() if "putyin" in u)
    assert "Vlagyimir Putyin keddtől" in putin and 'class="comments"' in putin


def test_every_post_has_a_metadata_record(tmp_path):
    summary = wparchive.archive(SAMPLE, out=tmp_path)
    ids = {
        int(line.split(": ")[1])
        for k, _, b in records(summary.warc_files[0])
        if k == "metadata"
        for line in b.decode().splitlines()
        if line.startswith("wparchive-post-id")
    }
    posts = {r["id"] for r in wparchive.open_archive(summary.archive) if r["type"] == "post"}
    assert ids == posts


def test_sha256_digests_are_lowercase_hex(tmp_path):
    summary = wparchive.archive(SAMPLE, out=tmp_path, digest="sha256")
    warc = summary.warc_files[0]
    warcio_check(warc)
    for _, headers, block in records(warc):  # a WXR run has no HTTP records: block = payload
        assert (
            headers.get_header("WARC-Block-Digest") == "sha256:" + hashlib.sha256(block).hexdigest()
        )


def test_sha1_digests_are_base32_of_the_block(tmp_path):
    w = writer(tmp_path)
    record = w.resource("https://example.org/a.txt", "text/plain", b"hello")
    w.close()
    [(_, headers, block)] = [r for r in records(w.files[0]) if r[0] == "resource"]
    expected = "sha1:" + base64.b32encode(hashlib.sha1(b"hello").digest()).decode()
    assert (
        headers.get_header("WARC-Block-Digest")
        == expected
        == headers.get_header("WARC-Payload-Digest")
    )
    assert record.target_uri == "https://example.org/a.txt"


def test_rollover_happens_before_a_record_would_pass_the_limit(tmp_path):
    w = writer(tmp_path, max_size=20_000)
    rng = __import__("random").Random(5)
    for i in range(40):
        w.resource(f"https://example.org/{i}", "application/octet-stream", rng.randbytes(3_000))
    w.resource("https://example.org/big", "application/octet-stream", rng.randbytes(50_000))
    files = w.close()
    assert len(files) > 5
    assert not list(tmp_path.glob("*.open"))
    names = [f.name for f in files]
    assert names == sorted(names) and names[0].endswith("-00000.warc.gz")
    for f in files:
        warcio_check(f)
        recs = records(f)
        assert recs[0][0] == "warcinfo"
        assert recs[0][1].get_header("WARC-Filename") == f.name
        if f.stat().st_size > 20_000:  # only a file holding one record bigger than the limit
            assert len(recs) == 2
    total = sum(1 for f in files for r in records(f) if r[0] == "resource")
    assert total == 41


def test_http_captures_never_record_credentials_and_replay_headers_match_the_body(tmp_path):
    w = writer(tmp_path)
    body = b'{"id": 1, "title": "\xc3\xa1rv\xc3\xadzt\xc5\xb1r\xc5\x91"}'
    response, request = w.exchange(exchange("https://example.org/wp-json/wp/v2/posts/1", body))
    w.close()
    warc = w.files[0]
    warcio_check(warc)
    raw = gzip.decompress(warc.read_bytes())
    assert b"secret" not in raw and b"c2VjcmV0" not in raw
    recs = {k: (h, b) for k, h, b in records(warc)}
    assert recs["request"][0].get_header("WARC-Concurrent-To") == response.record_id
    http = records_http(warc)
    assert http.get_header("Content-Length") == str(len(body))
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert recs["response"][1] == body


def records_http(warc: Path):
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                return record.http_headers
    raise AssertionError("no response")


def test_identical_payloads_become_revisits(tmp_path):
    w = writer(tmp_path)
    first, _ = w.exchange(exchange("https://example.org/a.jpg", b"same bytes"))
    second, _ = w.exchange(exchange("https://example.org/copy-of-a.jpg", b"same bytes"))
    w.close()
    warcio_check(w.files[0])
    assert (first.warc_type, second.warc_type) == ("response", "revisit")
    revisit = next(h for k, h, _ in records(w.files[0]) if k == "revisit")
    assert revisit.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert revisit.get_header("WARC-Refers-To-Target-URI") == "https://example.org/a.jpg"
    assert revisit.get_header("WARC-Refers-To-Date") == first.date


def test_non_ascii_target_uris_are_percent_encoded(tmp_path):
    w = writer(tmp_path)
    record = w.resource("https://example.org/2024/06/café-árvíz/", "text/html", b"<p>x</p>")
    w.close()
    assert record.target_uri == "https://example.org/2024/06/caf%C3%A9-%C3%A1rv%C3%ADz/"


def test_big_files_are_streamed_not_read_whole(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (40 << 20))
    w = writer(tmp_path)
    w.resource("https://example.org/big.bin", "application/octet-stream", big)
    w.close()
    warcio_check(w.files[0])


def test_gzip_level_six_costs_little_size_and_less_time_than_nine():
    """Why DEFAULT_GZIP_LEVEL is 6, not warcio's fixed 9, measured on a generated export."""
    from bench.wxrgen import write_export

    data = write_export(Path(__import__("tempfile").mkdtemp()) / "e.xml", 300).read_bytes()
    timings = {}
    for level in (6, 9):
        best = min(_timed(zlib.compress, data, level) for _ in range(3))
        timings[level] = (best, len(zlib.compress(data, level)))
    print(
        f"gzip level 6: {timings[6][0]:.3f}s {timings[6][1]:,} B; "
        f"level 9: {timings[9][0]:.3f}s {timings[9][1]:,} B"
    )
    assert timings[6][1] <= timings[9][1] * 1.05
    assert timings[6][0] < timings[9][0]


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def test_http_captures_of_non_ascii_urls_have_an_ascii_request_line(tmp_path):
    w = writer(tmp_path)
    w.exchange(exchange("https://example.org/wp-content/uploads/árvíztűrő.jpg", b"\xff\xd8"))
    w.close()
    warcio_check(w.files[0])
    [(_, headers, block)] = [r for r in records(w.files[0]) if r[0] == "request"]
    assert headers.get_header("WARC-Target-URI").endswith("/%C3%A1rv%C3%ADzt%C5%B1r%C5%91.jpg")
