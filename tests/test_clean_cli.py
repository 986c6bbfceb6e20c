"""`wparchive clean` and `wparchive rules` as a user meets them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from wparchive.cli import app

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "clean"
SEED = DATA / "artifacts" / "a26-seed-hu.txt"


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_clean_prints_the_seed_as_its_title_and_body_paragraphs_and_nothing_else():
    result = runner.invoke(app, ["clean", str(SEED)])
    assert result.exit_code == 0, result.output
    seed = paragraphs(SEED.read_text(encoding="utf-8"))
    assert result.stdout == "\n\n".join(seed[2:29]) + "\n"


def test_clean_reads_standard_input():
    result = runner.invoke(app, ["clean", "-", "--locale", "hu_HU"], input=SEED.read_text())
    assert result.exit_code == 0
    assert paragraphs(result.stdout)[0].startswith("Az orosz Putyin ritka útra")


def test_clean_json_has_the_documented_shape():
    page = DATA / "artifacts" / "a20-tt25-page-hu.html"
    result = runner.invoke(app, ["clean", str(page), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"title", "date", "content_html", "content_text", "comments", "removed"}
    assert data["title"] == "Őszi séta a Bakonyban"
    assert data["comments"] == [
        {
            "author": "Kovács Anna",
            "date": "2024-10-12T18:02:11+02:00",
            "content_text": "Gyönyörű lehetett! Jövőre mi is megyünk.",
        }
    ]
    assert {"rule", "text"} <= set(data["removed"][0])
    assert "xyzscripts.credit" in {r["rule"] for r in data["removed"]}


def test_clean_html_prints_a_small_document():
    result = runner.invoke(app, ["clean", str(SEED), "-f", "html"])
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and "bővebben" not in result.stdout


def test_clean_keep_and_only_select_families():
    kept = runner.invoke(app, ["clean", str(SEED), "--keep", "comment-ui"])
    assert "Vélemény, hozzászólás?" in kept.stdout and "XYZScripts" not in kept.stdout
    only = runner.invoke(app, ["clean", str(SEED), "--only", "xyzscripts", "--format", "json"])
    assert {r["rule"].split(".")[0] for r in json.loads(only.stdout)["removed"]} == {"xyzscripts"}


def test_clean_adds_a_sites_catalogs_with_l10n(tmp_path):
    (tmp_path / "hu_HU.po").write_text(
        'msgid "Leave a Reply"\nmsgstr "Írja meg a véleményét!"\n', encoding="utf-8"
    )
    page = tmp_path / "page.txt"
    page.write_text("Cím\n\nA szöveg.\n\nÍrja meg a véleményét!\n", encoding="utf-8")
    assert "véleményét" in runner.invoke(app, ["clean", str(page)]).stdout
    cleaned = runner.invoke(app, ["clean", str(page), "--l10n", str(tmp_path)])
    assert cleaned.stdout == "Cím\n\nA szöveg.\n"


def test_clean_errors_are_one_sentence_and_exit_2(tmp_path):
    missing = runner.invoke(app, ["clean", str(tmp_path / "nope.html")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    bad_family = runner.invoke(app, ["clean", str(SEED), "--only", "nope"])
    assert bad_family.exit_code == 2 and "unknown rule family nope" in bad_family.output
    bad_format = runner.invoke(app, ["clean", str(SEED), "--format", "pdf"])
    assert bad_format.exit_code == 2
    bad_l10n = runner.invoke(app, ["clean", str(SEED), "--l10n", str(tmp_path / "none")])
    assert bad_l10n.exit_code == 2 and "not a directory" in bad_l10n.output


def test_rules_lists_family_id_and_description():
    result = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for needle in ("family", "id", "description", "akismet.privacy-notice", "[caption]…[/caption]"):
        assert needle in result.stdout


def test_rules_selects_with_keep_and_only():
    only = runner.invoke(app, ["rules", "--only", "yoast"], env={"COLUMNS": "200"})
    assert "yoast.comments" in only.stdout and "akismet" not in only.stdout
    kept = runner.invoke(app, ["rules", "--keep", "yoast"], env={"COLUMNS": "200"})
    assert "yoast." not in kept.stdout and "akismet.privacy-notice" in kept.stdout
    assert runner.invoke(app, ["rules", "--only", "nope"]).exit_code == 2
