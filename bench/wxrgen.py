"""A deterministic generator of realistic WXR 1.2 exports of any size.

Each post has Gutenberg block markup, an image with srcset, internal links,
a shortcode, plugin residue, Hungarian text and three comments (one a threaded
reply), so what a benchmark or memory test measures is what real exports cost.
Written as a stream: generating a 400 MB export needs no more memory than a 4 kB one.

    python -m bench.wxrgen 20000 /tmp/big.xml
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from xml.sax.saxutils import escape

SITE = "https://blog.example.hu"

_WORDS = [
    "Putyin",
    "látogatás",
    "Észak-Korea",
    "Phenjan",
    "Kreml",
    "együttműködés",
    "nemzetközi",
    "szankciók",
    "fegyver",
    "lőszer",
    "rakéta",
    "háború",
    "Ukrajna",
    "béke",
    "csúcstalálkozó",
    "vezető",
    "állami",
    "média",
    "gazdasági",
    "technológiai",
    "támogatás",
    "ország",
    "elnök",
    "tavaly",
    "szeptember",
    "június",
    "árvíztűrő",
    "tükörfúrógép",
    "őszi",
    "gyümölcs",
    "hűvös",
    "szél",
    "város",
    "folyó",
]

_HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- generator="WordPress/6.5" created="2024-06-18 10:00" -->
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>Teszt blog</title>
\t<link>{site}</link>
\t<description>Egy szebb világról</description>
\t<pubDate>Tue, 18 Jun 2024 10:00:00 +0000</pubDate>
\t<language>hu-HU</language>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>{site}</wp:base_site_url>
\t<wp:base_blog_url>{site}</wp:base_blog_url>
\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[sala]]></wp:author_login><wp:author_email><![CDATA[sala@example.hu]]></wp:author_email><wp:author_display_name><![CDATA[SaLa]]></wp:author_display_name><wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>
\t<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename><![CDATA[hirek]]></wp:category_nicename><wp:category_parent><![CDATA[]]></wp:category_parent><wp:cat_name><![CDATA[Hírek]]></wp:cat_name></wp:category>
\t<wp:tag><wp:term_id>3</wp:term_id><wp:tag_slug><![CDATA[putyin]]></wp:tag_slug><wp:tag_name><![CDATA[Putyin]]></wp:tag_name></wp:tag>
\t<generator>https://wordpress.org/?v=6.5</generator>
"""

_FOOTER = "</channel>\n</rss>\n"


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _content(rng: random.Random, i: int) -> str:
    img = f"{SITE}/wp-content/uploads/2024/06/kep-{i}"
    paras = "\n\n".join(
        f'<!-- wp:paragraph -->\n<p>{_sentence(rng, 40)} <a href="{SITE}/?p={max(1, i - 1)}">'
        f"előző</a> {_sentence(rng, 20)}</p>\n<!-- /wp:paragraph -->"
        for _ in range(4)
    )
    return (
        f"{paras}\n\n<!--more bővebben-->\n\n"
        f'<!-- wp:image {{"id":{i},"sizeSlug":"large"}} -->\n<figure class="wp-block-image">'
        f'<img src="{img}-1024x683.jpg" srcset="{img}-300x200.jpg 300w, {img}-1024x683.jpg 1024w, '
        f'{img}.jpg 1200w" sizes="(max-width: 1024px) 100vw, 1024px" alt="kép {i}"/></figure>\n'
        f'<!-- /wp:image -->\n\n[caption id="attachment_{i}"]{_sentence(rng, 6)}[/caption]\n\n'
        '<div class="addtoany_share_save_container addtoany_content"><div class="a2a_kit '
        'a2a_kit_size_32 addtoany_list"><a class="a2a_button_facebook"></a></div></div>\n'
        '<div style="clear:both;width:100%;text-align:center; font-size:11px; ">'
        '<a target="_blank" title="Social Media Auto Publish" href="https://xyzscripts.com/">'
        "Social Media Auto Publish</a> Powered By : "
        '<a target="_blank" href="http://www.xyzscripts.com">XYZScripts.com</a></div>'
    )


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _comment(rng: random.Random, cid: int, parent: int, day: int) -> str:
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{cid}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{_cdata('Olvasó ' + str(cid))}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{_cdata(f'olvaso{cid}@example.hu')}"
        "</wp:comment_author_email>\n"
        "\t\t\t<wp:comment_author_url>https://olvaso.example.hu/</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{_cdata('192.0.2.' + str(cid % 250))}"
        "</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{_cdata(f'2024-06-{day:02d} 12:00:00')}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{_cdata(f'2024-06-{day:02d} 10:00:00')}"
        "</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{_cdata('<p>' + _sentence(rng, 25) + '</p>')}"
        "</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{_cdata('1')}</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{_cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        "\t\t\t<wp:commentmeta>\n\t\t\t\t<wp:meta_key>"
        f"{_cdata('akismet_result')}</wp:meta_key>\n\t\t\t\t<wp:meta_value>{_cdata('false')}"
        "</wp:meta_value>\n\t\t\t</wp:commentmeta>\n"
        "\t\t</wp:comment>\n"
    )


def _item(rng: random.Random, i: int) -> str:
    day = 1 + i % 28
    title = _sentence(rng, 8).rstrip(".")
    slug = f"bejegyzes-{i}"
    meta = 'a:2:{s:5:"width";i:1200;s:6:"height";i:800;}'
    comments = "".join(_comment(rng, i * 3 + k, i * 3 if k == 2 else 0, day) for k in range(3))
    return (
        "\t<item>\n"
        f"\t\t<title>{escape(title)}</title>\n"
        f"\t\t<link>{SITE}/2024/06/{day:02d}/{slug}/</link>\n"
        "\t\t<pubDate>Tue, 18 Jun 2024 10:00:00 +0000</pubDate>\n"
        f"\t\t<dc:creator>{_cdata('sala')}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{SITE}/?p={i}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{_cdata(_content(rng, i))}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{_cdata(_sentence(rng, 12))}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{i}</wp:post_id>\n"
        f"\t\t<wp:post_date>{_cdata(f'2024-06-{day:02d} 12:00:00')}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{_cdata(f'2024-06-{day:02d} 10:00:00')}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{_cdata(f'2024-06-{day:02d} 12:00:00')}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{_cdata(f'2024-06-{day:02d} 10:00:00')}"
        "</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{_cdata('open')}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{_cdata('open')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{_cdata(slug)}</wp:post_name>\n"
        f"\t\t<wp:status>{_cdata('publish')}</wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{_cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{_cdata('')}</wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        f'\t\t<category domain="category" nicename="hirek">{_cdata("Hírek")}</category>\n'
        f'\t\t<category domain="post_tag" nicename="putyin">{_cdata("Putyin")}</category>\n'
        f"\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{_cdata('_wp_size')}</wp:meta_key>\n"
        f"\t\t\t<wp:meta_value>{_cdata(meta)}</wp:meta_value>\n\t\t</wp:postmeta>\n"
        f"{comments}"
        "\t</item>\n"
    )


def write_export(path: str | Path, posts: int, *, seed: int = 1) -> Path:
    """Write an export of ``posts`` posts (3 comments each) to ``path``; same seed, same bytes."""
    rng = random.Random(seed)
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_HEADER.format(site=SITE))
        for i in range(1, posts + 1):
            fh.write(_item(rng, i))
        fh.write(_FOOTER)
    return path


if __name__ == "__main__":
    write_export(sys.argv[2], int(sys.argv[1]))
