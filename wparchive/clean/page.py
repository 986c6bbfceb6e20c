"""Page mode: one rendered page (HTML) or one scraped page (text) → the post it shows.

For HTML the page is parsed once, every page rule is applied, then the post is
found by the markup WordPress themes share (``.entry-title``/``.wp-block-post-title``,
``.entry-content``/``.wp-block-post-content``, ``time[datetime]``, the comment
list) and the text rules clean the edges of its body. For text, the text rules
do the work (`wparchive.clean.text`) and the title is the first line left, or
the one a listing's "“Title” read more" line confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from .css import css_to_xpath
from .engine import BLOCK_TAGS, Cleaner, Removal, inner_html
from .locales import normalize_text
from .text import (
    blocks_to_html,
    blocks_to_text,
    is_title_like,
    looks_like_date,
    strip_quotes,
)

_HTML_START = re.compile(r"^\s*(?:<!doctype|<html|<head|<body|<!--)", re.I)
_HTML_TAGS = re.compile(r"<(?:p|div|article|main|h[1-6]|span|a|br|ul|ol|li|img|section)\b", re.I)

TITLE_SELECTORS = (
    "h1.entry-title, h1.wp-block-post-title, h1.post-title, h1.page-title",
    ".entry-title, .wp-block-post-title, .post-title",
    "h1",
)
CONTENT_SELECTORS = (
    ".entry-content, .wp-block-post-content, .post-content, .post-entry, "
    "[itemprop=articleBody], .single-content, .article-content",
    ".entry, .post-body, .content",
)
ARTICLE_SELECTORS = ("article.post, article.type-post, article.type-page, article", "main")
DATE_SELECTORS = (
    "time.entry-date[datetime], .wp-block-post-date time[datetime], time.published[datetime]",
    "time[datetime]",
)
COMMENT_CONTENT = ".comment-content, .wp-block-comment-content, .comment-text"
COMMENT_AUTHOR = ".comment-author .fn, .wp-block-comment-author-name, .comment-author, cite.fn, .fn"
COMMENT_AREA = "#comments, .comments-area, .wp-block-comments, ol.commentlist, ol.comment-list"


@lru_cache(maxsize=64)
def _xpath(selector: str) -> etree.XPath:
    return etree.XPath(css_to_xpath(selector))


def _first(root: etree._Element, selectors: Iterable[str]) -> etree._Element | None:
    for selector in selectors:
        found = _xpath(selector)(root)
        if found:
            return found[0]
    return None


def _first_of(roots: Iterable[etree._Element], selectors: Iterable[str]) -> etree._Element | None:
    # Elements are falsy when childless: never chain them with `or`.
    for root in roots:
        found = _first(root, selectors)
        if found is not None:
            return found
    return None


@dataclass
class Page:
    """The post a page shows: title, date, body (HTML and text), comments, and the ledger."""

    title: str
    date: str | None
    content_html: str
    content_text: str
    comments: list[dict[str, Any]] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `wparchive clean --format json` prints."""
        return {
            "title": self.title,
            "date": self.date,
            "content_html": self.content_html,
            "content_text": self.content_text,
            "comments": self.comments,
            "removed": [{"rule": r.rule, "family": r.family, "text": r.text} for r in self.removed],
        }

    def to_text(self) -> str:
        """Title, date, body and comments as plain text, blank lines between paragraphs."""
        parts = [p for p in (self.title, self.date or "", self.content_text) if p]
        for c in self.comments:
            head = " · ".join(x for x in (c.get("author"), c.get("date")) if x)
            parts.append(f"— {head}\n{c['content_text']}" if head else c["content_text"])
        return "\n\n".join(parts) + "\n"

    def to_html(self) -> str:
        """A small standalone HTML document of the post."""
        from html import escape

        out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">']
        out.append(f"<title>{escape(self.title)}</title></head><body><article>")
        if self.title:
            out.append(f"<h1>{escape(self.title)}</h1>")
        if self.date:
            out.append(f'<time datetime="{escape(self.date)}">{escape(self.date)}</time>')
        out.append(self.content_html)
        if self.comments:
            out.append('<section class="comments">')
            for c in self.comments:
                out.append('<article class="comment"><footer>')
                out.append(escape(" · ".join(x for x in (c.get("author"), c.get("date")) if x)))
                out.append("</footer>")
                out.extend(f"<p>{escape(p)}</p>" for p in c["content_text"].split("\n\n"))
                out.append("</article>")
            out.append("</section>")
        out.append("</article></body></html>\n")
        return "".join(out)


def looks_like_html(source: str) -> bool:
    """True for markup, False for plain text (a scraped page)."""
    head = source[:4000]
    return bool(_HTML_START.match(head)) or len(_HTML_TAGS.findall(head)) >= 2


@lru_cache(maxsize=16)
def cached_cleaner(
    locale: str | None,
    keep: frozenset[str] = frozenset(),
    only: frozenset[str] = frozenset(),
    l10n_dirs: tuple[Path, ...] = (),
) -> Cleaner:
    """One `Cleaner` per selection, built once."""
    return Cleaner(locale, keep=keep, only=only, l10n_dirs=l10n_dirs)


