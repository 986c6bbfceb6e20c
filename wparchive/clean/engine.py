"""The cleaning engine: compile the rules once, parse each document once, apply them all.

`Cleaner` is built once per run (rules and localized patterns compiled there)
and then cleans any number of fields. For HTML it first runs a cheap, sound
pre-check: every rule that can be pre-checked carries *needles*, strings one of
which must occur in the source (as written or with its character references
decoded, compared case-insensitively) for the rule to possibly match; a field
where no rule's needles occur is returned as it is, without parsing. Classes,
ids, attribute values and comment markers can't reach the parsed tree without
their characters being in the source, so this never skips a real match (rules
whose match can't be reduced to needles, e.g. localized text, always run; they
apply to pages and scraped text, not to post fields). A whole page is always
parsed (its text rules always run), so its css rules are checked against the
classes and ids of the parsed page instead of their needles. When rules fire,
the output is re-serialised; when none does, the input comes back unchanged,
byte for byte.
"""

from __future__ import annotations

import html as html_mod
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import lxml.html
from lxml import etree

from ..model import Comment, Post
from .css import Requirement, css_to_xpath, keyed_selectors, requirements, split_group
from .locales import collect_strings, normalize_text, patterns_for
from .needles import needle_set
from .rules import KINDS, Rule, select_rules
from .shortcodes import ShortcodeRule, clean_shortcodes

if TYPE_CHECKING:
    from .text import TextCleaner, TextOutcome

Kind = Literal["content", "excerpt", "comment", "page"]

TRUNCATE = 200
_NS = {"re": "http://exslt.org/regular-expressions"}

# Containers that are dropped when our removal leaves them empty (never the author's own
# empty ones: only a parent emptied by a removal is considered).
_PRUNABLE = frozenset(
    {"p", "span", "li", "ul", "ol", "div", "section", "aside", "footer", "figure", "nav", "center"}
)
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "center",
    }
)  # fmt: skip
_NO_TEXT = frozenset({"script", "style", "template", "noscript"})
_PROTECTED = frozenset({"pre", "code", "kbd", "samp", "textarea", "script", "style", "xmp"})
_PARA_SPLIT = re.compile(r"(\n[ \t\r\f\v]*\n\s*)")
_LAZY_PLACEHOLDER = re.compile(r"^(?:$|data:|about:blank)|lazy|blank\.gif|placeholder|spacer", re.I)
_LAZY_ATTRS = (
    "data-lazy-src", "data-src", "data-orig-src", "data-lazy-srcset", "data-srcset",
    "data-lazy-sizes", "data-lazy-loaded", "data-lazy-type", "data-ll-status",
)  # fmt: skip
_LAZY_CLASSES = frozenset(
    {"jetpack-lazy-image", "jetpack-lazy-image--handled", "lazyload", "lazyloaded", "lazy"}
)


@dataclass(frozen=True)
class Removal:
    """One thing a rule removed or changed: the rule, its family, the text it took away."""

    rule: str
    family: str
    text: str


@dataclass
class CleanResult:
    """The cleaned form of one field and the ledger of what the rules did to it.

    ``html`` is the cleaned HTML (for `Cleaner.clean_text`: the kept paragraphs as
    ``<p>``); ``text`` is set by `Cleaner.clean_text` to the kept plain text.
    """

    html: str
    removed: list[Removal] = field(default_factory=list)
    text: str | None = None
    # Why the field's HTML was left as it was, when it could not be cleaned safely.
    not_cleaned: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def truncate(text: str, limit: int = TRUNCATE) -> str:
    """One line of at most `limit` characters (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ledger(removed: Iterable[Removal], field_name: str) -> list[dict[str, object]]:
    """Provenance entries: one per rule that fired in a field, with the (truncated) texts
    it removed and how many times it fired (a block editor post fires the block-comment
    rule once per block)."""
    fired: dict[str, tuple[str, list[str], list[int]]] = {}  # rule → (family, texts, [count])
    for r in removed:  # (rules in the order they first fired)
        entry = fired.get(r.rule)
        if entry is None:
            entry = fired[r.rule] = (r.family, [], [0])
        entry[2][0] += 1
        if r.text and r.text not in entry[1]:
            entry[1].append(r.text)
    return [
        {
            "rule": rule,
            "family": family,
            "field": field_name,
            "text": truncate(" | ".join(texts)),
            "count": count[0],
        }
        for rule, (family, texts, count) in fired.items()
    ]


def text_of(el: etree._Element) -> str:
    """An element's visible text (scripts and styles left out), whitespace collapsed."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        # Blocks and line breaks separate words; inline tags don't ("Lea<b>ve</b>").
        gap = " " if node.tag in BLOCK_TAGS or node.tag == "br" else ""
        parts.append(gap + (node.text or ""))
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
                walk(child)
            parts.append(child.tail or "")
        parts.append(gap)

    if isinstance(el.tag, str):
        walk(el)
    return normalize_text("".join(parts))


