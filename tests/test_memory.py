"""Memory stays flat whatever the export's size: the archiving process, measured from outside."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.wxrgen import write_export

# Runs a command and prints its peak RSS in kB: the child's ru_maxrss, read by a
# parent that has no other children, is that process's own peak.
_PEAK_RSS = (
    "import resource, subprocess, sys; "
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss_mb(*command: str) -> tuple[int, float]:
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), int(out[1]) / 1024


@pytest.mark.slow
def test_archiving_20000_posts_stays_under_150_mb(tmp_path):
    export = write_export(tmp_path / "big.xml", 20_000)
    assert export.stat().st_size > 150 * 1024 * 1024  # bigger than the memory allowed
    rc, peak = peak_rss_mb(
        sys.executable,
        "-m",
        "wparchive",
        "archive",
        str(export),
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    )
    print(f"peak RSS archiving 20,000 posts ({export.stat().st_size >> 20} MB): {peak:.0f} MB")
    assert rc == 0
    assert peak < 150
    archive = tmp_path / "out" / "blog-example-hu" / "archive.jsonl"
    with archive.open(encoding="utf-8") as fh:
        assert sum(line.startswith('{"type":"post"') for line in fh) == 20_000
