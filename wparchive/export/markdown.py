"""Markdown from an archive: one file per post and page, for Hugo or Jekyll.

Each post, page and custom-type post (drafts, pending and private ones marked as such;
trash left out) becomes a Markdown file with YAML front matter: title, dates, slug, its
URL, aliases for old slugs, terms, author, state, featured image and its WordPress ids.
The body is ``content.html`` (cleaned, link-rewritten) converted by markdownify; every
link to the site's own pages and files points into the new site; media files are copied;
each post's approved comments go to a data file (``data/comments/<id>.json``).

URLs stay what they were: a post keeps its permalink path (``/2024/06/18/slug/``) as its
``url``/``permalink``, so links from elsewhere keep working. ``?p=ID`` shortlinks can't be
a static file: they go to a ``_redirects`` file (Netlify's format) with every alias.

The front matter is YAML whose every value is written as JSON (a subset of YAML that
Hugo's and Jekyll's parsers read the same way), so no title can break it.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markdownify import MarkdownConverter

from ..autop import autop
from ..model import NO_PAGE_TYPES, Comment, Post
from ..names import is_reserved, portable_name
from ..urls import unquote_all
from .run import (
    ExportError,
    Link,
    RunArchive,
    check_target,
    output_path,
    permalink_path,
    web_url,
)

FLAVORS = ("hugo", "jekyll")

# -- HTML → Markdown ------------------------------------------------------------------

_ALWAYS = re.compile(r"([\\`*_\[\]|~])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_START = re.compile(r"&(?=#?\w+;)")
_LINE_MARKS = re.compile(r"(\s|^)([-+=>]+(?=\s|$)|#{1,6}(?=\s|$))")
_NUMBERED = re.compile(r"((?:\s|^)\d{1,9})([.)](?=\s|$))")
_KEEP_AS_HTML = ("iframe", "audio", "embed", "object")
_KEEP_INLINE = ("q", "sub", "sup", "mark", "abbr", "small", "u", "ins")
_URL_UNSAFE = re.compile(r"[\s()<>]")


class _Converter(MarkdownConverter):
    """markdownify, with an escaping that keeps text text and media embeds as HTML."""

    def escape(self, text: str, parent_tags: Any) -> str:
        if not text or "_noformat" in parent_tags:
            return text or ""
        text = _ALWAYS.sub(r"\\\1", text)
        text = _TAG_START.sub(r"\\<", text)
        text = _ENTITY_START.sub(r"\\&", text)
        text = _LINE_MARKS.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        return _NUMBERED.sub(r"\1\\\2", text)

    def _safe_url(self, el: Any, attr: str) -> None:
        value = el.get(attr)
        if value and _URL_UNSAFE.search(value):
            el[attr] = _URL_UNSAFE.sub(lambda m: quote(m.group(0)), value)

    def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
        self._safe_url(el, "href")
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        self._safe_url(el, "src")
        return super().convert_img(el, text, parent_tags)

    def convert_video(self, el: Any, text: str, parent_tags: Any) -> str:
        return self._html(el, text, parent_tags)

    def _html(self, el: Any, text: str, parent_tags: Any) -> str:
        return f"\n\n{el}\n\n" if "_inline" not in parent_tags else str(el)

    def _inline_html(self, el: Any, text: str, parent_tags: Any) -> str:
        """Inline elements Markdown has no syntax for stay tags around converted text."""
        attrs = "".join(
            f' {name}="{htmllib.escape(" ".join(v) if isinstance(v, list) else v)}"'
            for name, v in el.attrs.items()
        )
        return f"<{el.name}{attrs}>{text}</{el.name}>" if text else ""


for _tag in _KEEP_AS_HTML:
    setattr(_Converter, f"convert_{_tag}", _Converter._html)
for _tag in _KEEP_INLINE:
    setattr(_Converter, f"convert_{_tag}", _Converter._inline_html)

_CODE_LANGUAGE = re.compile(r"\blang(?:uage)?-([\w+#-]+)")


def _code_language(el: Any) -> str:
    for node in (el, el.find("code")):
        if node is not None:
            m = _CODE_LANGUAGE.search(" ".join(node.get("class") or ()))
            if m:
                return m.group(1)
    return ""


_converter = _Converter(
    heading_style="ATX",
    bullets="-",
    newline_style="backslash",
    table_infer_header=True,
    code_language_callback=_code_language,
    escape_misc=False,
)


def html_to_markdown(html: str) -> str:
    """Markdown of a post's HTML (markdownify, with text escaped so it stays text)."""
    text = _converter.convert(html).strip()
    return re.sub(r"\n{3,}", "\n\n", text) + "\n" if text else ""


