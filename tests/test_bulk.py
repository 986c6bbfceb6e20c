"""`wparchive bulk`: many sites, each its own job; one failing never stops the others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wparchive
from bench.wxrgen import write_export
from wparchive import bulk
from wparchive.bulk import BulkError, read_sites, run_bulk
from wparchive.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"


@pytest.fixture
def sites(tmp_path):
    """A sites file listing the sample export, a generated export and a file that is not WXR."""
    write_export(tmp_path / "generated.xml", 20)
    (tmp_path / "broken.xml").write_text("this is not a WordPress export\n", encoding="utf-8")
    listing = tmp_path / "sites.txt"
    listing.write_text(
        f"# three sites\n{SAMPLE}\n\ngenerated.xml   \n  # a comment\nbroken.xml\n",
        encoding="utf-8",
    )
    return listing


def test_bulk_archives_every_site_and_one_failure_stops_nothing(sites, tmp_path):
    seen = []
    results = run_bulk(sites, out=tmp_path / "out", jobs=2, on_result=seen.append)
    by_name = {r.name: r for r in results}
    assert list(by_name) == ["sala-gondolatai-wordpress-2024-06-18", "generated", "broken"]
    assert len(seen) == 3
    assert by_name["broken"].status == "failed"
    assert "WXR" in by_name["broken"].error and "\n" not in by_name["broken"].error
    for name in ("sala-gondolatai-wordpress-2024-06-18", "generated"):
        result = by_name[name]
        assert result.status == "complete", result
        assert result.run_dir.parent == tmp_path / "out" / name
        archive = wparchive.open_archive(result.run_dir)
        posts = sum(1 for r in archive if r["type"] == "post")
        assert archive.complete and posts == result.posts
    assert by_name["generated"].comments == 60  # 20 posts, 3 comments each
    assert bulk.exit_code(results) == 2


def test_bulk_resume_skips_complete_sites_and_reruns_the_others(sites, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = {r.name: r for r in run_bulk(sites, out=out, jobs=2)}
    sample_archive = first["sala-gondolatai-wordpress-2024-06-18"].run_dir / "archive.jsonl"
    mtime = sample_archive.stat().st_mtime_ns
    # The generated site was interrupted: only its .open file is left.
    generated = first["generated"].run_dir / "archive.jsonl"
    os.replace(generated, generated.with_name("archive.jsonl.open"))

    results = {r.name: r for r in run_bulk(sites, out=out, jobs=2, resume=True)}
    assert results["sala-gondolatai-wordpress-2024-06-18"].status == "skipped"
    assert (
        results["sala-gondolatai-wordpress-2024-06-18"].posts
        == first["sala-gondolatai-wordpress-2024-06-18"].posts
    )
    assert sample_archive.stat().st_mtime_ns == mtime
    assert results["generated"].status == "complete"
    assert wparchive.open_archive(generated).header
    rerun = results["generated"].run_dir
    assert not list(rerun.glob("*.open")), "the interrupted run's leftovers were kept"
    assert len(list(rerun.glob("*.warc.gz"))) == 1
    assert results["broken"].status == "failed"


def test_resume_does_not_trust_an_archive_without_its_end_line(tmp_path):
    run_dir = tmp_path / "site" / "example-org"
    run_dir.mkdir(parents=True)
    summary = wparchive.archive(SAMPLE, out=tmp_path / "site", jobs=1)
    lines = summary.archive.read_text(encoding="utf-8").splitlines(keepends=True)
    assert bulk.complete_archive(tmp_path / "site") == summary.run_dir
    summary.archive.write_text("".join(lines[:-1]), encoding="utf-8")
    assert bulk.complete_archive(tmp_path / "site") is None


def test_toml_sites_file_with_split_exports_and_per_site_options(tmp_path):
    write_export(tmp_path / "generated.xml", 5)
    listing = tmp_path / "sites.toml"
    listing.write_text(
        f"""
[[site]]
name = "sala"
source = "{SAMPLE}"
rewrite = "none"
clean = false
warc = false

[[site]]
sources = ["generated.xml"]
keep = ["jetpack"]
""",
        encoding="utf-8",
    )
    sites = read_sites(listing)
    assert [s.name for s in sites] == ["sala", "generated"]
    assert sites[1].sources == [str(tmp_path / "generated.xml")]
    assert sites[1].options == {"keep": ("jetpack",)}

    results = run_bulk(listing, out=tmp_path / "out", jobs=1)
    assert [r.status for r in results] == ["complete", "complete"]
    sala = results[0].run_dir
    assert not list(sala.glob("*.warc.gz")), "warc = false was not honoured"
    assert list(results[1].run_dir.glob("*.warc.gz"))
    post = next(
        r for r in wparchive.open_archive(sala) if r["type"] == "post" and r["post_type"] == "post"
    )
    assert post["content"]["html"] == post["content"]["raw"]  # clean = false, rewrite = none


def test_a_sites_file_naming_an_unknown_option_is_refused(tmp_path):
    listing = tmp_path / "sites.toml"
    listing.write_text(f'[[site]]\nsource = "{SAMPLE}"\nmedai = true\n', encoding="utf-8")
    with pytest.raises(BulkError, match="medai"):
        read_sites(listing)


def test_two_exports_of_one_site_keep_separate_folders(tmp_path):
    listing = tmp_path / "sites.txt"
    listing.write_text(f"{SAMPLE}\n{SAMPLE}\n", encoding="utf-8")
    names = [s.name for s in read_sites(listing)]
    assert names == [
        "sala-gondolatai-wordpress-2024-06-18",
        "sala-gondolatai-wordpress-2024-06-18-2",
    ]


def test_cli_bulk_exit_codes(sites, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    failed = runner.invoke(app, ["bulk", str(sites), "--out", str(out), "--jobs", "2"])
    assert failed.exit_code == 2, failed.output
    assert "broken" in failed.output and "complete" in failed.output

    good = tmp_path / "good.txt"
    good.write_text(f"{SAMPLE}\n", encoding="utf-8")
    ok = runner.invoke(app, ["bulk", str(good), "--out", str(out), "--resume"])
    assert ok.exit_code == 0, ok.output
    assert "skipped" in ok.output

    missing = runner.invoke(app, ["bulk", str(tmp_path / "nothing.txt")])
    assert missing.exit_code == 2
    assert "cannot read" in missing.output


def test_cli_bulk_exit_code_1_when_a_site_lost_data(tmp_path):
    truncated = tmp_path / "truncated.xml"
    write_export(truncated, 10)
    data = truncated.read_bytes()
    truncated.write_bytes(data[: data.rindex(b"<item>") + 200])
    listing = tmp_path / "sites.txt"
    listing.write_text(f"{SAMPLE}\ntruncated.xml\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["bulk", str(listing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "lost" in result.output
