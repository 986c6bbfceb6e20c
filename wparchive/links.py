"""Link rewriting: every link to the site's own pages and media, found and pointed home.

Two passes over the source. The first builds a `SiteIndex` (what links can point to:
posts, pages, attachments and their every image size, terms, authors, the site's URLs),
a few hundred bytes a post, no content. The second runs `LinkRewriter`, a pipeline
transform, on every record: it rewrites the URLs in ``content.html`` and
``excerpt.html`` (never ``raw``) *in place* — the HTML is scanned, not parsed and
re-serialised, so the output differs from the input only inside the URLs it changed —
and records what it did in ``provenance["links"]``.

Modes (`parse_mode`): ``relative`` points links into the archive's own layout
(`SiteIndex.archive_path`), ``base=https://new.example`` moves them to a new host with
the same permalinks (a migration), ``none`` changes nothing. Every mode reports the
*unresolved* links: same-site URLs whose target is not in the index, i.e. those the
live site would answer with a 404.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import html as htmllib
import json
import posixpath
import re
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qsl, quote, urljoin, urlsplit, urlunsplit

from .model import NO_PAGE_TYPES, NOT_HTML_TYPES, Author, Comment, Post, Record, Site, Term
from .names import dir_name, is_reserved, safe_path
from .urls import drop_noise, host_key, segment_key, unquote_all

R = TypeVar("R")

# -- the archive's layout ---------------------------------------------------------

# Statuses an anonymous visitor can see; a link to a draft, a private or trashed post 404s.
PUBLIC_STATUSES = frozenset({"publish", "inherit"})

MEDIA_DIR = "media"


@lru_cache(maxsize=8192)
def media_path(upload_path: str) -> str:
    """Where the archive keeps an uploaded file: ``media/`` + the file's path below
    ``wp-content/uploads`` (``2024/06/kép.jpg`` → ``media/2024/06/kep-1c0ffee0.jpg``).

    Every component goes through `names.safe_path`: no ``..``, no absolute path, no
    reserved name, and two different files never share a path. The media step stores
    downloads here, so links rewritten in ``relative`` mode find them.
    """
    return f"{MEDIA_DIR}/{safe_path(upload_path)}"


# Files on off-site hosts the user named (``--media-hosts``): ``media/_hosts/<host>/<path>``.
# `names.safe_path` never makes a component that starts with "_", so this folder never
# meets the site's own uploads.
OFFSITE_DIR = f"{MEDIA_DIR}/_hosts"
# A URL on a named host whose file name ends so is a page, not a file: never downloaded.
_PAGE_EXTENSIONS = frozenset(
    {"html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "cgi", "pl"}
)
_HOST_NAME = re.compile(
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*"
)


def _ascii_host(host: str) -> str | None:
    """A host name as off-site media matching compares it: lowercase ASCII (IDNA), no
    trailing dot; None when it is not a valid host name."""
    host = host.strip().rstrip(".").lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if len(host) <= 253 and _HOST_NAME.fullmatch(host) else None


def parse_media_hosts(values: Iterable[str]) -> tuple[str, ...]:
    """``--media-hosts`` values as host patterns: ``i0.wp.com`` (that host) or
    ``*.files.wordpress.com`` (any host below it, not itself). One value may name
    several, separated by commas or spaces; a scheme, port or path around a host is
    ignored. ValueError names a value that is not a host."""
    if isinstance(values, str):
        values = [values]
    patterns: list[str] = []
    for value in values:
        for text in re.split(r"[,\s]+", value.strip()):
            if not text:
                continue
            host = text.split("//", 1)[1] if "//" in text else text
            host = host.split("/", 1)[0].rpartition("@")[2].partition(":")[0]
            wildcard = host.startswith("*.")
            name = _ascii_host(host[2:] if wildcard else host)
            if name is None:
                raise ValueError(
                    f"--media-hosts {text!r}: not a host name (use e.g. i0.wp.com or "
                    f"*.files.wordpress.com)"
                )
            pattern = "*." + name if wildcard else name
            if pattern not in patterns:
                patterns.append(pattern)
    return tuple(patterns)


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """Whether ``host`` (as `_ascii_host` spells it) is one of ``patterns``."""
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


def offsite_path(host: str, path: str, query: str = "") -> str:
    """Where the archive keeps a file from an off-site host: ``media/_hosts/<host>/`` +
    the URL's path through `names.safe_path` (a query that tells files apart adds 8 hex
    digits of its SHA-1 to the name)."""
    folder = host
    if len(folder) > 120:
        folder = folder[:111] + "-" + hashlib.sha1(host.encode()).hexdigest()[:8]
    if is_reserved(folder):
        folder += "-host"
    rel = safe_path(path)
    if query:
        stem, dot, ext = rel.rpartition(".") if "." in rel.rsplit("/", 1)[-1] else (rel, "", "")
        tag = hashlib.sha1(query.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        rel = f"{stem}-{tag}.{ext}" if dot else f"{rel}-{tag}"
    return f"{OFFSITE_DIR}/{folder}/{rel}"


class OffsiteFile(NamedTuple):
    """A file on a named off-site host: the URL to fetch it from and its archive path."""

    url: str
    path: str


def _taxonomy_dir(taxonomy: str) -> str:
    if taxonomy == "category":
        return "category"
    if taxonomy == "post_tag":
        return "tag"
    return "terms/" + dir_name(taxonomy, fallback="taxonomy")


# Target and Resolution are values made for every URL resolved: tuples, which cost
# a third of what frozen dataclasses do to make.
class Target(NamedTuple):
    """What a link points to: a post of any type, an uploaded file, a term, an author, home."""

    kind: str  # "post" | "media" | "term" | "author" | "home"
    id: int | None = None  # post or attachment id; term id when known
    taxonomy: str = ""
    slug: str = ""  # term slug, author login
    file: str = ""  # media: decoded path below wp-content/uploads


HOME = Target("home")


class PostEntry(NamedTuple):
    """All the index keeps of a post: no content."""

    post_type: str
    status: str
    slug: str
    link: str
    parent: int
    date: str | None
    file: str  # attachments: the path below wp-content/uploads ("" otherwise)


class Resolution(NamedTuple):
    """A same-site URL, understood. ``target`` is None when the site has no such page."""

    target: Target | None
    form: str  # absolute | scheme-relative | root-relative | document-relative | bare
    rest: str  # raw path (+ query, noise dropped) after the site's base path
    fragment: str = ""
    direct: bool = True  # the path itself named the target (base mode keeps it)
    upload: str = ""  # raw path below wp-content/uploads, for media


# -- the index --------------------------------------------------------------------

_VARIANT = re.compile(r"^(.*?)(?:-\d+x\d+|-scaled|-rotated|-e\d{13})+(\.[a-z0-9]+)$")
_FEEDS = frozenset({"feed", "rss", "rss2", "atom", "rdf", "amp", "embed", "trackback"})
_MORE = re.compile(r"more-(\d+)$")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_PHOTON = frozenset({"i0.wp.com", "i1.wp.com", "i2.wp.com", "i3.wp.com"})
_SPACE = re.compile(r"\s")
_SITES_N = re.compile(r"sites/\d+/", re.I)
_ARCHIVE_QUERY = frozenset({"s", "m", "year", "monthnum", "day", "w", "feed"})


_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


# Resolutions remembered (then forgotten all at once): enough for the URLs a site repeats
# (home, terms, a post's own images in src and srcset), bounded whatever the site's size.
_CACHE_SIZE = 8192
# Distinct unresolved URLs a tally keeps counting one by one; those first seen later are
# only counted in total. An export whose images have no attachments has thousands.
UNRESOLVED_KEPT = 10_000


def _split_url(url: str) -> tuple[str, str, str, str] | None:
    """(host key, path, query, fragment) of an absolute URL; None if it has no host."""
    m = _URL.fullmatch(url)
    if m is None:
        return None
    netloc, path, query, fragment = m.groups()
    host = netloc.rpartition("@")[2]
    host = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    if not host:
        return None
    return host_key(host), path, query or "", fragment or ""


def _segments(path: str) -> list[str]:
    """Raw path segments: ``/a/b/`` → ``['a', 'b', '']``."""
    return path.split("/")[1:] if path else []


def _segment_keys(path: str) -> list[str]:
    """The `segment_key` of each of a path's segments."""
    if "%" not in path and path.isascii():  # most paths: a key is the segment, lowercase
        return _segments(path.lower())
    return [segment_key(s) for s in _segments(path)]


# -- compact storage --------------------------------------------------------------
# The index holds every post of the site in every process of a run, so its size is
# what grows with the site: a post costs ~200 bytes here (one packed string and a few
# array slots) where dicts of tuples of strings cost ~800.


