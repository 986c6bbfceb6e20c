"""Unrendered shortcodes, handled on the source text before it is parsed.

A shortcode is text, and the content of ``[caption]…[/caption]`` spans tags, so
this one pass works on the string. What must never be touched is masked first:
HTML comments, ``<pre>``/``<code>``/``<kbd>``/``<samp>``/``<textarea>``/
``<script>``/``<style>`` regions (authors discussing shortcodes put them there)
and every tag (attribute values). Escaped shortcodes (``[[gallery]]``) stay.
The tag grammar follows WordPress's ``get_shortcode_regex()``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

# The whole match is group 1, so `split` hands back text and masked regions in turn and
# masking needs no Python call per tag (a post has dozens of tags). Inside a tag, runs of
# plain characters are taken at once and never given back (`++`, `*+`): a tag's extent is
# unambiguous (quotes, then the first ">" outside them), so this matches exactly what a
# character-at-a-time loop would, in fewer steps.
_MASK = re.compile(
    r"(<!--.*?-->"
    r"|<(pre|code|kbd|samp|textarea|script|style|xmp)\b(?:[^'\">]++|\"[^\"]*\"|'[^']*')*+>.*?</\2\s*>"
    r"|</?[a-zA-Z!?](?:[^'\">]++|\"[^\"]*\"|'[^']*')*+>)",
    re.S | re.I,
)
_HOLE = re.compile("\ue000(\\d+)\ue001")
# WordPress's attribute grammar: no ']' and no '/' before ']' inside the tag.
_ATTRS = r"[^\]\/]*(?:\/(?!\])[^\]\/]*)*?"
_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
# wptexturize turns the quotes of a leftover shortcode into curly ones: undo that for parsing.
_CURLY = str.maketrans({"“": '"', "”": '"', "″": '"', "‘": "'", "’": "'", "′": "'"})
_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)\s*(.*)$", re.S | re.I)
_EMPTY_P = re.compile(r"<p>(?:\s|&nbsp;|\u00a0)*</p>\s*", re.I)


@dataclass
class ShortcodeRule:
    """The shortcode side of a rule: names (``vc_*`` = prefix), action, converter."""

    id: str
    family: str
    names: tuple[str, ...]
    action: str  # remove | unwrap | convert
    to: str | None = None
    text_attrs: dict[str, str] | None = None

    def __post_init__(self) -> None:
        # Compiled once per rule, not per document. "Not after a [" is written as a
        # lookbehind *after* the "[" (`\[(?<!\[\[)` is `(?<!\[)\[`): a pattern that starts
        # with a literal lets the regex engine skip to each "[" instead of trying every
        # position, which made these scans ten times slower.
        names = self.name_regex()
        self.open_tag = re.compile(rf"\[(?<!\[\[)({names})(?![\w-])({_ATTRS})(/)?\](?!\])")
        self.close_tag = re.compile(rf"\[(?<!\[\[)/({names})\](?!\])")
        self.paired = re.compile(
            rf"\[(?<!\[\[)({names})(?![\w-])({_ATTRS})\](.*?)\[/\1\](?!\])", re.S
        )

    def name_regex(self) -> str:
        alts = [
            re.escape(n[:-1]) + r"[\w-]*" if n.endswith("*") else re.escape(n) for n in self.names
        ]
        return "(?:" + "|".join(alts) + ")"


def parse_attrs(text: str) -> dict[str, str]:
    """A shortcode's attributes as WordPress's shortcode_parse_atts() reads them."""
    text = html.unescape(text).translate(_CURLY)
    attrs: dict[str, str] = {}
    positional = 0
    for m in _ATTR.finditer(text.strip() + " "):
        if m.group(1):
            attrs[m.group(1).lower()] = m.group(2)
        elif m.group(3):
            attrs[m.group(3).lower()] = m.group(4)
        elif m.group(5):
            attrs[m.group(5).lower()] = m.group(6)
        else:
            value = next((g for g in m.groups()[6:] if g is not None), "")
            attrs[str(positional)] = value
            positional += 1
    return attrs


_TOKENS = tuple(f"\ue000{i}\ue001" for i in range(4096))  # the hole marks, made once


def _mask(source: str) -> tuple[str, list[str]]:
    """`source` with every tag, comment and code region replaced by a numbered hole."""
    parts = _MASK.split(source)  # text, whole match, group 2, text, ..., text
    holes = parts[1::3]
    n = len(holes)
    parts[1::3] = _TOKENS[:n] if n <= len(_TOKENS) else [f"\ue000{i}\ue001" for i in range(n)]
    del parts[2::3]
    return "".join(parts), holes


def _unmask(text: str, holes: list[str]) -> str:
    parts = _HOLE.split(text)  # text, hole number, text, ..., text
    parts[1::2] = map(holes.__getitem__, map(int, parts[1::2]))
    return "".join(parts)


def _figure(attrs: dict[str, str], content: str) -> str | None:
    m = _IMAGE.match(content)
    if not m:
        return None
    image, rest = m.group(1), m.group(2).strip()
    caption = attrs.get("caption") or rest
    classes = " ".join(
        c for c in ("wp-caption", attrs.get("align", ""), attrs.get("class", "")) if c
    )
    ident = f' id="{html.escape(attrs["id"])}"' if attrs.get("id") else ""
    return (
        f'<figure{ident} class="{html.escape(classes)}">{image}'
        f'<figcaption class="wp-caption-text">{caption}</figcaption></figure>'
    )


def _gallery(attrs: dict[str, str], original: str) -> str:
    ids = f' data-ids="{html.escape(attrs["ids"])}"' if attrs.get("ids") else ""
    return f'<div class="wparchive-gallery"{ids} data-shortcode="{html.escape(original)}"></div>'


def _embed(attrs: dict[str, str], content: str) -> str | None:
    url = html.unescape(content.strip() or attrs.get("src", "") or attrs.get("0", ""))
    if not re.match(r"^https?://\S+$", url):
        return None
    safe = html.escape(url)
    return f'<figure class="wparchive-embed"><a href="{safe}">{safe}</a></figure>'


def _raw_html(content: str) -> str | None:
    """WPBakery stores raw HTML as base64 of the URL-encoded HTML."""
    try:
        decoded = base64.b64decode(content.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return urllib.parse.unquote(decoded)


Record = Callable[[str, str, str], None]  # (rule id, family, removed text)


def clean_shortcodes(source: str, rules: list[ShortcodeRule], record: Record) -> str:
    """`source` with the shortcodes of `rules` removed, unwrapped or converted.

    Returns `source` itself (the same object) when nothing changed.
    """
    if "\ue000" in source or "\ue001" in source:
        return source  # our mask characters are already in the text: don't risk it
    masked, holes = _mask(source)
    text = masked
    for rule in rules:
        if rule.action == "convert" or rule.action == "remove":

            def convert(m: re.Match[str], rule: ShortcodeRule = rule) -> str:
                original = _unmask(m.group(0), holes)
                attrs = parse_attrs(m.group(2))
                content = _unmask(m.group(3), holes)
                out = _convert(rule, attrs, content, original)
                if out is None:
                    return m.group(0)
                record(rule.id, rule.family, _opening(original))
                holes.append(out)
                return f"\ue000{len(holes) - 1}\ue001"

            text = rule.paired.sub(convert, text)
            if rule.to == "gallery" or rule.action == "remove":

                def single(m: re.Match[str], rule: ShortcodeRule = rule) -> str:
                    original = _unmask(m.group(0), holes)
                    record(rule.id, rule.family, original)
                    if rule.action == "remove":
                        return ""
                    holes.append(_gallery(parse_attrs(m.group(2)), original))
                    return f"\ue000{len(holes) - 1}\ue001"

                text = rule.open_tag.sub(single, text)
        if rule.action == "unwrap" or rule.action == "convert":
            # Wrappers go, their content stays; leftover tags of converted ones too.
            def unwrap(m: re.Match[str], rule: ShortcodeRule = rule) -> str:
                original = _unmask(m.group(0), holes)
                record(rule.id, rule.family, original)
                name = m.group(1).lower()
                if rule.text_attrs and name in rule.text_attrs and not original.startswith("[/"):
                    value = parse_attrs(m.group(2)).get(rule.text_attrs[name], "").strip()
                    if value:
                        # Blank lines make it a paragraph in raw content and stay harmless
                        # inside the <p> wpautop put around the tag in rendered content.
                        holes.append(f"\n\n{html.escape(urllib.parse.unquote(value))}\n\n")
                        return f"\ue000{len(holes) - 1}\ue001"
                return ""

            text = rule.open_tag.sub(unwrap, text)
            text = rule.close_tag.sub(lambda m, rule=rule: _close(m, rule, holes, record), text)
    if text == masked:
        return source
    result = _unmask(text, holes)
    # wpautop wrapped many leftover tags in their own <p>: drop the ones left empty (only
    # when the author's source had none of its own).
    if _EMPTY_P.search(result) and not _EMPTY_P.search(source):
        result = _EMPTY_P.sub("", result)
    return result


def _close(m: re.Match[str], rule: ShortcodeRule, holes: list[str], record: Record) -> str:
    record(rule.id, rule.family, _unmask(m.group(0), holes))
    return ""


def _opening(original: str) -> str:
    end = original.find("]")
    return original[: end + 1] if end >= 0 else original


def _convert(rule: ShortcodeRule, attrs: dict[str, str], content: str, original: str) -> str | None:
    if rule.action == "remove":
        return ""
    if rule.to == "figure":
        return _figure(attrs, content)
    if rule.to == "embed":
        return _embed(attrs, content)
    if rule.to == "raw-html":
        return _raw_html(content)
    if rule.to == "gallery":
        return _gallery(attrs, original)
    return None
