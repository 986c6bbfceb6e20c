"""A small CSS selector → XPath 1.0 translator, for the selectors rule files use.

lxml's own ``cssselect`` support needs an extra package; the rules need only a
subset of CSS, so this module translates it directly and says clearly what it
does not support. Supported: type selectors and ``*``, ``.class``, ``#id``,
``[attr]``, ``[attr=v]`` (also ``~= ^= $= *= |=``), ``:not(simple)``, the
descendant, child (``>``) and adjacent-sibling (``+``) combinators, and groups
(``a, b``).

`needles` gives, for each selector, strings at least one of which must occur
in the (lower-cased) source text for the selector to possibly match: the
engine's cheap pre-check uses them to skip parsing documents no rule can touch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Elements the HTML parser may create without a tag in the source: never a needle.
IMPLIED_TAGS = frozenset({"html", "head", "body", "p", "tbody", "colgroup"})

_IDENT = r"-?[_a-zA-Z\u00a0-\uffff][_a-zA-Z0-9\u00a0-\uffff-]*"
_TOKEN = re.compile(
    rf"""
    (?P<comma>\s*,\s*)
  | (?P<ws>\s*(?P<comb>[>+~])\s*|\s+)
  | (?P<tag>{_IDENT}|\*)
  | \#(?P<id>{_IDENT})
  | \.(?P<cls>{_IDENT})
  | \[\s*(?P<attr>{_IDENT})\s*(?:(?P<op>[~^$*|]?=)\s*
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>{_IDENT})))?\s*\]
  | :not\((?P<neg>[^()]*)\)
    """,
    re.X,
)


class SelectorError(ValueError):
    """A selector outside the supported subset (see the module docstring)."""


@dataclass
class _Compound:
    tag: str = "*"
    conditions: list[str] = field(default_factory=list)
    needles: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)  # attributes it can't match without
    classes: list[str] = field(default_factory=list)  # class tokens it can't match without
    ids: list[str] = field(default_factory=list)  # id values it can't match without


def _literal(value: str) -> str:
    """An XPath 1.0 string literal for any value (concat() when it holds both quotes)."""
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = value.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


def _attr_condition(name: str, op: str | None, value: str) -> str:
    attr = f"@{name}"
    lit = _literal(value)
    if op is None:
        return attr
    if op == "=":
        return f"{attr} = {lit}"
    if op == "~=":
        return f"contains(concat(' ', normalize-space({attr}), ' '), {_literal(' ' + value + ' ')})"
    if op == "^=":
        return f"starts-with({attr}, {lit})"
    if op == "$=":
        return f"substring({attr}, string-length({attr}) - {len(value) - 1}) = {lit}"
    if op == "*=":
        return f"contains({attr}, {lit})"
    if op == "|=":
        return f"({attr} = {lit} or starts-with({attr}, {_literal(value + '-')}))"
    raise SelectorError(f"unsupported attribute operator {op!r}")


def _class_condition(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), {_literal(' ' + name + ' ')})"


def _simple(selector: str) -> _Compound:
    """One compound selector without combinators (used inside :not())."""
    chain = _parse_group(selector.strip())
    if len(chain) != 1 or len(chain[0]) != 1:
        raise SelectorError(f":not() takes one simple selector, got {selector!r}")
    return chain[0][0][1]


def _parse_group(selector: str) -> list[list[tuple[str, _Compound]]]:
    """Parse a selector group into chains of (combinator, compound)."""
    groups: list[list[tuple[str, _Compound]]] = [[]]
    combinator = " "
    current: _Compound | None = None
    pos = 0
    text = selector.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SelectorError(f"unsupported selector syntax at {text[pos:]!r} in {selector!r}")
        pos = m.end()
        if m.group("comma") is not None:
            if current is None:
                raise SelectorError(f"empty selector in group {selector!r}")
            groups[-1].append((combinator, current))
            groups.append([])
            combinator, current = " ", None
            continue
        if m.group("ws") is not None:
            if current is not None:
                groups[-1].append((combinator, current))
                current = None
                combinator = m.group("comb") or " "
            elif m.group("comb"):
                combinator = m.group("comb")
            continue
        if current is None:
            current = _Compound()
        if m.group("tag"):
            if current.conditions or current.tag != "*":
                raise SelectorError(f"type selector must come first in {selector!r}")
            current.tag = m.group("tag").lower()
            if current.tag != "*" and current.tag not in IMPLIED_TAGS:
                current.needles.append("<" + current.tag)
        elif m.group("id"):
            current.conditions.append(f"@id = {_literal(m.group('id'))}")
            current.needles.append(m.group("id").lower())
            current.requires.append("id")
            current.ids.append(m.group("id"))
        elif m.group("cls"):
            current.conditions.append(_class_condition(m.group("cls")))
            current.needles.append(m.group("cls").lower())
            current.requires.append("class")
            current.classes.append(m.group("cls"))
        elif m.group("attr"):
            name = m.group("attr").lower()
            op = m.group("op")
            value = next((v for v in (m.group("dq"), m.group("sq"), m.group("bare")) if v), "")
            current.conditions.append(_attr_condition(name, op, value))
            # A value that must be contained is the better needle; else the name.
            current.needles.append(value.lower() if op and value and op != "|=" else name)
        elif m.group("neg") is not None:
            inner = _simple(m.group("neg"))
            test = " and ".join(inner.conditions) or "true()"
            if inner.tag != "*":
                test = f"self::{inner.tag}" + (f" and {test}" if inner.conditions else "")
            current.conditions.append(f"not({test})")
    if current is None:
        raise SelectorError(f"selector {selector!r} ends with a combinator or is empty")
    groups[-1].append((combinator, current))
    return groups


def _any_of(compounds: list[_Compound]) -> str:
    """One step matching any of `compounds`: the union of one step per compound.

    An XPath union is in document order without duplicates, and so is one step, so the
    elements are the same; they are found in one walk of the tree instead of one per
    compound (a rule lists up to fifteen). When every compound needs a class or an id,
    elements with neither are passed over before any condition is evaluated (a class
    condition is false without the attribute: the class name is never empty). When every
    compound has the same type, the step names it (``img[data-src], img.lazy``): a name
    test is the cheapest filter, and a ``self::img`` per compound per element the dearest.
    """
    tags = {compound.tag for compound in compounds}
    step = tags.pop() if len(tags) == 1 else "*"
    tests = []
    for compound in compounds:
        own = [f"self::{compound.tag}"] if compound.tag not in ("*", step) else []
        parts = own + compound.conditions
        tests.append("(" + " and ".join(parts) + ")" if parts else "true()")
    prefilter = ""
    if all(compound.requires for compound in compounds):
        needed = sorted({compound.requires[0] for compound in compounds})
        prefilter = "[" + " or ".join(f"@{name}" for name in needed) + "]"
    return f"descendant-or-self::{step}{prefilter}[{' or '.join(tests)}]"


def css_to_xpath(selector: str) -> str:
    """The XPath (relative to a context node, which it may match itself) of a CSS selector."""
    chains = _parse_group(selector)
    if len(chains) > 1 and all(len(chain) == 1 for chain in chains):
        for chain in chains:
            if chain[0][0] == "~":
                raise SelectorError(f"the ~ combinator is not supported: {selector!r}")
        return _any_of([chain[0][1] for chain in chains])
    paths = []
    for chain in chains:
        parts = []
        for i, (combinator, compound) in enumerate(chain):
            if combinator == "~":
                raise SelectorError(f"the ~ combinator is not supported: {selector!r}")
            step = compound.tag + "".join(f"[{c}]" for c in compound.conditions)
            if i == 0:
                parts.append("descendant-or-self::" + step)
            elif combinator == " ":
                parts.append("/descendant::" + step)
            elif combinator == ">":
                parts.append("/" + step)
            else:
                parts.append("/following-sibling::*[1]/self::" + step)
        paths.append("".join(parts))
    return " | ".join(paths)


def split_group(selector: str) -> list[str]:
    """The selectors of a group, as written (``"a.x, #y"`` → ``["a.x", "#y"]``): split at
    the commas `_parse_group` splits at, never one inside an attribute value."""
    parts = []
    text = selector.strip()
    start = pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SelectorError(f"unsupported selector syntax at {text[pos:]!r} in {selector!r}")
        if m.group("comma") is not None:
            parts.append(text[start : m.start()])
            start = m.end()
        pos = m.end()
    parts.append(text[start:])
    return parts


@dataclass(frozen=True)
class Keyed:
    """A selector of one compound that needs a class or an id: the XPath testing whether
    an element is a match (itself when it is, nothing when not), and an id (`is_id`) or
    a class token every element it matches carries."""

    test: str
    key: str
    is_id: bool


def keyed_selectors(selector: str) -> list[Keyed] | None:
    """Each selector of a group as `Keyed`; None when one has a combinator or needs
    neither class nor id (its matches can't be looked up by a class or id)."""
    found = []
    for chain in _parse_group(selector):
        if len(chain) != 1:
            return None
        compound = chain[0][1]
        if not compound.classes and not compound.ids:
            return None
        test = f"self::{compound.tag}" + "".join(f"[{c}]" for c in compound.conditions)
        if compound.ids:
            found.append(Keyed(test, compound.ids[0], True))
        else:
            found.append(Keyed(test, compound.classes[0], False))
    return found


Requirement = tuple[frozenset[str], frozenset[str]]  # (class tokens, ids)


def requirements(selector: str) -> list[Requirement] | None:
    """For each selector of the group, the class tokens and ids that elements of the
    document must carry for it to match (every compound of it matches some element);
    None when a selector needs neither (it can't be ruled out this way)."""
    found = []
    for chain in _parse_group(selector):
        classes = frozenset(c for _, compound in chain for c in compound.classes)
        ids = frozenset(i for _, compound in chain for i in compound.ids)
        if not classes and not ids:
            return None
        found.append((classes, ids))
    return found


def needles(selector: str) -> list[str]:
    """Lower-cased strings one of which the source must contain for `selector` to match.

    Each alternative of a group contributes its longest class, id or attribute token
    (a ``<tag`` only when it has none); an alternative with no usable token (``*``, ``p``)
    makes the result empty, which means "can't rule out: always parse".
    """
    found: list[str] = []
    for chain in _parse_group(selector):
        tokens = [t for _, compound in chain for t in compound.needles]
        if not tokens:
            return []
        # A class, id or attribute is rarer than a tag name: prefer it.
        words = [t for t in tokens if not t.startswith("<")] or tokens
        found.append(max(words, key=len))
    return found
