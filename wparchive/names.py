"""The one place that turns titles, URLs and slugs into names: slugs and safe file names.

Everything that ends up as a path component goes through here, so a slug or URL
from an untrusted export can never climb out of the run folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from slugify import slugify as _slugify

from .urls import unquote_all

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


# Windows device names: no file or folder may be called this, whatever its extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}
)
_CLEAN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_reserved(name: str) -> bool:
    """True for a name Windows refuses (``con``, ``NUL.txt``, ``com1.jpg``)."""
    return name.split(".", 1)[0].rstrip(" ").lower() in _RESERVED


def dir_name(text: str, *, fallback: str) -> str:
    """A slug usable as a folder name everywhere (`slug`, and never a reserved name)."""
    # Most WordPress slugs already are clean slugs: skip python-slugify (~80 µs a call).
    if len(text) <= _MAX_NAME and _CLEAN_SLUG.fullmatch(text):
        name = text
    else:
        name = slug(text, fallback=fallback)
    return f"{name}-{fallback}" if is_reserved(name) else name


def safe_path(path: str, *, max_parts: int = 12, fallback: str = "file") -> str:
    """A relative POSIX path, safe on every filesystem, from an untrusted one (a URL path,
    an upload path like ``2024/06/Kép 1.JPG``).

    Empty, ``.`` and ``..`` components are dropped, so the result never leaves the folder
    it is joined to; each component becomes a `safe_filename`. A component that lost
    something on the way (case, accents, punctuation) or is a reserved Windows name gets
    8 hex digits of its original's SHA-1 (``kep-1-3f2a9c01.jpg``), so two different
    originals never share a path, even on a case-insensitive filesystem.
    """
    parts = [p for p in re.split(r"[/\\]+", unquote_all(path)) if p.strip() not in ("", ".", "..")]
    parts = parts[-max_parts:] or [fallback]
    return "/".join(_safe_part(p, fallback) for p in parts)


# Characters no path component may hold somewhere: separators, Windows' reserved
# punctuation, controls; and '%', which a web server would decode into any of them.
_NOT_PORTABLE = re.compile(r'[/\\<>:"|?*%\x00-\x1f\x7f]')


def portable_name(name: str, *, fallback: str) -> str:
    """``name`` as one path component: itself when every filesystem takes it as it is
    (Unicode included: ``hírek``), else its `slug` with 8 hex digits of its SHA-1, so
    two names never share a folder. Never empty, a separator, ``..``, a reserved
    Windows name, or over 120 bytes."""
    if (
        name.strip(" .")
        and not _NOT_PORTABLE.search(name)
        and not is_reserved(name)
        and not name.endswith((" ", "."))
        and len(name.encode("utf-8", "surrogatepass")) <= _MAX_NAME
    ):
        return name
    tag = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug(name, fallback=fallback)[:100].rstrip('-')}-{tag}"


_CLEAN_FILE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]{1,16})?")


def _safe_part(part: str, fallback: str) -> str:
    if len(part) <= _MAX_NAME and _CLEAN_FILE.fullmatch(part) and not is_reserved(part):
        return part  # what safe_filename would return, without python-slugify's cost
    part = unicodedata.normalize("NFC", part)
    safe = safe_filename(part, fallback=fallback)
    if safe == part and not is_reserved(safe):
        return safe
    tag = hashlib.sha1(part.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem, dot, ext = safe.rpartition(".")
    return f"{stem}-{tag}.{ext}" if dot else f"{safe}-{tag}"
