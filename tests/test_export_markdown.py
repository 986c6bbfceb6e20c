"""`wparchive export markdown`: a Hugo (or Jekyll) site's content from a finished archive."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import wparchive
from wparchive.cli import app
from wparchive.export import export_markdown
from wparchive.export.markdown import html_to_markdown, iso_date

from .export_tools import (
    PUTIN,
    ROOT,
    SAMPLE,
    SEED_POST,
    broken_links,
    debian_tool,
    paragraphs,
    sample_run,
    site_run,
    squeeze,
    text_of,
)


def front_matter(path: Path) -> tuple[dict, str]:
    """The YAML front matter (parsed by a real YAML parser) and the body of a file."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def rendered_text(markdown: str) -> str:
    """Markdown rendered by a CommonMark parser, as visible text."""
    return text_of(MarkdownIt("commonmark").enable("table").render(markdown))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    base = tmp_path_factory.mktemp("md")
    run = sample_run(base / "run")
    export_markdown(run, base / "hugo")
    return run, base / "hugo"


# -- the files and their front matter ---------------------------------------------------


def test_every_post_and_page_becomes_a_markdown_file_with_front_matter(sample):
    run, site = sample
    post, body = front_matter(site / "content/posts" / f"{SEED_POST}.md")
    assert post["title"] == "Ramsay-csoport: „A feladat teljesítve”"
    assert post["date"] == "2024-06-14T18:30:05+02:00"  # local time with the site's offset
    assert post["lastmod"] == "2024-06-18T09:45:51+02:00"
    assert post["slug"] == SEED_POST
    assert post["url"] == f"/2024/06/14/{SEED_POST}/"  # the permalink stays the URL
    assert post["categories"] == ["gondolatok"]
    assert post["tags"] == ["onkentesseg"]
    assert post["author"] == "SaLa" and post["authors"] == ["sala"]
    assert post["wordpress_id"] == 44 and post["status"] == "publish"
    assert "draft" not in post
    assert "Múlt szombaton befejeződött a Ramsay-csoport" in body
    page, _ = front_matter(site / "content/pages/rolam.md")
    assert page["url"] == "/rolam/" and page["wordpress_type"] == "page"


def test_drafts_are_drafts_and_keep_their_terms(sample):
    _, site = sample
    draft, _ = front_matter(site / "content/posts/52.md")  # no slug yet: named by its id
    assert draft["draft"] is True and draft["status"] == "draft"
    assert draft["date"] == "2024-06-16T20:58:33"  # no GMT date: no offset to give
    assert draft["categories"] == ["egyeb"] and draft["tags"] == ["g7"]


def test_featured_image_sticky_and_taxonomy_pages(sample):
    _, site = sample
    post, _ = front_matter(site / "content/posts" / f"{PUTIN}.md")
    # The run has no media/: the image stays at its original URL.
    assert post["featured_image"] == (
        "https://salagondolatai.hu/wp-content/uploads/2024/06/putyin-phenjan.jpg"
    )
    assert post["images"] == [post["featured_image"]] and post["sticky"] is True
    term, _ = front_matter(site / "content/categories/vilagpolitika/_index.md")
    assert term == {"title": "Világpolitika", "wordpress_id": 4, "parent": "hirek"}
    assert front_matter(site / "content/authors/sala/_index.md")[0]["title"] == "SaLa"


def test_reusable_blocks_menus_and_attachments_are_not_pages(sample):
    _, site = sample
    names = {p.relative_to(site / "content").as_posix() for p in site.rglob("*.md")}
    posts = {n for n in names if not n.endswith("_index.md")}
    assert posts == {"posts/52.md", f"posts/{SEED_POST}.md", f"posts/{PUTIN}.md", "pages/rolam.md"}
    _, body = front_matter(site / "content/posts" / f"{SEED_POST}.md")
    # The post embeds the reusable block (id 38): its text is filled in.
    assert "A bejegyzés a szerző saját véleményét tükrözi" in body


