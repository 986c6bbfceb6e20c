"""The records every source yields and every sink writes: plain dataclasses.

Field names follow the portable JSON archive (format version 1) one to one, so
`dataclasses.asdict(record)` plus a ``type`` key is the line written to the archive
(less ``Post.page_record``, a pointer into the run's WARC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Meta values are lists because WordPress allows a key to repeat on one object
# (get_post_meta() returns key => [values]); a list keeps every value, in order.
Meta = dict[str, list[Any]]


@dataclass
class Content:
    """A text field as the source gave it (``raw``) and as transforms left it (``html``)."""

    raw: str = ""
    html: str = ""


@dataclass
class Site:
    title: str = ""
    url: str = ""
    description: str = ""
    language: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str | None = None
    generator: str = ""


@dataclass
class Author:
    id: int | None
    login: str
    email: str | None = None
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    id: int | None
    taxonomy: str
    slug: str
    name: str = ""
    parent: str = ""  # the parent's slug, as WXR names it
    description: str = ""
    meta: Meta = field(default_factory=dict)


@dataclass
class TermRef:
    """A post's membership in a term: enough to find the Term record."""

    taxonomy: str
    slug: str
    name: str = ""


@dataclass
class Post:
    """Any post type: post, page, attachment, nav_menu_item, wp_block, custom types."""

    id: int
    post_type: str = "post"
    status: str = "publish"
    slug: str = ""
    title: str = ""
    link: str = ""
    guid: str = ""
    date: str | None = None
    date_gmt: str | None = None
    modified: str | None = None
    modified_gmt: str | None = None
    author: str = ""  # the author's login
    parent: int = 0
    menu_order: int = 0
    sticky: bool = False
    comment_status: str = ""
    ping_status: str = ""
    password: str | None = None
    terms: list[TermRef] = field(default_factory=list)
    meta: Meta = field(default_factory=dict)
    # Original strings of meta values that were PHP-serialized, same shape as ``meta``.
    meta_raw: Meta = field(default_factory=dict)
    content: Content = field(default_factory=Content)
    excerpt: Content = field(default_factory=Content)
    attachment_url: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    # The WARC-Record-ID of the page the source captured at ``link`` (REST), for the post's
    # metadata record to refer to. A fact about this run's WARC, not about the post: it is
    # not written to the JSON archive.
    page_record: str = ""


@dataclass
class Comment:
    id: int
    post_id: int
    parent: int = 0
    author_name: str = ""
    author_email: str | None = None
    author_url: str = ""
    author_ip: str | None = None
    user_id: int = 0
    date: str | None = None
    date_gmt: str | None = None
    status: str = "approved"  # approved | pending | spam | trash
    comment_type: str = "comment"  # comment | pingback | trackback | note | custom
    content: Content = field(default_factory=Content)
    meta: Meta = field(default_factory=dict)
    meta_raw: Meta = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass
class Media:
    """A media file the archive holds a copy of (downloaded or read from disk)."""

    url: str
    post_id: int | None = None  # the attachment whose file this is, when one is
    path: str | None = None  # relative to the run folder
    mime_type: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    referenced_by: list[int] = field(default_factory=list)  # posts whose content links to it
    width: int | None = None  # images: read from the file's own header
    height: int | None = None


Record = Site | Author | Term | Post | Comment | Media

# Post types WordPress gives no page of their own: a link to one is a 404.
NO_PAGE_TYPES = frozenset(
    {
        "nav_menu_item",
        "wp_block",
        "wp_template",
        "wp_template_part",
        "wp_global_styles",
        "wp_navigation",
        "wp_font_family",
        "wp_font_face",
        "wp_pattern",
        "custom_css",
        "customize_changeset",
        "oembed_cache",
        "user_request",
        "revision",
    }
)
# Post types whose content is not HTML (CSS, JSON): transforms leave it as it is.
NOT_HTML_TYPES = frozenset({"custom_css", "wp_global_styles", "wp_font_family", "wp_font_face"})

RECORD_TYPES: dict[type, str] = {
    Site: "site",
    Author: "author",
    Term: "term",
    Post: "post",
    Comment: "comment",
    Media: "media",
}