def _describe(el: etree._Element) -> str:
    """What a removed element held: its text, or its start tag when it has none."""
    if isinstance(el.tag, str):
        text = text_of(el)
        if text:
            return truncate(text)
        attrs = " ".join(f'{k}="{v}"' for k, v in list(el.attrib.items())[:3])
        src = (el.text or "").strip() if el.tag in ("script", "style") else ""
        return truncate(f"<{el.tag}{' ' + attrs if attrs else ''}>" + (" " + src if src else ""))
    return truncate(f"<!--{el.text or ''}-->")


def _attached(el: etree._Element, root: etree._Element) -> bool:
    top = el
    while (parent := top.getparent()) is not None:
        top = parent
    return top is root


def _drop_tree(el: etree._Element, parent: etree._Element | None = None) -> None:
    """Remove `el` and its content, keeping its tail text (lxml.html's ``drop_tree``)."""
    if parent is None:
        parent = el.getparent()
    assert parent is not None
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def _drop_tag(el: etree._Element) -> None:
    """Remove `el`'s tags, keeping its text and children (lxml.html's ``drop_tag``)."""
    parent = el.getparent()
    assert parent is not None
    previous = el.getprevious()
    if el.text and isinstance(el.tag, str):
        if previous is None:
            parent.text = (parent.text or "") + el.text
        else:
            previous.tail = (previous.tail or "") + el.text
    if el.tail:
        if len(el):
            last = el[-1]
            last.tail = (last.tail or "") + el.tail
        elif previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    index = parent.index(el)
    parent[index : index + 1] = el[:]


def _drop(el: etree._Element, root: etree._Element) -> None:
    """Remove `el` (keeping its tail text), then any parent our removal left empty."""
    parent = el.getparent()
    _drop_tree(el, parent)
    for _ in range(3):
        if (
            parent is None
            or parent is root
            or parent.tag not in _PRUNABLE
            or len(parent)
            or (parent.text or "").strip()
            or (parent.tag != "p" and parent.get("id"))
        ):
            return
        grand = parent.getparent()
        _drop_tree(parent, grand)
        parent = grand


def _replace_with_text(el: etree._Element, text: str) -> None:
    parent = el.getparent()
    joined = text + (el.tail or "")
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(el)


def _in_protected(el: etree._Element) -> bool:
    """Inside, or holding, code the author wrote (pre, code, kbd...): text rules keep off."""
    if any(a.tag in _PROTECTED for a in el.iterancestors()):
        return True
    return next(el.iter(*_PROTECTED), None) is not None


# Fields and pages are parsed by a plain libxml2 HTML parser: lxml.html's parser gives the
# same tree, but looks up its element classes with a Python call for every element touched.
_PARSER = etree.HTMLParser()
_FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.I)


def parse_document(source: str) -> etree._Element:
    """A whole page parsed, as ``lxml.html.document_fromstring(source)`` parses it."""
    doc = etree.fromstring(source, _PARSER)
    if doc is None:
        raise etree.ParserError("Document is empty")
    return doc


def parse_fragment(source: str) -> etree._Element:
    """`source` parsed into a new <div>, as ``lxml.html.fragment_fromstring(source,
    create_parent="div")`` parses it (the same steps, the same errors)."""
    if not _FULL_HTML.match(source):
        source = f"<html><body>{source}</body></html>"
    doc = parse_document(source)
    assert doc.tag == "html"  # (the HTML parser makes no namespaced tags)
    bodies = [e for e in doc if e.tag == "body"]
    assert len(bodies) == 1, f"too many bodies: {bodies!r}"
    body = bodies[0]
    root = _PARSER.makeelement("div")
    if body.text and body.text.strip():  # leading whitespace alone is dropped
        root.text = body.text
    root.extend(body)
    return root


# libxml2's HTML parser stops at this depth and drops the rest of the document: a field
# nested deeper is left as it was (serialising the tree would lose its end).
MAX_DEPTH = 256
DEEP_NESTING = f"elements nested more than {MAX_DEPTH} deep: left as it was"


def _cut_short(source: str) -> bool:
    """Whether the last parse of `source` stopped before its end (too deep nesting)."""
    if source.count("<") < MAX_DEPTH:
        return False  # (the cheap test first: each level takes a tag)
    return any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in _PARSER.error_log)