# -- front matter ---------------------------------------------------------------------


def front_matter(fields: dict[str, Any]) -> str:
    """YAML front matter, every value as JSON (valid YAML, immune to quoting traps)."""
    lines = ["---"]
    for key, value in fields.items():
        if value is None or value == [] or value == {}:
            continue
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def iso_date(local: str | None, gmt: str | None) -> str | None:
    """``2024-06-14T18:30:05+02:00``: the local date with its offset from the GMT one
    (without a GMT date, the local date alone: the site's time zone is unknown)."""
    if not local:
        return None
    if not gmt:
        return local
    try:
        delta = datetime.fromisoformat(local) - datetime.fromisoformat(gmt)
    except ValueError:
        return local
    minutes = round(delta.total_seconds() / 60)
    if abs(minutes) > 18 * 60:
        return local
    sign = "+" if minutes >= 0 else "-"
    return f"{local}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# -- flavors --------------------------------------------------------------------------

# Front matter keys Hugo or Jekyll read themselves: a taxonomy of that name is renamed.
_RESERVED_KEYS = frozenset(
    {
        "title",
        "date",
        "lastmod",
        "slug",
        "url",
        "permalink",
        "aliases",
        "redirect_from",
        "draft",
        "published",
        "type",
        "layout",
        "weight",
        "summary",
        "excerpt",
        "description",
        "images",
        "image",
        "author",
        "authors",
        "status",
        "featured_image",
        "wordpress_id",
        "wordpress_type",
        "wordpress_link",
        "sticky",
        "menu_order",
        "parent",
        "keywords",
        "categories",
        "tags",
        "category",
        "tag",
    }
)
_SECTION_TAKEN = frozenset({"posts", "pages", "categories", "tags", "authors", "media", "types"})


def taxonomy_key(taxonomy: str) -> str:
    """The front matter key (and Hugo taxonomy) of a WordPress taxonomy."""
    if taxonomy == "category":
        return "categories"
    if taxonomy == "post_tag":
        return "tags"
    key = re.sub(r"[^a-z0-9_]+", "_", taxonomy.lower()).strip("_") or "taxonomy"
    if len(key) > 64:  # a folder name too: keep it well under every filesystem's limit
        key = key[:55] + "_" + hashlib.sha1(taxonomy.encode("utf-8", "replace")).hexdigest()[:8]
    taken = key in _RESERVED_KEYS or key in _SECTION_TAKEN or is_reserved(key)
    return f"tax_{key}" if taken else key


@dataclass
class MarkdownSummary:
    """What an export wrote: counts by kind, the files skipped and why."""

    out: Path
    flavor: str
    written: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


