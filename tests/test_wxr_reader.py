"""The streaming WXR reader: versions, namespaces, damage, hostile input, split exports."""

from __future__ import annotations

import gzip
import textwrap
from pathlib import Path

import pytest

from wparchive.model import Author, Comment, Post, Site, Term
from wparchive.sources.wxr import WXR_VERSION_ERROR, ReadWarning, WxrError, read_wxr

WP12 = "http://wordpress.org/export/1.2/"


def wxr(body: str, *, wp: str = WP12, version: str = "1.2", head: str = "") -> str:
    return (
        textwrap.dedent(
            f"""\
        <?xml version="1.0" encoding="UTF-8"?>{head}
        <rss version="2.0" xmlns:wp="{wp}" xmlns:content="http://purl.org/rss/1.0/modules/content/"
             xmlns:excerpt="{wp}excerpt/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel>
        <title>Test</title>
        <link>https://example.org</link>
        <wp:wxr_version>{version}</wp:wxr_version>
        <wp:base_blog_url>https://example.org</wp:base_blog_url>
        """
        )
        + body
        + "\n</channel>\n</rss>\n"
    )


def item(post_id: int, title: str = "Post", extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><wp:post_id>{post_id}</wp:post_id>"
        f"<dc:creator>admin</dc:creator><wp:post_type>post</wp:post_type>"
        f"<wp:status>publish</wp:status>"
        f"<content:encoded><![CDATA[<p>Body {post_id}</p>]]></content:encoded>{extra}</item>"
    )


