"""The README's first quick-start command does what it says: archives the bundled sample."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_sample_export_the_makefile_names_is_bundled():
    sample = re.search(r"^SAMPLE\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)[1]
    assert (ROOT / sample).is_file()
    assert sample in README


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_archives_the_sample_into_a_run_folder(tmp_path):
    # The suite's own environment stands in for .venv, so nothing is installed twice.
    venv = Path(sys.executable).parent.parent
    (venv / ".installed").touch()
    result = subprocess.run(
        ["make", "-s", "demo", f"VENV={venv}", f"DEMO_OUT={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [archive] = tmp_path.glob("*/archive.jsonl")
    lines = archive.read_text(encoding="utf-8").splitlines()
    header, end = json.loads(lines[0]), json.loads(lines[-1])
    assert header["site"]["title"] == "SaLa gondolatai"
    assert header["site"]["language"] == "hu-HU"
    assert end["type"] == "end" and end["counts"]["post"] > 0
