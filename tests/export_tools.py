"""What the export tests share: archives to export, a link checker, Debian tools on demand."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

import wparchive

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"


# Slugs of the sample export's two posts, as the archive layout names them.
SEED_POST = "ramsay-csoport-a-feladat-teljesitve"
PUTIN = (
    "az-orosz-putyin-ritka-utra-latogat-eszak-koreaba-a-nyugat-ellenes-felallas-"
    "elmelyulesevel-frissitve-2024-junius-17-en"
)


def sample_run(out: Path, **options) -> Path:
    """The bundled sample export archived (no WARC: exports only read the JSON archive)."""
    return wparchive.archive(SAMPLE, out=out, warc=False, **options).run_dir


def site_run(site, out: Path, **options) -> Path:
    """The real test site's export archived with its media downloaded."""
    return wparchive.archive(site.export_path, out=out, warc=False, media=True, **options).run_dir


# -- a link checker -------------------------------------------------------------------

_LINK_ATTRS = ("href", "src", "poster", "data")


def _urls(doc) -> list[str]:
    urls = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _LINK_ATTRS:
            value = el.get(attr)
            if value is not None:
                urls.append(value.strip())
        srcset = el.get("srcset")
        if srcset:
            urls += [part.split()[0] for part in srcset.split(",") if part.strip()]
    return urls


def _ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        doc = lxml.html.fromstring(path.read_bytes())
        cache[path] = {
            v for el in doc.iter() if isinstance(el.tag, str) for v in [el.get("id")] if v
        }
        cache[path] |= {el.get("name") for el in doc.iter("a") if el.get("name")}
    return cache[path]


def broken_links(root: Path) -> list[str]:
    """Every internal link of every HTML page under ``root`` that finds no file (a folder
    counts with its ``index.html``), or no element with the fragment's id; off-site links
    (any scheme, ``//host``) are not followed. ``["page: link", ...]``."""
    broken: list[str] = []
    ids: dict[Path, set[str]] = {}
    root = root.resolve()
    for page in sorted(root.rglob("*.html")):
        doc = lxml.html.fromstring(page.read_bytes())
        for url in _urls(doc):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or not url:
                continue
            if parts.path.startswith("/"):
                target = root / unquote(parts.path).lstrip("/")
            else:
                target = page.parent / unquote(parts.path) if parts.path else page
            target = Path(os.path.normpath(target))
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(root)}: {url}"
            if root not in (target, *target.parents) or not target.is_file():
                broken.append(where)
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in _ids(target, ids)
            ):
                broken.append(where + " (no such anchor)")
    return broken


def text_of(html: str) -> str:
    """The visible text of HTML, whitespace collapsed."""
    if not html.strip():
        return ""
    doc = lxml.html.fromstring(f"<div>{html}</div>")
    for el in doc.xpath("//script|//style"):
        el.drop_tree()
    return re.sub(r"\s+", " ", doc.text_content()).strip()


def squeeze(text: str) -> str:
    """Text without any whitespace: block boundaries become spaces on one side only."""
    return re.sub(r"\s+", "", text)


def paragraphs(html: str) -> list[str]:
    """The text of each paragraph, heading and list item of a post's HTML."""
    doc = lxml.html.fromstring(f"<div>{html}</div>")
    out = []
    for el in doc.xpath("//p|//h1|//h2|//h3|//h4|//li|//figcaption|//td"):
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if text:
            out.append(text)
    return out


# -- Debian tools on demand -----------------------------------------------------------


def debian_tool(binary: str, package: str, *, install: bool = True) -> str:
    """The path of ``binary``; installs Debian's ``package`` when missing (root with apt
    only). Where it can't be had, the test is skipped — or fails when
    WPARCHIVE_REQUIRE_WORDPRESS=1 (CI), like the tests of the real WordPress site."""
    found = shutil.which(binary)
    if found:
        return found
    reason = f"{binary} is not installed"
    if install and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env)
            result = subprocess.run(command, capture_output=True, text=True, env=env)
        found = shutil.which(binary)
        if found:
            return found
        reason = f"apt-get install {package} failed: {result.stderr.strip()[-300:]}"
    elif install:
        reason += f" (installing Debian's {package} needs root and apt-get)"
    if install and os.environ.get("WPARCHIVE_REQUIRE_WORDPRESS") == "1":
        pytest.fail(f"WPARCHIVE_REQUIRE_WORDPRESS=1, but {reason}", pytrace=False)
    pytest.skip(reason)
    raise AssertionError  # unreachable: skip raises
