"""The cleaner's fast paths give exactly what the plain computations they replace give.

`tests/test_clean_golden.py` holds the cleaner's outputs on real and generated content
byte for byte; these property tests check each shortcut on inputs built to hit its corner
cases (overlapping needles, quotes and brackets inside tags, unclosed markup...), against
the slower form it replaced, kept here as the reference.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from wparchive.clean import Cleaner
from wparchive.clean.css import css_to_xpath, requirements, split_group
from wparchive.clean.engine import (
    _Attributes,
    _drop_tag,
    _drop_tree,
    inner_html,
    parse_fragment,
)
from wparchive.clean.needles import NeedleSet
from wparchive.clean.rules import RULES_DIR, Rule
from wparchive.clean.shortcodes import _ATTRS, _MASK, ShortcodeRule, _mask, _unmask

CORPUS = Path(__file__).parent / "data" / "clean"
SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*/*.html"))]

# --- the needle scan ----------------------------------------------------------------

_NEEDLE = st.text(alphabet="ab<-!", max_size=6)
_HAYSTACK = st.text(alphabet="ab<-!x", max_size=60)


def _scans(needles: list[str]) -> list[NeedleSet]:
    """The scan as built, and the same with the trie regex forced (few needles use ``in``)."""
    plain, trie = NeedleSet(needles), NeedleSet(needles)
    trie._words = None
    return [plain, trie]


@settings(max_examples=1500, deadline=None)
@given(st.lists(_NEEDLE, max_size=40), _HAYSTACK)
def test_needle_set_finds_exactly_the_needles_in_a_text(needles: list[str], text: str) -> None:
    for scan in _scans(needles):
        assert scan.present(text) == {n for n in needles if n in text}


def test_needle_set_finds_overlapping_and_nested_needles() -> None:
    needles = ["lazy", "yarpp", "azy", "addtoany", "addtoany_content", "y_c", "<!", "!"]
    for scan in _scans(needles):
        for text in ("lazyarpp", "addtoany_content", "addtoanyarpp", "x<!x", "lazy", "", "yarp"):
            assert scan.present(text) == {n for n in needles if n in text}, text


_REFERENCES = st.lists(
    st.sampled_from(
        ["a", "b", "<", "-", "!", " ", "&", "&lt;", "&#97;", "&#x62", "&amp", "&bogus;", "x" * 20]
    ),  # (long runs: references far apart are scanned in stretches of their own)
    max_size=30,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_NEEDLE, max_size=40), _REFERENCES)
def test_needles_of_the_decoded_text_are_found_by_its_changed_stretches(
    needles: list[str], source: str
) -> None:
    import html

    decoded = html.unescape(source)
    expected = {n for n in needles if n in decoded.lower() or n in source.lower()}
    for scan in _scans(needles):
        assert scan.present(source.lower()) | scan.present_decoded(source, decoded) == expected


def test_needles_at_the_ends_of_changed_stretches_are_found() -> None:
    import html

    pad = "x" * 40
    needles = ["<ab", "ab<", "a<b", "<", "b&c", "t;a", "a&b", "<<"]  # (3 at most: tight reach)
    for middle in ("&lt;ab", "ab&lt;", "a&lt;b", "a&#60;b", "b&amp;c", "&lt;&lt;", "&amp;b"):
        for source in (middle, pad + middle + pad, pad + middle + "x" + middle + pad):
            decoded = html.unescape(source)
            expected = {n for n in needles if n in decoded.lower() or n in source.lower()}
            for scan in _scans(needles):
                found = scan.present(source.lower()) | scan.present_decoded(source, decoded)
                assert found == expected, source


# --- CSS selectors as one step ------------------------------------------------------

_TAGS = ["div", "p", "span", "a"]
_CLASSES = ["a", "b", "c-d", "e_f"]


def _union(selector: str) -> str:
    """A group as the union of one XPath per selector (the translation before merging)."""
    return " | ".join(css_to_xpath(part) for part in selector.split(","))


def _rule_selectors() -> list[str]:
    found = []
    for path in sorted(RULES_DIR.glob("*.toml")):
        found += [r["css"] for r in tomllib.loads(path.read_text())["rules"] if "css" in r]
    from wparchive.clean import page

    found += [*page.TITLE_SELECTORS, *page.CONTENT_SELECTORS, *page.ARTICLE_SELECTORS]
    found += [*page.DATE_SELECTORS, page.COMMENT_CONTENT, page.COMMENT_AUTHOR, page.COMMENT_AREA]
    return [s for s in found if "," in s]


@pytest.mark.parametrize("selector", _rule_selectors())
def test_a_selector_group_finds_what_its_union_finds(selector: str) -> None:
    merged, union = etree.XPath(css_to_xpath(selector)), etree.XPath(_union(selector))
    for source in SAMPLES:
        for root in (lxml.html.document_fromstring(source), parse_fragment(source)):
            assert merged(root) == union(root)


_ELEMENT = st.tuples(
    st.sampled_from(_TAGS),
    st.lists(st.sampled_from(_CLASSES), max_size=3),
    st.sampled_from(["", "x", "y"]),
    st.sampled_from(["", " ", "\t", "\xa0"]),
)
_COMPOUND = st.tuples(
    st.sampled_from(["", *_TAGS]), st.lists(st.sampled_from(_CLASSES), max_size=2), st.booleans()
)


def _html(elements: list[tuple[str, list[str], str, str]]) -> str:
    """Nested and sibling elements with the given classes (joined by `sep`) and ids."""
    out, depth = [], 0
    for i, (tag, classes, ident, sep) in enumerate(elements):
        attrs = f' class="{sep.join(classes)}"' if classes else ""
        attrs += f' id="{ident}"' if ident else ""
        out.append(f"<{tag}{attrs}>t")
        depth += 1
        if i % 2:
            out.append(f"</{tag}>")
            depth -= 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENT, min_size=1, max_size=8), st.lists(_COMPOUND, min_size=2, max_size=4))
def test_random_selector_groups_find_what_their_unions_find(elements, compounds) -> None:
    parts = []
    for tag, classes, with_id in compounds:
        part = tag + "".join(f".{c}" for c in classes) + ("#x" if with_id else "")
        parts.append(part or "*")
    selector = ", ".join(parts)
    root = parse_fragment(_html(elements))
    assert etree.XPath(css_to_xpath(selector))(root) == etree.XPath(_union(selector))(root)


@pytest.mark.parametrize("selector", _rule_selectors())
def test_a_group_splits_into_its_selectors(selector: str) -> None:
    parts = split_group(selector)
    assert css_to_xpath(", ".join(parts)) == css_to_xpath(selector)
    wanted = requirements(selector)
    if wanted is not None:
        assert [requirements(part)[0] for part in parts] == wanted  # type: ignore[index]


def test_commas_inside_attribute_values_do_not_split_a_group() -> None:
    assert split_group('a[title="x, y"], b:not(.c) ,#d') == ['a[title="x, y"]', "b:not(.c)", "#d"]


# --- css rules passed over for want of their classes and ids ------------------------


@functools.cache
def _cleaner() -> Cleaner:
    return Cleaner()


def _applied(source: str, by_attributes: bool) -> tuple[str, list[object]]:
    cleaner = _cleaner()
    root = lxml.html.document_fromstring(source)
    removed: list[object] = []
    cleaner.apply(root, cleaner.compiled("page"), removed, by_attributes=by_attributes)
    return lxml.html.tostring(root, encoding=str), removed


@pytest.mark.parametrize("source", SAMPLES)
def test_rules_passed_over_by_attributes_would_not_have_matched(source: str) -> None:
    # (and the selectors of a group passed over: `_Attributes.xpath_for`)
    assert _applied(source, True) == _applied(source, False)


_RULE_CLASSES = ["says", "sharedaddy", "comment-respond", "Says", "sd-sharing-enabled", "x"]
_ATTRIBUTE = st.tuples(
    st.sampled_from(["div", "span", "p", "nav", "a"]),
    st.lists(st.sampled_from(_RULE_CLASSES), min_size=1, max_size=3),
    st.sampled_from(["", "respond", "email-notes"]),
    st.sampled_from([" ", "\t", "\xa0", "\n "]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ATTRIBUTE, min_size=1, max_size=8))
def test_random_class_lists_pass_over_only_rules_that_cannot_match(elements) -> None:
    source = "<html><body>" + _html(elements) + "</body></html>"
    assert _applied(source, True) == _applied(source, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ELEMENT, min_size=1, max_size=8), st.lists(_COMPOUND, min_size=1, max_size=4))
def test_rules_looked_up_by_class_and_id_find_what_their_xpath_finds(elements, compounds):
    parts = []
    for tag, classes, with_id in compounds:
        keys = "".join(f".{c}" for c in classes) + ("#x" if with_id else "")
        parts.append(tag + (keys or ".a") + ("[id]" if with_id and tag == "p" else ""))
    rule = Rule("t", "t", "", "css", ", ".join(parts), "remove", frozenset({"page"}))
    compiled = _cleaner()._compile(rule)
    assert compiled.keyed is not None
    root = lxml.html.document_fromstring("<html><body>" + _html(elements) + "</body></html>")
    assert _Attributes(root).matches(compiled) == compiled.xpath(root)


# --- parsing and serialising fragments ----------------------------------------------

_MARKUP = st.text(alphabet="<>/=\"' abpdiv!-&;#\n\ttitle", max_size=80)
_ODD = [
    "",
    " ",
    "x",
    "<html>",
    "<!doctype html><p>x",
    "  <HTML><body>a</body></html>",
    "<body><body>",
    "</body>x",
    "<frameset><frame></frameset>",
    "<?xml version='1.0' encoding='utf-8'?><p>x</p>",
    "\ufeff<p>x</p>",
    '<meta http-equiv="Content-Type" content="text/html"><p>x</p>',
    "<script>a<b</script>x",
    "<p>a\r\nb</p>\r",
]


def _parsed(parse, source: str) -> tuple[object, ...]:
    try:
        root = parse(source)
    except Exception as exc:  # the same errors are part of the contract
        return ("error", type(exc).__name__)
    return ("ok", lxml.html.tostring(root, encoding=str), root.text)


def _reference_inner_html(el: etree._Element) -> str:
    import html

    out = [html.escape(el.text or "", quote=False)]
    out.extend(lxml.html.tostring(child, encoding=str, method="html") for child in el)
    return "".join(out)


def _check_fragment(source: str) -> None:
    reference = _parsed(lambda s: lxml.html.fragment_fromstring(s, create_parent="div"), source)
    assert _parsed(parse_fragment, source) == reference
    if reference[0] == "ok":
        root = parse_fragment(source)
        assert inner_html(root) == _reference_inner_html(root)


@pytest.mark.parametrize("source", SAMPLES + _ODD)
def test_fragments_parse_and_serialise_as_lxml_html_does(source: str) -> None:
    _check_fragment(source)


@settings(max_examples=500, deadline=None)
@given(_MARKUP)
def test_random_fragments_parse_and_serialise_as_lxml_html_does(source: str) -> None:
    _check_fragment(source)


@pytest.mark.parametrize("source", SAMPLES[:12])
def test_dropping_trees_and_tags_does_what_lxml_html_does(source: str) -> None:
    for method, ours in (("drop_tree", _drop_tree), ("drop_tag", _drop_tag)):
        theirs_root = lxml.html.fragment_fromstring(source, create_parent="div")
        our_root = parse_fragment(source)
        for theirs, mine in zip(list(theirs_root.iter()), list(our_root.iter()), strict=True):
            if theirs is theirs_root or theirs.getparent() is None:
                continue
            getattr(theirs, method)()
            ours(mine)
            assert inner_html(our_root) == _reference_inner_html(theirs_root)


# --- shortcodes: masking and the tag regexes ----------------------------------------

_SHORTCODE_TEXT = st.text(alphabet="[]/ab\"'= <>!-\ue000", max_size=50)
_OLD_MASK = re.compile(
    r"<!--.*?-->"
    r"|<(pre|code|kbd|samp|textarea|script|style|xmp)\b(?:\"[^\"]*\"|'[^']*'|[^'\">])*>.*?</\1\s*>"
    r"|</?[a-zA-Z!?](?:\"[^\"]*\"|'[^']*'|[^'\">])*>",
    re.S | re.I,
)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="<>!-\"' /abpre", max_size=60))
def test_the_mask_finds_the_regions_the_plain_regex_found(source: str) -> None:
    assert [m.group(0) for m in _MASK.finditer(source)] == [
        m.group(0) for m in _OLD_MASK.finditer(source)
    ]
    masked, holes = _mask(source)
    assert _unmask(masked, holes) == source


@settings(max_examples=1000, deadline=None)
@given(_SHORTCODE_TEXT)
def test_shortcode_tags_match_where_the_lookbehind_first_forms_matched(text: str) -> None:
    rule = ShortcodeRule("x", "x", ("a", "b*"), "unwrap")
    names = rule.name_regex()
    old = {
        rule.open_tag: rf"(?<!\[)\[({names})(?![\w-])({_ATTRS})(/)?\](?!\])",
        rule.close_tag: rf"(?<!\[)\[/({names})\](?!\])",
        rule.paired: rf"(?<!\[)\[({names})(?![\w-])({_ATTRS})\](.*?)\[/\1\](?!\])",
    }
    for new, pattern in old.items():
        reference = re.compile(pattern, new.flags)
        assert [m.span() for m in new.finditer(text)] == [
            m.span() for m in reference.finditer(text)
        ]


# --- the leaked-fragment needle pattern ---------------------------------------------


def test_the_leaked_fragment_needle_matches_where_its_plain_form_matched() -> None:
    rules = tomllib.loads((RULES_DIR / "debris.toml").read_text())["rules"]
    plain = {
        "debris.leaked-fragment": r"""(?:^|[>\s])["']\s?/?>""",
        "debris.leaked-prefix": r"""(?:^|[>\s])["']\s?/>""",
    }
    alphabet = "\"' />a\n>\t\xa0"
    for rule in rules:
        if rule["id"] not in plain:
            continue
        new, old = re.compile(rule["needle_pattern"], re.I), re.compile(plain[rule["id"]], re.I)
        for size in range(6):
            for chars in itertools.product(alphabet, repeat=size):
                text = "".join(chars)
                assert bool(new.search(text)) == bool(old.search(text)), (rule["id"], text)


# --- the pre-check --------------------------------------------------------------------


def _may_match(c, source: str, kind: str) -> bool:
    """The pre-check of one rule, needle by needle (the form before `NeedleSet`).

    A page's css rules with classes or ids are checked on the parsed page instead."""
    import html

    decoded = html.unescape(source)
    lowered = (source.lower(), decoded.lower())
    if kind == "page" and c.requires is not None:
        return True
    if c.needles is None or any(n in t for n in c.needles for t in lowered):
        return True
    return c.needle_regex is not None and any(c.needle_regex.search(t) for t in (source, decoded))


@pytest.mark.parametrize("kind", ["content", "excerpt", "comment", "page"])
def test_the_precheck_selects_the_rules_a_rule_by_rule_check_selects(kind: str) -> None:
    cleaner = Cleaner()
    rules = cleaner.compiled(kind)
    for source in SAMPLES + [s.upper() for s in SAMPLES]:
        expected = [c for c in rules if _may_match(c, source, kind)]
        assert cleaner.candidates(source, kind) == expected