@dataclass
class _Compiled:
    rule: Rule
    xpath: etree.XPath | None = None
    regex: re.Pattern[str] | None = None
    shortcode: ShortcodeRule | None = None
    needles: tuple[str, ...] | None = None
    needle_regex: re.Pattern[str] | None = None
    # A css rule's class tokens and ids, one set per selector of its group (css.requirements).
    requires: list[Requirement] | None = None
    # A css rule whose selectors are each one compound needing a class or an id: for each,
    # its test of one element, and the id (True) or class token its matches carry (css.Keyed).
    keyed: list[tuple[etree.XPath, str, bool]] | None = None
    # A css rule's XPath for some of its group's selectors (by their indexes), made when
    # a page first has the classes and ids of those alone (`_Attributes.matches`).
    partial: dict[tuple[int, ...], etree.XPath] = field(default_factory=dict)

    def xpath_of(self, selectors: tuple[int, ...]) -> etree.XPath:
        """The XPath of the selectors of this css rule's group at these indexes."""
        xpath = self.partial.get(selectors)
        if xpath is None:
            group = split_group(self.rule.value)
            chosen = ", ".join(group[i] for i in selectors)
            xpath = self.partial[selectors] = etree.XPath(css_to_xpath(chosen), namespaces=_NS)
        return xpath


# The elements of a parsed page that have a class or an id: a css rule none of whose
# selectors has its classes and ids there is not evaluated, and one whose selectors are
# each a class or an id (and conditions) tests just the elements that carry it. A page's
# needles say little (its stylesheets name the classes of every block), and a selector's
# XPath costs a test of every element of the page.
_KEYED = etree.XPath("descendant-or-self::*[@class or @id]")
_XML_SPACE = re.compile("[ \t\n\r]+")  # (what normalize-space() separates tokens by)

_Index = tuple[
    dict[str, list[etree._Element]], dict[str, list[etree._Element]], dict[etree._Element, int]
]


class _Attributes:
    """A tree's elements by class token and by id (and their document order), gathered in
    one pass when first asked."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._index: _Index | None = None

    def _gather(self) -> _Index:
        by_class: dict[str, list[etree._Element]] = {}
        by_id: dict[str, list[etree._Element]] = {}
        order: dict[etree._Element, int] = {}
        for position, el in enumerate(_KEYED(self.root)):
            order[el] = position
            classes = el.get("class")
            if classes:
                for token in set(_XML_SPACE.split(classes)):
                    by_class.setdefault(token, []).append(el)
            ident = el.get("id")
            if ident is not None:
                by_id.setdefault(ident, []).append(el)
        return by_class, by_id, order

    def matches(self, c: _Compiled) -> list[etree._Element]:
        """What css rule `c`'s XPath finds (it has `requires`), in document order, found
        with less work: selectors whose classes and ids the tree lacks are left out (a
        page's comment form has one of eight reply-link selectors' classes), and a keyed
        rule's tests are asked only of the elements with their class or id."""
        assert c.requires is not None and c.xpath is not None
        if self._index is None:
            self._index = self._gather()
        by_class, by_id, order = self._index
        live = tuple(
            i
            for i, (need, ids) in enumerate(c.requires)
            if all(k in by_class for k in need) and all(k in by_id for k in ids)
        )
        if not live:
            return []
        if c.keyed is None:
            xpath = c.xpath if len(live) == len(c.requires) else c.xpath_of(live)
            return xpath(self.root)
        found: set[etree._Element] = set()
        for i in live:
            test, key, is_id = c.keyed[i]
            carriers = (by_id if is_id else by_class)[key]
            found.update(el for el in carriers if el not in found and test(el))
        return sorted(found, key=order.__getitem__)

    def changed(self) -> None:
        """The tree gained elements or attributes (a converter acted): gather again."""
        self._index = None


class _Prefilter:
    """The pre-check of one kind's rules (module doc), prepared once per `Cleaner`.

    A rule may match when it has no needles, when one of its needles is in the source
    (as written or decoded, case-insensitively), or when its needle regex matches; every
    needle is looked for in one scan (`NeedleSet`), and what each needle selects is
    known in advance.

    With `by_attributes` (whole pages: parsed anyway when some rule always runs), css
    rules that need classes or ids are left to the parsed page's own (`_Attributes`), a
    sharper test than their needles: the scan is then of the other rules' needles alone.
    """

    def __init__(self, rules: list[_Compiled], *, by_attributes: bool = False) -> None:
        self.rules = rules
        # (Only where every source is parsed anyway: when some rule always runs.)
        by_attributes = by_attributes and any(c.needles is None for c in rules)
        needles = [None if by_attributes and c.requires is not None else c.needles for c in rules]
        self.needles = needle_set(frozenset(n for ns in needles for n in (ns or ())))
        self.always = frozenset(i for i, ns in enumerate(needles) if ns is None)
        self.by_needle: dict[str, list[int]] = {}
        for i, ns in enumerate(needles):
            for n in ns or ():
                self.by_needle.setdefault(n, []).append(i)
        self.by_regex = [(i, c.needle_regex) for i, c in enumerate(rules) if c.needle_regex]
        # Whole-block rules at the edges: their needle regex is asked only when a block
        # matches them (`_Gate`), not of every field (a scan of the source each time).
        self.deferrable = frozenset(
            i
            for i, c in enumerate(rules)
            if c.rule.match in ("text", "pattern") and c.rule.action == "remove"
        )

    def candidates(self, source: str) -> list[_Compiled]:
        rules, gate = self.select(source, defer=False)
        return rules

    def select(self, source: str, *, defer: bool = True) -> tuple[list[_Compiled], _Gate | None]:
        """The candidates, and the gate of those whose needle regex is yet to be asked."""
        present = self.needles.present(source.lower())
        decoded = html_mod.unescape(source) if "&" in source else None
        if decoded is not None and decoded != source:
            present |= self.needles.present_decoded(source, decoded)
        chosen = set(self.always)
        for n in present:
            chosen.update(self.by_needle[n])
        pending: list[tuple[int, re.Pattern[str]]] = []
        for i, regex in self.by_regex:
            if i in chosen:
                continue
            if defer and i in self.deferrable:
                pending.append((i, regex))
            elif _search(regex, source, decoded):
                chosen.add(i)
        gate = None
        if pending:
            if any(self.rules[i].shortcode is None for i in chosen):
                # The field is parsed anyway: each regex is asked when its rule would act.
                gate = _Gate(source, decoded, {id(self.rules[i]): rx for i, rx in pending})
                chosen.update(i for i, _ in pending)
            else:  # they alone would have the field parsed: ask now
                chosen.update(i for i, rx in pending if _search(rx, source, decoded))
        if not chosen:
            return [], None
        return [self.rules[i] for i in sorted(chosen)], gate


