"""Packages made once a run's WARCs are closed: CDXJ index, WACZ 1.1.1, BagIt 1.0 bag."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

CDXJ_FILE = "index.cdxj"  # names of the packages in a run folder
BAG_DIR = "bag"
WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
BAGIT_VERSION = "1.0"
BAG_ALGORITHMS = ("sha256", "sha512")
_CHUNK = 1 << 20


def _hash_file(path: Path, *algorithms: str) -> tuple[int, dict[str, str]]:
    hashers = {name: hashlib.new(name) for name in algorithms}
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            for hasher in hashers.values():
                hasher.update(chunk)
    return size, {name: h.hexdigest() for name, h in hashers.items()}


def _replace_atomically(tmp: Path, final: Path) -> Path:
    os.replace(tmp, final)
    return final


# -- CDXJ ----------------------------------------------------------------------------


def write_cdxj(warcs: Iterable[Path], target: Path) -> Path:
    """A sorted CDXJ index of the WARCs, by cdxj-indexer (what pywb and WACZ read)."""
    # Imported here, not at the top: cdxj-indexer pulls in pkg_resources (~0.2 s of
    # start-up) and most runs write no index.
    from cdxj_indexer.main import write_cdx_index

    tmp = target.with_name(target.name + ".open")
    with tmp.open("w", encoding="utf-8") as out:
        write_cdx_index(out, [str(p) for p in warcs], {"sort": True})
    return _replace_atomically(tmp, target)


# -- WACZ ----------------------------------------------------------------------------


def _zip_info(name: str, *, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
    # WARCs and the ZipNum index are stored, so replay tools can seek into them.
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    return info


def write_wacz(
    warcs: list[Path],
    pages: Path,
    target: Path,
    *,
    title: str,
    description: str,
    main_page_url: str | None,
    main_page_date: str | None,
    software: str,
) -> Path:
    """A WACZ 1.1.1 file: WARCs, a ZipNum CDXJ index, pages, and the data package.

    Written by hand rather than by py-wacz, whose ``create`` drops or rewrites a
    pages file it did not detect itself and writes ``mainPageURL`` where the
    spec says ``mainPageUrl``; py-wacz's validator still checks the result.
    """
    from cdxj_indexer.main import CDXJIndexer  # see write_cdxj

    tmp = target.with_name(target.name + ".open")
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(tmp, "w") as wacz:
        idx = io.StringIO()
        with wacz.open(_zip_info("indexes/index.cdx.gz", compress=False), "w") as data:
            CDXJIndexer(
                idx,
                [str(p) for p in warcs],
                sort=True,
                compress=data,
                data_out_name="index.cdx.gz",
                lines=300,
                digest_records=True,
            ).process_all()
        wacz.writestr(_zip_info("indexes/index.idx", compress=True), idx.getvalue())
        for warc in warcs:
            with (
                warc.open("rb") as src,
                wacz.open(_zip_info(f"archive/{warc.name}", compress=False), "w") as dst,
            ):
                shutil.copyfileobj(src, dst, _CHUNK)
        with (
            pages.open("rb") as src,
            wacz.open(_zip_info("pages/pages.jsonl", compress=True), "w") as dst,
        ):
            dst.write(json.dumps(PAGES_HEADER).encode() + b"\n")
            shutil.copyfileobj(src, dst, _CHUNK)
        resources = []
        for entry in wacz.infolist():
            digest = hashlib.sha256()
            with wacz.open(entry) as fh:
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
            resources.append(
                {
                    "name": os.path.basename(entry.filename).lower(),
                    "path": entry.filename,
                    "hash": "sha256:" + digest.hexdigest(),
                    "bytes": entry.file_size,
                }
            )
        package = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title,
            "description": description,
            "created": created,
            "software": software,
            "resources": resources,
        }
        if main_page_url:
            package["mainPageUrl"] = main_page_url
            if main_page_date:
                package["mainPageDate"] = main_page_date
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        wacz.writestr(_zip_info("datapackage.json", compress=True), package_bytes)
        digest = {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
        }
        wacz.writestr(
            _zip_info("datapackage-digest.json", compress=True), json.dumps(digest, indent=2)
        )
    return _replace_atomically(tmp, target)


# -- BagIt ---------------------------------------------------------------------------


def write_bag(files: Iterable[Path], target: Path, info: Mapping[str, str]) -> Path:
    """A BagIt 1.0 bag (RFC 8493) of the given files, with sha256 and sha512 manifests.

    Written by hand because bagit-python writes ``BagIt-Version: 0.97`` and bags a
    directory in place; its validator (``bagit.py --validate``) checks the result.
    Payload files are hard links where the filesystem allows, so a bag of a
    multi-gigabyte run costs no second copy.
    """
    tmp = target.with_name(target.name + ".open")
    if tmp.exists():
        shutil.rmtree(tmp)
    data = tmp / "data"
    data.mkdir(parents=True)
    manifests: dict[str, list[str]] = {name: [] for name in BAG_ALGORITHMS}
    total_bytes = total_files = 0
    for path in files:
        dest = data / path.name
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)
        size, digests = _hash_file(dest, *BAG_ALGORITHMS)
        total_bytes += size
        total_files += 1
        for name in BAG_ALGORITHMS:
            manifests[name].append(f"{digests[name]}  data/{dest.name}\n")
    (tmp / "bagit.txt").write_text(
        f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8"
    )
    bag_info = {
        **{k: v for k, v in info.items() if v},
        "Bagging-Date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "Payload-Oxum": f"{total_bytes}.{total_files}",
    }
    (tmp / "bag-info.txt").write_text(
        "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in bag_info.items()),
        encoding="utf-8",
    )
    for name in BAG_ALGORITHMS:
        (tmp / f"manifest-{name}.txt").write_text("".join(sorted(manifests[name])), "utf-8")
    tag_files = ["bagit.txt", "bag-info.txt", *(f"manifest-{n}.txt" for n in BAG_ALGORITHMS)]
    for name in BAG_ALGORITHMS:
        lines = [f"{_hash_file(tmp / f, name)[1][name]}  {f}\n" for f in tag_files]
        (tmp / f"tagmanifest-{name}.txt").write_text("".join(lines), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    return _replace_atomically(tmp, target)