class _KeyIndex:
    """int keys → row numbers, 16 bytes an entry: two arrays sorted by key, equal keys
    in the order they came. New keys wait in a dict, merged in when it grows, so building
    and looking up may interleave; ascending keys (ids in a source's order) go straight
    to the arrays."""

    __slots__ = ("_keys", "_rows", "_new", "_wide")

    def __init__(self) -> None:
        self._keys = array("q")
        self._rows = array("q")
        self._new: dict[int, int | list[int]] = {}
        self._wide: dict[int, list[int]] = {}  # keys no 64-bit slot holds (a hostile id)

    def add(self, key: int, row: int) -> None:
        if not _INT64_MIN <= key <= _INT64_MAX:
            self._wide.setdefault(key, []).append(row)
            return
        keys = self._keys
        if not self._new and (not keys or key > keys[-1]):
            keys.append(key)
            self._rows.append(row)
            return
        old = self._new.get(key)
        if old is None:
            self._new[key] = row
            if len(self._new) > max(4096, len(keys) >> 2):
                self.settle()
        elif isinstance(old, list):
            old.append(row)
        else:
            self._new[key] = [old, row]

    def rows(self, key: int) -> list[int]:
        """The rows added under ``key``, oldest first."""
        if not _INT64_MIN <= key <= _INT64_MAX:
            return list(self._wide.get(key, ()))
        keys = self._keys
        i = bisect_left(keys, key)
        found = []
        while i < len(keys) and keys[i] == key:
            found.append(self._rows[i])
            i += 1
        new = self._new.get(key)
        if new is not None:
            found += new if isinstance(new, list) else [new]
        return found

    def items(self) -> Iterator[tuple[int, int]]:
        """(key, row) in key order."""
        self.settle()
        pairs = zip(self._keys, self._rows, strict=True)
        if not self._wide:
            return pairs
        wide = sorted((key, row) for key, rows in self._wide.items() for row in rows)
        return heapq.merge(pairs, wide, key=lambda pair: pair[0])

    def settle(self) -> None:
        """Merge the waiting keys into the arrays."""
        if not self._new:
            return
        keys, rows = self._keys, self._rows
        for key, new in self._new.items():
            for row in new if isinstance(new, list) else (new,):
                keys.append(key)
                rows.append(row)
        order = sorted(range(len(keys)), key=keys.__getitem__)  # stable: ties keep order
        self._keys = array("q", map(keys.__getitem__, order))
        self._rows = array("q", map(rows.__getitem__, order))
        self._new = {}


