"""Localized boilerplate: the curated tables, a site's own gettext catalogs, and patterns.

Each file ``locales/<locale>.toml`` maps string *keys* (``leave_reply``,
``akismet_notice``...) to the forms that locale's WordPress shows. ``en.toml``
holds the English source strings exactly as WordPress and the plugins write
them in their code (the gettext msgids): they are both the English patterns and
the key a site's own catalog (``--l10n DIR``) is looked up by.

A string becomes a pattern by `to_pattern`: tags stripped, entities unescaped,
NFC, whitespace → ``\\s+``, ``%s``/``%1$s`` → a bounded wildcard, optional
space before punctuation (scrapers write "feldolgozását ."), quotes and
ellipses of any style. Patterns always match a whole block, never part of a
sentence.
"""

from __future__ import annotations

import gettext
import html
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).with_name("locales")
SOURCE_LOCALE = "en"

# A placeholder stands for a title, a name or a number: bounded, so no pattern runs away.
WILDCARD = r".{1,300}?"
# A title never ends a block with a full stop: "Leave a comment on our guestbook." is a
# sentence, not the UI string "Leave a comment on %s".
TITLE_WILDCARD = r".{1,300}?(?<!\.)"
PLACEHOLDERS = {
    "any": WILDCARD,
    "title": TITLE_WILDCARD,
    "name": r"[^\n.!?]{1,80}?",
    "count": r"\d[\d\s.,]{0,12}",
}
_PLACEHOLDER = re.compile(r"%(?:(\d+)\$)?[sd]")
_TAG = re.compile(r"<[^<>]+>")
_QUOTES = "\"'“”„‟«»‘’‚‹›「」『』"
_PUNCT = ".,:;!?…)]»”’›」』。、：；！？）"
_DASHES = "-–—‐‑"


