"""Rules are data: one TOML file per plugin or theme family under ``rules/``.

A file holds ``family``, ``description`` and ``[[rules]]``. Each rule has an
``id``, a ``description``, exactly one way to match —

- ``css``: a CSS selector (the subset in `wparchive.clean.css`),
- ``xpath``: an XPath 1.0 expression (``re:`` is EXSLT regular expressions),
- ``comment``: a regex an HTML comment's text must match (``<!--more-->``),
- ``shortcode``: shortcode names (``vc_*`` matches a prefix),
- ``text``: keys of the localized string tables (``locales/``), matched against
  whole blocks of text (``sequence = true``: one or more of them in a row),
- ``pattern``: a regex matched against whole blocks of text (or removed from
  them with ``remove_text``),
- ``heuristic``: the name of a built-in text heuristic of the engine,

— an ``action`` (``remove``, ``unwrap``, ``remove_text``, ``convert`` with ``to``
naming a converter), and where it applies: ``kinds`` (``content``, ``excerpt``,
``comment``, ``page``, ``text``) and, for text rules, ``where`` (``head``,
``tail`` or ``edge`` of the post: text rules never act in the middle of it).
``needles`` (for ``xpath``, ``pattern`` and ``text`` rules; derived for the
others) lists strings one of which the source must contain, case-insensitively,
for the rule to possibly match, or ``needle_pattern`` a regex it must match;
rules with neither always run. Adding a family is adding a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import css as css_mod

RULES_DIR = Path(__file__).with_name("rules")

KINDS = frozenset({"content", "excerpt", "comment", "page", "text"})
MATCHES = ("css", "xpath", "comment", "shortcode", "text", "pattern", "heuristic")
ACTIONS = frozenset({"remove", "unwrap", "remove_text", "convert"})
CONVERTERS = frozenset(
    {
        "alt-text",
        "block-ref",
        "embed",
        "figure",
        "gallery",
        "lazy-image",
        "noscript-twin",
        "raw-html",
    }
)
HEURISTICS = frozenset({"comments-section", "readmore-title", "separator", "trailer-lines"})
WHERE = frozenset({"head", "tail", "edge"})


class RuleError(ValueError):
    """A rule file that does not follow the rule format (the message names file and rule)."""


@dataclass(frozen=True)
class Rule:
    """One rule of a family file: what it matches, what it does, where it applies."""

    id: str
    family: str
    description: str
    match: str  # one of MATCHES
    value: Any  # selector, xpath, regex, shortcode names, string keys or heuristic name
    action: str
    kinds: frozenset[str]
    to: str | None = None
    where: str = "tail"
    needles: tuple[str, ...] | None = None  # None: can't be pre-checked, always runs
    needle_pattern: str | None = None  # a regex the source must match instead of needles
    sequence: bool = False
    text_keys: tuple[str, ...] = ()  # heuristics that use localized strings
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    source: str
    rules: tuple[Rule, ...]


def _rule_from(data: dict[str, Any], family: str, source: str) -> Rule:
    where = f"{source}: rule {data.get('id', '?')!r}"
    for key in ("id", "description", "action"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise RuleError(f"{where}: {key} is required")
    matches = [m for m in MATCHES if m in data and m != "text"]
    if "text" in data and not matches:
        matches = ["text"]
    if len(matches) != 1:
        raise RuleError(f"{where}: give exactly one of {', '.join(MATCHES)} (got {matches})")
    match = matches[0]
    value = data[match]
    action = data["action"]
    if action not in ACTIONS:
        raise RuleError(f"{where}: action must be one of {sorted(ACTIONS)}")
    to = data.get("to")
    if action == "convert" and to not in CONVERTERS:
        raise RuleError(f"{where}: convert needs to = one of {sorted(CONVERTERS)}")
    kinds = frozenset(data.get("kinds", ["content", "excerpt", "comment", "page"]))
    if not kinds or not kinds <= KINDS:
        raise RuleError(f"{where}: kinds must be among {sorted(KINDS)}")
    position = data.get("where", "tail")
    if position not in WHERE:
        raise RuleError(f"{where}: where must be one of {sorted(WHERE)}")
    needles: tuple[str, ...] | None
    if match == "css":
        try:
            css_mod.css_to_xpath(value)
            found = css_mod.needles(value)
        except css_mod.SelectorError as exc:
            raise RuleError(f"{where}: {exc}") from None
        needles = tuple(found) or None
    elif match == "comment":
        needles = ("<!",)
    elif match == "shortcode":
        value = tuple(value) if isinstance(value, list) else (value,)
        names = [name.rstrip("*").lower() for name in value]
        needles = tuple(f"[{n}" for n in names) + tuple(f"[/{n}" for n in names)
    else:
        given = data.get("needles")
        needles = tuple(n.lower() for n in given) if given else None
    needle_pattern = data.get("needle_pattern")
    if needle_pattern is not None:
        needles = ()
    if match == "heuristic" and value not in HEURISTICS:
        raise RuleError(f"{where}: heuristic must be one of {sorted(HEURISTICS)}")
    if match == "text":
        value = tuple(value) if isinstance(value, list) else (value,)
    text_keys = tuple(data.get("text", ())) if match == "heuristic" else ()
    options = {k: v for k, v in data.items() if k in ("text_attrs",)}
    return Rule(
        id=data["id"],
        family=family,
        description=data["description"],
        match=match,
        value=value,
        action=action,
        kinds=kinds,
        to=to,
        where=position,
        needles=needles,
        sequence=bool(data.get("sequence", False)),
        text_keys=text_keys,
        options=options,
        source=source,
        needle_pattern=needle_pattern,
    )


def load_family(path: Path) -> Family:
    """One family file, validated."""
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{path.name}: {exc}") from None
    name = data.get("family")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{path.name}: family is required")
    rules = tuple(_rule_from(r, name, path.name) for r in data.get("rules", []))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise RuleError(f"{path.name}: duplicate rule ids")
    return Family(name, data.get("description", ""), path.name, rules)


@cache
def load_families(directory: Path = RULES_DIR) -> tuple[Family, ...]:
    """Every family file of `directory`, in file-name order (which is application order)."""
    families = tuple(load_family(p) for p in sorted(directory.glob("*.toml")))
    names = [f.name for f in families]
    if len(names) != len(set(names)):
        raise RuleError(f"{directory}: two files declare the same family")
    return families


# Families whose rules must run before others: gutenberg comments before the rest is
# irrelevant, but shortcodes and lazy images first lets later rules see the real markup.
_ORDER = ("shortcodes", "gutenberg", "lazyload", "emoji")


def select_rules(
    keep: set[str] | frozenset[str] = frozenset(), only: set[str] | frozenset[str] = frozenset()
) -> list[Rule]:
    """The rules in application order, without the families in `keep` (their artifacts are
    kept) and, when `only` is given, only those families. Unknown names raise ValueError."""
    families = load_families()
    known = {f.name for f in families}
    unknown = (set(keep) | set(only)) - known
    if unknown:
        raise ValueError(
            f"unknown rule family {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    ordered = sorted(
        families,
        key=lambda f: (_ORDER.index(f.name) if f.name in _ORDER else len(_ORDER), f.source),
    )
    return [
        rule
        for family in ordered
        if family.name not in keep and (not only or family.name in only)
        for rule in family.rules
    ]


def list_rules(
    keep: set[str] | frozenset[str] = frozenset(), only: set[str] | frozenset[str] = frozenset()
) -> list[Rule]:
    """Every rule (or the selection `keep`/`only` makes), in the order the engine applies them."""
    return select_rules(keep, only)


def family_names() -> list[str]:
    """The names of every rule family."""
    return sorted(f.name for f in load_families())
