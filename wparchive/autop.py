"""Paragraphs for classic-editor content, close to what WordPress's ``wpautop()`` shows.

Classic posts and comments are stored with bare line breaks: WordPress adds ``<p>`` and
``<br>`` only when it displays them. An export must do the same, or a Markdown converter
and a browser run every line together. Text outside any block element is split into
paragraphs at blank lines, with single line breaks as ``<br>``; text inside a block
element (a list item, a quote) only gets ``<br>`` where a line break falls between words.
Block-editor content, whose blocks already carry their markup, comes back as it is.
"""

from __future__ import annotations

import re

_BLOCK = (
    "address|article|aside|blockquote|body|caption|dd|details|dialog|div|dl|dt|fieldset|"
    "figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|html|li|main|menu|nav|ol|p|pre|"
    "section|summary|table|tbody|td|tfoot|th|thead|tr|ul|style|script|noscript|iframe|"
    "video|audio|object|embed|math|svg|select|option|textarea|map|area|col|colgroup|legend"
)
# A block tag. split() by it gives the text before the first tag, then for each tag: the
# tag, "/" if it closes, its name, "/" if it closes itself, and the text up to the next tag.
_TAG = re.compile(rf"(<(/?)({_BLOCK})\b[^>]*?(/?)>)", re.I)
_RAW = re.compile(r"<(pre|script|style|textarea)\b.*?</\1\s*>", re.I | re.S)
_VOID = frozenset({"hr", "area", "col", "embed"})
_BLOCK_MARKUP = re.compile(r"<!--\s*wp:")  # block-editor content carries its own markup
_BREAK_IN_TEXT = re.compile(r"(?<=\S)[ \t]*\r?\n[ \t]*(?=\S)")
_KEPT = re.compile(r'<pre data-wparchive-keep="(\d+)"></pre>')


def autop(html: str) -> str:
    """``html`` with paragraphs and line breaks where WordPress would show them."""
    if not html.strip() or _BLOCK_MARKUP.search(html):
        return html
    if not _TAG.search(html) and "\n" not in html.strip():
        return f"<p>{html.strip()}</p>"
    # Keep <pre>/<script>/<style> untouched: swap them out for placeholders.
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f'<pre data-wparchive-keep="{len(kept) - 1}"></pre>'

    if "\r" in html:  # a cheaper scan than replace's, which most content needs not
        html = html.replace("\r\n", "\n")
    text = _RAW.sub(keep, html)
    parts = _TAG.split(text)
    out = [_run(parts[0], 0)]
    depth = 0
    for i in range(1, len(parts), 5):
        tag, closing, name, self_closing, after = parts[i : i + 5]
        if not self_closing and name.lower() not in _VOID:
            depth = max(0, depth - 1) if closing else depth + 1
        out.append(tag)
        out.append(_run(after, depth))
    result = "".join(out)
    if not kept:
        return result
    return _KEPT.sub(lambda m: kept[int(m.group(1))], result)


def _run(text: str, depth: int) -> str:
    """Text between two block tags: paragraphs at the top level, line breaks inside."""
    if not text.strip():
        return text
    if depth:
        return _line_breaks(text)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    body = "\n\n".join("<p>" + _line_breaks(c) + "</p>" for c in chunks)
    return lead + body + trail


def _line_breaks(text: str) -> str:
    """``<br>`` at each line break between words."""
    # The pattern tries every position of the text: most runs (a paragraph's text inside
    # its <p>) have no line break at all, and are not scanned.
    if "\n" not in text:
        return text
    return _BREAK_IN_TEXT.sub("<br>\n", text)