class _Layout:
    """Where a flavor puts things, and the URLs they get."""

    content_dir = "content"
    media_dir = "static/media"
    data_dir = "data/comments"
    redirects = "static/_redirects"

    def __init__(self, run: RunArchive):
        self.run = run

    def post_file(self, post: Post, archive_path: str) -> str:
        """``posts/<name>/index.html`` → ``content/posts/<name>.md``."""
        folder = archive_path.removesuffix("/index.html")
        if post.post_type not in ("post", "page"):
            kind, _, rest = folder.removeprefix("types/").partition("/")
            folder = f"{'types/' if kind in _SECTION_TAKEN else ''}{kind}/{rest}"
        return f"{self.content_dir}/{folder}.md"

    def term_url(self, taxonomy: str, slug: str) -> str | None:
        return f"/{taxonomy_key(taxonomy)}/{_term_value(slug)}/"

    def author_url(self, login: str) -> str | None:
        return f"/authors/{_term_value(login)}/"

    def fields(self, post: Post, common: dict[str, Any]) -> dict[str, Any]:
        return common


def _term_value(slug: str) -> str:
    """A term's (or author's) value in front matter, and its folder under ``content/``."""
    return portable_name(unquote_all(slug).lower(), fallback="term")


class _Hugo(_Layout):
    def fields(self, post: Post, f: dict[str, Any]) -> dict[str, Any]:
        out = {
            "title": f["title"],
            "date": f["date"],
            "lastmod": f["lastmod"],
            "slug": f["slug"],
            "url": f["url"],
            "aliases": f["aliases"],
            "draft": f["draft"] or None,
            "summary": f["excerpt"],
            "author": f["author"],
            "authors": [_term_value(post.author)] if post.author else None,
            "featured_image": f["featured_image"],
            "images": [f["featured_image"]] if f["featured_image"] else None,
        }
        for key, values in f["terms"].items():
            out[key] = [_term_value(slug) for slug, _ in values]
        return out | f["wordpress"]


_DAY = re.compile(r"\d{4}-\d\d-\d\d")


class _Jekyll(_Layout):
    content_dir = ""
    media_dir = "media"
    data_dir = "_data/comments"
    redirects = "_redirects"

    def post_file(self, post: Post, archive_path: str) -> str:
        folder = archive_path.removesuffix("/index.html")
        name = folder.rsplit("/", 1)[-1]
        if post.post_type == "post":
            dates = (post.date, post.modified)
            day = next((d[:10] for d in dates if d and _DAY.match(d)), "1970-01-01")
            return f"_posts/{day}-{name}.md"
        if post.post_type == "page":
            return f"{folder}.md"
        kind = folder.removeprefix("types/").split("/", 1)[0]
        return f"_{kind}/{name}.md"

    def term_url(self, taxonomy: str, slug: str) -> str | None:
        return None  # Jekyll makes no term pages without a plugin: links keep the original

    def author_url(self, login: str) -> str | None:
        return None

    def fields(self, post: Post, f: dict[str, Any]) -> dict[str, Any]:
        out = {
            "layout": "post" if post.post_type == "post" else "page",
            "title": f["title"],
            "date": f["date"],
            "last_modified_at": f["lastmod"],
            "slug": f["slug"],
            "permalink": f["url"],
            "redirect_from": f["aliases"],
            "published": False if f["draft"] else None,
            "excerpt": f["excerpt"],
            "author": f["author"],
            "image": f["featured_image"],
        }
        for key, values in f["terms"].items():
            out[key] = [name for _, name in values]
        return out | f["wordpress"]


# -- the export -----------------------------------------------------------------------


def export_markdown(
    run_dir: str | Path,
    to: str | Path,
    *,
    flavor: str = "hugo",
    keep_personal_data: bool = False,
    progress: Callable[[int], None] | None = None,
) -> MarkdownSummary:
    """Write the archive in ``run_dir`` as a Hugo (or Jekyll) site's content into ``to``.

    ``keep_personal_data``: write commenters' e-mails into the comment data files, when
    the archive kept them (it doesn't by default). Returns what was written.
    """
    if flavor not in FLAVORS:
        raise ExportError(f"--flavor must be one of {', '.join(FLAVORS)}, not {flavor!r}")
    run = RunArchive(Path(run_dir))
    check_target(run, Path(to))
    run.scan()
    out = Path(to)
    layout: _Layout = _Hugo(run) if flavor == "hugo" else _Jekyll(run)
    summary = MarkdownSummary(out=out, flavor=flavor)
    exporter = _MarkdownExport(run, out, layout, summary, keep_personal_data)
    exporter.plan()
    for done, (post, comments) in enumerate(run.units(), start=1):
        exporter.write_post(post, comments)
        if progress is not None:
            progress(done)
    exporter.finish()
    return summary