def _search(regex: re.Pattern[str], source: str, decoded: str | None) -> bool:
    """Whether a needle regex matches the source as written or decoded."""
    return bool(regex.search(source) or (decoded is not None and regex.search(decoded)))


class _Gate:
    """Needle regexes of some candidate rules, asked of the source only when needed."""

    def __init__(
        self, source: str, decoded: str | None, regexes: dict[int, re.Pattern[str]]
    ) -> None:
        self.source, self.decoded = source, decoded
        self.regexes = regexes  # id(_Compiled) → its needle regex
        self._answers: dict[int, bool] = {}

    def allows(self, c: _Compiled) -> bool:
        """Whether rule `c` passes the pre-check (always, for rules without a regex here)."""
        regex = self.regexes.get(id(c))
        if regex is None:
            return True
        if id(c) not in self._answers:
            self._answers[id(c)] = _search(regex, self.source, self.decoded)
        return self._answers[id(c)]


class Cleaner:
    """Removes plugin and theme artifacts from WordPress HTML and scraped text.

    Build one per run: the rules (`wparchive.clean.rules`) and the localized
    patterns of `locale` (plus a site's own gettext catalogs in `l10n_dirs`) are
    compiled here. `keep` names families whose artifacts stay; `only` restricts
    cleaning to the named families. An unknown or missing locale uses every table.
    """

    def __init__(
        self,
        locale: str | None = None,
        *,
        keep: Iterable[str] = (),
        only: Iterable[str] = (),
        l10n_dirs: Iterable[Path | str] = (),
    ) -> None:
        self.locale = locale
        self.keep = frozenset(keep)
        self.only = frozenset(only)
        self.l10n_dirs = tuple(Path(d) for d in l10n_dirs)
        for d in self.l10n_dirs:
            if not d.is_dir():
                raise ValueError(f"--l10n {d}: not a directory")
        self.rules = select_rules(self.keep, self.only)
        self.strings = collect_strings(locale, self.l10n_dirs)
        self._regexes: dict[tuple[object, ...], re.Pattern[str] | None] = {}
        self._comment_memo: dict[tuple[int, ...], dict[str, tuple[int, str]]] = {}
        compiled = [self._compile(rule) for rule in self.rules]
        self._by_kind: dict[str, list[_Compiled]] = {
            kind: [c for c in compiled if kind in c.rule.kinds] for kind in KINDS
        }
        self._text: TextCleaner | None = None
        self._prefilters = {
            kind: _Prefilter(rules, by_attributes=kind == "page")
            for kind, rules in self._by_kind.items()
        }

    # --- compilation ---------------------------------------------------------

    def _compile(self, rule: Rule) -> _Compiled:
        c = _Compiled(rule, needles=rule.needles)
        if rule.needle_pattern is not None:
            c.needle_regex = re.compile(rule.needle_pattern, re.I)
        if rule.match == "css":
            c.xpath = etree.XPath(css_to_xpath(rule.value), namespaces=_NS)
            c.requires = requirements(rule.value)
            keyed = keyed_selectors(rule.value)
            if keyed is not None:
                c.keyed = [(etree.XPath(k.test, namespaces=_NS), k.key, k.is_id) for k in keyed]
        elif rule.match == "xpath":
            c.xpath = etree.XPath(rule.value, namespaces=_NS)
        elif rule.match in ("comment", "pattern"):
            c.regex = re.compile(rule.value, re.I | re.S)
        elif rule.match == "shortcode":
            c.shortcode = ShortcodeRule(
                rule.id,
                rule.family,
                rule.value,
                rule.action,
                rule.to,
                rule.options.get("text_attrs"),
            )
        elif rule.match == "text":
            c.regex = self.text_regex(rule.value, sequence=rule.sequence)
        elif rule.match == "heuristic" and rule.text_keys:
            c.regex = self.text_regex(rule.text_keys)
        return c

    def text_regex(
        self, keys: Iterable[str], *, sequence: bool = False, title: str | None = None
    ) -> re.Pattern[str] | None:
        """The whole-block regex of the localized strings of `keys` (None: no forms known).

        With the post's `title`, strings that name the post ("One response to “%s”")
        match that title only.
        """
        cache_key = (tuple(keys), sequence, title)
        if cache_key in self._regexes:
            return self._regexes[cache_key]
        patterns = patterns_for(self.strings, cache_key[0], title)
        regex = None
        if patterns:
            alt = "(?:" + "|".join(patterns) + ")"
            body = alt + (r"(?:\s+" + alt + ")*" if sequence else "")
            regex = re.compile(r"^\s*" + body + r"\s*$", re.I | re.S)
        if len(self._regexes) > 256:
            self._regexes.clear()
        self._regexes[cache_key] = regex
        return regex

    def regex_for(self, c: _Compiled, title: str | None) -> re.Pattern[str] | None:
        """A text rule's regex, made specific to the post's `title` when it is known."""
        if title and c.rule.match in ("text", "heuristic") and c.regex is not None:
            keys = c.rule.value if c.rule.match == "text" else c.rule.text_keys
            return self.text_regex(keys, sequence=c.rule.sequence, title=title)
        return c.regex

    def compiled(self, kind: str) -> list[_Compiled]:
        """The compiled rules that apply to `kind`, in application order."""
        return self._by_kind[kind]

    # --- records -----------------------------------------------------------------

    def clean_post(self, post: Post) -> Post:
        """Set ``post.content.html`` and ``post.excerpt.html`` from their ``raw`` forms
        (never touching ``raw``) and record ``post.provenance["removed"]``: one entry per
        rule that fired, ``{"rule", "family", "field", "text", "count"}``, only when
        something fired."""
        return clean_post(self, post)

    def clean_comment(self, comment: Comment) -> Comment:
        """Set ``comment.content.html`` from ``comment.content.raw``.

        The ledger goes to ``comment.provenance["removed"]`` when the record has a
        ``provenance`` dict.
        """
        return clean_comment(self, comment)

    def clean_text(self, text: str) -> CleanResult:
        """Clean scraped plain text (paragraphs separated by blank lines).

        ``result.text`` is the kept text, ``result.html`` the same as ``<p>``
        paragraphs. Rules act on whole paragraphs at the head and tail of the text.
        """
        from .text import blocks_to_html, blocks_to_text

        out = self.text_pass(text)
        return CleanResult(blocks_to_html(out.blocks), out.removed, blocks_to_text(out.blocks))

    def text_pass(self, text: str) -> TextOutcome:
        """The blocks of scraped text the text rules keep, and what they removed."""
        from .text import TextCleaner

        if self._text is None:
            self._text = TextCleaner(self)
        return self._text.clean(text)

    # --- HTML ------------------------------------------------------------------

    def candidates(self, source: str, kind: str) -> list[_Compiled]:
        """The rules of `kind` that may match `source`: the sound pre-check (module doc)."""
        return self._prefilters[kind].candidates(source)

    def clean_html(self, html: str, *, kind: Kind = "content") -> CleanResult:
        """Clean one HTML field: a post's content or excerpt, a comment, or a whole page.

        Returns the cleaned HTML and the removals; when no rule fires, ``html`` is
        returned unchanged.
        """
        if kind not in ("content", "excerpt", "comment", "page"):
            raise ValueError(f"kind must be content, excerpt, comment or page, not {kind!r}")
        if not html or html.isspace():
            return CleanResult(html)
        rules, gate = self._prefilters[kind].select(html)
        if not rules:
            return CleanResult(html)
        removed: list[Removal] = []
        source = self.clean_shortcodes(html, rules, removed)
        dom_rules = [c for c in rules if c.shortcode is None]
        if not dom_rules:
            return CleanResult(source, removed)
        try:
            root = self.parse(source, kind)
        except (etree.ParserError, ValueError, AssertionError):
            # lxml.html refuses some broken fragments ("too many bodies"): leave them be.
            return CleanResult(source, removed)
        if _cut_short(source):
            return CleanResult(source, removed, not_cleaned=DEEP_NESTING)
        fired = self.apply(root, dom_rules, removed, by_attributes=kind == "page")
        if kind != "page":
            fired += self.apply_edges(root, dom_rules, removed, gate=gate)
        if not fired:
            return CleanResult(source, removed)
        return CleanResult(self.serialise(root, kind), removed)

    def clean_shortcodes(self, source: str, rules: list[_Compiled], removed: list[Removal]) -> str:
        """Run the shortcode rules among `rules` on the source text (see `.shortcodes`)."""
        shortcode_rules = [c.shortcode for c in rules if c.shortcode is not None]
        if not shortcode_rules:
            return source
        return clean_shortcodes(
            source,
            shortcode_rules,
            lambda rule, family, text: removed.append(Removal(rule, family, truncate(text))),
        )

    @staticmethod
    def parse(source: str, kind: str) -> etree._Element:
        """Parse a page as a document, anything else as a fragment inside a <div>."""
        if kind == "page":
            return parse_document(source)
        return parse_fragment(source)

    @staticmethod
    def serialise(root: etree._Element, kind: str) -> str:
        if kind == "page":
            return lxml.html.tostring(root, encoding=str, method="html", doctype="<!DOCTYPE html>")
        return inner_html(root)

    def apply(
        self,
        root: etree._Element,
        rules: list[_Compiled],
        removed: list[Removal],
        *,
        by_attributes: bool = False,
    ) -> int:
        """Apply the structural rules (css, xpath, comment markers) to a parsed tree.

        With `by_attributes` (whole pages), css rules whose classes and ids the tree
        lacks are passed over without evaluating them, and so are the selectors of a
        group that lack theirs (`_Attributes`).
        """
        fired = 0
        comment_rules = [c for c in rules if c.rule.match == "comment"]
        attributes = _Attributes(root) if by_attributes else None
        for c in rules:
            if c.rule.match == "comment" and c is comment_rules[0]:
                fired += self._apply_comments(root, comment_rules, removed)
                if attributes is not None:
                    attributes.changed()  # (a block reference becomes a <div>)
            if c.xpath is None:
                continue
            if attributes is not None and c.requires is not None:
                found = attributes.matches(c)
            else:
                found = c.xpath(root)
            for el in found:
                if not isinstance(el, etree._Element) or el is root or not _attached(el, root):
                    continue
                text = self._act(c.rule, el, root)
                if text is not None:
                    removed.append(Removal(c.rule.id, c.rule.family, text))
                    fired += 1
                    if attributes is not None and c.rule.action == "convert":
                        attributes.changed()
        return fired

    def _apply_comments(
        self, root: etree._Element, rules: list[_Compiled], removed: list[Removal]
    ) -> int:
        fired = 0
        # Which rule (its index, -1: none) each comment text matches, and its ledger text,
        # remembered: block markers ("wp:paragraph") repeat in every post.
        memo = self._comment_memo.setdefault(tuple(map(id, rules)), {})
        if len(memo) > 4096:
            memo.clear()
        for node in list(root.iter(etree.Comment)):
            body = node.text or ""
            known = memo.get(body)
            if known is None:
                matching = (i for i, c in enumerate(rules) if c.regex and c.regex.search(body))
                known = memo[body] = (next(matching, -1), truncate(f"<!--{body}-->"))
            index, described = known
            if index < 0:
                continue
            rule = rules[index].rule
            if rule.action == "remove" and node.getparent() is root:
                # The common case, `_act` made short: nothing to prune above the root.
                text: str | None = described  # (what `_describe` says of a comment)
                _drop_tree(node, root)
            else:
                text = self._act(rule, node, root)
            if text is not None:
                removed.append(Removal(rule.id, rule.family, text))
                fired += 1
        return fired

    def _act(self, rule: Rule, el: etree._Element, root: etree._Element) -> str | None:
        """Do `rule`'s action on `el`; the ledger text, or None when nothing changed."""
        if rule.action == "remove":
            text = _describe(el)
            _drop(el, root)
            return text
        if rule.action == "unwrap":
            attrs = " ".join(f'{k}="{v}"' for k, v in list(el.attrib.items())[:2])
            _drop_tag(el)
            return truncate(f"<{el.tag} {attrs}>")
        if rule.action == "convert":
            return getattr(self, "_to_" + rule.to.replace("-", "_"))(el, root)
        return None

    # --- converters ------------------------------------------------------------

    def _to_alt_text(self, el: etree._Element, root: etree._Element) -> str:
        alt = el.get("alt", "")
        _replace_with_text(el, alt)
        return alt or "<img>"

    def _to_block_ref(self, node: etree._Element, root: etree._Element) -> str | None:
        body = (node.text or "").strip()
        m = re.search(r"\{.*\}", body)
        try:
            ref = int(json.loads(m.group(0))["ref"]) if m else None
        except (ValueError, KeyError, TypeError):
            ref = None
        if ref is None:
            return None
        div = lxml.html.Element("div", {"class": "wparchive-block-ref", "data-ref": str(ref)})
        div.tail = node.tail
        node.getparent().replace(node, div)
        return truncate(f"<!--{node.text}-->")

    def _to_lazy_image(self, img: etree._Element, root: etree._Element) -> str | None:
        real = next(
            (img.get(a) for a in ("data-lazy-src", "data-src", "data-orig-src") if img.get(a)), None
        )
        src = img.get("src", "")
        placeholder = bool(_LAZY_PLACEHOLDER.search(src))
        changed = False
        if real and placeholder and real != src:
            img.set("src", real)
            changed = True
        real_set = img.get("data-lazy-srcset") or img.get("data-srcset")
        if real_set and (placeholder or not img.get("srcset")):
            img.set("srcset", real_set)
            changed = True
        if not changed:
            return None
        for attr in _LAZY_ATTRS:
            img.attrib.pop(attr, None)
        classes = [c for c in img.get("class", "").split() if c not in _LAZY_CLASSES]
        if classes:
            img.set("class", " ".join(classes))
        else:
            img.attrib.pop("class", None)
        return truncate(f"lazy placeholder → {img.get('src')}")

    def _to_noscript_twin(self, noscript: etree._Element, root: etree._Element) -> str | None:
        images = [e for e in noscript if isinstance(e.tag, str)]
        if len(images) != 1 or images[0].tag != "img" or text_of(noscript):
            return None
        twin_src = images[0].get("src", "")
        for neighbour in (noscript.getprevious(), noscript.getnext()):
            candidates = [] if neighbour is None else [neighbour, *neighbour.iter("img")]
            for img in candidates:
                if img.tag != "img":
                    continue
                lazy = any(img.get(a) for a in _LAZY_ATTRS) or bool(
                    _LAZY_CLASSES & set(img.get("class", "").split())
                )
                if img.get("src") == twin_src or lazy:
                    _drop(noscript, root)
                    return truncate(f"<noscript><img src={twin_src}></noscript>")
        return None

    # --- text rules at the edges of an HTML fragment -----------------------------

    def apply_edges(
        self,
        container: etree._Element,
        rules: list[_Compiled],
        removed: list[Removal],
        title: str | None = None,
        gate: _Gate | None = None,
    ) -> int:
        """Apply text and pattern rules to the first and last blocks of `container`.

        Text rules never act in the middle of a post: only the leading run of blocks
        (``where`` head/edge) and the trailing run (tail/edge) are looked at, and a
        block must match a rule as a whole (``remove_text`` rules cut a match at the
        block's end or start). A rule that `gate` does not allow is passed over.
        """
        text_rules = [c for c in rules if c.rule.match in ("text", "pattern") and c.regex]
        if not text_rules:
            return 0
        fired = 0
        for from_end, wheres in ((True, ("tail", "edge")), (False, ("head", "edge"))):
            active = [
                (c, regex)
                for c in text_rules
                if c.rule.where in wheres and (regex := self.regex_for(c, title)) is not None
            ]
            while active:
                block = _edge_block(container, from_end)
                if block is None:
                    break
                hit = self._edge_hit(block, active, from_end, gate)
                if hit is None:
                    break
                c, text = hit
                removed.append(Removal(c.rule.id, c.rule.family, truncate(text)))
                fired += 1
                if c.rule.action == "remove_text":
                    break  # a cut leaves the block's text: look no further
        return fired

    def _edge_hit(
        self,
        block: _Block,
        rules: list[tuple[_Compiled, re.Pattern[str]]],
        from_end: bool,
        gate: _Gate | None = None,
    ) -> tuple[_Compiled, str] | None:
        text = block.text()
        for c, regex in rules:
            if c.rule.action == "remove_text":
                if block.protected():
                    return None
                cut = block.cut(regex, from_end)
                if cut:
                    return c, cut
            elif regex.match(text) and (gate is None or gate.allows(c)):
                if block.protected():
                    return None
                block.remove()
                return c, text
        return None