def read(tmp_path: Path, text: str | bytes, name: str = "export.xml", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    warnings: list[ReadWarning] = []
    records = list(read_wxr(path, warn=warnings.append, **kwargs))
    return records, warnings


def posts(records) -> list[Post]:
    return [r for r in records if isinstance(r, Post)]


def test_yields_site_first_then_posts_each_followed_by_its_comments(tmp_path):
    comment = (
        "<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_approved>1</wp:comment_approved>"
        "<wp:comment_content><![CDATA[Szia!]]></wp:comment_content></wp:comment>"
    )
    records, warnings = read(tmp_path, wxr(item(1, extra=comment) + item(2)))
    assert warnings == []
    assert [type(r) for r in records] == [Site, Post, Comment, Post]
    assert records[0].wxr_version == "1.2" and records[0].title == "Test"
    assert records[2].post_id == 1 and records[2].content.raw == "Szia!"


@pytest.mark.parametrize(
    "wp",
    [
        "http://wordpress.org/export/1.0/",
        "http://wordpress.org/export/1.1/",
        "https://wordpress.org/export/1.2/",
    ],
)
def test_reads_every_wxr_version_and_https_namespaces(tmp_path, wp):
    records, _ = read(tmp_path, wxr(item(5), wp=wp, version=wp.rstrip("/").rsplit("/", 1)[1]))
    [post] = posts(records)
    assert post.id == 5 and post.content.raw == "<p>Body 5</p>"


def test_matches_namespaces_by_uri_not_prefix(tmp_path):
    text = wxr(item(1)).replace("xmlns:wp=", "xmlns:wordpress=").replace("<wp:", "<wordpress:")
    text = text.replace("</wp:", "</wordpress:")
    records, _ = read(tmp_path, text)
    assert [p.id for p in posts(records)] == [1]


@pytest.mark.parametrize("version", ["", "abc", "1"])
def test_refuses_a_file_without_a_valid_wxr_version(tmp_path, version):
    text = wxr(item(1), version=version)
    with pytest.raises(WxrError, match="missing/invalid WXR version number"):
        read(tmp_path, text)
    assert "missing/invalid WXR version number" in WXR_VERSION_ERROR


def test_refuses_plain_rss(tmp_path):
    text = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    text += "<item><title>a</title></item></channel></rss>"
    with pytest.raises(WxrError, match="WXR version"):
        read(tmp_path, text)


def test_multiple_cdata_sections_are_joined(tmp_path):
    extra = "<excerpt:encoded><![CDATA[a]]]]><![CDATA[>b]]></excerpt:encoded>"
    [post] = posts(read(tmp_path, wxr(item(1, extra=extra)))[0])
    assert post.excerpt.raw == "a]]>b"


def test_control_characters_become_spaces_with_a_warning_naming_the_line(tmp_path):
    text = wxr(item(1, title="Bad\x01title\x1c"))
    records, warnings = read(tmp_path, text)
    [post] = posts(records)
    assert post.title == "Bad title "
    assert len(warnings) == 2
    assert all("U+00" in w.message and w.line for w in warnings)
    assert not any(w.lost for w in warnings)


def test_strict_mode_turns_repairs_into_errors(tmp_path):
    with pytest.raises(WxrError, match="control character"):
        read(tmp_path, wxr(item(1, title="Bad\x01")), strict=True)
    with pytest.raises(WxrError, match="not well-formed"):
        read(tmp_path, wxr(item(1, title="a & b")), strict=True)


def test_recovers_from_broken_markup_and_says_where(tmp_path):
    records, warnings = read(tmp_path, wxr(item(1, title="a & b") + item(2)))
    assert [p.id for p in posts(records)] == [1, 2]
    assert warnings and all(w.line for w in warnings)


def test_truncated_file_yields_every_complete_item_before_the_break(tmp_path):
    full = wxr("".join(item(i) for i in range(1, 6)))
    marker = "<wp:post_id>5</wp:post_id>"
    cut = full[: full.index(marker) + len(marker)]
    records, warnings = read(tmp_path, cut)
    assert [p.id for p in posts(records)] == [1, 2, 3, 4]
    lost = [w for w in warnings if w.lost]
    assert len(lost) == 1 and "post 5" in lost[0].message


def test_xxe_is_never_resolved(tmp_path):
    head = '\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    records, _ = read(tmp_path, wxr(item(1, title="&xxe;"), head=head))
    [post] = posts(records)
    assert "root:" not in post.title


def test_billion_laughs_neither_expands_nor_hangs(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    head = f"\n<!DOCTYPE rss [{entities}]>"
    records, _ = read(tmp_path, wxr(item(1, title="&lol9;"), head=head))
    [post] = posts(records)
    assert len(post.title) < 1000


def test_split_exports_merge_without_duplicates(tmp_path):
    a = tmp_path / "a.xml"
    b = tmp_path / "b.xml"
    term = (
        "<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>news</wp:category_nicename>"
        "<wp:cat_name>News</wp:cat_name></wp:category>"
    )
    author = "<wp:author><wp:author_login>admin</wp:author_login></wp:author>"
    a.write_text(wxr(author + term + item(1) + item(2)))
    b.write_text(wxr(author + term + item(2) + item(3)))
    records = list(read_wxr([a, b]))
    assert [p.id for p in posts(records)] == [1, 2, 3]
    assert sum(isinstance(r, Site) for r in records) == 1
    assert sum(isinstance(r, Term) for r in records) == 1
    assert sum(isinstance(r, Author) for r in records) == 1


def test_reads_gzipped_exports(tmp_path):
    path = tmp_path / "export.xml.gz"
    path.write_bytes(gzip.compress(wxr(item(9)).encode()))
    assert [p.id for p in posts(read_wxr(path))] == [9]


def test_wxr_1_0_tag_domain_and_slugless_terms(tmp_path):
    extra = (
        "<category><![CDATA[Hírek]]></category>"
        '<category domain="category" nicename="hirek"><![CDATA[Hírek]]></category>'
        '<category domain="tag"><![CDATA[Kék ég]]></category>'
    )
    [post] = posts(
        read(
            tmp_path,
            wxr(item(1, extra=extra), wp="http://wordpress.org/export/1.0/", version="1.0"),
        )[0]
    )
    assert [(t.taxonomy, t.slug, t.name) for t in post.terms] == [
        ("category", "hirek", "Hírek"),
        ("post_tag", "kek-eg", "Kék ég"),
    ]


def test_dates_are_iso_and_unset_dates_are_none(tmp_path):
    extra = (
        "<wp:post_date>2024-06-18 09:12:00</wp:post_date>"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>"
    )
    [post] = posts(read(tmp_path, wxr(item(1, extra=extra)))[0])
    assert post.date == "2024-06-18T09:12:00"
    assert post.date_gmt is None


def test_unreadable_file_is_a_wxr_error(tmp_path):
    with pytest.raises(WxrError, match="cannot open"):
        list(read_wxr(tmp_path / "missing.xml"))


def test_pre_1_2_unescaped_cdata_ends_are_repaired_across_read_boundaries(tmp_path):
    # Hundreds of items so that some "]]>" land on the reader's 64 kB chunk edges.
    body = "if (a[b[0]]> 1) { x = '<![CDATA[ y ]]>'; }" + " " * 37
    items = "".join(
        f"<item><wp:post_id>{i}</wp:post_id><content:encoded><![CDATA[{body * (i % 7 + 1)}]]>"
        "</content:encoded></item>"
        for i in range(1, 400)
    )
    records, warnings = read(
        tmp_path, wxr(items, wp="http://wordpress.org/export/1.1/", version="1.1")
    )
    assert [p.content.raw for p in posts(records)] == [body * (i % 7 + 1) for i in range(1, 400)]
    assert warnings and not any(w.lost for w in warnings)


def test_wxr_1_2_cdata_is_never_rewritten(tmp_path):
    extra = "<excerpt:encoded><![CDATA[a]]]]><![CDATA[> b]]></excerpt:encoded>"
    records, warnings = read(tmp_path, wxr(item(1, extra=extra)))
    assert posts(records)[0].excerpt.raw == "a]]> b" and warnings == []


def test_the_index_only_read_gives_link_rewriting_the_same_index():
    import copy

    from wparchive.links import LinkRewriter, SiteIndex
    from wparchive.sources.wxr import WxrReader

    data = Path(__file__).parent / "data" / "wordpress-importer" / "theme-unit-test-data.xml"
    full = SiteIndex.from_records(read_wxr(data))
    light = SiteIndex.from_records(WxrReader([data], index_only=True))
    records = list(read_wxr(data))
    a, b = LinkRewriter(full, "relative"), LinkRewriter(light, "relative")
    for record in records:
        one, two = a(copy.deepcopy(record)), b(copy.deepcopy(record))
        assert one == two
    assert a.totals == b.totals and a.totals["rewritten"] > 100
