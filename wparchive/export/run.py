"""A finished run folder, read back for exporting: records, the link index, media files.

Exports never need WordPress or the original source: everything comes from the run's
``archive.jsonl`` (and ``media/`` when the run downloaded files). Two streaming passes:
`RunArchive.scan` keeps what every page needs to know about every other one (the link
index, authors, terms, reusable blocks, a few facts a post for lists), then
`RunArchive.units` streams each post with its comments.

Links in ``content.html`` were rewritten when the archive was made (``--rewrite``
relative, base=URL or none). `RunArchive.resolve` turns any of those spellings back
into the *archive path* of what a link points to (``posts/<slug>/index.html``,
``media/2024/06/kep.jpg``, ``category/<slug>/index.html``): the one key every exporter
maps to its own URLs.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..links import PUBLIC_STATUSES, SiteIndex, Target, rewrite_urls
from ..model import (
    NO_PAGE_TYPES,
    Author,
    Comment,
    Content,
    Media,
    Post,
    Site,
    Term,
    TermRef,
)
from ..sinks.json_archive import ArchiveReader
from ..urls import unquote_all

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_BLOCK_REF = re.compile(
    r'<div class="wparchive-block-ref" data-ref="(\d+)"\s*>\s*</div>|'
    r'<div data-ref="(\d+)" class="wparchive-block-ref"\s*>\s*</div>'
)
_MAX_BLOCK_DEPTH = 4  # a reusable block may embed another one; never loop


class ExportError(ValueError):
    """An export that can't be made as asked (an unknown flavor, a target inside the run)."""


def safe_relative(path: str) -> bool:
    """Whether ``path`` is a relative POSIX path that stays below the folder it is
    joined to: no ``..``, ``.`` or empty part, no absolute or Windows path, no NUL."""
    parts = path.split("/")
    return bool(path) and not any(
        part in ("", ".", "..") or "\\" in part or "\0" in part or ":" in part for part in parts
    )


def output_path(out: Path, relative: str) -> Path:
    """``out / relative`` for a file an exporter writes; an `ExportError` if it would
    land anywhere else. Names come from `names` and never do: this holds even if that
    ever broke."""
    if not safe_relative(relative):
        raise ExportError(f"refusing to write {relative!r}: it would not be inside {out}")
    return out / relative


def check_target(run: RunArchive, to: Path, *, file: bool = False) -> None:
    """Refuse to write an export over the run it reads: a site folder inside the run
    folder, or a file over one of the run's files."""
    folder, target = run.run_dir.resolve(), to.resolve()
    if file:
        if target.is_dir() or target == run.path.resolve():
            raise ExportError(f"--to {to} must be a new file, not the archive or a folder")
    elif target == folder or folder in target.parents:
        raise ExportError(f"--to {to} is inside the run folder {run.run_dir}: choose another")


# -- records from archive lines ------------------------------------------------------


def _fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def post_from_dict(data: dict[str, Any]) -> Post:
    """A `Post` from its archive line (the inverse of `record_to_dict`)."""
    values = _fields(Post, data)
    values["terms"] = [TermRef(**_fields(TermRef, t)) for t in data.get("terms") or ()]
    values["content"] = Content(**_fields(Content, data.get("content") or {}))
    values["excerpt"] = Content(**_fields(Content, data.get("excerpt") or {}))
    return Post(**values)


def comment_from_dict(data: dict[str, Any]) -> Comment:
    values = _fields(Comment, data)
    values["content"] = Content(**_fields(Content, data.get("content") or {}))
    return Comment(**values)


def record_from_dict(data: dict[str, Any]) -> Author | Term | Post | Comment | Media | None:
    """The dataclass of one archive line; None for a line of an unknown type."""
    kind = data.get("type")
    if kind == "post":
        return post_from_dict(data)
    if kind == "comment":
        return comment_from_dict(data)
    if kind == "author":
        return Author(**_fields(Author, data))
    if kind == "term":
        return Term(**_fields(Term, data))
    if kind == "media":
        return Media(**_fields(Media, data))
    return None


# -- what lists need of a post ---------------------------------------------------------


@dataclass
class PostFacts:
    """A post as index, term and author pages list it: no content."""

    id: int
    post_type: str
    status: str
    title: str
    date: str | None
    author: str
    terms: list[TermRef]
    path: str | None  # its archive path; None for types without a page
    sticky: bool = False


class Link(NamedTuple):
    """Where a link in the archive's content points."""

    path: str  # archive path: posts/<slug>/index.html, media/…, category/<slug>/index.html
    fragment: str  # without '#'
    original: str  # the link on the original site, when known (else "")


