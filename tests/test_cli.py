"""The wparchive command as a user meets it: exit codes, summaries, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from wparchive.cli import app

from .test_wxr_reader import item, wxr

runner = CliRunner()


def test_archive_prints_a_summary_and_exits_0(tmp_path):
    export = tmp_path / "e.xml"
    export.write_text(wxr(item(1) + item(2)))
    result = runner.invoke(app, ["archive", str(export), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "post" in result.output and "found" in result.output
    assert "personal data: left out" in result.output
    assert (tmp_path / "example-org" / "archive.jsonl").exists()


def test_archive_exits_1_when_something_was_lost(tmp_path):
    text = wxr(item(1) + item(2))
    export = tmp_path / "cut.xml"
    export.write_text(text[: text.index("<wp:post_id>2") + 30])
    result = runner.invoke(app, ["archive", str(export), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 1
    assert "skipped as incomplete" in result.output


def test_archive_of_a_missing_file_exits_2_with_a_hint_and_no_traceback(tmp_path):
    result = runner.invoke(app, ["archive", str(tmp_path / "nope.xml"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Error:" in result.output and "Hint:" in result.output
    assert "Traceback" not in result.output


def test_archive_of_a_non_wxr_file_exits_2(tmp_path):
    export = tmp_path / "feed.xml"
    export.write_text(wxr(item(1), version="x"))
    result = runner.invoke(app, ["archive", str(export), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "missing/invalid WXR version number" in result.output


def test_bad_usage_exits_2():
    assert runner.invoke(app, ["archive"]).exit_code == 2
    assert runner.invoke(app, ["archive", "x.xml", "--no-such-option"]).exit_code == 2


def test_summary_json_is_written(tmp_path):
    export = tmp_path / "e.xml"
    export.write_text(wxr(item(1)))
    target = tmp_path / "summary.json"
    result = runner.invoke(
        app, ["archive", str(export), "-o", str(tmp_path), "-q", "--summary-json", str(target)]
    )
    assert result.exit_code == 0
    summary = json.loads(target.read_text())
    assert summary["written"] == {"post": 1} and summary["lost"] is False


def test_inspect_counts_without_writing(tmp_path):
    export = tmp_path / "e.xml"
    export.write_text(wxr(item(1) + item(2)))
    result = runner.invoke(app, ["inspect", str(export), "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["found"] == {"post": 2}
    assert facts["site"]["title"] == "Test"
    assert list(tmp_path.iterdir()) == [export]


def test_python_m_wparchive_and_version():
    out = subprocess.run(
        [sys.executable, "-m", "wparchive", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("wparchive ")
