"""WXR 1.2 from an archive: a file WordPress's importer reads back into a site.

The file is written the way WordPress's own ``export_wp()`` writes it: the same
namespace prefixes (the importer's XML and regex parsers match ``wp:`` literally), the
channel facts, ``wp:author`` (with ``wp:author_id``), ``wp:category``, ``wp:tag`` and
``wp:term`` with parents before children, then one ``item`` per post of every type
(attachments, menu items, reusable blocks, drafts and trash included) with its terms,
``wp:postmeta`` and ``wp:comment`` (with ``wp:commentmeta``). Text goes in CDATA,
``]]>`` split as WordPress splits it.

Contents are the source's own: ``content.raw`` and ``excerpt.raw`` (never the cleaned,
link-rewritten HTML, whose links point into the archive), and each PHP-serialized meta
value as its original string (``meta_raw``), else serialized again from its JSON value.
E-mails, IPs and post passwords are written only when the archive kept them.
"""

from __future__ import annotations

import gzip
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from ..model import Author, Comment, Meta, Post, Term
from ..phpserialize import maybe_unserialize, serialize
from .run import RunArchive, check_target

WXR_VERSION = "1.2"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COMMENT_APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "trash": "trash"}


@dataclass
class WxrSummary:
    """What an export wrote, and what the file can't carry."""

    out: Path
    written: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


# -- values -----------------------------------------------------------------------


