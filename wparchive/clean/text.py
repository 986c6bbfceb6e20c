"""Cleaning scraped plain text (a page as a crude scraper saw it, like the seed).

Nothing structural is left in such text but paragraphs and the blank lines
between them, so the rules act on whole paragraphs ("blocks"), and only at the
edges of the post: the head (before the body starts) and the tail (after it
ends). Scanning from the end, everything from the comments title or reply
heading on is the comment area; the boilerplate runs (Akismet's notice, the
XYZScripts credit, "Powered by WordPress"...) go; then the short widget lines
(tagline, the next post's title) between a break at the end of the body and
the comment area go, and separator lines at the edges. A block in the middle
of the post is never touched.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .engine import Cleaner, Removal, _Compiled, truncate
from .locales import normalize_text

_SPLIT = re.compile(r"(\n(?:[ \t\f\v]*\n)+)")
_QUOTE_CHARS = "\"'“”„‟«»‘’‚‹›「」『』"
_SENTENCE_END = re.compile(r"[.:;]$")
_HAS_WORD = re.compile(r"\w")
TRAILER_MAX_LINES = 4
TRAILER_MAX_CHARS = 120
TRAILER_MAX_WORDS = 15
_DATE = re.compile(
    r"^(?:\d{4}[-./]\s?\d{1,2}[-./]\s?\d{1,2}\.?"
    r"|\d{1,2}[-./]\s?\d{1,2}[-./]\s?\d{4}"
    r"|\d{4}\.\s+\w+\s+\d{1,2}\.?"
    r"|\w+\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\.?\s+(?:de\s+)?\w+\.?\s+(?:de\s+)?\d{4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:[,\s]+(?:\w+\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?)?$",
    re.I,
)


@dataclass
class Block:
    """One paragraph of the text and how many blank lines came before it."""

    text: str
    gap: int = 1


@dataclass
class TextOutcome:
    """What text cleaning kept and removed, plus the title a listing line confirmed."""

    blocks: list[Block]
    removed: list[Removal] = field(default_factory=list)
    title_hint: str | None = None


def split_blocks(text: str) -> list[Block]:
    """Paragraphs separated by blank lines; `gap` counts the blank lines before each."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _SPLIT.split(text)
    blocks: list[Block] = []
    gap = 1
    for i, part in enumerate(parts):
        if i % 2:
            gap = part.count("\n") - 1
            continue
        stripped = "\n".join(line.rstrip() for line in part.strip().splitlines())
        if stripped:
            blocks.append(Block(stripped, gap))
            gap = 1
        elif part:
            gap += part.count("\n")
    return blocks


def strip_quotes(text: str) -> str:
    return text.strip().strip(_QUOTE_CHARS).strip()


def is_separator(text: str) -> bool:
    """A line of no words (***, ---, • • •): dropping it can't lose a word."""
    return len(text) <= 40 and not _HAS_WORD.search(text)


def is_short_line(text: str) -> bool:
    return (
        "\n" not in text
        and len(text) <= TRAILER_MAX_CHARS
        and len(text.split()) <= TRAILER_MAX_WORDS
        and not _SENTENCE_END.search(text)
    )


def looks_like_date(text: str) -> bool:
    return len(text) <= 60 and bool(_DATE.match(text.strip()))


Matchers = list[tuple[_Compiled, re.Pattern[str]]]


def is_title_like(blocks: list[Block]) -> bool:
    """Whether the first block reads as a post title: one line, no full stop, more follows."""
    first = blocks[0].text if blocks else ""
    return len(blocks) > 1 and "\n" not in first and len(first) <= 300 and not first.endswith(".")