class _Block:
    """The first or last block of a fragment: an element, or a paragraph of loose text."""

    def __init__(
        self,
        container: etree._Element,
        el: etree._Element | None,
        owner: etree._Element | None,
        attr: str,
        from_end: bool,
    ) -> None:
        self.container, self.el, self.owner, self.attr, self.from_end = (
            container,
            el,
            owner,
            attr,
            from_end,
        )

    def _loose(self) -> tuple[str, str, str]:
        """(before, paragraph, after) of the loose text this block is part of."""
        assert self.owner is not None
        full = getattr(self.owner, self.attr) or ""
        parts = _PARA_SPLIT.split(full)
        if self.from_end:
            while parts and not parts[-1].strip():
                parts.pop()
            return "".join(parts[:-1]), parts[-1] if parts else "", full[len("".join(parts)) :]
        lead = ""
        while parts and not parts[0].strip():
            lead += parts.pop(0)
        return lead, parts[0] if parts else "", "".join(parts[1:])

    def protected(self) -> bool:
        """A block element holding or inside code (`_in_protected`) is no block: text rules
        keep off it. Asked only when a rule would act (most blocks match no rule)."""
        return self.el is not None and _in_protected(self.el)

    def text(self) -> str:
        if self.el is not None:
            return text_of(self.el)
        return normalize_text(self._loose()[1])

    def remove(self) -> None:
        if self.el is not None:
            _drop(self.el, self.container)
            return
        before, _, after = self._loose()
        setattr(
            self.owner,
            self.attr,
            before.rstrip() + after if self.from_end else before + after.lstrip(),
        )

    def cut(self, regex: re.Pattern[str], from_end: bool) -> str | None:
        """Remove `regex`'s match from the block's last (or first) text; the removed text."""
        owner, attr = (
            (self.owner, self.attr) if self.el is None else _edge_text_node(self.el, from_end)
        )
        if owner is None:
            return None
        value = getattr(owner, attr) or ""
        m = regex.search(value)
        if not m or not value[: m.start()].strip() and not value[m.end() :].strip():
            return None
        setattr(owner, attr, value[: m.start()] + value[m.end() :])
        return m.group(0).strip() or m.group(0)


