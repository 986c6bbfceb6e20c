"""Disk full (issue 9): a run that can't write stops with one line naming the file and what
to do, and every file it had closed stays whole.

A file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write fails with EFBIG
instead of killing the process) stands in for a full disk: it needs no root and works
everywhere. Where a tmpfs can be mounted (root), a tiny one gives the real ENOSPC.
"""

from __future__ import annotations

import gzip
import os
import random
import resource
import signal
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.wxrgen import write_export

from .test_hostile_input import SITE, post
from .test_resume import assert_same_run
from .test_wxr_reader import wxr


def archive(export: Path, out: Path, *options: str, limit: int | None = None):
    """``wparchive archive`` in a process of its own, its files capped at ``limit`` bytes."""

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "wparchive", "archive", str(export), "--out", str(out)]
    return subprocess.run(
        [*command, "--quiet", *options],
        preexec_fn=cap if limit else None,
        capture_output=True,
        text=True,
        timeout=300,
    )


def whole(warc: Path) -> bool:
    """Every gzip member complete, every record's digest right (`warcio check` alone passes
    a file whose last record is cut: it leaves that digest unchecked)."""
    try:
        gzip.decompress(warc.read_bytes())
    except (EOFError, OSError, zlib.error):
        return False
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            record.content_stream().read()
            if record.digest_checker.passed is False:
                return False
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(warc)])
    return check.returncode == 0


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    return errors[0]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return write_export(tmp_path_factory.mktemp("export") / "blog.xml", 300)  # 2.7 MB


@pytest.fixture(scope="module")
def uninterrupted(export, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    assert archive(export, out, "--warc-max-size", "300k").returncode == 0
    return out / "blog-example-hu"


def resumed(export: Path, out: Path, reference: Path) -> None:
    """Run again with --resume once there is room: the archive an uninterrupted run makes."""
    result = archive(export, out, "--warc-max-size", "300k", "--resume")
    assert result.returncode == 0, result.stderr
    assert "resumed" in result.stderr  # the console's notes go to stderr
    assert_same_run(reference, out / "blog-example-hu")


def test_a_file_size_limit_stops_the_run_naming_the_file_and_closed_warcs_stay_whole(
    export, uninterrupted, tmp_path
):
    run = tmp_path / "out" / "blog-example-hu"
    result = archive(export, tmp_path / "out", "--warc-max-size", "300k", limit=1_000_000)
    assert result.returncode == 2
    error = one_error_line(result.stderr)
    assert error == f"Error: File too large: {run / 'archive.jsonl.open'}"
    assert "Hint: the file reached the largest size allowed here (ulimit -f" in result.stderr
    assert "--resume" in result.stderr
    assert not (run / "archive.jsonl").exists()  # never passes for a finished archive
    closed = sorted(run.glob("*.warc.gz"))
    assert len(closed) >= 2
    assert all(whole(warc) for warc in closed)
    resumed(export, tmp_path / "out", uninterrupted)  # the limit raised


def test_a_warc_cut_by_the_limit_is_never_given_its_final_name(tmp_path):
    # A 2 MB upload (random bytes: gzip can't shrink it) goes into the WARC whole, from
    # memory: the write that fails is the WARC's, halfway through the record.
    uploads = tmp_path / "uploads"
    (uploads / "2024" / "06").mkdir(parents=True)
    (uploads / "2024" / "06" / "big.jpg").write_bytes(random.Random(9).randbytes(2_000_000))
    image = f'<p><img src="{SITE}/wp-content/uploads/2024/06/big.jpg"></p>'
    export = tmp_path / "site.xml"
    export.write_text(wxr(post(1, content=image)))
    run = tmp_path / "out" / "example-org"
    options = ("--jobs", "1", "--media", "--uploads-dir", str(uploads))
    result = archive(export, tmp_path / "out", *options, limit=1_500_000)
    assert result.returncode == 2
    [torn] = run.glob("*.warc.gz.open")
    assert one_error_line(result.stderr) == f"Error: File too large: {torn}"
    assert list(run.glob("*.warc.gz")) == []
    assert not whole(torn)  # why it must keep its .open name
    again = archive(export, tmp_path / "out", *options, "--resume")  # the limit raised
    assert again.returncode == 0, again.stderr
    [warc] = run.glob("*.warc.gz")
    assert whole(warc) and (run / "media" / "2024" / "06" / "big.jpg").stat().st_size == 2_000_000


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 3 MB tmpfs at tmp_path/disk (root only), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the file-size limit tests cover the rest")
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True
    )
    if mount.returncode != 0:
        pytest.skip(f"no tmpfs here: {mount.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_stops_the_run_with_one_line_and_closed_warcs_stay_whole(
    export, uninterrupted, small_disk
):
    result = archive(export, small_disk, "--warc-max-size", "300k")
    assert result.returncode == 2
    error = one_error_line(result.stderr)
    assert error.startswith("Error: No space left on device: ")
    named = Path(error.removeprefix("Error: No space left on device: "))
    assert small_disk in named.parents and named.exists()
    assert "Hint: the disk is full: free some space" in result.stderr
    run = small_disk / "blog-example-hu"
    assert not (run / "archive.jsonl").exists()
    closed = sorted(run.glob("*.warc.gz"))
    assert closed and all(whole(warc) for warc in closed)
    # space freed: the same disk, grown
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    resumed(export, small_disk, uninterrupted)