# A post's row: its `PostEntry` fields and its permalink path key, one string joined by
# _SEP (a row whose fields hold _SEP or _MARK stays a tuple); `SiteIndex._pack` says
# what _MARK stands for.
_SEP = "\x00"
_MARK = "\x01"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class SiteIndex:
    """Everything links can point to, built from records in one streaming pass.

    Call `add` with every record of the source (Site, Author, Term, Post; others are
    ignored), then `resolve` URLs and ask `archive_path` where a target lives.
    """

    def __init__(self) -> None:
        self.site = Site()
        self.home = ""  # the blog's home URL, no trailing slash
        # host key → the blog's base paths on it (segment keys, longest first); a host
        # with none (a multisite's network home) serves the site's uploads only.
        self._hosts: dict[str, list[list[str]]] = {}
        self._upload_bases: set[tuple[str, str]] = set()  # (host key, path prefix key)
        # The posts, compact (see _KeyIndex): a packed row each (`_pack`), found by id,
        # by the hash of their permalink path below the base and of their slug key.
        self._rows: list[str | tuple[str | None, ...]] = []
        self._ids = _KeyIndex()
        self._paths = _KeyIndex()
        self._slugs = _KeyIndex()
        # What a post added again under another path or slug held before: a path stays
        # with its first post, a slug with every post it was ever given to.
        self._old_paths: dict[str, int] = {}
        self._old_slug_keys: dict[str, set[int]] = {}
        self._old_slugs: dict[str, int] = {}
        self._recent: dict[int, PostEntry] = {}  # posts looked up lately, unpacked
        self._media: dict[str, int] = {}  # upload path key (every size) → attachment id
        self._terms: dict[tuple[str, str], tuple[int | None, str]] = {}  # → (id, parent)
        self._term_ids: dict[int, tuple[str, str]] = {}  # id → (taxonomy, slug key)
        self._authors: dict[str, int | None] = {}  # login key → id
        self._author_ids: dict[int, str] = {}
        self._attachment_urls: dict[int, str] = {}
        self._taxonomies: set[str] = set()
        # layout names, made on first use: those other than the slug (or the id) only
        self._names: dict[int, str] | None = None
        self._origin_cache: str | None = None
        self._upload_hosts_cache: frozenset[str] | None = None
        self._term_names: dict[tuple[str, str], str] = {}
        self._cache: dict[tuple[str, str], Resolution | None] = {}
        self._pending_links: list[int] = []  # posts added before the Site record
        self._media_hosts: tuple[str, ...] = ()  # off-site hosts whose files are wanted

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> SiteIndex:
        """The index of a whole source (the pipeline's first pass)."""
        index = cls()
        for record in records:
            index.add(record)
        # Settled here, once: worker processes forked later inherit it all.
        index._layout_names()
        index._paths.settle()
        index._slugs.settle()
        return index

    def __len__(self) -> int:
        return len(self._rows)

    # -- building --

    def add(self, record: Record) -> None:
        """Take what links need from one record."""
        self._origin_cache = self._upload_hosts_cache = None
        self._cache.clear()
        if isinstance(record, Post | Term):
            self._names = None
            self._recent.clear()
        if isinstance(record, Post):
            self._add_post(record)
        elif isinstance(record, Term):
            key = (record.taxonomy, segment_key(record.slug))
            self._terms[key] = (record.id, record.parent)
            self._taxonomies.add(record.taxonomy)
            if record.id is not None:
                self._term_ids[record.id] = key
        elif isinstance(record, Author):
            self._authors[segment_key(record.login)] = record.id
            if record.id is not None:
                self._author_ids[record.id] = record.login
        elif isinstance(record, Site):
            self._add_site(record)

    def _add_site(self, site: Site) -> None:
        if not self.site.url and not self.site.base_blog_url:
            self.site = site
        # base_blog_url and <link> are the blog's home; base_site_url is the network's
        # home on a multisite (its other blogs are other sites), else the same URL.
        blog = [u for u in (site.base_blog_url, site.url) if u] or [site.base_site_url]
        for url in [*blog, site.base_site_url]:
            if not url:
                continue
            parts = urlsplit(url if "//" in url else "https://" + url)
            if not parts.hostname:
                continue
            host = host_key(parts.hostname)
            prefixes = self._hosts.setdefault(host, [])
            if url in blog:
                prefix = [segment_key(s) for s in _segments(parts.path) if s]
                if prefix not in prefixes:
                    prefixes.append(prefix)
                    prefixes.sort(key=len, reverse=True)
                if not self.home:
                    self.home = url.rstrip("/")
            if host.endswith(".wordpress.com") and not host.endswith(".files.wordpress.com"):
                # WordPress.com keeps a site's uploads on <name>.files.wordpress.com.
                files = host.removesuffix(".wordpress.com") + ".files.wordpress.com"
                self._upload_bases.add((files, ""))
        pending, self._pending_links = self._pending_links, []
        for post_id in pending:
            row = self._row_of(post_id)
            if row is None:
                continue
            fields = self._fields(row)
            path = self._path_key(fields[3])  # type: ignore[arg-type]
            if path and path != fields[7]:
                self._rows[row] = self._pack(*fields[:7], path, fields[8])  # type: ignore[arg-type]
                self._paths.add(hash(path), row)

    def _add_post(self, post: Post) -> None:
        file = ""
        if post.post_type == "attachment":
            file = self._add_attachment(post)
        path = ""
        if post.link:
            if self._hosts:
                path = self._path_key(post.link)
            else:
                self._pending_links.append(post.id)
        slug_key = ""
        if post.slug and post.post_type not in NO_PAGE_TYPES and post.post_type != "attachment":
            slug_key = segment_key(post.slug)
        packed = self._pack(
            post.post_type,
            post.status,
            post.slug,
            post.link,
            str(post.parent),
            post.date,
            file,
            path,
            str(post.id),
        )
        row = self._row_of(post.id)
        if row is None:
            row = len(self._rows)
            self._rows.append(packed)
            self._ids.add(post.id, row)
            old_path = old_slug_key = ""
        else:  # the same post again (a merged split export): it replaces the first
            old_path, old_slug_key = self._remember_keys(post.id, row)
            self._rows[row] = packed
        if path and path != old_path:
            self._paths.add(hash(path), row)
        if slug_key and slug_key != old_slug_key:
            self._slugs.add(hash(slug_key), row)
        for old in post.meta.get("_wp_old_slug", ()):
            if isinstance(old, str) and old:
                self._old_slugs.setdefault(segment_key(old), post.id)

    def _remember_keys(self, post_id: int, row: int) -> tuple[str, str]:
        """Before a post's row is replaced: keep what its path and slug key led to, as
        the index answered before (a path's first post keeps it; a slug counts every
        post it was given to). Returns (path, slug key) of the row."""
        path = self._fields(row)[7]
        slug_key = self._slug_key(row)
        if path and self._path_owner(path) == post_id:
            self._old_paths.setdefault(path, post_id)
        if slug_key:
            self._old_slug_keys.setdefault(slug_key, set()).add(post_id)
        return path, slug_key

    def _path_key(self, link: str) -> str:
        """The key a permalink is found under: its path's segment keys below the base;
        "" for none (another site, ``?p=ID``: found by id)."""
        split = self._split(link)
        if split is None:
            return ""
        segs, _, query = split
        keys = [k for k in segs if k]
        if not keys and query:
            return ""
        return "/".join(keys)

    # -- the rows --

    def _pack(
        self,
        post_type: str,
        status: str,
        slug: str,
        link: str,
        parent: str,
        date: str | None,
        file: str,
        path: str,
        post_id: str,
    ) -> str | tuple[str | None, ...]:
        """A row as one string: fields joined by _SEP; a link below the home URL kept
        relative to it (the home never changes once set), and a path key that is that
        relative link without its outer slashes (the common case) as _MARK; no date as
        _MARK."""
        fields = (post_type, status, slug, link, parent, date, file, path, post_id)
        if any(f and (_SEP in f or _MARK in f) for f in fields):
            return fields
        home = self.home
        if link and home and link.startswith(home):
            link = link[len(home) :]
            if path and path == link.strip("/"):
                path = _MARK
            link = _MARK + link
        date = _MARK if date is None else date
        return _SEP.join((post_type, status, slug, link, parent, date, file, path, post_id))

    def _fields(self, row: int) -> tuple[str | None, ...]:
        """A row's fields as `_pack` took them: type, status, slug, link, parent, date
        (None: none), file, permalink path key, id."""
        packed = self._rows[row]
        if isinstance(packed, tuple):
            return packed
        fields: list[str | None] = packed.split(_SEP)  # type: ignore[assignment]
        link = fields[3]
        if link and link[0] == _MARK:
            fields[3] = self.home + link[1:]
            if fields[7] == _MARK:
                fields[7] = link[1:].strip("/")
        if fields[5] == _MARK:
            fields[5] = None
        return tuple(fields)

    def _entry(self, row: int) -> PostEntry:
        post_type, status, slug, link, parent, date, file, _, _ = self._fields(row)
        return PostEntry(post_type, status, slug, link, int(parent), date, file)  # type: ignore[arg-type]

    def _row_of(self, post_id: int | None) -> int | None:
        if post_id is None:
            return None
        rows = self._ids.rows(post_id)
        return rows[0] if rows else None

    def _slug_key(self, row: int) -> str:
        """The key the row's post is found under by slug; "" if it is not."""
        post_type, _, slug = self._fields(row)[:3]
        if not slug or post_type in NO_PAGE_TYPES or post_type == "attachment":
            return ""
        return segment_key(slug)

    def _path_owner(self, path: str) -> int | None:
        """The first post given this permalink path."""
        old = self._old_paths.get(path)
        if old is not None:
            return old
        for row in self._paths.rows(hash(path)):
            fields = self._fields(row)
            if fields[7] == path:
                return int(fields[8])  # type: ignore[arg-type]
        return None

    def _slug_owner(self, key: str) -> int | None:
        """The one post with this slug key; None for none, or more than one."""
        owners = set(self._old_slug_keys.get(key, ()))
        for row in self._slugs.rows(hash(key)):
            if self._slug_key(row) == key:
                owners.add(int(self._fields(row)[8]))  # type: ignore[arg-type]
        return owners.pop() if len(owners) == 1 else None

    def _add_attachment(self, post: Post) -> str:
        url = post.attachment_url or post.guid
        if url:
            self._attachment_urls[post.id] = url
        attached = next(
            (v for v in post.meta.get("_wp_attached_file", ()) if isinstance(v, str) and v), ""
        )
        file = attached.lstrip("/")
        if url:
            parts = urlsplit(url)
            path = unquote_all(parts.path)
            if not file:
                file = _upload_rel_from_path(path)
            host = host_key(parts.hostname or "")
            # Uploads elsewhere than wp-content/uploads (a CDN, S3, *.files.wordpress.com,
            # a custom UPLOADS folder): learn where, from the attachment's own URL.
            keys = _segment_keys(path)
            if host and file and path.endswith("/" + file) and _find_uploads(keys) is None:
                prefix = path[: -len(file)].strip("/")
                self._upload_bases.add((host, "/".join(segment_key(s) for s in prefix.split("/"))))
        if not file:
            return ""
        self._media[_file_key(file)] = post.id
        folder = posixpath.dirname(file)
        for meta in post.meta.get("_wp_attachment_metadata", ()):
            if not isinstance(meta, dict):
                continue
            names = [meta.get("original_image")]
            sizes = meta.get("sizes")
            if isinstance(sizes, dict):
                names += [s.get("file") for s in sizes.values() if isinstance(s, dict)]
            for name in names:
                if isinstance(name, str) and name:
                    self._media.setdefault(_file_key(posixpath.join(folder, name)), post.id)
        return file

    # -- resolving --

    def _split(self, url: str) -> tuple[list[str], list[str], str] | None:
        """(segment keys below the base, raw segments below the base, query) of a
        same-site URL; None when the URL is elsewhere."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return None
        if not host or host_key(host) not in self._hosts:
            return None
        raw = _segments(parts.path)
        keys = _segment_keys(parts.path)
        n = self._prefix_len(host_key(host), keys)
        if n is None:
            return None
        return keys[n:], raw[n:], parts.query

    def _prefix_len(self, host: str, keys: list[str]) -> int | None:
        for prefix in self._hosts.get(host, ()):
            if keys[: len(prefix)] == prefix:
                return len(prefix)
        return None

    def resolve(
        self, url: str, page_url: str | None = None, *, bare: bool = False
    ) -> Resolution | None:
        """Understand a URL found in ``page_url``'s content: None when it is not the
        site's own (off-site, ``mailto:``, ``data:``, a fragment), else a `Resolution`.

        ``bare``: a scheme-less URL found in text (``example.org/about``).
        """
        url = url.strip()
        if not url or url[0] == "#":
            return None
        relative = not bare and not url.startswith("//") and not _SCHEME.match(url)
        if relative and url[0] != "/" and _SPACE.search(url):
            return None  # words, not a URL (<del cite="deleted it">)
        key = (url, (page_url or "") if relative and url[0] != "/" else "")
        try:
            return self._cache[key]
        except KeyError:
            pass
        result = self._resolve(url, page_url, bare)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _resolve(self, url: str, page_url: str | None, bare: bool) -> Resolution | None:
        scheme = _SCHEME.match(url)
        if bare:
            form, absolute = "bare", "https://" + url
        elif scheme:
            if scheme.group(1).lower() not in ("http", "https"):
                return None
            form, absolute = "absolute", url
        elif url.startswith("//"):
            form, absolute = "scheme-relative", "https:" + url
        elif url.startswith("/"):
            form, absolute = "root-relative", self._origin + url
        else:
            form, absolute = "document-relative", urljoin(page_url or self.home + "/", url)
        split = _split_url(absolute)
        if split is None:
            return None
        host, path, query, fragment = split
        if host in _PHOTON:  # Jetpack's image CDN: i0.wp.com/<host>/<path>?resize=…
            inner, _, rest = path.lstrip("/").partition("/")
            host, path, query = host_key(inner.split(":")[0]), "/" + rest, ""
        same_host = host in self._hosts
        if not same_host and host not in self._upload_hosts:
            return None  # off-site: the common case, decided before any decoding
        if "/." in path or "%2e" in path or "%2E" in path:
            path = _remove_dot_segments(path)  # /uploads/2024/../x.jpg is /uploads/x.jpg
        raw = _segments(path)
        keys = _segment_keys(path)
        upload = _find_uploads(keys) if same_host else None
        if upload is None:
            upload = self._upload_base(host, keys, same_host)
        n = self._prefix_len(host, keys) if same_host else None
        if upload is None and n is None:
            return None  # another site, or the same host but not this WordPress
        query = drop_noise(query)
        rest = "/" + "/".join(raw[n:]) if n is not None and n < len(raw) else ""
        if query:
            rest += "?" + query
        if upload is not None:
            file_raw = "/".join(raw[upload:])
            file_raw = (
                _SITES_N.sub("", file_raw, count=1)
                if file_raw[:6].lower() == "sites/"
                else file_raw
            )
            file = unquote_all(file_raw)
            return Resolution(self._media_target(file), form, rest, fragment, upload=file_raw)
        target, direct = self._find(keys[n:], query, fragment)
        return Resolution(target, form, rest, fragment, direct)

    @property
    def _origin(self) -> str:
        if self._origin_cache is None:
            parts = urlsplit(self.home or "https://invalid")
            self._origin_cache = f"{parts.scheme}://{parts.netloc}"
        return self._origin_cache

    @property
    def _upload_hosts(self) -> frozenset[str]:
        if self._upload_hosts_cache is None:
            self._upload_hosts_cache = frozenset(h for h, _ in self._upload_bases)
        return self._upload_hosts_cache

    def _upload_base(self, host: str, keys: list[str], same_host: bool) -> int | None:
        """Index of the first segment below a learned uploads folder on ``host``. On the
        site's own host only a known file counts: its pages live there too."""
        for base_host, prefix in self._upload_bases:
            if base_host != host:
                continue
            n = len(prefix.split("/")) if prefix else 0
            if "/".join(keys[:n]) != prefix or len(keys) <= n or not keys[-1]:
                continue
            if same_host and self._media_target("/".join(keys[n:])).id is None:
                continue
            return n
        return None

    def _media_target(self, file: str) -> Target:
        key = _file_key(file)
        found = self._media.get(key)
        if found is None:
            variant = _VARIANT.match(key)
            if variant:
                stem, ext = variant.groups()
                found = self._media.get(stem + ext) or self._media.get(stem + "-scaled" + ext)
        return Target("media", found, file=file)

    def _find(self, keys: list[str], query: str, fragment: str) -> tuple[Target | None, bool]:
        """The target of a same-site page URL (keys below the base), and whether its
        path named it directly."""
        if query:
            named, found = self._find_query(dict(parse_qsl(query)))
            if named:
                return found, False
        keys = [k for k in keys if k]
        if keys and keys[0] == "index.php":
            keys = keys[1:]
        target = self._find_path(keys)
        if target is not None:
            return target, True
        more = _MORE.match(fragment)
        if more:
            return self._post_target(int(more.group(1))), False
        return None, True

    def _find_query(self, q: dict[str, str]) -> tuple[bool, Target | None]:
        """(whether the query names a target, the target if the index has it):
        ``?p=``, ``?page_id=``, ``?attachment_id=``, ``?cat=``, ``?tag=``, ``?author=``…"""
        for name in ("p", "page_id", "attachment_id", "preview_id"):
            if name in q:
                return True, self._post_target(_to_int(q[name]))
        if "cat" in q:
            return True, self._term_target_by_id(_to_int(q["cat"].split(",")[0]))
        if "tag_id" in q:
            return True, self._term_target_by_id(_to_int(q["tag_id"]))
        for name, taxonomy in (("tag", "post_tag"), ("category_name", "category")):
            if name in q:
                return True, self._term_target(taxonomy, q[name].split(",")[0].split("/")[-1])
        if "taxonomy" in q and "term" in q:
            return True, self._term_target(q["taxonomy"], q["term"])
        if "author" in q:
            login = self._author_ids.get(_to_int(q["author"]) or 0)
            return True, self._author_target(segment_key(login)) if login else None
        if "name" in q or "pagename" in q:
            keys = [segment_key(s) for s in (q.get("pagename") or q["name"]).split("/") if s]
            return True, self._find_path(keys) if keys else None
        if _ARCHIVE_QUERY & q.keys():
            return True, None  # search results, date archives: no such page in an archive
        return False, None

    def _find_path(self, keys: list[str]) -> Target | None:
        while True:
            if not keys:
                return HOME
            found = self._path_owner("/".join(keys))
            if found is not None:
                return self._post_target(found)
            stripped = _strip_suffix(keys)
            if stripped is None:
                break
            keys = stripped
        first, last = keys[0], keys[-1]
        if len(keys) >= 2:
            if first == "category":
                return self._term_target("category", last)
            if first == "tag":
                return self._term_target("post_tag", last)
            if first == "author":
                return self._author_target(keys[1])
            if first == "type":
                return self._term_target("post_format", "post-format-" + last)
            if first in self._taxonomies:
                return self._term_target(first, last)
        if all(k.isdigit() for k in keys) and len(keys[0]) == 4:
            return None  # a date archive: not part of the archive
        found = self._old_slugs.get(last)
        if found is None:
            found = self._slug_owner(last)
        if found is not None:
            return self._post_target(found)
        return None

    def _post_target(self, post_id: int | None) -> Target | None:
        entry = self.post(post_id)
        if entry is None or entry.post_type in NO_PAGE_TYPES:
            return None
        if entry.post_type == "attachment":
            return Target("post", post_id) if entry.file else None
        if entry.status not in PUBLIC_STATUSES:
            return None
        return Target("post", post_id)

    def _term_target_by_id(self, term_id: int | None) -> Target | None:
        found = self._term_ids.get(term_id) if term_id is not None else None
        return self._term_target(*found) if found else None

    def _term_target(self, taxonomy: str, slug: str) -> Target | None:
        key = (taxonomy, segment_key(slug))
        found = self._terms.get(key)
        if found is None:
            return None
        return Target("term", found[0], taxonomy=taxonomy, slug=key[1])

    def _author_target(self, name: str) -> Target | None:
        if name in self._authors:
            return Target("author", self._authors[name], slug=name)
        for login in self._authors:  # the URL has the nicename: the login, sanitised
            if dir_name(login, fallback="author") == name:
                return Target("author", self._authors[login], slug=login)
        return None

    def post(self, post_id: int | None) -> PostEntry | None:
        """What the index keeps of a post; None when it has no such post."""
        # A post's links and comments ask for the same few posts many times over.
        entry = self._recent.get(post_id)  # type: ignore[arg-type]
        if entry is None:
            row = self._row_of(post_id)
            if row is None:
                return None
            entry = self._entry(row)
            if len(self._recent) >= 256:
                self._recent.clear()
            self._recent[post_id] = entry  # type: ignore[index]
        return entry

    def attachment_url(self, post_id: int | None) -> str | None:
        """An attachment's original file URL (``attachment_url``, else its guid)."""
        return self._attachment_urls.get(post_id) if post_id is not None else None

    def attachment_target(self, post_id: int | None) -> Target | None:
        entry = self.post(post_id)
        if entry is None or entry.post_type != "attachment" or not entry.file:
            return None
        return Target("media", post_id, file=entry.file)

    # -- the layout --

    def archive_path(self, target: Target) -> str | None:
        """Where a target lives in the archive, relative to the archive's root: the one
        definition of the archive's layout. None: the target has no page.

        - home: ``index.html``
        - posts: ``posts/<slug>/index.html``
        - pages: ``pages/<parent-slug>/…/<slug>/index.html``
        - other post types: ``types/<post-type>/<slug>/index.html``
        - attachments (their pages too) and uploaded files: `media_path` of the file
        - categories, tags: ``category/<slug>/index.html``, ``tag/<slug>/index.html``;
          other taxonomies ``terms/<taxonomy>/<slug>/index.html``
        - authors: ``author/<login>/index.html``

        Every component goes through `names` (ASCII slugs, no reserved names). A post
        without a slug (a draft) is named by its id; two posts whose slugs make the same
        name are told apart by ``-<id>`` on the one with the higher id.
        """
        kind = target.kind
        if kind == "home":
            return "index.html"
        if kind == "media":
            return media_path(target.file)
        if kind == "post" and target.id is not None:
            entry = self.post(target.id)
            if entry is None or entry.post_type in NO_PAGE_TYPES:
                return None
            if entry.post_type == "attachment":
                return media_path(entry.file) if entry.file else None
            return self._post_dir(target.id, entry) + "/index.html"
        if kind == "term":
            name = self._term_name(target.taxonomy, target.slug, target.id)
            return f"{_taxonomy_dir(target.taxonomy)}/{name}/index.html"
        if kind == "author":
            return f"author/{dir_name(target.slug, fallback='author')}/index.html"
        return None

    def media_path_for(self, url: str, page_url: str | None = None) -> str | None:
        """Where the media step keeps the file behind ``url`` — the very path links in
        ``relative`` mode point to; None when ``url`` is not one of the site's uploads
        (or an attachment page: its file)."""
        res = self.resolve(url, page_url)
        if res is None:
            offsite = self.offsite_media(url)
            return offsite.path if offsite is not None else None
        target = res.target
        if target is None:
            return None
        if target.kind == "media":
            return media_path(target.file)
        entry = self.post(target.id) if target.kind == "post" else None
        if entry is not None and entry.post_type == "attachment" and entry.file:
            return media_path(entry.file)
        return None

    # -- off-site media: files on hosts the user named (--media-hosts) --

    @property
    def media_hosts(self) -> tuple[str, ...]:
        return self._media_hosts

    def allow_media_hosts(self, values: Iterable[str]) -> None:
        """Also treat files on these off-site hosts as media to bring home
        (`parse_media_hosts` patterns: ``i0.wp.com``, ``*.files.wordpress.com``)."""
        self._media_hosts = parse_media_hosts(values)

    def offsite_media(self, url: str) -> OffsiteFile | None:
        """The file behind ``url`` when it is on a named off-site host (`allow_media_hosts`)
        and names a file, not a page; None otherwise (and for the site's own URLs).

        One file per path: a query on a file name with an extension is a resize
        (``?w=640``, ``?resize=300,200``), so the original is fetched, without it; on a
        name without one the query tells files apart and is kept.
        """
        if not self._media_hosts:
            return None
        url = url.strip()
        if url.startswith("//"):
            url = (urlsplit(self.home).scheme or "https") + ":" + url
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or not hostname:
            return None
        host = _ascii_host(hostname)
        if host is None or not host_matches(host, self._media_hosts):
            return None
        name = parts.path.rsplit("/", 1)[-1]
        ext = name.rpartition(".")[2].lower() if "." in name else ""
        if not unquote_all(name).strip() or ext in _PAGE_EXTENSIONS:
            return None
        if self.resolve(url) is not None:
            return None  # the site's own (its uploads through Jetpack's CDN, say)
        query = "" if ext else parts.query
        netloc = parts.netloc.rpartition("@")[2]  # never a user:password from content
        fetch = urlunsplit((parts.scheme.lower(), netloc, parts.path, query, ""))
        return OffsiteFile(fetch, offsite_path(host, _remove_dot_segments(parts.path), query))

    def location(self, post_id: int) -> str:
        """The archive path of a post's own page; the root's ``index.html`` for posts
        without one (reusable blocks, menu items), so their links stay inside too."""
        entry = self.post(post_id)
        if entry is None or entry.post_type == "attachment":
            return "index.html"
        return self.archive_path(Target("post", post_id)) or "index.html"

    def _post_dir(self, post_id: int, entry: PostEntry) -> str:
        names = self._layout_names()
        name = names.get(post_id) or entry.slug or str(post_id)
        if entry.post_type == "post":
            return "posts/" + name
        if entry.post_type == "page":
            chain, seen, parent = [name], {post_id}, entry.parent
            while parent and parent not in seen and len(chain) < 8:
                up = self.post(parent)
                if up is None or up.post_type != "page":
                    break
                seen.add(parent)
                chain.append(names.get(parent) or up.slug or str(parent))
                parent = up.parent
            return "pages/" + "/".join(reversed(chain))
        return f"types/{dir_name(entry.post_type, fallback='type')}/{name}"

    def _layout_names(self) -> dict[int, str]:
        """Each post's and term's folder name, unique among its siblings, made once
        (in id order, so the same source always gives the same names). Kept only where
        a post's name is not its slug (or, without a slug, its id)."""
        if self._names is None:
            self._term_names = {}
            used: set[str] = set()
            for key, (term_id, _) in sorted(
                self._terms.items(), key=lambda kv: (kv[1][0] or 0, kv[0])
            ):
                name = dir_name(key[1], fallback=str(term_id or "term"))
                name = _unique(name, term_id if term_id is not None else len(used), key[0], used)
                self._term_names[key] = name
            names: dict[int, str] = {}
            taken: set[str] = set()
            for post_id, row in self._ids.items():
                post_type, _, slug, _, parent_id, *_ = self._fields(row)  # type: ignore[misc]
                if post_type in NO_PAGE_TYPES or post_type == "attachment":
                    continue
                name = dir_name(slug, fallback=str(post_id)) if slug else str(post_id)
                group = post_type
                if post_type == "page":
                    parent = self.post(int(parent_id))
                    if parent and parent.post_type == "page":
                        group = f"page:{parent_id}"
                name = _unique(name, post_id, group, taken)
                if name != (slug or str(post_id)):
                    names[post_id] = name
            self._names = names
        return self._names

    def _term_name(self, taxonomy: str, slug: str, term_id: int | None) -> str:
        self._layout_names()
        return self._term_names.get((taxonomy, slug)) or dir_name(slug, fallback="term")

    # -- base mode: the same permalinks on a new host --

    def canonical_rest(self, target: Target) -> str | None:
        """A target's permalink path below the site's base (``/2024/06/18/slug/``), for
        the migration mode; None when the index can't tell."""
        if target.kind == "home":
            return "/"
        if target.kind == "media":
            return "/wp-content/uploads/" + target.file if target.file else None
        if target.kind == "post" and target.id is not None:
            entry = self.post(target.id)
            split = self._split(entry.link) if entry and entry.link else None
            if split is None:
                return f"/?p={target.id}"
            _, raw, query = split
            return "".join("/" + s for s in raw) + ("?" + query if query else "")
        if target.kind == "term":
            if target.taxonomy == "category":
                chain, slug = [target.slug], target.slug
                for _ in range(8):
                    parent = (self._terms.get(("category", slug)) or (None, ""))[1]
                    if not parent:
                        break
                    slug = segment_key(parent)
                    chain.append(slug)
                return "/category/" + "/".join(reversed(chain)) + "/"
            if target.taxonomy == "post_tag":
                return f"/tag/{target.slug}/"
            return f"/?taxonomy={target.taxonomy}&term={target.slug}"
        if target.kind == "author":
            return f"/author/{target.slug}/"
        return None


