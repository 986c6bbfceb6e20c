"""A static, browsable site of an archive: plain HTML and one CSS file, no JavaScript.

The site follows the archive's own layout (`SiteIndex.archive_path`): ``index.html`` (the
latest posts and every year), ``date/<year>/index.html`` (a year's posts by month),
``posts/<slug>/index.html`` (a post with its approved comments), ``pages/…``,
``category/<slug>/``, ``tag/<slug>/``, ``terms/<taxonomy>/<slug>/``, ``author/<login>/``
and ``media/…`` (the run's files, copied). Every link between them is relative, so the
folder works from a web server's subfolder and straight from disk.

Only what an anonymous visitor could see is published: published posts, pages and
custom-type posts, approved comments. A link to anything else (a draft, a date archive,
a file the run did not download) points to the original site, as it did.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path

from ..autop import autop
from ..model import Comment, Post, Term
from .run import (
    Link,
    PostFacts,
    RunArchive,
    check_target,
    output_path,
    relative_url,
    web_url,
)

LATEST = 30  # posts listed on the home page; the rest by year

_CSS = """\
body{font:1.05rem/1.6 Georgia,"Times New Roman",serif;max-width:44rem;margin:0 auto;
  padding:1rem;color:#222;background:#fff}
a{color:#0645ad}
header.site{border-bottom:1px solid #ddd;margin-bottom:1.5rem;padding-bottom:.5rem}
header.site .title{font-size:1.4rem;font-weight:bold;color:inherit;text-decoration:none}
header.site p{margin:.2rem 0;color:#555}
nav ul{list-style:none;padding:0;margin:.3rem 0}
nav li{display:inline;margin-right:1rem}
.meta{color:#666;font-size:.9rem}
img,video,iframe{max-width:100%;height:auto}
figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem}
blockquote{border-left:3px solid #ddd;margin-left:0;padding-left:1rem;color:#444}
pre{overflow:auto;background:#f6f6f6;padding:.5rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}
.comments article{border-top:1px solid #ddd;padding:.5rem 0}
.comments .depth-1{margin-left:2rem}.comments .depth-2{margin-left:4rem}
.comments .depth-3,.comments .depth-4,.comments .depth-5{margin-left:6rem}
.pager{display:flex;justify-content:space-between;gap:2rem;border-top:1px solid #ddd;
  margin-top:2rem;padding-top:.5rem}
.pager a[rel=next]{text-align:right}
footer{border-top:1px solid #ddd;margin-top:2rem;color:#666;font-size:.85rem}
"""


@dataclass
class HtmlSummary:
    """What an export wrote: pages by kind, media files, what was left out."""

    out: Path
    written: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


def export_html(
    run_dir: str | Path,
    to: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> HtmlSummary:
    """Write the archive in ``run_dir`` as a static site into the folder ``to``."""
    run = RunArchive(Path(run_dir))
    check_target(run, Path(to))
    run.scan()
    site = _StaticSite(run, Path(to))
    for done, (post, comments) in enumerate(run.units(), start=1):
        site.write_post(post, comments)
        if progress is not None:
            progress(done)
    site.finish()
    return site.summary


class _StaticSite:
    def __init__(self, run: RunArchive, out: Path):
        self.run = run
        self.out = out
        self.summary = HtmlSummary(out=out)
        public = [f for f in run.posts.values() if run.is_public(f) and f.path]
        self.pages_written = {f.path for f in public if f.path} | {"index.html"}
        # Posts (not pages) by date: home, years, previous/next.
        self.timeline = sorted(
            (f for f in public if f.post_type != "page"),
            key=lambda f: (f.date or "", f.id),
            reverse=True,
        )
        self.position = {f.id: i for i, f in enumerate(self.timeline)}
        self.pages = sorted(
            (f for f in public if f.post_type == "page"), key=lambda f: f.path or ""
        )
        self.by_term: dict[tuple[str, str], list[PostFacts]] = defaultdict(list)
        self.by_author: dict[str, list[PostFacts]] = defaultdict(list)
        for facts in self.timeline:
            for ref in facts.terms:
                self.by_term[(ref.taxonomy, ref.slug)].append(facts)
            self.by_author[facts.author].append(facts)
        self.term_pages: dict[tuple[str, str], str] = {}
        for term in run.terms:
            path = run.term_path(term)
            if path and term.taxonomy != "nav_menu":
                self.term_pages[(term.taxonomy, term.slug)] = path
        self.pages_written |= set(self.term_pages.values())
        self.author_pages = {
            login: run.author_path(login) for login in run.authors if self.by_author.get(login)
        }
        self.pages_written |= set(self.author_pages.values())
        years = {(f.date or "")[:4] for f in self.timeline}
        self.years = sorted((y for y in years if y.isdigit()), reverse=True)
        self.pages_written |= {f"date/{y}/index.html" for y in self.years}

    # -- links --

    def url_for(self, here: str) -> Callable[[Link], str | None]:
        """Where a link found in content goes, as seen from the page at ``here``."""

        def url(link: Link) -> str | None:
            fragment = "#" + link.fragment if link.fragment else ""
            if link.path in self.pages_written or link.path in self.run.media:
                return relative_url(link.path, here) + fragment
            original = link.original or self.run.original_url(link.path)
            return original + fragment if original and not link.original else original

        return url

    def _href(self, path: str, here: str) -> str:
        return escape(relative_url(path, here))

    # -- pages --

    def _page(self, here: str, title: str, body: str, *, lang: str = "") -> None:
        site = self.run.site
        nav = "".join(
            f'<li><a href="{self._href(f.path or "", here)}">{escape(f.title or "—")}</a></li>'
            for f in self.pages
            if (f.path or "").count("/") == 2  # top-level pages only
        )
        html = f"""<!DOCTYPE html>
<html lang="{escape(lang or site.language or "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="wparchive">
<title>{escape(title)}{" – " + escape(site.title) if title != site.title else ""}</title>
<link rel="stylesheet" href="{self._href("style.css", here)}">
</head>
<body>
<header class="site">
<a class="title" href="{self._href("index.html", here)}">{escape(site.title or "Archive")}</a>
{f"<p>{escape(site.description)}</p>" if site.description else ""}
<nav><ul><li><a href="{self._href("index.html", here)}">Home</a></li>{nav}</ul></nav>
</header>
<main>
{body}
</main>
<footer><p>An archive of {escape(site.base_blog_url or site.url)}, made with wparchive.</p></footer>
</body>
</html>
"""
        path = output_path(self.out, here)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")

    def _list(self, posts: Iterable[PostFacts], here: str, *, by_month: bool = False) -> str:
        items, month = [], None
        for f in posts:
            if by_month and (f.date or "")[:7] != month:
                if items:
                    items.append("</ul>")
                month = (f.date or "")[:7]
                items.append(f'<h2 id="m{escape(month)}">{escape(month or "undated")}</h2><ul>')
            elif not items:
                items.append("<ul>")
            day = escape((f.date or "")[:10])
            items.append(
                f'<li><a href="{self._href(f.path or "", here)}">{escape(f.title or "—")}</a> '
                f'<span class="meta"><time datetime="{day}">{day}</time></span></li>'
            )
        if items:
            items.append("</ul>")
        return "\n".join(items) or "<p>Nothing here.</p>"

    def write_post(self, post: Post, comments: list[Comment]) -> None:
        run = self.run
        facts = run.posts.get(post.id)
        if facts is None or facts.path not in self.pages_written or post.post_type == "attachment":
            if post.post_type not in ("attachment", "nav_menu_item", "wp_block", "revision"):
                self.summary.skipped[f"{post.post_type} ({post.status})"] += 1
            return
        here = facts.path or ""
        url = self.url_for(here)
        content = autop(run.rewrite(post.content.html, post, url))
        author = run.authors.get(post.author)
        author_name = escape((author.display_name if author else "") or post.author)
        if post.author in self.author_pages:
            href = self._href(self.author_pages[post.author], here)
            author_name = f'<a href="{href}">{author_name}</a>'
        day = escape((post.date or "").replace("T", " ")[:16])
        terms = self._terms(post, here)
        featured = self._featured(post, here)
        approved = [c for c in comments if c.status == "approved"]
        self.summary.skipped["comment (not approved)"] += len(comments) - len(approved)
        body = f"""<article class="post type-{escape(post.post_type)}">
<h1>{escape(post.title or "—")}</h1>
<p class="meta"><time datetime="{escape(post.date_gmt or post.date or "")}">{day}</time>\
{" · " + author_name if author_name else ""}</p>
{featured}<div class="content">
{content}
</div>
{terms}
</article>
{self._comments(post, approved, here)}{self._pager(post, here)}"""
        self._page(here, post.title or "—", body)
        self.summary.written[post.post_type] += 1
        self.summary.written["comment"] += len(approved)

    def _terms(self, post: Post, here: str) -> str:
        groups: dict[str, list[str]] = defaultdict(list)
        for ref in post.terms:
            path = self.term_pages.get((ref.taxonomy, ref.slug))
            if path is None:
                continue
            label = {"category": "Categories", "post_tag": "Tags"}.get(ref.taxonomy, ref.taxonomy)
            href = self._href(path, here)
            groups[label].append(f'<a href="{href}">{escape(ref.name or ref.slug)}</a>')
        return "".join(
            f'<p class="meta">{escape(label)}: {", ".join(links)}</p>\n'
            for label, links in groups.items()
        )

    def _featured(self, post: Post, here: str) -> str:
        featured = post.provenance.get("featured_image") or {}
        ident = featured.get("id")
        target = self.run.index.attachment_target(ident) if isinstance(ident, int) else None
        path = self.run.index.archive_path(target) if target is not None else None
        if path is None or path not in self.run.media:
            return ""
        return f'<p class="featured"><img src="{self._href(path, here)}" alt=""></p>\n'

    def _comments(self, post: Post, comments: list[Comment], here: str) -> str:
        if not comments:
            return ""
        url = self.url_for(here)
        depth: dict[int, int] = {}
        items = []
        for c in comments:
            depth[c.id] = depth[c.parent] + 1 if c.parent in depth else 0
            name = escape(unescape(c.author_name.strip()) or "—")
            if web_url(c.author_url):
                link = self.run.resolve(web_url(c.author_url), post)  # a pingback from the site
                href = (url(link) if link is not None else None) or web_url(c.author_url)
                name = f'<a href="{escape(href)}" rel="nofollow">{name}</a>'
            kind = f" ({escape(c.comment_type)})" if c.comment_type != "comment" else ""
            when = escape((c.date or "").replace("T", " ")[:16])
            items.append(
                f'<article id="comment-{c.id}" class="depth-{min(depth[c.id], 5)}">'
                f'<p class="meta">{name}{kind} · <time datetime="{escape(c.date_gmt or "")}">'
                f"{when}</time></p>\n{autop(self.run.rewrite(c.content.html, post, url))}"
                "</article>"
            )
        return (
            f'<section class="comments" id="comments">\n<h2>Comments ({len(comments)})</h2>\n'
            + "\n".join(items)
            + "\n</section>\n"
        )

    def _pager(self, post: Post, here: str) -> str:
        i = self.position.get(post.id)
        if i is None:
            return ""
        newer = self.timeline[i - 1] if i > 0 else None
        older = self.timeline[i + 1] if i + 1 < len(self.timeline) else None
        parts = [
            f'<a rel="prev" href="{self._href(older.path or "", here)}">← '
            f"{escape(older.title or '—')}</a>"
            if older
            else "<span></span>",
            f'<a rel="next" href="{self._href(newer.path or "", here)}">'
            f"{escape(newer.title or '—')} →</a>"
            if newer
            else "<span></span>",
        ]
        return f'<nav class="pager">{"".join(parts)}</nav>\n'

    def finish(self) -> None:
        run, out = self.run, self.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "style.css").write_text(_CSS, encoding="utf-8")
        for path in sorted(run.media):
            source = run.media_file(path)
            if source is not None:
                target = output_path(out, path)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                self.summary.written["media"] += 1
        self._home()
        for year in self.years:
            here = f"date/{year}/index.html"
            posts = [f for f in self.timeline if (f.date or "").startswith(year)]
            self._page(here, year, f"<h1>{year}</h1>\n" + self._list(posts, here, by_month=True))
            self.summary.written["year page"] += 1
        for term in run.terms:
            self._term_page(term)
        for login, here in self.author_pages.items():
            author = run.authors[login]
            name = author.display_name or login
            body = f"<h1>{escape(name)}</h1>\n" + self._list(self.by_author[login], here)
            self._page(here, name, body)
            self.summary.written["author page"] += 1

    def _home(self) -> None:
        here = "index.html"
        site = self.run.site
        years = " · ".join(
            f'<a href="{self._href(f"date/{y}/index.html", here)}">{y}</a>' for y in self.years
        )
        pages = "".join(
            f'<li><a href="{self._href(f.path or "", here)}">{escape(f.title or "—")}</a></li>'
            for f in self.pages
        )
        terms = self._term_index(here)
        body = (
            f"<h1>{escape(site.title or 'Archive')}</h1>\n"
            f"<h2>Latest posts</h2>\n{self._list(self.timeline[:LATEST], here)}\n"
            f"<h2>By year</h2>\n<p>{years or 'No posts.'}</p>\n"
            + (f"<h2>Pages</h2>\n<ul>{pages}</ul>\n" if pages else "")
            + terms
        )
        self._page(here, site.title or "Archive", body)
        self.summary.written["home page"] += 1

    def _term_index(self, here: str) -> str:
        groups: dict[str, list[str]] = defaultdict(list)
        for term in self.run.terms:
            path = self.term_pages.get((term.taxonomy, term.slug))
            count = len(self.by_term.get((term.taxonomy, term.slug), ()))
            if path is None or not count:
                continue
            label = {"category": "Categories", "post_tag": "Tags"}.get(term.taxonomy, term.taxonomy)
            groups[label].append(
                f'<a href="{self._href(path, here)}">{escape(term.name or term.slug)}</a> ({count})'
            )
        return "".join(
            f"<h2>{escape(label)}</h2>\n<p>{' · '.join(links)}</p>\n"
            for label, links in groups.items()
        )

    def _term_page(self, term: Term) -> None:
        here = self.term_pages.get((term.taxonomy, term.slug))
        if here is None:
            return
        children = [
            t
            for t in self.run.terms
            if t.taxonomy == term.taxonomy and t.parent == term.slug and t is not term
        ]
        sub = "".join(
            f'<li><a href="{self._href(self.term_pages[(t.taxonomy, t.slug)], here)}">'
            f"{escape(t.name or t.slug)}</a></li>"
            for t in children
            if (t.taxonomy, t.slug) in self.term_pages
        )
        body = (
            f"<h1>{escape(term.name or term.slug)}</h1>\n"
            + (f"<p>{escape(term.description)}</p>\n" if term.description else "")
            + (f'<ul class="children">{sub}</ul>\n' if sub else "")
            + self._list(self.by_term.get((term.taxonomy, term.slug), ()), here)
        )
        self._page(here, term.name or term.slug, body)
        self.summary.written["term page"] += 1