def normalize_text(text: str) -> str:
    """Text as patterns see it: entities decoded, NFC, whitespace runs as one space."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(text.split())


def _literal(chunk: str) -> str:
    """The regex of a literal piece of a translated string."""
    out: list[str] = []
    i = 0
    while i < len(chunk):
        if chunk.startswith("...", i) or chunk[i] == "…":
            step = 3 if chunk.startswith("...", i) else 1
            if out and not out[-1].endswith(r"\s+") and not out[-1].endswith(r"\s*"):
                out.append(r"\s*")
            out.append(r"(?:…|\.\.\.)")
            i += step
            continue
        ch = chunk[i]
        if ch.isspace():
            j = i
            while j < len(chunk) and chunk[j].isspace():
                j += 1
            # Space before punctuation is optional; elsewhere it is one or more.
            nxt = chunk[j] if j < len(chunk) else ""
            out.append(r"\s*" if (nxt and nxt in _PUNCT) or chunk.startswith("...", j) else r"\s+")
            i = j
            continue
        if ch in _QUOTES:
            out.append("[" + re.escape(_QUOTES) + "]")
        elif ch in _DASHES:
            out.append("[" + re.escape(_DASHES) + "]")
        else:
            if ch in _PUNCT and not (out and out[-1].endswith((r"\s+", r"\s*"))):
                out.append(r"\s*")
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _placeholder_regex(kind: str, title: str | None = None) -> str:
    if kind.startswith("="):  # a fixed value, e.g. "=WordPress" in "Proudly powered by %s"
        return _literal(kind[1:])
    if kind == "title" and title:
        quote = "[" + re.escape(_QUOTES) + "]?"
        return quote + _literal(normalize_text(title)) + quote
    return PLACEHOLDERS[kind]


def to_pattern(
    text: str, placeholders: tuple[str, ...] = (), title: str | None = None
) -> str | None:
    """The regex (unanchored) of one catalog string, or None when it is too weak to use.

    `placeholders` names what ``%1$s``, ``%2$s``... stand for (``any``, ``title``,
    ``name``, ``count`` or ``=Fixed text``), by number; unnumbered ``%s`` count in
    order. When the post's `title` is known, ``title`` placeholders match exactly it
    (quotes and dashes of any style). A string whose literal parts hold fewer than
    three letters (``%s:``) would match almost anything, so it is left out.
    """
    text = normalize_text(_TAG.sub("", text)).replace("%%", "%")
    if sum(ch.isalpha() for ch in _PLACEHOLDER.sub("", text)) < 3:
        return None
    out: list[str] = []
    pos = 0
    for n, m in enumerate(_PLACEHOLDER.finditer(text)):
        out.append(_literal(text[pos : m.start()]))
        index = int(m.group(1)) - 1 if m.group(1) else n
        kind = placeholders[index] if index < len(placeholders) else "any"
        out.append(_placeholder_regex(kind, title))
        pos = m.end()
    out.append(_literal(text[pos:]))
    return "".join(out)


@cache
def available_locales() -> tuple[str, ...]:
    """The locales with a curated table, English (the source strings) first."""
    names = sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))
    names.remove(SOURCE_LOCALE)
    return (SOURCE_LOCALE, *names)


@cache
def load_table(locale: str) -> dict[str, tuple[str, ...]]:
    """The curated strings of one locale: key → forms."""
    with (LOCALES_DIR / f"{locale}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    strings = data.get("strings", {})
    return {
        key: tuple(value if isinstance(value, list) else [value]) for key, value in strings.items()
    }


def source_msgids() -> dict[str, tuple[str, ...]]:
    """key → the English msgids WordPress and the plugins translate (the en table)."""
    return load_table(SOURCE_LOCALE)


def resolve_locale(locale: str | None) -> tuple[str, ...]:
    """The curated tables to use for a site locale (``hu-HU``, ``hu_HU``, ``hu``, ``pt-br``).

    English is always included (untranslated strings show in English). An unknown
    or missing locale gives every table.
    """
    tables = available_locales()
    if not locale:
        return tables
    wanted = locale.replace("-", "_").strip()
    lang, _, region = wanted.partition("_")
    lang = lang.lower()
    exact = f"{lang}_{region.upper()}" if region else lang
    if lang == "en":
        return (SOURCE_LOCALE,)
    if lang in ("no", "nb", "nn"):
        lang = "nb"
    if exact in tables:
        return (SOURCE_LOCALE, exact)
    same_lang = tuple(t for t in tables if t.split("_")[0] == lang)
    if same_lang:
        return (SOURCE_LOCALE, *same_lang)
    return tables


# --- a site's own catalogs ---------------------------------------------------


def _po_string(line: str) -> str:
    """The value of one quoted .po string (C escapes)."""
    body = line.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        return ""
    body = body[1:-1]
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), m.group(1)),
        body,
    )


def read_po(text: str) -> dict[str, list[str]]:
    """msgid → its translations (every plural form) from the text of a .po file.

    Contexts are ignored (``Reply`` translated with context ``verb`` is still
    ``Reply``); empty and fuzzy translations are skipped.
    """
    catalog: dict[str, list[str]] = {}
    entry: dict[str, str] = {}
    fuzzy = pending_fuzzy = False
    last: str | None = None

    def flush() -> None:
        msgid = entry.get("msgid")
        if msgid and not fuzzy:
            forms = catalog.setdefault(msgid, [])
            for key in sorted(entry):
                value = entry[key]
                if key.startswith("msgstr") and value and value not in forms:
                    forms.append(value)
            if not forms:
                del catalog[msgid]

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            pending_fuzzy = pending_fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if m:
            keyword = m.group(1)
            # msgctxt, or a msgid not right after its msgctxt, starts the next entry.
            if keyword == "msgctxt" or (keyword == "msgid" and last != "msgctxt"):
                flush()
                entry = {}
                fuzzy, pending_fuzzy = pending_fuzzy, False
            entry[keyword] = _po_string(m.group(2))
            last = keyword
        elif line.startswith('"') and last:
            entry[last] = entry.get(last, "") + _po_string(line)
    flush()
    return catalog


def read_mo(path: Path) -> dict[str, list[str]]:
    """msgid → its translations from a compiled .mo catalog (via `gettext.GNUTranslations`)."""
    with path.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    catalog: dict[str, list[str]] = {}
    # GNUTranslations keeps the parsed catalog in _catalog: plural entries are keyed
    # (msgid, n), entries with a context "context\x04msgid"; contexts don't matter here.
    for key, value in translations._catalog.items():  # noqa: SLF001
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or not value:
            continue
        msgid = msgid.split("\x04", 1)[-1]
        forms = catalog.setdefault(msgid, [])
        if value not in forms:
            forms.append(value)
    return catalog


def read_catalog(path: Path) -> dict[str, list[str]]:
    """One .mo or .po catalog as msgid → translations."""
    if path.suffix == ".mo":
        return read_mo(path)
    return read_po(path.read_text(encoding="utf-8", errors="replace"))


def catalog_files(directory: Path) -> list[Path]:
    """Every .mo/.po below a ``wp-content/languages`` folder; .mo preferred over its .po twin."""
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".mo", ".po") and p.is_file())
    mos = {p.with_suffix("") for p in files if p.suffix == ".mo"}
    return [p for p in files if p.suffix == ".mo" or p.with_suffix("") not in mos]


def strings_from_catalogs(paths: Iterable[Path]) -> dict[str, set[str]]:
    """key → translated forms found in a site's catalogs, for every key of the en table."""
    wanted = {msgid: key for key, msgids in source_msgids().items() for msgid in msgids}
    found: dict[str, set[str]] = {}
    for path in paths:
        for msgid, forms in read_catalog(path).items():
            key = wanted.get(msgid)
            if key:
                found.setdefault(key, set()).update(forms)
    return found


def collect_strings(
    locale: str | None, l10n_dirs: Iterable[Path] = ()
) -> dict[str, tuple[str, ...]]:
    """key → every form to look for: the curated tables for `locale` plus the site's catalogs."""
    merged: dict[str, list[str]] = {}
    for name in resolve_locale(locale):
        for key, forms in load_table(name).items():
            merged.setdefault(key, []).extend(f for f in forms if f not in merged[key])
    paths = [p for d in l10n_dirs for p in catalog_files(Path(d))]
    for key, forms in strings_from_catalogs(paths).items():
        merged.setdefault(key, []).extend(f for f in sorted(forms) if f not in merged[key])
    return {key: tuple(forms) for key, forms in merged.items()}


@cache
def placeholder_kinds() -> dict[str, tuple[str, ...]]:
    """key → what its placeholders stand for (the ``[placeholders]`` table of en.toml)."""
    with (LOCALES_DIR / f"{SOURCE_LOCALE}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {key: tuple(kinds) for key, kinds in data.get("placeholders", {}).items()}


def patterns_for(
    strings: dict[str, tuple[str, ...]], keys: Iterable[str], title: str | None = None
) -> list[str]:
    """The distinct regexes of every form of `keys`, longest first (`title`: see to_pattern)."""
    kinds = placeholder_kinds()
    found = set()
    for key in keys:
        for form in strings.get(key, ()):
            if pattern := to_pattern(form, kinds.get(key, ()), title):
                found.add(pattern)
    return sorted(found, key=lambda p: (-len(p), p))