def _unique(name: str, ident: int, group: str, taken: set[str]) -> str:
    """``name``, or ``name-<id>`` (then ``-2``, ``-3``…) if a sibling has it already."""
    # One string a name, not a tuple: this set holds every post of the site for a while.
    # Names never hold NUL (they are `dir_name`s), so group + NUL + name is unambiguous.
    candidate, n = name, 1
    while f"{group}\x00{candidate}" in taken:
        n += 1
        candidate = f"{name}-{ident}" if n == 2 else f"{name}-{ident}-{n - 1}"
    taken.add(f"{group}\x00{candidate}")
    return candidate


def _to_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


_DOT = frozenset({".", "%2e"})
_DOT_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def _remove_dot_segments(path: str) -> str:
    """A URL path with its ``.`` and ``..`` segments (``%2e`` spellings too) applied, as
    browsers apply them (RFC 3986 5.2.4, WHATWG): it never climbs above the root."""
    out: list[str] = []
    segments = path.split("/")[1:] if path.startswith("/") else path.split("/")
    for i, segment in enumerate(segments):
        lower = segment.lower()
        last = i == len(segments) - 1
        if lower in _DOT:
            if last:
                out.append("")
        elif lower in _DOT_DOT:
            if out:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _file_key(file: str) -> str:
    file = file.strip("/")
    if "%" not in file and file.isascii():
        return file.lower()  # as below: each segment's key is itself, lowercase
    return "/".join(segment_key(s) for s in file.split("/"))


