"""The one place that turns titles, URLs and slugs into names: slugs and safe file names.

Everything that ends up as a path component goes through here, so a slug or URL
from an untrusted export can never climb out of the run folder.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from slugify import slugify as _slugify

_MAX_NAME = 120  # bytes; well under every filesystem's 255-byte limit, room for suffixes


def slug(text: str, *, fallback: str = "untitled") -> str:
    """A lowercase ASCII slug, as a new site would use in a URL or file name."""
    result = _slugify(unquote(text or ""), max_length=_MAX_NAME, word_boundary=True)
    return result or fallback


def site_slug(url: str, title: str = "") -> str:
    """The run folder's name for a site: host and path (``example-org-blog``), else its title."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").removeprefix("www.")
    if host:
        return slug(host + parts.path, fallback="site")
    return slug(title, fallback="site")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, fallback: str = "file") -> str:
    """A single path component safe on every filesystem: no separators, no dot-only names."""
    name = unquote(name or "").replace("/", "_").replace("\\", "_")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = slug(stem, fallback=fallback)
    ext = _UNSAFE.sub("", ext.lower())[:16]
    return f"{stem}.{ext}" if ext else stem
