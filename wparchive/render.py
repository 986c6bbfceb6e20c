"""Standalone HTML renderings of posts: what a WXR archive replays at each permalink.

A WXR export holds a post's source, not its page. wparchive renders each
published post as a plain, self-contained page — title, date, author, content,
approved comments — so a replay tool shows every post at its original URL.
The rendering is a presentation; the export file itself is archived as it is.
"""

from __future__ import annotations

from html import escape

from .autop import autop
from .model import Comment, Post, Site

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{generator}">
<title>{title} – {site}</title>
<link rel="canonical" href="{url}">
<style>
body{{font:1.05rem/1.6 Georgia,serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}}
header.site a{{color:inherit;text-decoration:none;font-weight:bold}}
.meta{{color:#666;font-size:.9rem}} img{{max-width:100%;height:auto}}
.comments article{{border-top:1px solid #ddd;padding:.5rem 0}}
.comments .reply{{margin-left:2rem}}
</style>
</head>
<body>
<header class="site"><a href="{home}">{site}</a></header>
<article class="post post-{post_id} type-{post_type}">
<h1>{title}</h1>
<p class="meta"><time datetime="{date_iso}">{date}</time>{author}</p>
<div class="content">
{content}
</div>
</article>
{comments}</body>
</html>
"""
# The page around its content: a post's rendering and its cleaned rendering differ only
# in the content, so the rest is made once for both (see `render_frame`).
_HEAD, _TAIL = _PAGE.split("{content}")


def _comments(comments: list[Comment]) -> str:
    if not comments:
        return ""
    items = []
    for c in comments:
        cls = "reply" if c.parent else ""
        name = escape(c.author_name or "—")
        if c.author_url:
            name = f'<a href="{escape(c.author_url)}" rel="nofollow">{name}</a>'
        items.append(
            f'<article id="comment-{c.id}" class="{cls}">'
            f'<p class="meta">{name} · <time datetime="{escape(c.date_gmt or "")}">'
            f"{escape((c.date or '').replace('T', ' '))}</time></p>\n"
            f"{autop(c.content.raw)}</article>"
        )
    return '<section class="comments">\n<h2>Comments</h2>\n' + "\n".join(items) + "\n</section>\n"


def render_post(
    post: Post,
    site: Site,
    *,
    author: str = "",
    comments: list[Comment] = (),  # type: ignore[assignment]
    content: str | None = None,
    generator: str = "wparchive",
) -> str:
    """The page of one post; ``content`` overrides the raw content (for cleaned renderings)."""
    head, tail = render_frame(post, site, author=author, comments=comments, generator=generator)
    return render_content(head, tail, post.content.raw if content is None else content)


def render_content(head: str, tail: str, content: str) -> str:
    """A page from `render_frame`'s parts and the content (raw or cleaned HTML)."""
    return head + autop(content) + tail


def render_frame(
    post: Post,
    site: Site,
    *,
    author: str = "",
    comments: list[Comment] = (),  # type: ignore[assignment]
    generator: str = "wparchive",
) -> tuple[str, str]:
    """The page of one post around its content: what comes before it and after it."""
    fields = dict(
        lang=escape(site.language or "en"),
        generator=escape(generator),
        title=escape(post.title),
        site=escape(site.title),
        url=escape(post.link),
        home=escape(site.base_blog_url or site.url or "/"),
        post_id=post.id,
        post_type=escape(post.post_type),
        date_iso=escape(post.date_gmt or post.date or ""),
        date=escape((post.date or "").replace("T", " ")),
        author=f" · {escape(author)}" if author else "",
        comments=_comments(list(comments)),
    )
    return _HEAD.format(**fields), _TAIL.format(**fields)
