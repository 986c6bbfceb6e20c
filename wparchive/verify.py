"""`wparchive verify`: prove a run folder is whole, or name what is wrong.

Every output is checked against something that cannot change with it: WARC
records against their own digests, the JSON archive and pages file against the
SHA-256 the WARC's last record holds, the CDXJ index against a fresh index of
the WARCs, the WACZ against its data package, the bag against its manifests.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from .resume import FILENAME as RESUME_FILE
from .sinks.json_archive import FILENAME, ArchiveError, ArchiveReader
from .sinks.package import BAG_DIR, CDXJ_FILE
from .sinks.warc import CLEANED_PREFIX, NO_PAGE_TYPES, PAGES_FILE, RUN_URI
from .urls import to_uri


@dataclass
class Verification:
    """What was checked, and every problem found, each naming its file."""

    run_dir: Path
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, path: Path | str, message: str) -> None:
        name = path.name if isinstance(path, Path) else path
        self.problems.append(f"{name}: {message}")


@dataclass
class _WarcFacts:
    fixity: dict[str, str] = field(default_factory=dict)  # file name -> sha256:hex
    pages: set[str] = field(default_factory=set)  # target URIs of renderings
    post_ids: set[int] = field(default_factory=set)  # from metadata records
    answered: set[str] = field(default_factory=set)  # target URIs of any HTTP response
    ids: set[str] = field(default_factory=set)  # every WARC-Record-ID
    # each record id a record refers to (WARC-Refers-To, WARC-Concurrent-To): who does
    referred: dict[str, str] = field(default_factory=dict)


def verify_run(run_dir: str | Path) -> Verification:
    """Check every output in a run folder; `Verification.ok` is True when all hold."""
    run_dir = Path(run_dir)
    result = Verification(run_dir)
    if not run_dir.is_dir():
        result.fail(run_dir, "no such run folder")
        return result
    for leftover in sorted(run_dir.glob("*.open")):
        result.fail(leftover, "left open: the run that wrote it did not finish")
    if (run_dir / RESUME_FILE).exists():
        result.fail(
            run_dir / RESUME_FILE,
            "the run stopped before it finished: carry it on with `wparchive archive "
            "--resume` (same source and options)",
        )
    warcs = sorted(run_dir.glob("*.warc.gz"))
    _check_warc_names(warcs, result)
    facts = _WarcFacts()
    for warc in warcs:
        _check_warc(warc, facts, result)
    if dangling := sorted(set(facts.referred) - facts.ids)[:5]:
        result.fail(
            warcs[0],
            "records refer to records not in the WARCs: "
            + "; ".join(f"{facts.referred[d]} -> {d}" for d in dangling),
        )
    post_ids, expected_pages = _check_archive(run_dir / FILENAME, facts, result)
    if warcs:
        _check_fixity(run_dir, facts, result)
        if post_ids != facts.post_ids:
            missing = sorted(post_ids - facts.post_ids)[:10]
            extra = sorted(facts.post_ids - post_ids)[:10]
            result.fail(
                warcs[0],
                f"posts without metadata records in the WARCs: {missing}; "
                f"metadata records of posts not in the archive: {extra}",
            )
        missing_or_extra = expected_pages != facts.pages
        if _source_kind(run_dir / FILENAME) == "rest":
            # A REST run captures the front page too: only missing pages are a problem. A
            # permalink that answered 404, or redirected where wparchive does not follow,
            # is archived as the server answered (and the run warned): not missing.
            missing_or_extra = not expected_pages <= facts.pages | facts.answered
        if missing_or_extra:
            missing = sorted(expected_pages - facts.pages - facts.answered)[:5]
            extra = sorted(facts.pages - expected_pages)[:5]
            result.fail(
                warcs[0], f"renderings missing from the WARCs: {missing}; unexpected: {extra}"
            )
    if (run_dir / CDXJ_FILE).exists():
        _check_cdxj(run_dir / CDXJ_FILE, warcs, result)
    for wacz in sorted(run_dir.glob("*.wacz")):
        _check_wacz(wacz, result)
    if (run_dir / BAG_DIR).exists():
        _check_bag(run_dir / BAG_DIR, result)
    return result


def _check_warc_names(warcs: list[Path], result: Verification) -> None:
    """One run's WARCs share a prefix and timestamp and are numbered 00000, 00001, ..."""
    runs = {w.name.rsplit("-", 1)[0] for w in warcs}
    if len(runs) > 1:
        result.fail(warcs[-1], f"WARC files of {len(runs)} different runs in one folder")
        return
    for number, warc in enumerate(warcs):
        if not warc.name.endswith(f"-{number:05d}.warc.gz"):
            result.fail(warc, f"expected WARC number {number:05d} here: one is missing")
            return