def _find_uploads(keys: list[str]) -> int | None:
    """Index of the first segment below ``wp-content/uploads`` (anywhere in the path:
    WordPress in a subfolder), else None."""
    for i in range(len(keys) - 2):
        if keys[i] == "wp-content" and keys[i + 1] == "uploads":
            return i + 2
    return None


def _upload_rel_from_path(path: str) -> str:
    keys = [s.lower() for s in _segments(path)]
    i = _find_uploads(keys)
    segs = _segments(path)
    rel = "/".join(segs[i:]) if i is not None else "/".join(s for s in segs if s)
    return _SITES_N.sub("", rel, count=1) if rel[:6].lower() == "sites/" else rel


def _strip_suffix(keys: list[str]) -> list[str] | None:
    """A page URL with its pagination or feed suffix taken off; None if it has none."""
    last = keys[-1]
    if len(keys) >= 2 and keys[-2] == "page" and last.isdigit():
        return keys[:-2]
    if last.startswith("comment-page-") or last in _FEEDS:
        return keys[:-1]
    if len(keys) >= 2 and keys[-2] == "feed":
        return keys[:-2]
    if last.isdigit() and len(keys) >= 2 and not keys[-2].isdigit():
        return keys[:-1]  # /slug/2/: page 2 of a post split by <!--nextpage-->
    return None


# -- modes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """How links are rewritten: ``relative``, ``base`` (with ``base_url``), ``none``."""

    name: str = "relative"
    base_url: str = ""

    def __str__(self) -> str:
        return f"base={self.base_url}" if self.name == "base" else self.name


def parse_mode(text: str | Mode) -> Mode:
    """``relative`` | ``none`` | ``base=https://new.example`` → `Mode`; ValueError else."""
    if isinstance(text, Mode):
        return text
    text = text.strip()
    if text in ("relative", "none"):
        return Mode(text)
    if text.startswith("base="):
        url = text[5:].strip()
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname and not parts.query:
            return Mode("base", url.rstrip("/"))
    raise ValueError(
        f"--rewrite {text!r}: use relative, none, or base=URL (e.g. base=https://new.example)"
    )


# -- finding URLs in content --------------------------------------------------------

