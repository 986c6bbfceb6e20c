"""Every ```python example of docs/api.md runs as a script, so the examples can't rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def _heading(index: int) -> str:
    """The section an example is in, for the test's id."""
    text = DOC.read_text(encoding="utf-8")
    position = text.index(BLOCKS[index])
    headings = re.findall(r"^## (.+)$", text[:position], re.M)
    slug = re.sub(r"[^a-z0-9]+", "-", (headings[-1] if headings else "intro").lower())
    return f"{index}-{slug.strip('-')}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """The examples' folder, as a clone's root would be: ``exports/`` there, outputs beside."""
    folder = tmp_path_factory.mktemp("api-docs")
    (folder / "exports").symlink_to(ROOT / "exports")
    return {"path": folder, "ran": set()}


def _run(workdir: dict, index: int) -> subprocess.CompletedProcess:
    script = workdir["path"] / f"example_{index}.py"
    script.write_text(BLOCKS[index], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, script.name],
        cwd=workdir["path"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_api_doc_has_the_promised_examples():
    text = "\n".join(BLOCKS)
    assert len(BLOCKS) >= 8
    for name in ("archive(", "open_archive(", "CleanTransform", "LinkRewriter", "SiteIndex"):
        assert name in text, name
    for name in ("transforms=", "verify_run", "run_bulk", "export_markdown", "markdownify"):
        assert name in text, name


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=_heading)
def test_api_doc_example_runs(workdir, index):
    # The examples build on each other (the first writes the archive): run the earlier ones.
    for earlier in range(index + 1):
        if earlier in workdir["ran"]:
            continue
        result = _run(workdir, earlier)
        assert result.returncode == 0, (
            f"docs/api.md example {earlier} failed:\n{BLOCKS[earlier]}\n{result.stderr}"
        )
        workdir["ran"].add(earlier)