@dataclass
class RunArchive:
    """A run folder (or its ``archive.jsonl``) opened for exporting."""

    path: Path
    run_dir: Path = field(init=False)
    header: dict[str, Any] = field(init=False)
    site: Site = field(init=False)
    index: SiteIndex = field(init=False)
    authors: dict[str, Author] = field(default_factory=dict)  # login → author
    terms: list[Term] = field(default_factory=list)
    posts: dict[int, PostFacts] = field(default_factory=dict)
    blocks: dict[int, Post] = field(default_factory=dict)  # reusable blocks (wp_block)
    media: dict[str, Media] = field(default_factory=dict)  # archive path → record (file on disk)
    known_paths: set[str] = field(default_factory=set)
    counts: dict[str, Any] = field(default_factory=dict)
    _reverse: dict[int, dict[str, str]] = field(default_factory=dict, repr=False)
    _by_path: dict[str, Target] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        reader = ArchiveReader(self.path)
        self.path = reader.path
        self.run_dir = reader.path.parent
        self.header = reader.header
        self.site = Site(**_fields(Site, self.header.get("site") or {}))
        self.index = SiteIndex()
        self.index.add(self.site)

    @property
    def personal_data_kept(self) -> bool:
        return self.header.get("personal_data") == "kept"

    def records(self) -> Iterator[dict[str, Any]]:
        """Every line of the archive but the header and end, as dicts."""
        reader = ArchiveReader(self.path)
        yield from reader
        self.counts = (reader.end or {}).get("counts", {})

    def scan(self) -> RunArchive:
        """The first pass: the link index, authors, terms, blocks, media, list facts."""
        for data in self.records():
            kind = data.get("type")
            if kind == "post":
                post = post_from_dict(data)
                self.index.add(post)
                if post.post_type == "wp_block":
                    self.blocks[post.id] = post
                self.posts[post.id] = PostFacts(
                    post.id,
                    post.post_type,
                    post.status,
                    post.title,
                    post.date,
                    post.author,
                    post.terms,
                    None,
                    post.sticky,
                )
                rewritten = (post.provenance.get("links") or {}).get("rewritten") or {}
                if rewritten:
                    self._reverse[post.id] = {new: old for old, new in rewritten.items()}
            elif kind == "author":
                author = Author(**_fields(Author, data))
                self.authors[author.login] = author
                self.index.add(author)
            elif kind == "term":
                term = Term(**_fields(Term, data))
                self.terms.append(term)
                self.index.add(term)
            elif kind == "media":
                media = Media(**_fields(Media, data))
                # (a path from the file: never one that leads out of the run folder)
                path_ok = (media.path or "").startswith("media/") and safe_relative(media.path)
                if path_ok and (self.run_dir / media.path).is_file():
                    self.media.setdefault(media.path, media)
        self.known_paths.add("index.html")
        for facts in self.posts.values():
            facts.path = self.index.archive_path(Target("post", facts.id))
            if facts.path and facts.post_type != "attachment":
                self.known_paths.add(facts.path)
                self._by_path.setdefault(facts.path, Target("post", facts.id))
        for term in self.terms:
            path = self.term_path(term)
            if path:
                self.known_paths.add(path)
                self._by_path.setdefault(path, Target("term", term.id, term.taxonomy, term.slug))
        for login in self.authors:
            self.known_paths.add(self.author_path(login))
            self._by_path.setdefault(self.author_path(login), Target("author", slug=login))
        return self

    def units(self) -> Iterator[tuple[Post, list[Comment]]]:
        """The second pass: each post with its comments, in archive order."""
        post: Post | None = None
        comments: list[Comment] = []
        orphans: dict[int, list[Comment]] = {}
        for data in self.records():
            kind = data.get("type")
            if kind == "post":
                if post is not None:
                    yield post, comments
                post, comments = post_from_dict(data), orphans.pop(data.get("id"), [])
            elif kind == "comment":
                comment = comment_from_dict(data)
                if post is not None and comment.post_id == post.id:
                    comments.append(comment)
                else:  # not after its post: kept for it, should it come later
                    orphans.setdefault(comment.post_id, []).append(comment)
        if post is not None:
            yield post, comments

    # -- the layout --

    def term_path(self, term: Term | TermRef) -> str | None:
        return self.index.archive_path(
            Target("term", getattr(term, "id", None), term.taxonomy, term.slug)
        )

    def author_path(self, login: str) -> str:
        return self.index.archive_path(Target("author", slug=login)) or "index.html"

    def location(self, post_id: int) -> str:
        """The archive path a post's content links are relative to."""
        return self.index.location(post_id)

    def is_public(self, post: Post | PostFacts) -> bool:
        """Has a page an anonymous visitor could see."""
        return (
            post.status in PUBLIC_STATUSES
            and post.post_type not in NO_PAGE_TYPES
            and post.post_type != "attachment"
        )

    def original_url(self, path: str) -> str | None:
        """The original site's URL of what lives at an archive path (for links an export
        has no page for)."""
        if path.startswith("media/"):
            media = self.media.get(path)
            return media.url if media is not None else None
        target = self._by_path.get(path)
        rest = self.index.canonical_rest(target) if target is not None else None
        if rest is None:
            return None
        return self.index.home + rest

    def media_file(self, path: str) -> Path | None:
        """The file behind an archive media path, when the run holds it."""
        return self.run_dir / path if path in self.media else None

    # -- links --

    def resolve(self, url: str, source: Post) -> Link | None:
        """What a URL found in ``source``'s content points to, as an archive path; None
        for off-site links, fragments, ``mailto:`` and same-site pages the archive lacks."""
        url = url.strip()
        if not url or url.startswith("#"):
            return None
        base, _, fragment = url.partition("#")
        original = self._reverse.get(source.id, {})
        before = original.get(url) or original.get(base) or ""
        if before:
            return self._absolute(before, source, fragment, before)
        if not _SCHEME.match(base) and not base.startswith(("/", "\\")):
            target = base.split("?", 1)[0]
            here = posixpath.dirname(self.location(source.id))
            path = posixpath.normpath(posixpath.join(here, unquote_all(target)))
            if path.startswith("..") or path == ".":
                return None
            if path not in self.known_paths and not path.startswith("media/"):
                path = posixpath.join(path, "index.html")
            if path in self.known_paths or path in self.media:
                return Link(path, fragment, "")
            return None
        return self._absolute(url, source, fragment, url)

    def _absolute(self, url: str, source: Post, fragment: str, original: str) -> Link | None:
        res = self.index.resolve(url, source.link or None)
        if res is None or res.target is None:
            return None
        path = self.index.archive_path(res.target)
        if path is None:
            return None
        if res.target.kind == "post":
            facts = self.posts.get(res.target.id or 0)
            if facts is not None and not self.is_public(facts) and facts.post_type != "attachment":
                return None  # a draft's page: nowhere to go
        keep = res.fragment or fragment
        return Link(path, keep, original if _SCHEME.match(original) else "")

    def rewrite(
        self, html: str, source: Post, url_for: Callable[[Link], str | None], *, depth: int = 0
    ) -> str:
        """``html`` (content of ``source``) with every link to the site pointed where
        ``url_for`` says, and reusable blocks (``wparchive-block-ref``) filled in."""
        if not html:
            return html

        def visit(url: str, known: bool, bare: bool) -> str | None:
            if not known and not _SCHEME.match(url):
                return None
            link = self.resolve(url, source)
            if link is None:
                return None
            new = url_for(link)
            return new if new is not None and new != url else None

        html = rewrite_urls(html, visit)
        if "wparchive-block-ref" in html:
            html = self.expand_blocks(html, url_for, depth=depth)
        return html

    def expand_blocks(
        self, html: str, url_for: Callable[[Link], str | None], *, depth: int = 0
    ) -> str:
        """Each reusable-block reference replaced by the block's own content."""

        def fill(m: re.Match[str]) -> str:
            block = self.blocks.get(int(m.group(1) or m.group(2)))
            if block is None or depth >= _MAX_BLOCK_DEPTH:
                return m.group(0)
            inner = self.rewrite(block.content.html, block, url_for, depth=depth + 1)
            return f'<div class="wp-block-reusable" data-ref="{block.id}">{inner}</div>'

        return _BLOCK_REF.sub(fill, html)


def relative_url(path: str, here: str) -> str:
    """Archive path ``path`` as a link from the page at archive path ``here``."""
    to, at = path.split("/"), here.split("/")[:-1]
    common = 0
    for a, b in zip(to[:-1], at, strict=False):
        if a != b:
            break
        common += 1
    return "../" * (len(at) - common) + "/".join(to[common:])


def web_url(url: str) -> str:
    """``url`` when it is an http(s) URL (a commenter's site), else "" (``javascript:``…)."""
    url = url.strip()
    return url if re.match(r"(?i)https?://[^\s]+$", url) else ""


def permalink_path(index: SiteIndex, post_id: int) -> str | None:
    """A post's permalink below the site's home, decoded (``/2024/06/18/slug/``); None for
    posts that only had ``?p=ID``."""
    rest = index.canonical_rest(Target("post", post_id))
    if not rest or "?" in rest or rest == "/":
        return None
    return unquote_all(rest)