def test_internal_links_point_to_the_posts_new_url(sample):
    _, site = sample
    _, body = front_matter(site / "content/posts" / f"{SEED_POST}.md")
    assert (
        "](/2024/06/18/az-orosz-putyin-ritka-utra-latogat-eszak-koreaba-a-nyugat-ellenes-"
        "felallas-elmelyulesevel-frissitve-2024-junius-17-en-758-edt/)" in body
    )
    assert "../" not in body and "index.html" not in body


def test_comments_go_to_a_data_file_without_emails(tmp_path):
    run = sample_run(tmp_path / "run", keep_personal_data=True)
    export_markdown(run, tmp_path / "plain")
    comments = json.loads((tmp_path / "plain/data/comments/61.json").read_text())
    assert [c["author"] for c in comments] == ["Kovács Éva"]  # the approved one only
    assert comments[0]["date"] == "2024-06-18T13:47:02+02:00"
    assert comments[0]["content"].startswith("<p>Köszönöm a fordítást!")
    assert "author_email" not in comments[0]
    assert not (tmp_path / "plain/data/comments/44.json").exists()  # a pending pingback only
    export_markdown(run, tmp_path / "kept", keep_personal_data=True)
    kept = json.loads((tmp_path / "kept/data/comments/61.json").read_text())
    assert "@" in kept[0]["author_email"]


def test_old_slugs_and_shortlinks_become_aliases_and_redirects(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    old_slug = (
        "<wp:postmeta>\n<wp:meta_key><![CDATA[_wp_old_slug]]></wp:meta_key>\n"
        "<wp:meta_value><![CDATA[ramsay-csoport]]></wp:meta_value>\n</wp:postmeta>\n"
    )
    text = text.replace("<wp:post_id>44</wp:post_id>", "<wp:post_id>44</wp:post_id>" + old_slug)
    export = tmp_path / "old-slug.xml"
    export.write_text(text, encoding="utf-8")
    run = wparchive.archive(export, out=tmp_path / "run", warc=False).run_dir
    export_markdown(run, tmp_path / "hugo")
    post, _ = front_matter(tmp_path / "hugo/content/posts" / f"{SEED_POST}.md")
    assert post["aliases"] == ["/2024/06/14/ramsay-csoport/"]
    redirects = (tmp_path / "hugo/static/_redirects").read_text().splitlines()
    assert f"/2024/06/14/ramsay-csoport/  /2024/06/14/{SEED_POST}/  301" in redirects
    assert f"/  p=44  /2024/06/14/{SEED_POST}/  301" in redirects
    assert "/  page_id=5  /rolam/  301" in redirects


def test_jekyll_flavor_uses_jekylls_names(tmp_path):
    run = sample_run(tmp_path / "run")
    export_markdown(run, tmp_path / "jekyll", flavor="jekyll")
    site = tmp_path / "jekyll"
    post, _ = front_matter(site / "_posts" / f"2024-06-14-{SEED_POST}.md")
    assert post["layout"] == "post" and post["permalink"] == f"/2024/06/14/{SEED_POST}/"
    assert post["categories"] == ["Gondolatok"] and post["tags"] == ["önkéntesség"]
    draft, _ = front_matter(site / "_posts/2024-06-16-52.md")
    assert draft["published"] is False
    assert (site / "pages/rolam.md").is_file() and (site / "_data/comments/61.json").is_file()
    config = yaml.safe_load((site / "_config.yml").read_text())
    assert config["title"] == "SaLa gondolatai" and "jekyll-redirect-from" in config["plugins"]
    assert (site / "_layouts/post.html").is_file()


# -- the converter --------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p>- nem lista, + sem, # nem cím</p>",
        "<p>2024. június 17-én, 7:58 EDT</p>",
        "<p>Idézet &lt;b&gt;nem félkövér&lt;/b&gt; &amp;amp; más, 3*4 és snake_case</p>",
        "<p>[nem link](x) és `nem kód` és ~~nem áthúzott~~ | nem tábla |</p>",
        "<p>&gt; nem idézet</p><p>=== nem aláhúzás</p>",
        '<p>Orosz cím: <q lang="ru">Путин в Пхеньяне</q>, H<sub>2</sub>O, x<sup>2</sup></p>',
        "<p>Sor<br>törés</p><ul><li>egy</li><li>kettő<ol><li>belső</li></ol></li></ul>",
    ],
)
def test_text_stays_text_through_markdown(html):
    assert squeeze(rendered_text(html_to_markdown(html))) == squeeze(text_of(html))


