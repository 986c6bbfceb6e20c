"""Memory stays flat whatever the export's size: the archiving process, measured from outside."""

from __future__ import annotations

import sys

import pytest

from bench.run import measure
from bench.wxrgen import write_export


@pytest.mark.slow
def test_archiving_20000_posts_stays_under_150_mb(tmp_path):
    export = write_export(tmp_path / "big.xml", 20_000)
    assert export.stat().st_size > 150 * 1024 * 1024  # bigger than the memory allowed
    # The harness's own measure: wall clock and the peak RSS wait4 reports for the run.
    run = measure(
        [
            sys.executable,
            "-m",
            "wparchive",
            "archive",
            str(export),
            "--out",
            str(tmp_path / "out"),
            "--quiet",
        ]
    )
    rc, peak = run.rc, run.peak_mb
    print(f"peak RSS archiving 20,000 posts ({export.stat().st_size >> 20} MB): {peak:.0f} MB")
    assert rc == 0
    assert peak < 150
    archive = tmp_path / "out" / "blog-example-hu" / "archive.jsonl"
    with archive.open(encoding="utf-8") as fh:
        assert sum(line.startswith('{"type":"post"') for line in fh) == 20_000