def _check_warc(path: Path, facts: _WarcFacts, result: Verification) -> None:
    result.checked.append(path.name)
    complaints = io.StringIO()  # warcio prints what it tolerates; for us each is a finding
    try:
        with path.open("rb") as fh, contextlib.redirect_stderr(complaints):
            for number, record in enumerate(ArchiveIterator(fh, check_digests=True)):
                if record.rec_headers.protocol != "WARC/1.1":
                    result.fail(path, f"record {number} is {record.rec_headers.protocol}")
                kind = record.rec_type
                if number == 0 and kind != "warcinfo":
                    result.fail(path, "does not start with a warcinfo record")
                content = record.content_stream().read()
                if record.digest_checker.passed is False:
                    problems = "; ".join(map(str, record.digest_checker.problems))
                    result.fail(path, f"record {number} ({kind}): digest mismatch: {problems}")
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                facts.ids.add(record.rec_headers.get_header("WARC-Record-ID") or "")
                for name, ref in record.rec_headers.headers:
                    if name.lower() in _REFERENCES:
                        facts.referred.setdefault(ref, f"{path.name} record {number} ({kind})")
                if kind in ("response", "revisit"):
                    facts.answered.add(uri)
                if kind == "metadata":
                    _read_metadata(uri, content, facts)
                elif _is_page(record, uri):
                    facts.pages.add(uri)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        result.fail(path, f"unreadable WARC: {exc}")
    for line in complaints.getvalue().splitlines():
        if line.strip().startswith("WARNING:"):
            result.fail(path, f"warcio: {line.strip().removeprefix('WARNING:').strip()}")


# Headers that name another record of the archive by its WARC-Record-ID.
_REFERENCES = frozenset({"warc-refers-to", "warc-concurrent-to", "warc-warcinfo-id"})


def _is_page(record: ArcWarcRecord, uri: str) -> bool:
    """A rendering (WXR runs) or a captured permalink page (REST runs)."""
    if record.rec_type == "resource" and not uri.startswith(CLEANED_PREFIX):
        return (record.rec_headers.get_header("Content-Type") or "").startswith("text/html")
    if record.rec_type == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        return status == "200" and (
            record.http_headers.get_header("Content-Type") or ""
        ).startswith("text/html")
    return False


def _read_metadata(uri: str, content: bytes, facts: _WarcFacts) -> None:
    for line in content.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(": ")
        if name == "wparchive-post-id" and value.isdigit():
            facts.post_ids.add(int(value))
        elif name == "wparchive-file" and uri == RUN_URI:
            filename, _, digest = value.rpartition(" ")
            facts.fixity[filename] = digest


def _check_archive(
    path: Path, facts: _WarcFacts, result: Verification
) -> tuple[set[int], set[str]]:
    """Schema, end line and counts of the JSON archive; the ids and pages it implies."""
    post_ids: set[int] = set()
    pages: set[str] = set()
    if not path.exists():
        result.fail(path, "missing")
        return post_ids, pages
    result.checked.append(path.name)
    from jsonschema import Draft202012Validator

    schema = json.loads(files("wparchive").joinpath("schema/archive-v1.schema.json").read_text())
    validator = Draft202012Validator(schema)
    counts: dict[str, int] = {}
    try:
        reader = ArchiveReader(path)
        pages_expected = reader.header.get("source", {}).get("pages", True)
        if not validator.is_valid(reader.header):
            result.fail(path, "the header line does not match the schema")
        for number, record in enumerate(reader, start=2):
            error = next(iter(validator.iter_errors(record)), None)
            if error is not None:
                result.fail(path, f"line {number}: {error.message}")
            kind = record.get("type", "?")
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "media" and record.get("path"):
                media = path.parent / record["path"]
                if not media.is_file():
                    result.fail(media, f"missing: the archive lists {record['url']} here")
                elif _sha256(media) != f"sha256:{record.get('sha256')}":
                    result.fail(
                        media, "changed since the run: its SHA-256 differs from the archive's"
                    )
            if kind == "post":
                post_ids.add(record["id"])
                if pages_expected and (
                    record["status"] == "publish"
                    and record["link"]
                    and record["post_type"] not in NO_PAGE_TYPES
                ):
                    pages.add(to_uri(record["link"]))
        assert reader.end is not None
        for kind, count in counts.items():
            if reader.end["counts"].get(kind) != count:
                result.fail(
                    path,
                    f"end line counts {reader.end['counts'].get(kind)} {kind}s, "
                    f"the archive holds {count}",
                )
    except (ArchiveError, KeyError, TypeError) as exc:
        result.fail(path, str(exc))
    return post_ids, pages