def test_structure_survives_markdown():
    markdown = html_to_markdown(
        '<h2>Cím</h2><p><strong>félkövér</strong> <a href="/x/">link</a></p>'
        '<figure><img src="/media/a b.jpg" alt="kép"><figcaption>Felirat</figcaption></figure>'
        '<pre class="wp-block-code"><code class="language-python">print(1)</code></pre>'
        "<table><tr><td>év</td><td>db</td></tr><tr><td>2024</td><td>42</td></tr></table>"
        '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    )
    assert "## Cím" in markdown and "**félkövér** [link](/x/)" in markdown
    assert "![kép](/media/a%20b.jpg)" in markdown and "Felirat" in markdown
    assert "```python\nprint(1)\n```" in markdown
    assert "| év | db |" in markdown and "| 2024 | 42 |" in markdown
    assert '<iframe src="https://www.youtube.com/embed/x"></iframe>' in markdown


def test_every_paragraph_of_the_sample_survives_markdown(sample):
    run, site = sample
    for record in wparchive.open_archive(run):
        if record["type"] != "post" or record["post_type"] not in ("post", "page"):
            continue
        name = "52" if record["id"] == 52 else record["slug"]
        folder = "pages" if record["post_type"] == "page" else "posts"
        files = list((site / "content" / folder).glob(f"{name[:60]}*.md"))
        assert len(files) == 1, name
        text = squeeze(rendered_text(front_matter(files[0])[1]))
        for paragraph in paragraphs(record["content"]["html"]):
            assert squeeze(paragraph) in text, (name, paragraph)


def test_iso_date_gives_the_sites_offset():
    assert iso_date("2024-01-01T00:05:00", "2023-12-31T23:05:00") == "2024-01-01T00:05:00+01:00"
    assert iso_date("2024-06-18T09:00:00", "2024-06-18T13:30:00") == "2024-06-18T09:00:00-04:30"
    assert iso_date("2024-06-18T09:00:00", None) == "2024-06-18T09:00:00"
    assert iso_date(None, None) is None


# -- Hugo builds it --------------------------------------------------------------------


def hugo_build(site: Path) -> Path:
    hugo = debian_tool("hugo", "hugo")
    result = subprocess.run(
        [hugo, "--source", str(site), "--destination", str(site / "public"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr, result.stderr
    return site / "public"


def check_built_site(run: Path, public: Path, url_of) -> int:
    """Every link of the built site works, and every published post's text is on its page."""
    assert broken_links(public) == []
    checked = 0
    for record in wparchive.open_archive(run):
        if record["type"] != "post" or record["status"] != "publish":
            continue
        if record["post_type"] in ("attachment", "nav_menu_item", "wp_block"):
            continue
        page = public / url_of(record).strip("/") / "index.html"
        assert page.is_file(), page
        text = squeeze(text_of(page.read_text(encoding="utf-8")))
        assert squeeze(record["title"]) in text
        for paragraph in paragraphs(record["content"]["html"]):
            assert squeeze(paragraph) in text, (page, paragraph)
        checked += 1
    return checked


def test_hugo_builds_the_sample_and_the_text_survives(sample):
    run, site = sample
    public = hugo_build(site)

    def url_of(record):
        return record["link"].removeprefix("https://salagondolatai.hu")

    assert check_built_site(run, public, url_of) == 3


@pytest.mark.wordpress
def test_hugo_builds_the_real_site_with_media_links_and_comments(wordpress_site, tmp_path):
    run = site_run(wordpress_site, tmp_path / "run")
    summary = export_markdown(run, tmp_path / "hugo")
    assert summary.written["media"] == 7 and summary.written["recept"] == 3
    public = hugo_build(tmp_path / "hugo")

    def url_of(record):
        from urllib.parse import unquote

        return unquote(record["link"].removeprefix(wordpress_site.url))

    assert check_built_site(run, public, url_of) >= 15
    # "Belső hivatkozások próbája": every form of internal link reaches its page in Hugo.
    _, body = front_matter(tmp_path / "hugo/content/posts/belso-hivatkozasok-probaja.md")
    assert "](/media/2024/06/phenjan-latkep-300x200.jpg)" in body
    assert "](/rolunk/kapcsolat/)" in body and "](/categories/eszak-korea/)" in body
    assert "](/authors/kovacs.anna/)" in body and "](/tags/putyin/)" in body
    # Only the monthly archive, which the export has no page for, keeps the old site's URL.
    assert wordpress_site.url not in body.replace(f"({wordpress_site.url}/2024/06/)", "")
    page = public / "2024/06/01/mit-gondolnak-az-olvasok/index.html"
    text = text_of(page.read_text(encoding="utf-8"))
    assert "Akkor várom a lecsót!" in text  # a threaded reply, from the comments data file
    assert "Első hozzászólásom" not in text  # pending: not published


# -- the command -----------------------------------------------------------------------


def test_cli_exports_markdown_and_refuses_a_bad_flavor(sample, tmp_path):
    run, _ = sample
    runner = CliRunner()
    result = runner.invoke(app, ["export", "markdown", str(run), "--to", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s/hugo.toml").is_file()
    bad = runner.invoke(
        app, ["export", "markdown", str(run), "--to", str(tmp_path / "x"), "--flavor", "gatsby"]
    )
    assert bad.exit_code == 2 and "--flavor" in bad.output
    inside = runner.invoke(app, ["export", "markdown", str(run), "--to", str(run / "site")])
    assert inside.exit_code == 2 and "inside the run folder" in inside.output
    missing = runner.invoke(app, ["export", "markdown", str(tmp_path / "nope"), "--to", "x"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_hugo_builds_the_theme_unit_test_export(tmp_path):
    """WordPress's theme unit test data: 79 posts and pages of every formatting case."""
    export = ROOT / "tests/data/wordpress-importer/theme-unit-test-data.xml"
    run = wparchive.archive(export, out=tmp_path / "run", warc=False).run_dir
    export_markdown(run, tmp_path / "hugo")
    public = hugo_build(tmp_path / "hugo")

    def url_of(record):
        from urllib.parse import unquote

        return unquote(record["link"].removeprefix("https://wpthemetestdata.wordpress.com"))

    assert check_built_site(run, public, url_of) >= 70


def test_every_export_command_and_option_is_documented():
    import typer.main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app).commands["export"]
    assert set(group.commands) == {"markdown", "html", "wxr"}
    for name, command in group.commands.items():
        assert command.help and f"wparchive export {name}" in readme
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, (name, param.opts)
                assert any(opt in readme for opt in param.opts), (name, param.opts)


def test_jekyll_builds_the_export_where_it_is_installed(sample, tmp_path):
    """Jekyll is not required (Hugo is the proof); where Debian's jekyll is, it builds too."""
    run, _ = sample
    jekyll = debian_tool("jekyll", "jekyll", install=False)
    site = tmp_path / "jekyll"
    export_markdown(run, site, flavor="jekyll")
    result = subprocess.run(
        [jekyll, "build", "--source", str(site), "--destination", str(site / "_site")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    public = site / "_site"
    assert broken_links(public) == []
    page = public / "2024/06/18" / PUTIN.replace("-en", "-en-758-edt") / "index.html"
    text = text_of(page.read_text(encoding="utf-8"))
    assert "Vlagyimir Putyin keddtől" in text and "Kovács Éva" in text  # content and comment