def cdata(text: str | None) -> str:
    """Text as WordPress's ``wxr_cdata()`` writes it; characters XML 1.0 forbids become
    spaces (one byte each, so serialized lengths of ASCII controls stay right)."""
    text = _INVALID_XML.sub(" ", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def meta_strings(meta: Meta, meta_raw: Meta | None = None) -> Iterator[tuple[str, str]]:
    """(key, value as WordPress stored it) for every meta value, in order: the original
    serialized string when the archive kept it, else the value (serialized if not text)."""
    for key, values in meta.items():
        raws = list((meta_raw or {}).get(key, ()))
        for value in values:
            if raws and maybe_unserialize(raws[0])[0] == value:
                yield key, raws.pop(0)
            elif isinstance(value, str):
                yield key, value
            else:
                yield key, serialize(value)


def _date(value: str | None) -> str:
    return value.replace("T", " ") if value else "0000-00-00 00:00:00"


def _pub_date(post: Post) -> str:
    stamp = post.date_gmt or post.date
    if not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    except ValueError:
        return ""
    return format_datetime(when).replace("-0000", "+0000")


# -- the writer -------------------------------------------------------------------


def export_wxr(
    run_dir: str | Path,
    to: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> WxrSummary:
    """Write the archive in ``run_dir`` as one WXR 1.2 file ``to`` (``.gz``: gzipped).

    The file appears whole or not at all: it is written as ``<to>.open`` and renamed.
    """
    run = RunArchive(Path(run_dir))
    check_target(run, Path(to), file=True)
    run.scan()
    out = Path(to)
    summary = WxrSummary(out=out)
    if not run.personal_data_kept:
        summary.warnings.append(
            "the archive left personal data out: the file has no e-mails or IPs, and "
            "password-protected posts have no password (archive with --keep-personal-data "
            "to carry them)"
        )
    partial = out.with_name(out.name + ".open")
    out.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if out.suffix == ".gz" else open
    with opener(partial, "wt", encoding="utf-8", newline="\n") as fh:
        writer = _WxrWriter(fh, run, summary)
        writer.head()
        for done, (post, comments) in enumerate(run.units(), start=1):
            writer.item(post, comments)
            if progress is not None:
                progress(done)
        writer.tail()
    os.replace(partial, out)
    return summary


class _WxrWriter:
    def __init__(self, fh: IO[str], run: RunArchive, summary: WxrSummary):
        self.fh = fh
        self.run = run
        self.summary = summary
        self.term_names = {(t.taxonomy, t.slug): t.name for t in run.terms}

    def w(self, text: str) -> None:
        self.fh.write(text)

    def head(self) -> None:
        site = self.run.site
        now = format_datetime(datetime.now(UTC).replace(microsecond=0)).replace("-0000", "+0000")
        ns = f"http://wordpress.org/export/{WXR_VERSION}/"
        self.w(
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            "<!-- This is a WordPress eXtended RSS file, written by wparchive from the JSON "
            "archive of a site. -->\n"
            "<!-- Import it with WordPress's importer (Tools: Import: WordPress). -->\n"
            f'<rss version="2.0"\n\txmlns:excerpt="{ns}excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            f'\txmlns:wp="{ns}"\n>\n\n<channel>\n'
            f"\t<title>{escape(site.title)}</title>\n"
            f"\t<link>{escape(site.url)}</link>\n"
            f"\t<description>{escape(site.description)}</description>\n"
            f"\t<pubDate>{now}</pubDate>\n"
            f"\t<language>{escape(site.language)}</language>\n"
            f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
            f"\t<wp:base_site_url>{escape(site.base_site_url)}</wp:base_site_url>\n"
            f"\t<wp:base_blog_url>{escape(site.base_blog_url)}</wp:base_blog_url>\n\n"
        )
        for author in self.run.authors.values():
            self.author(author)
        for term in parents_first(self.run.terms):
            self.term(term)
        if site.generator:
            self.w(f"\n\t<generator>{escape(site.generator)}</generator>\n")

    def tail(self) -> None:
        self.w("</channel>\n</rss>\n")

    def author(self, a: Author) -> None:
        ident = f"<wp:author_id>{a.id}</wp:author_id>" if a.id is not None else ""
        self.w(
            f"\t<wp:author>{ident}"
            f"<wp:author_login>{cdata(a.login)}</wp:author_login>"
            f"<wp:author_email>{cdata(a.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(a.display_name)}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(a.first_name)}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata(a.last_name)}</wp:author_last_name>"
            "</wp:author>\n"
        )
        self.summary.written["author"] += 1

    def term(self, t: Term) -> None:
        ident = f"\t\t<wp:term_id>{t.id}</wp:term_id>\n" if t.id is not None else ""
        if t.taxonomy == "category":
            tag, body = (
                "category",
                f"\t\t<wp:category_nicename>{cdata(t.slug)}</wp:category_nicename>\n"
                f"\t\t<wp:category_parent>{cdata(t.parent)}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{cdata(t.name)}</wp:cat_name>\n"
                f"\t\t<wp:category_description>{cdata(t.description)}</wp:category_description>\n",
            )
        elif t.taxonomy == "post_tag":
            tag, body = (
                "tag",
                f"\t\t<wp:tag_slug>{cdata(t.slug)}</wp:tag_slug>\n"
                f"\t\t<wp:tag_name>{cdata(t.name)}</wp:tag_name>\n"
                f"\t\t<wp:tag_description>{cdata(t.description)}</wp:tag_description>\n",
            )
        else:
            tag, body = (
                "term",
                f"\t\t<wp:term_taxonomy>{cdata(t.taxonomy)}</wp:term_taxonomy>\n"
                f"\t\t<wp:term_slug>{cdata(t.slug)}</wp:term_slug>\n"
                f"\t\t<wp:term_parent>{cdata(t.parent)}</wp:term_parent>\n"
                f"\t\t<wp:term_name>{cdata(t.name)}</wp:term_name>\n"
                f"\t\t<wp:term_description>{cdata(t.description)}</wp:term_description>\n",
            )
        meta = "".join(
            f"\t\t<wp:termmeta>\n\t\t\t<wp:meta_key>{cdata(k)}</wp:meta_key>\n"
            f"\t\t\t<wp:meta_value>{cdata(v)}</wp:meta_value>\n\t\t</wp:termmeta>\n"
            for k, v in meta_strings(t.meta)
        )
        self.w(f"\t<wp:{tag}>\n{ident}{body}{meta}\t</wp:{tag}>\n")
        self.summary.written["term"] += 1

    def item(self, p: Post, comments: list[Comment]) -> None:
        w = self.w
        w(
            "\t<item>\n"
            f"\t\t<title>{cdata(p.title)}</title>\n"
            f"\t\t<link>{escape(p.link)}</link>\n"
            f"\t\t<pubDate>{_pub_date(p)}</pubDate>\n"
            f"\t\t<dc:creator>{cdata(p.author)}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{escape(p.guid)}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{cdata(p.content.raw)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{cdata(p.excerpt.raw)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{p.id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{cdata(_date(p.date))}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{cdata(_date(p.date_gmt))}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{cdata(_date(p.modified))}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{cdata(_date(p.modified_gmt))}</wp:post_modified_gmt>\n"
            f"\t\t<wp:comment_status>{cdata(p.comment_status)}</wp:comment_status>\n"
            f"\t\t<wp:ping_status>{cdata(p.ping_status)}</wp:ping_status>\n"
            f"\t\t<wp:post_name>{cdata(p.slug)}</wp:post_name>\n"
            f"\t\t<wp:status>{cdata(p.status)}</wp:status>\n"
            f"\t\t<wp:post_parent>{p.parent}</wp:post_parent>\n"
            f"\t\t<wp:menu_order>{p.menu_order}</wp:menu_order>\n"
            f"\t\t<wp:post_type>{cdata(p.post_type)}</wp:post_type>\n"
            f"\t\t<wp:post_password>{cdata(p.password)}</wp:post_password>\n"
            f"\t\t<wp:is_sticky>{int(p.sticky)}</wp:is_sticky>\n"
        )
        if p.attachment_url:
            w(f"\t\t<wp:attachment_url>{cdata(p.attachment_url)}</wp:attachment_url>\n")
        for ref in p.terms:
            if not ref.slug:
                continue
            name = ref.name or self.term_names.get((ref.taxonomy, ref.slug), "")
            w(
                f"\t\t<category domain={quoteattr(ref.taxonomy)} nicename={quoteattr(ref.slug)}>"
                f"{cdata(name)}</category>\n"
            )
        for key, value in meta_strings(p.meta, p.meta_raw):
            w(
                "\t\t<wp:postmeta>\n"
                f"\t\t<wp:meta_key>{cdata(key)}</wp:meta_key>\n"
                f"\t\t<wp:meta_value>{cdata(value)}</wp:meta_value>\n"
                "\t\t</wp:postmeta>\n"
            )
        for c in comments:
            self.comment(c)
        w("\t</item>\n")
        self.summary.written[p.post_type] += 1

    def comment(self, c: Comment) -> None:
        meta = "".join(
            "\t\t\t<wp:commentmeta>\n"
            f"\t\t\t<wp:meta_key>{cdata(k)}</wp:meta_key>\n"
            f"\t\t\t<wp:meta_value>{cdata(v)}</wp:meta_value>\n"
            "\t\t\t</wp:commentmeta>\n"
            for k, v in meta_strings(c.meta, c.meta_raw)
        )
        self.w(
            "\t\t<wp:comment>\n"
            f"\t\t\t<wp:comment_id>{c.id}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author>{cdata(c.author_name)}</wp:comment_author>\n"
            f"\t\t\t<wp:comment_author_email>{cdata(c.author_email)}</wp:comment_author_email>\n"
            f"\t\t\t<wp:comment_author_url>{escape(c.author_url)}</wp:comment_author_url>\n"
            f"\t\t\t<wp:comment_author_IP>{cdata(c.author_ip)}</wp:comment_author_IP>\n"
            f"\t\t\t<wp:comment_date>{cdata(_date(c.date))}</wp:comment_date>\n"
            f"\t\t\t<wp:comment_date_gmt>{cdata(_date(c.date_gmt))}</wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content>{cdata(c.content.raw)}</wp:comment_content>\n"
            "\t\t\t<wp:comment_approved>"
            f"{cdata(_COMMENT_APPROVED.get(c.status, c.status))}</wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type>{cdata(c.comment_type)}</wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{c.parent}</wp:comment_parent>\n"
            f"\t\t\t<wp:comment_user_id>{c.user_id}</wp:comment_user_id>\n"
            f"{meta}\t\t</wp:comment>\n"
        )
        self.summary.written["comment"] += 1


def parents_first(terms: Iterable[Term]) -> list[Term]:
    """Terms with every parent before its children, as the importer needs them (it looks
    a parent up by slug when it creates the child); otherwise in the archive's order."""
    terms = list(terms)
    known = {(t.taxonomy, t.slug) for t in terms}
    placed: set[tuple[str, str]] = set()
    out: list[Term] = []
    pending = terms
    while pending:
        rest = []
        for t in pending:
            parent = (t.taxonomy, t.parent)
            if not t.parent or parent in placed or parent not in known:
                out.append(t)
                placed.add((t.taxonomy, t.slug))
            else:
                rest.append(t)
        if len(rest) == len(pending):  # a cycle: write the rest as they come
            out.extend(rest)
            break
        pending = rest
    return out