# One pass over the HTML; each alternative is a place URLs live.
_TOKENS = re.compile(
    r"""<!--(?P<comment>.*?)-->
    | <(?P<raw>script|style)\b(?P<rawattrs>(?:[^>"']++|"[^"]*+"|'[^']*+')*+)>
        (?P<rawbody>.*?)</(?P=raw)\s*>
    | <(?P<tag>[a-zA-Z][a-zA-Z0-9:-]*+)(?P<attrs>(?:[^>"']++|"[^"]*+"|'[^']*+')*+)>
    | </(?P<end>pre|code)\s*>
    | \[(?P<esc>\[?)(?P<sc>[A-Za-z][A-Za-z0-9_-]*+)
        (?P<scattrs>(?:[^\[\]"']++|"[^"]*+"|'[^']*+')*+)\]
    """,
    re.S | re.X | re.I,
)
# A tag's attributes are looked at only when they may hold a URL or an attachment id.
_INTERESTING = re.compile(
    r"src|href|url|//|data|poster|cite|action|background|longdesc|wp-image-", re.I
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_BLOCK = re.compile(
    r"\s+wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+(?P<json>\{.*\})\s+/?$", re.S
)
_JSON_STR = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?', re.S)
_CSS = re.compile(
    r"""/\*.*?\*/
    | \burl\(\s*(?:"(?P<dq>(?:[^"\\\n]|\\.)*)"
                 |'(?P<sq>(?:[^'\\\n]|\\.)*)'
                 |(?P<uq>(?:[^\s()"'\\]|\\.)+))\s*\)
    | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
    """,
    re.S | re.X | re.I,
)
_CSS_UNQUOTED = re.compile(r"""([\s()'"\\])""")
# A candidate's URL: up to a space, or a comma before one. Said without a lazy repeat
# and a lookahead at every character: srcsets are long, and on every image.
_SRCSET = re.compile(r"(?:^|,)\s*([^\s,](?:[^\s,]++|,(?!\s|$))*+)")
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.S)
_SC_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_ENTITY = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_ABSOLUTE = re.compile(r"\s*(?:https?:)?//", re.I)
_TEXT_URL = re.compile(r"""(?:https?:|&#0*104;ttps?:|&#x0*68;ttps?:)//[^\s<>"'\[\]]+""", re.I)
_WP_IMAGE = re.compile(r"\bwp-image-(\d+)\b")
_ID_KEYS = re.compile(r'"(?:id|ids|mediaId|ref)"\s*:')
_ARCHIVED = re.compile(
    r"(?:\.\./)*(?:index\.html|(?:posts|pages|types|media|category|tag|terms|author)/\S*)$"
)

# HTML attributes whose value is one URL (relative ones included).
URL_ATTRS = frozenset(
    {
        "href",
        "src",
        "poster",
        "cite",
        "action",
        "formaction",
        "background",
        "longdesc",
        "lowsrc",
        "highsrc",
        "data",
        "xlink:href",
        "data-src",
        "data-lazy-src",
        "data-original",
        "data-orig-file",
        "data-medium-file",
        "data-large-file",
        "data-full-url",
        "data-link",
        "data-permalink",
        "data-url",
        "data-href",
        "data-bg",
        "data-background",
    }
)
SRCSET_ATTRS = frozenset({"srcset", "data-srcset", "data-lazy-srcset", "imagesrcset"})
# Block attributes that hold one URL (relative ones included); in any other string
# attribute only absolute URLs are taken, as the WordPress importer does.
BLOCK_URL_KEYS = frozenset(
    {"url", "href", "src", "mediaUrl", "mediaLink", "fullUrl", "feedURL", "poster", "link"}
)
# Blocks whose "id" (or "mediaId") is an attachment id; "ids" always are.
_MEDIA_BLOCKS = frozenset({"image", "video", "audio", "file", "cover", "media-text"})
SHORTCODE_URL_ATTRS = frozenset(
    {
        "src",
        "url",
        "href",
        "poster",
        "mp3",
        "m4a",
        "ogg",
        "wav",
        "wma",
        "mp4",
        "m4v",
        "webm",
        "ogv",
        "flv",
    }
)


def _decode_attr(raw: str) -> tuple[str, list[int] | None]:
    """An attribute value without its character references, and where each character
    came from in ``raw`` (None: nothing was decoded, positions are the same)."""
    if "&" not in raw:
        return raw, None
    out: list[str] = []
    pos: list[int] = []
    last = 0
    for m in _ENTITY.finditer(raw):
        start = m.start()
        out.append(raw[last:start])
        pos.extend(range(last, start))
        text = htmllib.unescape(m.group())
        out.append(text)
        pos.extend([start] * len(text))
        last = m.end()
    out.append(raw[last:])
    pos.extend(range(last, len(raw)))
    pos.append(len(raw))
    return "".join(out), pos


def _css_unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"
        return "" if m.group(2) == "\n" else m.group(2)

    return _CSS_ESCAPE.sub(one, text)


def _css_escape(url: str, quote: str) -> str:
    if quote:
        return url.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\a ")
    return _CSS_UNQUOTED.sub(r"\\\1", url)


def _json_escape(value: str, slashes: bool) -> str:
    """A JSON string body as WordPress's serialize_block_attributes() writes it."""
    text = json.dumps(value, ensure_ascii=False)[1:-1]
    text = (
        text.replace("--", "\\u002d\\u002d")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace('\\"', "\\u0022")
    )
    return text.replace("/", "\\/") if slashes else text


def _attr_escape(text: str, quote: str) -> str:
    text = text.replace("&", "&amp;")
    if quote == '"':
        return text.replace('"', "&quot;")
    if quote == "'":
        return text.replace("'", "&#039;")
    return text.replace(" ", "%20").replace(">", "%3E")


# A URL handler: (URL as found, decoded; whether relative URLs count here; whether it is
# a scheme-less URL from text) → the new URL, or None to leave it.
Visit = Callable[[str, bool, bool], "str | None"]
OnId = Callable[[str, int], None]


def rewrite_urls(
    html: str,
    visit: Visit,
    *,
    text_urls: re.Pattern[str] | None = None,
    text_hints: tuple[str, ...] = ("//", "&#"),
    on_id: OnId | None = None,
) -> str:
    """``html`` with every URL ``visit`` changes replaced, in place.

    The scanner finds URLs in tag attributes (`URL_ATTRS`, `SRCSET_ATTRS`, ``style``,
    and absolute URLs in any other attribute), ``<style>`` blocks, block-comment JSON,
    shortcode attributes and ``[embed]`` bodies, and — with ``text_urls``, a pattern of
    URLs — URLs written as text (outside ``<pre>``/``<code>``; only text holding one of
    ``text_hints`` is searched, for speed). ``on_id(kind, id)``
    hears of attachment ids (``wp-image-N``, block ``id``/``ids``, ``[gallery ids]``,
    caption ids) and reusable-block refs (kind ``block``). Nothing else changes.
    """
    edits: list[tuple[int, int, str]] = []
    in_code = 0
    text_re = text_urls
    last = 0
    for m in _TOKENS.finditer(html):
        if text_re is not None and not in_code and m.start() > last:
            _text(html, last, m.start(), visit, edits, text_re, text_hints)
        last = m.end()
        kind = m.lastgroup  # the last group of the alternative that matched
        if kind == "attrs":
            attrs = m.group("attrs")
            if _INTERESTING.search(attrs):
                _attributes(attrs, m.start("attrs"), visit, edits, on_id)
            if m.group("tag").lower() in ("pre", "code"):
                in_code += 1
        elif kind == "comment":
            _block(m, visit, edits, on_id)
        elif kind == "end":
            in_code = max(0, in_code - 1)
        elif kind == "rawbody":
            _attributes(m.group("rawattrs"), m.start("rawattrs"), visit, edits, on_id)
            if m.group("raw").lower() == "style":
                _css(m.group("rawbody"), m.start("rawbody"), None, None, visit, edits)
        elif kind == "scattrs" and not m.group("esc") and not in_code:
            last = _shortcode(html, m, visit, edits, on_id)
    if text_re is not None and last < len(html):
        _text(html, last, len(html), visit, edits, text_re, text_hints)
    if not edits:
        return html
    edits.sort()
    out, pos = [], 0
    for start, end, text in edits:
        if start < pos:
            continue  # never two edits of one span
        out.append(html[pos:start])
        out.append(text)
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _attributes(attrs: str, offset: int, visit: Visit, edits: list, on_id: OnId | None) -> None:
    for a in _ATTR.finditer(attrs):
        if a.lastindex is None or a.lastindex < 2:
            continue
        name = a.group(1).lower()
        group = a.lastindex
        raw = a.group(group)
        quote = '"' if group == 2 else "'" if group == 3 else ""
        start = offset + a.start(group)
        if name in URL_ATTRS:
            _one_url(raw, start, quote, True, visit, edits)
        elif name in SRCSET_ATTRS:
            _srcset(raw, start, quote, visit, edits)
        elif name == "style":
            if "url" in raw.lower():
                text, pos = _decode_attr(raw)
                _css(text, start, pos, quote, visit, edits)
        elif name == "class":
            if on_id is not None and "wp-image-" in raw:
                for i in _WP_IMAGE.findall(raw):
                    on_id("attachment", int(i))
        elif name == "data-id":
            if on_id is not None and raw.strip().isdigit():
                on_id("attachment", int(raw))
        elif "//" in raw:
            _one_url(raw, start, quote, False, visit, edits)


def _one_url(raw: str, start: int, quote: str, known: bool, visit: Visit, edits: list) -> None:
    text, pos = _decode_attr(raw)
    stripped = text.strip()
    if not stripped or (not known and not _ABSOLUTE.match(stripped)):
        return
    new = visit(stripped, known, False)
    if new is None:
        return
    lead = len(text) - len(text.lstrip())
    a, b = lead, lead + len(stripped)
    if pos is not None:
        a, b = pos[a], pos[b]
    edits.append((start + a, start + b, _attr_escape(new, quote)))


def _srcset(raw: str, start: int, quote: str, visit: Visit, edits: list) -> None:
    text, pos = _decode_attr(raw)
    for c in _SRCSET.finditer(text):
        url = c.group(1)
        new = visit(url, True, False)
        if new is None:
            continue
        a, b = c.start(1), c.end(1)
        if pos is not None:
            a, b = pos[a], pos[b]
        edits.append((start + a, start + b, _attr_escape(new, quote)))