def _source_kind(path: Path) -> str:
    try:
        return ArchiveReader(path).header.get("source", {}).get("kind", "")
    except ArchiveError:
        return ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _check_fixity(run_dir: Path, facts: _WarcFacts, result: Verification) -> None:
    for name in (FILENAME, PAGES_FILE):
        expected = facts.fixity.get(name)
        path = run_dir / name
        if expected is None:
            result.fail(path, "its SHA-256 is not recorded in the WARCs (an unfinished run?)")
        elif not path.exists():
            result.fail(path, "missing")
        elif _sha256(path) != expected:
            result.fail(path, "changed since the run: its SHA-256 differs from the WARC's record")


def _check_cdxj(path: Path, warcs: list[Path], result: Verification) -> None:
    """The index must be exactly what cdxj-indexer makes of the WARCs today."""
    from cdxj_indexer.main import write_cdx_index

    result.checked.append(path.name)
    fresh = io.StringIO()
    try:
        write_cdx_index(fresh, [str(p) for p in warcs], {"sort": True})
    except Exception as exc:  # noqa: BLE001 - a broken WARC is reported by its own check
        result.fail(path, f"cannot re-index the WARCs to compare: {exc}")
        return
    if path.read_bytes() != fresh.getvalue().encode("utf-8"):
        result.fail(path, "does not match the WARCs (changed, or made from other files)")


def _check_wacz(path: Path, result: Verification) -> None:
    result.checked.append(path.name)
    try:
        with zipfile.ZipFile(path) as wacz:
            bad = wacz.testzip()
            if bad:
                result.fail(path, f"{bad}: CRC mismatch")
            package_bytes = wacz.read("datapackage.json")
            digest = json.loads(wacz.read("datapackage-digest.json"))
            if digest.get("hash") != "sha256:" + hashlib.sha256(package_bytes).hexdigest():
                result.fail(path, "datapackage.json does not match datapackage-digest.json")
            package = json.loads(package_bytes)
            for resource in package.get("resources", []):
                data = wacz.read(resource["path"])
                if resource.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest():
                    result.fail(path, f"{resource['path']}: hash differs from datapackage.json")
            pages = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()
            if not pages or json.loads(pages[0]).get("format") != "json-pages-1.0":
                result.fail(path, "pages/pages.jsonl lacks its json-pages-1.0 header line")
            if "indexes/index.cdx.gz" not in wacz.namelist():
                result.fail(path, "no indexes/index.cdx.gz")
    except Exception as exc:  # noqa: BLE001 - damage shows as any error: each is a finding
        result.fail(path, f"unreadable WACZ: {exc}")


def _check_bag(path: Path, result: Verification) -> None:
    import bagit

    result.checked.append(f"{path.name}/")
    # bagit compares checksums case-blind; wparchive writes lowercase, so anything else
    # in a manifest is a change, even one that means the same checksum.
    for manifest in sorted(path.glob("*manifest-*.txt")):
        width = {"sha256": 64, "sha512": 128}.get(manifest.stem.rsplit("-", 1)[-1], 0)
        line_format = re.compile(rf"^[0-9a-f]{{{width}}}  \S.*$")
        lines = manifest.read_bytes().decode("utf-8", "replace").splitlines()
        if not all(line_format.match(line) for line in lines):
            result.fail(f"{path.name}/", f"{manifest.name} is not as wparchive wrote it")
    logging.getLogger("bagit").setLevel(logging.CRITICAL)  # its findings come back as details
    try:
        bagit.Bag(str(path)).validate()
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in getattr(exc, "details", [])[:5]) or str(exc)
        result.fail(f"{path.name}/", f"invalid bag: {details}")
    except (bagit.BagError, ValueError, OSError) as exc:  # UnicodeDecodeError is a ValueError
        result.fail(f"{path.name}/", f"invalid bag: {exc}")