def extract_page(
    source: str,
    *,
    locale: str | None = None,
    keep: Iterable[str] = (),
    only: Iterable[str] = (),
    l10n_dirs: Iterable[Path | str] = (),
    cleaner: Cleaner | None = None,
) -> Page:
    """The post of one rendered page (HTML) or scraped page (plain text).

    The locale is `locale`, else the page's ``<html lang>``, else every table.
    Pass `cleaner` to reuse one built elsewhere (its locale and selection win).
    """
    is_html = looks_like_html(source)
    if cleaner is None:
        if locale is None and is_html:
            m = re.search(r"<html\b[^>]*\blang=[\"']?([A-Za-z_-]+)", source[:4000], re.I)
            locale = m.group(1) if m else None
        cleaner = cached_cleaner(
            locale, frozenset(keep), frozenset(only), tuple(Path(d) for d in l10n_dirs)
        )
    if is_html:
        return _page_from_html(source, cleaner)
    return _page_from_text(source, cleaner)


def _page_from_text(source: str, cleaner: Cleaner) -> Page:
    out = cleaner.text_pass(source)
    blocks = out.blocks
    title = ""
    if blocks:
        confirmed = (
            out.title_hint and strip_quotes(normalize_text(blocks[0].text)) == out.title_hint
        )
        if confirmed or is_title_like(blocks):
            title = normalize_text(blocks.pop(0).text)
    date = None
    if blocks and looks_like_date(blocks[0].text):
        date = blocks.pop(0).text.strip()
    return Page(title, date, blocks_to_html(blocks), blocks_to_text(blocks), [], out.removed)


def html_to_text(el: etree._Element) -> str:
    """An element's text as paragraphs: blocks separated by blank lines, ``<br>`` kept."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in ("script", "style", "template", "noscript"):
            return
        if tag == "br":
            parts.append("\x00")
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n\n")

    walk(el)
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", "".join(parts)):
        lines = [" ".join(line.split()) for line in chunk.split("\x00")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _comments(doc: etree._Element) -> list[dict[str, Any]]:
    """The comments of a page's comment list: author, date and text of each."""
    comments = []
    for content in _xpath(COMMENT_CONTENT)(doc):
        container = next(
            (
                a
                for a in content.iterancestors()
                if a.tag in ("li", "article") or "comment-body" in (a.get("class") or "").split()
            ),
            None,
        )
        scope = container if container is not None else content.getparent()
        author = _first_outside(scope, COMMENT_AUTHOR, content)
        date_el = _first_outside(
            scope, "time[datetime], .comment-metadata a, .wp-block-comment-date", content
        )
        date = None
        if date_el is not None:
            date = date_el.get("datetime") or normalize_text(date_el.text_content()) or None
        comments.append(
            {
                "author": normalize_text(author.text_content()) if author is not None else "",
                "date": date,
                "content_text": html_to_text(content),
            }
        )
    return comments


def _first_outside(
    scope: etree._Element, selector: str, content: etree._Element
) -> etree._Element | None:
    """The first match of `selector` in `scope` that is not inside `content` or a reply."""
    for selector_part in selector.split(","):
        for el in _xpath(selector_part.strip())(scope):
            ancestors = set(el.iterancestors())
            if content in ancestors or el is content:
                continue
            # skip nested replies: an ol/ul between scope and el belongs to a child comment
            nested = False
            for a in el.iterancestors():
                if a is scope:
                    break
                if a.tag in ("ol", "ul"):
                    nested = True
                    break
            if not nested:
                return el
    return None


def _page_from_html(source: str, cleaner: Cleaner) -> Page:
    removed: list[Removal] = []
    rules = cleaner.compiled("page")
    source = cleaner.clean_shortcodes(source, cleaner.candidates(source, "page"), removed)
    try:
        doc = lxml.html.document_fromstring(source)
    except (etree.ParserError, ValueError, AssertionError):
        return Page("", None, "", "", [], removed)
    cleaner.apply(doc, rules, removed, by_attributes=True)
    article = _first(doc, ARTICLE_SELECTORS)
    scope = article if article is not None else doc
    title_el = _first_of((scope, doc), TITLE_SELECTORS)
    if title_el is not None:
        title = normalize_text(title_el.text_content())
    else:
        title_tag = doc.find(".//title")
        title = normalize_text(title_tag.text_content()) if title_tag is not None else ""
        title = re.split(r"\s+[–—|-]\s+", title)[0] if title else ""
    date = None
    date_el = _first_of((scope, doc), DATE_SELECTORS)
    if date_el is not None:
        date = date_el.get("datetime")
    else:
        meta = doc.xpath("//meta[@property='article:published_time']/@content")
        date = str(meta[0]) if meta else None
    comments = _comments(doc)
    content = _first_of((scope, doc), CONTENT_SELECTORS)
    if content is None:
        content = scope if scope is not doc else doc.find("body")
    if content is None:
        return Page(title, date, "", "", comments, removed)
    # The comment area and the title are not the body (when the body is the whole article).
    for el in _xpath(COMMENT_AREA)(content):
        if el.getparent() is not None:
            el.drop_tree()
    if (
        title_el is not None
        and title_el.getparent() is not None
        and content in set(title_el.iterancestors())
    ):
        title_el.drop_tree()
    cleaner.apply_edges(content, rules, removed, title or None)
    return Page(title, date, inner_html(content).strip(), html_to_text(content), comments, removed)