def _css(
    css: str, start: int, pos: list[int] | None, quote: str | None, visit: Visit, edits: list
) -> None:
    """URLs in CSS ``url(…)``; comments and strings are skipped. ``quote`` not None: the
    CSS is an attribute value (decoded; ``pos`` maps back), the new URL escaped for it."""
    for c in _CSS.finditer(css):
        group = next((g for g in ("dq", "sq", "uq") if c.group(g) is not None), None)
        if group is None:
            continue
        url = _css_unescape(c.group(group)).strip()
        if not url or url[:5].lower() == "data:":
            continue
        new = visit(url, True, False)
        if new is None:
            continue
        css_quote = '"' if group == "dq" else "'" if group == "sq" else ""
        text = _css_escape(new, css_quote)
        a, b = c.start(group), c.end(group)
        if pos is not None:
            a, b = pos[a], pos[b]
        if quote is not None:
            text = _attr_escape(text, quote)
        edits.append((start + a, start + b, text))


def _block(m: re.Match[str], visit: Visit, edits: list, on_id: OnId | None) -> None:
    """URLs (and attachment ids) in a block comment's attributes, JSON edited in place."""
    body = m.group("comment")
    if "wp:" not in body[:12] or "{" not in body:
        return
    b = _BLOCK.match(body)
    if b is None:
        return
    name = b.group("name").removeprefix("core/")
    raw_json = b.group("json")
    offset = m.start("comment") + b.start("json")
    if on_id is not None and _ID_KEYS.search(raw_json):
        _block_ids(name, raw_json, on_id)
    if "/" not in raw_json and "\\u" not in raw_json:
        return
    key = ""
    for s in _JSON_STR.finditer(raw_json):
        if s.group(2):
            key = s.group(1)
            continue
        body_raw = s.group(1)
        if "/" not in body_raw and "\\u" not in body_raw:
            continue
        try:
            value = json.loads('"' + body_raw + '"')
        except ValueError:
            continue
        known = key in BLOCK_URL_KEYS
        if not known and not _ABSOLUTE.match(value):
            continue
        new = visit(value.strip(), known, False)
        if new is None:
            continue
        if value != value.strip():
            lead = value[: len(value) - len(value.lstrip())]
            new = lead + new + value[len(value.rstrip()) :]
        edits.append((offset + s.start(1), offset + s.end(1), _json_escape(new, "\\/" in body_raw)))


def _block_ids(name: str, raw_json: str, on_id: OnId) -> None:
    try:
        attrs = json.loads(raw_json)
    except ValueError:
        return
    if not isinstance(attrs, dict):
        return
    if name == "block":
        if isinstance(attrs.get("ref"), int):
            on_id("block", attrs["ref"])
        return
    ids = attrs.get("ids")
    found = list(ids) if isinstance(ids, list) else []
    if name in _MEDIA_BLOCKS:
        found.append(attrs.get("mediaId" if name == "media-text" else "id"))
    for i in found:
        if isinstance(i, int) or (isinstance(i, str) and i.isdigit()):
            on_id("attachment", int(i))


def _shortcode(html: str, m: re.Match[str], visit: Visit, edits: list, on_id: OnId | None) -> int:
    """URLs in a shortcode's attributes (values kept raw, as WordPress reads them);
    ``[embed]URL[/embed]``'s body. Returns where scanning goes on."""
    name = m.group("sc").lower()
    attrs = m.group("scattrs")
    offset = m.start("scattrs")
    for a in _SC_ATTR.finditer(attrs):
        group = a.lastindex or 2
        key, value = a.group(1).lower(), a.group(group)
        if on_id is not None:
            if key in ("ids", "include") and name in ("gallery", "playlist"):
                for i in re.findall(r"\d+", value):
                    on_id("attachment", int(i))
            elif key == "id" and value.startswith("attachment_") and value[11:].isdigit():
                on_id("attachment", int(value[11:]))
        known = key in SHORTCODE_URL_ATTRS
        if not value or (not known and not _ABSOLUTE.match(value)):
            continue
        new = visit(value.strip(), known, False)
        if new is not None:
            lead = len(value) - len(value.lstrip())
            a0 = offset + a.start(group) + lead
            edits.append((a0, a0 + len(value.strip()), new))
    if name == "embed":
        close = html.find("[/embed]", m.end())
        if close != -1:
            body = html[m.end() : close]
            url = body.strip()
            if url and "<" not in url and " " not in url:
                new = visit(htmllib.unescape(url), True, False)
                if new is not None:
                    a0 = m.end() + body.index(url)
                    edits.append((a0, a0 + len(url), new.replace("&", "&amp;")))
                return close
    return m.end()


def _text(
    html: str,
    start: int,
    end: int,
    visit: Visit,
    edits: list,
    text_re: re.Pattern[str],
    hints: tuple[str, ...],
) -> None:
    """URLs written as text (migration mode only, as the WordPress importer does)."""
    chunk = html[start:end]
    if not any(h in chunk for h in hints):
        return
    for t in text_re.finditer(chunk):
        raw = t.group().rstrip(".,;:!?)")
        url = htmllib.unescape(raw) if "&" in raw else raw
        bare = not _ABSOLUTE.match(url) and not url.lower().startswith("http")
        new = visit(url, False, bare)
        if new is not None:
            edits.append(
                (start + t.start(), start + t.start() + len(raw), new.replace("&", "&amp;"))
            )


# -- the transform ------------------------------------------------------------------


@dataclass
class LinkReport:
    """What one record's links came to."""

    rewritten: dict[str, str] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    attachments: list[int] = field(default_factory=list)
    meta: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.rewritten:
            out["rewritten"] = self.rewritten
        if self.unresolved:
            out["unresolved"] = self.unresolved
        if self.attachments:
            out["attachments"] = self.attachments
        if self.meta:
            out["meta"] = self.meta
        return out


