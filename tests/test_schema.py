"""Every line wparchive writes is valid against the JSON Schema it publishes."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import wparchive

DATA = Path(__file__).parent / "data"
SCHEMA = json.loads(files("wparchive").joinpath("schema/archive-v1.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

# Exports the importer's test suite uses, minus the ones every importer refuses.
REFUSED = {"malformed.xml", "missing-version-tag.xml", "invalid-version-tag.xml"}
EXPORTS = sorted(
    p for p in (DATA / "wordpress-importer").glob("*.xml") if p.name not in REFUSED
) + sorted(Path(__file__).parent.parent.joinpath("exports").glob("*.xml"))


def test_the_schema_itself_is_valid():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("keep", [False, True], ids=["default", "keep-personal-data"])
@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
def test_every_archive_line_matches_the_schema(export, keep, tmp_path):
    summary = wparchive.archive(export, out=tmp_path, keep_personal_data=keep)
    lines = summary.archive.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["type"] == "archive"
    assert json.loads(lines[-1])["type"] == "end"
    for number, line in enumerate(lines, start=1):
        errors = sorted(VALIDATOR.iter_errors(json.loads(line)), key=lambda e: e.path)
        assert not errors, f"line {number}: {errors[0].message}"


def test_the_schema_rejects_what_it_should():
    good = {
        "type": "comment",
        "id": 1,
        "post_id": 1,
        "parent": 0,
        "author_name": "",
        "author_url": "",
        "user_id": 0,
        "date": None,
        "date_gmt": None,
        "status": "approved",
        "comment_type": "comment",
        "content": {"raw": "", "html": ""},
        "meta": {},
    }
    assert VALIDATOR.is_valid(good)
    assert not VALIDATOR.is_valid({**good, "status": "approved-ish"})
    assert not VALIDATOR.is_valid({**good, "date": "2024-06-18 09:12:00"})
    assert not VALIDATOR.is_valid({**good, "unexpected": 1})
    assert not VALIDATOR.is_valid({"type": "nonsense"})
