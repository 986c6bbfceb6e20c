"""The cleaning corpus: every real artifact sample removed, every trap left untouched.

`tests/data/clean/corpus.toml` lists the samples (see its header). The summary test
prints both rates; both must be 100%.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from wparchive.clean import Cleaner, extract_page
from wparchive.clean.engine import Cleaner as _Cleaner
from wparchive.clean.page import html_to_text

CORPUS = Path(__file__).parent / "data" / "clean"
MANIFEST = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
ARTIFACTS: list[dict[str, Any]] = MANIFEST["artifact"]
TRAPS: list[dict[str, Any]] = MANIFEST["trap"]


@cache
def cleaner(locale: str | None) -> Cleaner:
    return Cleaner(locale)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def squeeze(texts: list[str]) -> list[str]:
    """Paragraphs with runs of spaces as one (a page's HTML collapses what text keeps)."""
    return [" ".join(t.split()) for t in texts]


def fragment_text(html: str) -> str:
    root = _Cleaner.parse(html, "content") if html.strip() else None
    return html_to_text(root) if root is not None else ""


def check_artifact(sample: dict[str, Any]) -> list[str]:
    """What is wrong with the cleaning of one artifact sample (empty: all removed)."""
    return _check_artifact(sample["file"])


@cache  # the summary test re-checks every sample: once is enough
def _check_artifact(file: str) -> list[str]:
    sample = next(s for s in ARTIFACTS if s["file"] == file)
    source = (CORPUS / sample["file"]).read_text(encoding="utf-8")
    kind = sample["kind"]
    c = cleaner(sample.get("locale"))
    problems = []
    if kind in ("page", "text"):
        page = extract_page(source, cleaner=c)
        families = {r.family for r in page.removed}
        output = page.to_text() + page.content_html
        if page.title != sample["title"]:
            problems.append(f"title {page.title!r}")
        if "date" in sample and page.date != sample["date"]:
            problems.append(f"date {page.date!r}")
        body = sample.get("body")
        if "body_slice" in sample:
            start, end = sample["body_slice"]
            text_source = CORPUS / sample.get("body_from", sample["file"])
            body = paragraphs(text_source.read_text(encoding="utf-8"))[start:end]
        if squeeze(paragraphs(page.content_text)) != squeeze(body):
            problems.append(f"body {paragraphs(page.content_text)!r}")
        if "comments" in sample and page.comments != sample["comments"]:
            problems.append(f"comments {page.comments!r}")
        text = page.to_text()
    else:
        result = c.clean_html(source, kind=kind)
        families = {r.family for r in result.removed}
        output = result.html
        text = fragment_text(result.html)
        for piece in sample.get("kept_html", []):
            if piece not in result.html:
                problems.append(f"lost markup {piece!r}")
    problems += [f"{f} did not fire" for f in sample["families"] if f not in families]
    problems += [f"left {g!r}" for g in sample.get("gone", []) if g in output]
    problems += [f"lost {k!r}" for k in sample.get("kept", []) if k not in text]
    return problems


def check_trap(sample: dict[str, Any]) -> list[str]:
    """What the cleaner wrongly did to one trap (empty: untouched)."""
    return _check_trap(sample["file"])


@cache
def _check_trap(file: str) -> list[str]:
    sample = next(s for s in TRAPS if s["file"] == file)
    source = (CORPUS / sample["file"]).read_text(encoding="utf-8")
    kind = sample["kind"]
    c = cleaner(sample.get("locale"))
    if kind in ("page", "text"):
        page = extract_page(source, cleaner=c)
        problems = []
        if page.title != sample["title"]:
            problems.append(f"title {page.title!r}")
        if paragraphs(page.content_text) != sample["body"]:
            problems.append(f"body {paragraphs(page.content_text)!r}")
        return problems
    result = c.clean_html(source, kind=kind)
    problems = [f"{r.rule} removed {r.text!r}" for r in result.removed]
    if result.html != source:
        problems.append("html changed")
    return problems


@pytest.mark.parametrize("sample", ARTIFACTS, ids=[s["file"] for s in ARTIFACTS])
def test_artifact_is_removed(sample):
    assert check_artifact(sample) == []


@pytest.mark.parametrize("sample", TRAPS, ids=[s["file"] for s in TRAPS])
def test_trap_is_untouched(sample):
    assert check_trap(sample) == []


def test_corpus_rates_are_100_percent(capsys):
    removed = sum(not check_artifact(s) for s in ARTIFACTS)
    untouched = sum(not check_trap(s) for s in TRAPS)
    with capsys.disabled():
        print(
            f"\nclean corpus: artifacts removed {removed}/{len(ARTIFACTS)} "
            f"({100 * removed / len(ARTIFACTS):.0f}%), traps untouched "
            f"{untouched}/{len(TRAPS)} ({100 * untouched / len(TRAPS):.0f}%)"
        )
    assert removed == len(ARTIFACTS)
    assert untouched == len(TRAPS)


def test_corpus_is_big_and_varied_enough():
    assert len(ARTIFACTS) >= 30 and len(TRAPS) >= 30
    families = {f for s in ARTIFACTS for f in s["families"]}
    from wparchive.clean import family_names

    assert families == set(family_names()), set(family_names()) - families
    languages = {s.get("locale", "hu_HU").split("_")[0] for s in ARTIFACTS}
    assert len(languages) >= 6
    kinds = {s["kind"] for s in ARTIFACTS}
    assert {"content", "page", "text"} <= kinds