class LinkRewriter:
    """The pipeline's link step: a `Transform` that rewrites each Post's and Comment's
    links against a finished `SiteIndex`, in ``mode`` (see `parse_mode`).

    ``local_media=False`` (no media downloaded): media links keep pointing at the
    original files, made absolute, instead of at ``media/``.

    ``totals`` counts, over the run, links ``rewritten`` and ``unresolved`` and
    ``records_with_unresolved``; ``unresolved`` counts each unresolved URL (the first
    10,000 distinct ones: it is a diagnostic, and must not grow with the site).
    """

    def __init__(
        self, index: SiteIndex, mode: str | Mode = "relative", *, local_media: bool = True
    ) -> None:
        self.index = index
        self.mode = parse_mode(mode)
        self.local_media = local_media
        self.totals: Counter[str] = Counter()
        self.unresolved: Counter[str] = Counter()
        # URLs written as text move only in a migration, as the WordPress importer moves
        # them; in an archive they are the author's words.
        hosts = set(index._hosts)
        for host in index._hosts:
            with contextlib.suppress(UnicodeError):
                hosts.add(host.encode("idna").decode("ascii"))
        self._text_hints = ("//", "&#", *sorted(hosts))
        self._text_urls = (
            re.compile(_text_pattern(hosts), re.I) if self.mode.name == "base" else None
        )

    def __call__(self, record: R) -> R:
        if isinstance(record, Post):
            self.rewrite_post(record)
        elif isinstance(record, Comment):
            self.rewrite_comment(record)
        return record

    # -- records --

    def rewrite_post(self, post: Post) -> LinkReport:
        report = LinkReport()
        content, excerpt = post.content.html, post.excerpt.html
        if post.post_type not in NOT_HTML_TYPES and (
            self._may_hold_links(content) or self._may_hold_links(excerpt)
        ):
            where = self.index.location(post.id)
            page_url = post.link or self.index.home + "/"
            post.content.html = self.rewrite_html(content, where, page_url, report)
            post.excerpt.html = self.rewrite_html(excerpt, where, page_url, report)
        self._meta(post, report)
        links = report.as_dict()
        if links:
            post.provenance["links"] = links
        else:
            post.provenance.pop("links", None)
        self._count(report)
        return report

    def rewrite_comment(self, comment: Comment) -> LinkReport:
        report = LinkReport()
        if self._may_hold_links(comment.content.html):  # most comments are plain text
            entry = self.index.post(comment.post_id)
            where = self.index.location(comment.post_id) if entry else "index.html"
            page_url = (entry.link if entry else "") or self.index.home + "/"
            comment.content.html = self.rewrite_html(comment.content.html, where, page_url, report)
        provenance = getattr(comment, "provenance", None)
        if isinstance(provenance, dict):
            links = report.as_dict()
            if links:
                provenance["links"] = links
        self._count(report)
        return report

    def _done(self, url: str) -> bool:
        """A URL this mode writes: a link into the archive, a URL on the new base."""
        if self.mode.name == "relative":
            return url[0] != "/" and not _SCHEME.match(url) and bool(_ARCHIVED.match(url))
        if self.mode.name == "base":
            base = self.mode.base_url
            return url == base or url.startswith((base + "/", base + "?", base + "#"))
        return False

    def _count(self, report: LinkReport) -> None:
        self.totals["rewritten"] += len(report.rewritten)
        self.totals["unresolved"] += len(report.unresolved)
        if report.unresolved:
            self.totals["records_with_unresolved"] += 1
            for url in report.unresolved:
                if url in self.unresolved or len(self.unresolved) < UNRESOLVED_KEPT:
                    self.unresolved[url] += 1

    # -- html --

    def _may_hold_links(self, html: str) -> bool:
        """Whether ``html`` may hold anything `rewrite_urls` acts on: URLs written as text
        (a migration), else an attribute value, a shortcode, a block comment, a ``<style>``
        block's ``url(…)``. False for plain text (most comments), known without a scan."""
        if not html:
            return False
        if self._text_urls is not None:
            return True
        return "=" in html or "[" in html or "<!--" in html or ("(" in html and "<" in html)

    def rewrite_html(self, html: str, where: str, page_url: str, report: LinkReport) -> str:
        """``html`` with its links rewritten for a page at archive path ``where`` whose
        original URL was ``page_url``; what happened goes into ``report``."""
        if not self._may_hold_links(html):
            return html
        folder = posixpath.dirname(where)
        # A field names the same URL again and again (an image's src in its srcset, the
        # link to the previous post): each is looked at once. Looking is deterministic,
        # and what it notes in the report is noted once anyway.
        seen: dict[tuple[str, bool], str | None] = {}

        def visit(url: str, known: bool, bare: bool) -> str | None:
            key = (url, bare)
            if key not in seen:
                seen[key] = look(url, bare)
            return seen[key]

        def look(url: str, bare: bool) -> str | None:
            if self._done(url):
                return None  # already rewritten: a second run changes nothing
            res = self.index.resolve(url, page_url, bare=bare)
            if res is None:
                return self._offsite(url, folder, report)
            self._note(url, res, report)
            new = self._new_url(res, url, folder)
            if new is None or new == url:
                return None
            report.rewritten[url] = new
            return new

        def on_id(kind: str, ident: int) -> None:
            if kind == "attachment":
                if self.index.attachment_target(ident) is None:
                    _add_once(report.unresolved, f"{self.index.home}/?attachment_id={ident}")
                elif ident not in report.attachments:
                    report.attachments.append(ident)
            elif self.index.post(ident) is None:
                _add_once(report.unresolved, f"{self.index.home}/?p={ident}")

        return rewrite_urls(
            html, visit, text_urls=self._text_urls, text_hints=self._text_hints, on_id=on_id
        )

    def _offsite(self, url: str, folder: str, report: LinkReport) -> str | None:
        """A link to a file on a named off-site host (`SiteIndex.allow_media_hosts`),
        pointed at its copy: only in ``relative`` mode, with media brought home."""
        if self.mode.name != "relative" or not self.local_media or not self.index.media_hosts:
            return None
        found = self.index.offsite_media(url)
        if found is None:
            return None
        new = _relative(found.path, folder) if folder else found.path
        report.rewritten[url] = new
        return new

    def _note(self, url: str, res: Resolution, report: LinkReport) -> None:
        target = res.target
        if target is None or (target.kind == "media" and target.id is None):
            _add_once(report.unresolved, url)
        elif (
            target.id is not None and self._is_media(target) and target.id not in report.attachments
        ):
            report.attachments.append(target.id)

    def _new_url(self, res: Resolution, url: str, folder: str | None) -> str | None:
        """The new spelling of a resolved URL; ``folder`` None: relative to the archive
        root (meta values, which have no page of their own)."""
        mode = self.mode.name
        if mode == "none":
            return None
        target = res.target
        if mode == "relative":
            if target is None:
                return None
            if not self.local_media and self._is_media(target):
                return self._absolute(res, url)
            path = self.index.archive_path(target)
            if path is None:
                return None
            new = _relative(path, folder) if folder else path
            if res.fragment and not _MORE.match(res.fragment):
                new += "#" + res.fragment
            return new
        return self._moved(res)

    def _is_media(self, target: Target) -> bool:
        if target.kind == "media":
            return True
        entry = self.index.post(target.id) if target.id is not None else None
        return entry is not None and entry.post_type == "attachment"

    def _absolute(self, res: Resolution, url: str) -> str | None:
        if res.form in ("absolute", "scheme-relative", "bare"):
            return None
        return self.index.home + res.rest + ("#" + res.fragment if res.fragment else "")

    def _moved(self, res: Resolution) -> str:
        """Base mode: the same permalink on the new host, in the URL's own form."""
        target = res.target
        if res.upload:
            rest = "/wp-content/uploads/" + res.upload
        elif target is not None and not res.direct:
            rest = self.index.canonical_rest(target) or res.rest
        else:
            rest = res.rest
        if res.fragment:
            rest += "#" + res.fragment
        base = self.mode.base_url
        parts = urlsplit(base)
        if res.form == "absolute":
            return base + rest
        if res.form == "scheme-relative":
            return "//" + parts.netloc + parts.path + rest
        if res.form == "bare":
            return parts.netloc + parts.path + rest
        return (parts.path + rest) or "/"

    # -- meta --

    def _meta(self, post: Post, report: LinkReport) -> None:
        meta = post.meta
        if not meta:
            return
        thumb = meta.get("_thumbnail_id")
        if thumb:
            ident = _to_int(str(thumb[0]))
            target = self.index.attachment_target(ident)
            if target is None:
                post.provenance["featured_image"] = {"id": ident, "url": None, "target": None}
                _add_once(report.unresolved, f"{self.index.home}/?attachment_id={thumb[0]}")
            else:
                res = Resolution(target, "absolute", "", upload=quote(target.file, safe="/%"))
                url = self.index.attachment_url(ident)
                post.provenance["featured_image"] = {
                    "id": ident,
                    "url": url,
                    "target": self._root_target(target, res) or url,
                }
        if post.post_type == "nav_menu_item":
            self._menu_item(post, report)
        for key, values in meta.items():
            if key in _META_SKIP or key.startswith("_oembed_"):
                continue
            for value in values:
                if not isinstance(value, str) or "//" not in value[:8]:
                    continue
                url = value.split("\n", 1)[0].strip() if key == "enclosure" else value.strip()
                if not _ABSOLUTE.match(url) or any(c.isspace() for c in url):
                    continue
                res = self.index.resolve(url, post.link or None)
                if res is None:
                    continue
                self._note(url, res, report)
                new = self._root_target(res.target, res)
                if self.mode.name == "base":
                    new = self._moved(res)
                if new is not None and new != url:
                    report.meta.setdefault(key, {})[url] = new

    def _root_target(self, target: Target | None, res: Resolution) -> str | None:
        if target is None or self.mode.name == "none":
            return None
        if self.mode.name == "base":
            return self._moved(res)
        if not self.local_media and self._is_media(target):
            return None
        return self.index.archive_path(target)

    def _menu_item(self, post: Post, report: LinkReport) -> None:
        kind = _first(post.meta.get("_menu_item_type"))
        obj = _first(post.meta.get("_menu_item_object"))
        ident = _to_int(str(_first(post.meta.get("_menu_item_object_id")) or ""))
        target: Target | None = None
        if kind == "post_type":
            target = self.index._post_target(ident)
        elif kind == "taxonomy":
            target = self.index._term_target_by_id(ident)
        else:
            return
        if target is None:
            _add_once(
                report.unresolved,
                f"{self.index.home}/?{'p' if kind == 'post_type' else 'cat'}={ident}",
            )
            return
        rest = self.index.canonical_rest(target) or ""
        post.provenance["menu_item"] = {
            "object": obj,
            "id": ident,
            "target": self._root_target(target, Resolution(target, "absolute", rest, direct=True)),
        }


_META_SKIP = frozenset(
    {
        "_wp_attached_file",
        "_wp_attachment_metadata",
        "_wp_old_slug",
        "_thumbnail_id",
        "_edit_last",
        "_edit_lock",
    }
)


def _text_pattern(hosts: Iterable[str]) -> str:
    """Every http(s) URL in text, and scheme-less ones on the site's hosts
    (``example.org/about``); the resolver decides which are the site's."""
    bare = "|".join(re.escape(h) for h in sorted(hosts, key=len, reverse=True))
    text = _TEXT_URL.pattern
    if bare:
        text += rf"|(?<![\w.@/-])(?:www\.)?(?:{bare})(?:/[^\s<>\"'\[\]]*)?(?![\w.-])"
    return text


def _relative(path: str, folder: str) -> str:
    """``path`` as seen from ``folder``; both are clean archive paths (no ``.``/``..``),
    so the result climbs at most to the archive root."""
    to, here = path.split("/"), folder.split("/")
    common = 0
    for a, b in zip(to[:-1], here, strict=False):
        if a != b:
            break
        common += 1
    return "../" * (len(here) - common) + "/".join(to[common:])


def _first(values: list[Any] | None) -> Any:
    return values[0] if values else None


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)
