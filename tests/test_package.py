"""CDXJ, WACZ and BagIt packages, checked by the real validators, and `wparchive verify`."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wparchive
from wparchive.cli import app
from wparchive.resume import members
from wparchive.verify import verify_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    return wparchive.archive(
        SAMPLE,
        out=tmp_path_factory.mktemp("out"),
        cdxj=True,
        wacz=True,
        bag=True,
        source_organization="Országos Széchényi Könyvtár",
        contact_email="archive@example.org",
        external_identifier="sala-2024",
    )


@pytest.fixture
def run_copy(packaged, tmp_path):
    """A private copy of the packaged run (hard links broken) that a test may damage."""
    target = tmp_path / packaged.run_dir.name
    shutil.copytree(packaged.run_dir, target)
    return target


def test_cdxj_lists_every_capture(packaged):
    lines = packaged.outputs["cdxj"].read_text().splitlines()
    urls = {json.loads(line.split(" ", 2)[2])["url"] for line in lines}
    pages = [json.loads(line) for line in (packaged.run_dir / "pages.jsonl").open()]
    assert {p["url"] for p in pages} <= urls
    assert any("export.php" in u for u in urls)
    assert lines == sorted(lines)


def test_wacz_passes_the_validator_and_holds_its_pages_and_index(packaged):
    wacz = packaged.outputs["wacz"]
    result = subprocess.run(
        [BIN / "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "is valid" in result.stdout, result.stdout
    with zipfile.ZipFile(wacz) as z:
        names = set(z.namelist())
        assert {
            "datapackage.json",
            "datapackage-digest.json",
            "pages/pages.jsonl",
            "indexes/index.cdx.gz",
            "indexes/index.idx",
        } <= names
        assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
        for info in z.infolist():
            if info.filename.endswith((".warc.gz", ".cdx.gz")):
                assert info.compress_type == zipfile.ZIP_STORED
        pages = z.read("pages/pages.jsonl").decode().splitlines()
        package = json.loads(z.read("datapackage.json"))
    assert json.loads(pages[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    entries = [json.loads(p) for p in pages[1:]]
    assert len(entries) == 2 + 1  # two published posts and one page
    assert all({"url", "ts", "title", "id", "text"} <= set(e) for e in entries)
    assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
    assert package["mainPageUrl"] == entries[0]["url"]
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in package["resources"])


def test_bag_passes_bagit_validation_and_is_bagit_1_0(packaged):
    bag = packaged.outputs["bag"]
    result = subprocess.run(
        [BIN / "bagit.py", "--validate", str(bag)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (bag / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    info = (bag / "bag-info.txt").read_text()
    for field in (
        "Source-Organization: Országos Széchényi Könyvtár",
        "Contact-Email: archive@example.org",
        "External-Identifier: sala-2024",
        "Bagging-Date: ",
        "Payload-Oxum: ",
    ):
        assert field in info
    for name in (
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ):
        assert (bag / name).stat().st_size > 0
    payload = {p.name for p in (bag / "data").iterdir()}
    assert {"archive.jsonl", "pages.jsonl", "index.cdxj", packaged.outputs["wacz"].name} <= payload
    assert {w.name for w in packaged.warc_files} <= payload


def test_verify_passes_a_fresh_run(packaged):
    result = verify_run(packaged.run_dir)
    assert result.ok, result.problems
    assert len(result.checked) == 5  # warc, archive, cdxj, wacz, bag


OUTPUTS = [
    "archive.jsonl",
    "pages.jsonl",
    "index.cdxj",
    "{slug}.wacz",
    "{warc}",
    "bag/bag-info.txt",
    "bag/manifest-sha512.txt",
]


@pytest.mark.parametrize("name", OUTPUTS)
def test_flipping_one_byte_in_any_output_fails_verify_and_names_the_file(run_copy, name):
    warc = next(run_copy.glob("*.warc.gz")).name
    path = run_copy / name.format(slug=run_copy.name, warc=warc)
    data = bytearray(path.read_bytes())
    rng = random.Random(name)
    for _ in range(5):  # several positions, each on a fresh copy of the file
        original = bytes(data)
        position = rng.randrange(len(data))
        data[position] ^= 0x20
        path.write_bytes(bytes(data))
        result = CliRunner().invoke(app, ["verify", str(run_copy)])
        assert result.exit_code == 1, (name, position)
        expected = "bag/" if name.startswith("bag/") else path.name
        assert expected in result.output, (name, position, result.output)
        path.write_bytes(original)
        data = bytearray(original)
    assert verify_run(run_copy).ok


def test_verify_reports_a_missing_end_line_and_left_open_files(run_copy):
    archive = run_copy / "archive.jsonl"
    archive.write_text("".join(archive.read_text().splitlines(keepends=True)[:-1]))
    (run_copy / "x.warc.gz.open").write_bytes(b"")
    problems = " ".join(verify_run(run_copy).problems)
    assert "no end line" in problems and "x.warc.gz.open" in problems


def test_a_second_run_into_the_same_folder_replaces_the_first(tmp_path):
    first = wparchive.archive(SAMPLE, out=tmp_path, cdxj=True, bag=True)
    second = wparchive.archive(SAMPLE, out=tmp_path, cdxj=True, bag=True)
    assert first.run_dir == second.run_dir
    assert sorted(second.run_dir.glob("*.warc.gz")) == second.warc_files
    assert verify_run(second.run_dir).ok


def test_verify_finds_a_warc_of_another_run(run_copy):
    [warc] = run_copy.glob("*.warc.gz")
    stranger = run_copy / "salagondolatai-hu-20000101000000-00000.warc.gz"
    shutil.copy(warc, stranger)
    problems = " ".join(verify_run(run_copy).problems)
    assert "different runs" in problems


@pytest.mark.parametrize(
    ("dropped", "referrer"),
    [(b"WARC-Type: resource", "(conversion)"), (b"WARC-Type: warcinfo", "(resource)")],
    ids=["a rendering", "the warcinfo"],
)
def test_verify_finds_records_that_refer_to_a_record_not_in_the_warcs(run_copy, dropped, referrer):
    """Records name others by record id: a conversion its original, a metadata record
    what it describes, every record its file's warcinfo. Drop one and the first record
    that points at it is named."""
    [warc] = run_copy.glob("*.warc.gz")
    with warc.open("rb") as fh:
        records = list(members(fh))  # (offset, length, record): one gzip member each
    gone = next(
        i
        for i, (_, _, record) in enumerate(records)
        if record.startswith(b"WARC/1.1\r\n" + dropped) and b"text/xml" not in record
    )
    record_id = records[gone][2].split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    data = warc.read_bytes()
    warc.write_bytes(
        b"".join(data[at : at + n] for i, (at, n, _) in enumerate(records) if i != gone)
    )
    problems = [p for p in verify_run(run_copy).problems if "refer to records not in" in p]
    assert len(problems) == 1, verify_run(run_copy).problems
    assert record_id in problems[0] and referrer in problems[0]