def _edge_text_node(el: etree._Element, from_end: bool) -> tuple[etree._Element | None, str]:
    """The (element, 'text'|'tail') holding the last (first) text inside `el`."""
    if from_end:
        for child in reversed(el):
            if (child.tail or "").strip():
                return child, "tail"
            if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
                owner, attr = _edge_text_node(child, True)
                if owner is not None:
                    return owner, attr
        return (el, "text") if (el.text or "").strip() else (None, "")
    if (el.text or "").strip():
        return el, "text"
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            owner, attr = _edge_text_node(child, False)
            if owner is not None:
                return owner, attr
        if (child.tail or "").strip():
            return child, "tail"
    return None, ""


def _edge_child(container: etree._Element, from_end: bool) -> etree._Element | None:
    """The last (first) child of `container` that is not a script, style... (no shown text)."""
    for child in reversed(container) if from_end else container:
        if not (isinstance(child.tag, str) and child.tag in _NO_TEXT):
            return child
    return None


def _edge_block(container: etree._Element, from_end: bool) -> _Block | None:
    """The last (first) block of `container`: loose text, or a block-level child."""
    if from_end:
        last = _edge_child(container, True)
        if last is not None:
            if (last.tail or "").strip():
                return _Block(container, None, last, "tail", True)
            if isinstance(last.tag, str) and last.tag in BLOCK_TAGS:
                return _Block(container, last, None, "", True)  # (unless protected: see _Block)
            return None
        if (container.text or "").strip():
            return _Block(container, None, container, "text", True)
        return None
    if (container.text or "").strip():
        return _Block(container, None, container, "text", False)
    first = _edge_child(container, False)
    if first is not None:
        if isinstance(first.tag, str) and first.tag in BLOCK_TAGS:
            return _Block(container, first, None, "", False)  # (unless protected: see _Block)
        if (first.tail or "").strip() and not isinstance(first.tag, str):
            return _Block(container, None, first, "tail", False)
    return None