class TextCleaner:
    """The text-mode side of a `Cleaner`: its rules of kind ``text``."""

    def __init__(self, cleaner: Cleaner) -> None:
        self.cleaner = cleaner
        rules = cleaner.compiled("text")
        self.matchers = [c for c in rules if c.rule.match in ("text", "pattern") and c.regex]
        self.heuristics = {c.rule.value: c for c in rules if c.rule.match == "heuristic"}
        readmore = self.heuristics.get("readmore-title")
        self.readmore = None
        if readmore is not None and readmore.regex is not None:
            words = readmore.regex.pattern[len(r"^\s*") : -len(r"\s*$")]
            self.readmore = re.compile(r"^(?P<title>.{1,300}?)\s+" + words + r"\s*$", re.I | re.S)

    def _matchers(self, wheres: tuple[str, ...], title: str | None) -> Matchers:
        found = []
        for c in self.matchers:
            if c.rule.where in wheres and (regex := self.cleaner.regex_for(c, title)):
                found.append((c, regex))
        return found

    # -- matching ------------------------------------------------------------

    @staticmethod
    def _match(block: Block, rules: Matchers) -> _Compiled | None:
        text = normalize_text(block.text)
        for c, regex in rules:
            if c.rule.action != "remove_text" and regex.match(text):
                return c
        return None

    @staticmethod
    def _record(out: TextOutcome, c: _Compiled, text: str) -> None:
        out.removed.append(Removal(c.rule.id, c.rule.family, truncate(text)))

    # -- the passes ----------------------------------------------------------

    def clean(self, text: str) -> TextOutcome:
        """Clean the head, find the title (when the text starts with one), clean the tail."""
        out = TextOutcome(split_blocks(text))
        self._head(out)
        title = out.title_hint
        if title is None and is_title_like(out.blocks):
            title = normalize_text(out.blocks[0].text)
        self._tail(out, title)
        return out

    def _head(self, out: TextOutcome) -> None:
        blocks = out.blocks
        head = self._matchers(("head", "edge"), None)
        cutters = [(c, r) for c, r in head if c.rule.action == "remove_text"]
        separator = self.heuristics.get("separator")
        while blocks:
            block = blocks[0]
            hit = self._match(block, head)
            if hit is not None:
                self._record(out, hit, blocks.pop(0).text)
                continue
            for c, regex in cutters:
                m = regex.match(block.text)
                if m and block.text[m.end() :].strip():
                    self._record(out, c, m.group(0))
                    block.text = block.text[m.end() :].strip()
            if separator is not None and is_separator(block.text) and len(blocks) > 1:
                self._record(out, separator, blocks.pop(0).text)
                continue
            if self._readmore_line(out):
                continue
            break

    def _readmore_line(self, out: TextOutcome) -> bool:
        """A listing's "“Title” read-more" line, confirmed by the title itself a few blocks on."""
        rule = self.heuristics.get("readmore-title")
        if rule is None or self.readmore is None or len(out.blocks) < 2:
            return False
        first = out.blocks[0].text
        m = self.readmore.match(normalize_text(first)) if "\n" not in first else None
        if not m:
            return False
        title = strip_quotes(m.group("title"))
        for later in out.blocks[1:4]:
            if strip_quotes(normalize_text(later.text)) == title:
                self._record(out, rule, out.blocks.pop(0).text)
                out.title_hint = title
                return True
        return False

    def _tail(self, out: TextOutcome, title: str | None) -> None:
        blocks = out.blocks
        tail = self._matchers(("tail", "edge"), title)
        removed_tail = self._comments_section(out, tail, title)
        separator = self.heuristics.get("separator")
        while len(blocks) > 1:
            hit = self._match(blocks[-1], tail)
            if hit is None and separator is not None and is_separator(blocks[-1].text):
                hit = separator
            if hit is None:
                break
            self._record(out, hit, blocks.pop().text)
            removed_tail = True
        if removed_tail:
            self._trailer(out)

    def _comments_section(self, out: TextOutcome, tail: Matchers, title: str | None) -> bool:
        """Drop everything from the comments title / reply heading on; True when found."""
        rule = self.heuristics.get("comments-section")
        opener = self.cleaner.regex_for(rule, title) if rule is not None else None
        if rule is None or opener is None:
            return False
        blocks = out.blocks
        for k in range(1, len(blocks)):
            if not opener.match(normalize_text(blocks[k].text)):
                continue
            later = blocks[k + 1 :]
            if later and not any(self._match(b, tail) for b in later):
                continue  # an opener with no boilerplate after it: not the comment area
            for block in blocks[k:]:
                hit = self._match(block, tail) or rule
                self._record(out, hit, block.text)
            del blocks[k:]
            return True
        return False

    def _trailer(self, out: TextOutcome) -> None:
        """Short widget lines between a break at the body's end and the removed tail."""
        rule = self.heuristics.get("trailer-lines")
        separator = self.heuristics.get("separator")
        blocks = out.blocks
        if rule is not None:
            run = 0
            while run < min(TRAILER_MAX_LINES, len(blocks) - 2) and is_short_line(
                blocks[-1 - run].text
            ):
                start = len(blocks) - 1 - run
                if blocks[start].gap >= 2 or is_separator(blocks[start - 1].text):
                    for block in blocks[start:]:
                        self._record(out, rule, block.text)
                    del blocks[start:]
                    break
                run += 1
        while separator is not None and len(blocks) > 1 and is_separator(blocks[-1].text):
            self._record(out, separator, blocks.pop().text)


def blocks_to_html(blocks: list[Block]) -> str:
    """Paragraphs as ``<p>`` (single line breaks as ``<br>``)."""
    return "".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in b.text.split("\n")) + "</p>\n"
        for b in blocks
    )


def blocks_to_text(blocks: list[Block]) -> str:
    return "\n\n".join(b.text for b in blocks)