class _MarkdownExport:
    def __init__(
        self,
        run: RunArchive,
        out: Path,
        layout: _Layout,
        summary: MarkdownSummary,
        keep_personal_data: bool,
    ):
        self.run = run
        self.out = out
        self.layout = layout
        self.summary = summary
        self.keep_personal_data = keep_personal_data
        self.urls: dict[str, str] = {}  # archive path → URL in the new site
        self.files: dict[int, str] = {}  # post id → its Markdown file
        self.redirects: list[tuple[str, str]] = []
        self.taxonomies: dict[str, str] = {}  # front matter key → WordPress taxonomy
        self.media_used: set[str] = set()

    def plan(self) -> None:
        """Every exported post's file and URL, before the first is written (links to
        later posts need them)."""
        run = self.run
        taken: set[str] = set()
        for facts in run.posts.values():
            if not self._exported(facts.post_type, facts.status) or not facts.path:
                continue
            post = Post(id=facts.id, post_type=facts.post_type, date=facts.date)
            file = self.layout.post_file(post, facts.path)
            url = permalink_path(run.index, facts.id)
            if url is None or url in taken:
                url = "/" + facts.path.removesuffix("index.html")
            taken.add(url)
            self.files[facts.id] = file
            self.urls[facts.path] = url
        self.urls["index.html"] = "/"
        for term in run.terms:
            path = run.term_path(term)
            url = self.layout.term_url(term.taxonomy, term.slug)
            if path and url and term.taxonomy != "nav_menu":
                self.urls[path] = url
        for login in run.authors:
            url = self.layout.author_url(login)
            if url:
                self.urls[run.author_path(login)] = url

    @staticmethod
    def _exported(post_type: str, status: str) -> bool:
        return (
            post_type not in NO_PAGE_TYPES
            and post_type != "attachment"
            and status not in ("trash", "auto-draft", "inherit")
        )

    def url_for(self, link: Link) -> str | None:
        fragment = "#" + link.fragment if link.fragment else ""
        if link.path.startswith("media/"):
            if link.path in self.run.media:
                self.media_used.add(link.path)
                return "/" + link.path + fragment
            return link.original or self.run.original_url(link.path)
        url = self.urls.get(link.path)
        if url is not None:
            return url + fragment
        original = link.original or self.run.original_url(link.path)
        return original + fragment if original and not link.original else original

    def write_post(self, post: Post, comments: list[Comment]) -> None:
        file = self.files.get(post.id)
        if file is None:
            if post.post_type in ("post", "page") or self._exported(post.post_type, "publish"):
                self.summary.skipped[f"{post.post_type} ({post.status})"] += 1
            return
        run = self.run
        html = autop(run.rewrite(post.content.html, post, self.url_for))
        try:
            body = html_to_markdown(html)
        except RecursionError:
            # markdownify recurses once per element; Markdown takes block HTML as it is.
            body = html.strip() + "\n"
            self.summary.warnings.append(
                f"{post.post_type} {post.id} ({post.title!r}) nests elements too deep to "
                f"convert: its body is kept as HTML"
            )
        fields = self.layout.fields(post, self._common(post))
        path = output_path(self.out, file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(fields) + "\n" + body, encoding="utf-8")
        self.summary.written[post.post_type] += 1
        public = [c for c in comments if c.status == "approved"]
        self.summary.skipped["comment (not approved)"] += len(comments) - len(public)
        if public:
            data = self._comments(post, public)
            target = output_path(self.out, f"{self.layout.data_dir}/{post.id}.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            self.summary.written["comment"] += len(public)

    def _common(self, post: Post) -> dict[str, Any]:
        run = self.run
        path = run.posts[post.id].path or ""
        url = self.urls[path]
        aliases = []
        for old in post.meta.get("_wp_old_slug", ()):
            if isinstance(old, str) and old and url.rstrip("/").rsplit("/", 1)[0]:
                alias = url.rstrip("/").rsplit("/", 1)[0] + "/" + unquote_all(old) + "/"
                if alias != url and alias not in aliases:
                    aliases.append(alias)
        for alias in aliases:
            self.redirects.append((alias, url))
        shortlink = "/?page_id=" if post.post_type == "page" else "/?p="
        self.redirects.append((f"{shortlink}{post.id}", url))
        terms: dict[str, list[tuple[str, str]]] = {}
        for ref in post.terms:
            if ref.taxonomy == "nav_menu" or not ref.slug:
                continue
            key = taxonomy_key(ref.taxonomy)
            self.taxonomies.setdefault(key, ref.taxonomy)
            terms.setdefault(key, []).append((ref.slug, ref.name or ref.slug))
        author = run.authors.get(post.author)
        excerpt = post.excerpt.html.strip()
        return {
            "title": post.title,
            "date": iso_date(post.date, post.date_gmt),
            "lastmod": iso_date(post.modified, post.modified_gmt),
            "slug": unquote_all(post.slug) or None,
            "url": url,
            "aliases": aliases,
            "draft": post.status not in ("publish", "future"),
            "excerpt": _plain(excerpt) if excerpt else None,
            "author": (author.display_name if author else "") or post.author or None,
            "featured_image": self._featured(post),
            "terms": terms,
            "wordpress": {
                "wordpress_id": post.id,
                "wordpress_type": post.post_type,
                "status": post.status,
                "wordpress_link": post.link or None,
                "sticky": post.sticky or None,
                "menu_order": post.menu_order or None,
                "parent": post.parent or None,
            },
        }

    def _featured(self, post: Post) -> str | None:
        thumb = next(iter(post.meta.get("_thumbnail_id", ())), None)
        try:
            ident = int(str(thumb))
        except ValueError:
            return None
        target = self.run.index.attachment_target(ident)
        if target is None:
            return None
        path = self.run.index.archive_path(target)
        if path in self.run.media:
            self.media_used.add(path)
            return "/" + path
        return self.run.index.attachment_url(ident)

    def _comments(self, post: Post, comments: list[Comment]) -> list[dict[str, Any]]:
        depth: dict[int, int] = {}
        out = []
        for c in comments:
            depth[c.id] = depth.get(c.parent, -1) + 1 if c.parent in depth else 0
            html = self.run.rewrite(c.content.html, post, self.url_for)
            item: dict[str, Any] = {
                "id": c.id,
                "parent": c.parent,
                "depth": min(depth[c.id], 8),
                "author": htmllib.unescape(c.author_name.strip()),
                "author_url": web_url(c.author_url),
                "date": iso_date(c.date, c.date_gmt),
                "type": c.comment_type,
                "content": autop(html),
            }
            if self.keep_personal_data and c.author_email:
                item["author_email"] = c.author_email
            out.append(item)
        return out

    def finish(self) -> None:
        run, out = self.run, self.out
        for path in sorted(run.media):
            source = run.media_file(path)
            if source is None:
                continue
            target = output_path(out, f"{self.layout.media_dir}/{path.removeprefix('media/')}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.summary.written["media"] += 1
        if self.redirects:
            target = output_path(out, self.layout.redirects)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                "".join(_redirect_line(old, new) for old, new in self.redirects), encoding="utf-8"
            )
        if isinstance(self.layout, _Hugo):
            self._hugo_site()
        else:
            self._jekyll_site()

    def _term_pages(self) -> None:
        """Hugo: a page per term and author, for its name and description."""
        for term in self.run.terms:
            if term.taxonomy == "nav_menu":
                continue
            key = taxonomy_key(term.taxonomy)
            self.taxonomies.setdefault(key, term.taxonomy)
            fields = {
                "title": term.name or term.slug,
                "description": term.description or None,
                "wordpress_id": term.id,
                "parent": term.parent or None,
            }
            self._write_index(f"content/{key}/{_term_value(term.slug)}/_index.md", fields)
        for login, author in self.run.authors.items():
            fields = {"title": author.display_name or login, "login": login}
            self._write_index(f"content/authors/{_term_value(login)}/_index.md", fields)

    def _write_index(self, relative: str, fields: dict[str, Any]) -> None:
        path = output_path(self.out, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(fields), encoding="utf-8")

    def _hugo_site(self) -> None:
        self._term_pages()
        site = self.run.site
        home = site.base_blog_url or site.url or "https://example.org"
        taxonomies = {"category": "categories", "tag": "tags", "author": "authors"}
        for key in sorted(self.taxonomies):
            if key not in ("categories", "tags"):
                taxonomies[key] = key
        lines = [
            f"baseURL = {json.dumps(home.rstrip('/') + '/')}",
            f"title = {json.dumps(site.title)}",
            f"languageCode = {json.dumps(site.language or 'en')}",
            "# Links in the content are root-relative (/2024/06/18/slug/, /media/…): written",
            "# relative to each page, the site works in any folder and from disk.",
            "relativeURLs = true",
            "",
            "[params]",
            f"description = {json.dumps(site.description)}",
            "",
            "[taxonomies]",
            *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in taxonomies.items()),
            "",
            "# Raw HTML the converter keeps (embeds, video) must be shown; the text is",
            "# already typographically final.",
            "[markup.goldmark.renderer]",
            "unsafe = true",
            "[markup.goldmark.extensions]",
            "typographer = false",
            "",
        ]
        self._write_new("hugo.toml", "\n".join(lines))
        for name, text in _templates("hugo").items():
            self._write_new(name, text)

    def _jekyll_site(self) -> None:
        site = self.run.site
        collections = sorted(
            {
                self.layout.post_file(Post(id=0, post_type=t), f"types/{t}/x/index.html")
                .split("/", 1)[0]
                .lstrip("_")
                for t in {f.post_type for f in self.run.posts.values()}
                if t not in ("post", "page") and self._exported(t, "publish")
            }
        )
        lines = [
            f"title: {json.dumps(site.title, ensure_ascii=False)}",
            f"description: {json.dumps(site.description, ensure_ascii=False)}",
            f"url: {json.dumps((site.base_blog_url or site.url or '').rstrip('/'))}",
            f"lang: {json.dumps(site.language or 'en')}",
            "plugins: [jekyll-redirect-from]",
            "exclude: [_redirects]",
        ]
        if collections:
            lines.append("collections:")
            lines += [f"  {c}: {{output: true}}" for c in collections]
        self._write_new("_config.yml", "\n".join(lines) + "\n")
        for name, text in _templates("jekyll").items():
            self._write_new(name, text)

    def _write_new(self, relative: str, text: str) -> None:
        path = output_path(self.out, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _redirect_line(old: str, new: str) -> str:
    """A Netlify ``_redirects`` rule; query strings (``?p=52``) match as parameters."""
    path, _, query = old.partition("?")
    if query:
        return f"{path or '/'}  {query}  {quote(new, safe='/%')}  301\n"
    return f"{quote(path, safe='/%')}  {quote(new, safe='/%')}  301\n"


# -- the minimal templates ------------------------------------------------------------

_TEMPLATES = Path(__file__).parent / "templates"


def _templates(flavor: str) -> dict[str, str]:
    """The flavor's templates (``templates/<flavor>/``) by their path in the site."""
    root = _TEMPLATES / flavor
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.html"))
    }