def inner_html(el: etree._Element) -> str:
    """The serialised content of `el` (its text and children, not its own tags)."""
    text = html_mod.escape(el.text or "", quote=False)
    if el.tag == "div" and not el.attrib:
        # The fragment root the engine parses into: one `tostring` of the whole <div>
        # (its text set aside, escaped as above) costs half of one per child, and libxml2
        # writes each child the same either way.
        saved, el.text = el.text, None
        try:
            whole = lxml.html.tostring(el, encoding=str, method="html", with_tail=False)
        finally:
            el.text = saved
        if whole.startswith("<div>") and whole.endswith("</div>"):
            return text + whole[5:-6]
    out = [text]
    out.extend(lxml.html.tostring(child, encoding=str, method="html") for child in el)
    return "".join(out)


def clean_post(cleaner: Cleaner, post: Post) -> Post:
    """Set `post`'s content.html and excerpt.html from their raw forms; record the ledger."""
    entries: list[dict[str, object]] = []
    skipped: list[dict[str, str]] = []
    for name in ("content", "excerpt"):
        content = getattr(post, name)
        result = cleaner.clean_html(content.raw, kind=name)
        content.html = result.html
        entries.extend(ledger(result.removed, name))
        if result.not_cleaned:
            skipped.append({"field": name, "reason": result.not_cleaned})
    if entries:
        post.provenance["removed"] = entries
    else:
        post.provenance.pop("removed", None)
    if skipped:
        post.provenance["not_cleaned"] = skipped
    else:
        post.provenance.pop("not_cleaned", None)
    return post


def clean_comment(cleaner: Cleaner, comment: Comment) -> Comment:
    """Set `comment`'s content.html from its raw form (and its ledger, where it has one)."""
    result = cleaner.clean_html(comment.content.raw, kind="comment")
    comment.content.html = result.html
    provenance = getattr(comment, "provenance", None)
    if isinstance(provenance, dict):
        entries = ledger(result.removed, "content")
        if entries:
            provenance["removed"] = entries
        if result.not_cleaned:
            provenance["not_cleaned"] = [{"field": "content", "reason": result.not_cleaned}]
    return comment
