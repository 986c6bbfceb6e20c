"""autop: paragraphs and line breaks where WordPress's wpautop would show them."""

import pytest

from wparchive.autop import autop

CASES = [
    # Text already in its block elements, with no line break in it, comes back as it is
    # (the common case: cleaned block-editor content, most comments).
    ("<p>Egy sor, két szó.</p>", "<p>Egy sor, két szó.</p>"),
    (
        '\n<p>Egy.</p>\n\n\n\n<p>Kettő <a href="x">link</a>.</p>\n',
        '\n<p>Egy.</p>\n\n\n\n<p>Kettő <a href="x">link</a>.</p>\n',
    ),
    # Inside a block element a line break between words becomes <br>.
    ("<ul>\n<li>egy\nkettő</li>\n</ul>", "<ul>\n<li>egy<br>\nkettő</li>\n</ul>"),
    (
        "<blockquote>Idézet,\nkét sor.</blockquote>",
        "<blockquote>Idézet,<br>\nkét sor.</blockquote>",
    ),
    ("<p>a \t\n\t b\n\nc</p>", "<p>a<br>\nb\n\nc</p>"),
    # Outside any block: paragraphs at blank lines, <br> at single line breaks.
    (
        "Első bekezdés\nmásodik sora.\n\nMásodik bekezdés.",
        "<p>Első bekezdés<br>\nmásodik sora.</p>\n\n<p>Második bekezdés.</p>",
    ),
    ("csak szöveg", "<p>csak szöveg</p>"),
    ("<hr>\nszöveg\nsor", "<hr>\n<p>szöveg<br>\nsor</p>"),
    ("<div><p>a\nb</p>kint\nsor</div>vége", "<div><p>a<br>\nb</p>kint<br>\nsor</div><p>vége</p>"),
    # CRLF line ends are read as LF.
    ("<p>a</p>\r\n\r\nszöveg\r\nsor", "<p>a</p>\n\n<p>szöveg<br>\nsor</p>"),
    # <pre> keeps its lines; the text after it does not.
    ("<pre>kód\n\nsor</pre>\nutána\nsor", "<pre>kód\n\nsor</pre>\n<p>utána<br>\nsor</p>"),
    # Block-editor markup and blank content come back as they are.
    (
        "<!-- wp:paragraph -->\n<p>x\ny</p>\n<!-- /wp:paragraph -->",
        "<!-- wp:paragraph -->\n<p>x\ny</p>\n<!-- /wp:paragraph -->",
    ),
    (" \n ", " \n "),
]


@pytest.mark.parametrize(("html", "expected"), CASES)
def test_autop(html, expected):
    assert autop(html) == expected
