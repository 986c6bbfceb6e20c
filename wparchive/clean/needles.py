"""Which of a fixed set of strings (the rules' needles) occur in a text, in one scan.

The engine's pre-check asks, for every field, which of its rules' needles occur
in the source. Testing each needle with ``in`` scans the field once per needle
(about ninety for post content); here the needles become one regex shaped like
a trie, which finds at each position the *longest* needle starting there, and
one `findall` in C does the scan.

`findall` does not report overlapping matches, so the answer is completed
exactly: a needle that occurs starts either where a match starts (then it is a
prefix of that match), or inside a match. Inside a match it either ends within
it (a substring of that match: the needles each needle contains are known in
advance), or it runs past the match's end — possible only when a proper suffix
of the match is a prefix of that needle, and then the text holds, where the
match starts, the match's head joined to that needle: a few longer strings,
known in advance for each needle, are compared there (``startswith`` at the
match, not a search of the whole text: a page has dozens of such matches).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, the longest one at any position (a greedy trie)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        # Greedy: a longer word through this node is tried before the one ending here.
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


# Few needles are cheaper to look for one by one: ``in`` costs about 0.3 ns a character
# per needle, the trie regex about 10 ns a character (CPython 3.11, post text). Only the
# speed depends on the choice, never the answer.
_FEW = 24


class NeedleSet:
    """`present(text)` is ``{n for n in needles if n in text}``, computed in one scan."""

    def __init__(self, needles: Iterable[str]) -> None:
        needles = frozenset(needles)
        words = sorted(n for n in needles if n)
        self._words = words if len(words) <= _FEW else None
        self._empty = frozenset({""}) if "" in needles else frozenset()  # "" is in any text
        self._regex = re.compile(_trie_pattern(words)) if words else None
        # How far a needle reaches past a changed character reference (`present_decoded`);
        # None when a needle could be split by a stretch's separator or spoiled by
        # lowercasing stretches one by one (non-ASCII: the final sigma).
        plain = all(n.isascii() and "\x00" not in n for n in words)
        self._reach = max(map(len, words), default=1) - 1 if plain else None
        # The needles each needle contains: found with it.
        self._within = {m: frozenset(n for n in words if n in m) for m in words}
        # For the needles that can start inside each needle and run past its end: the
        # string the text holds where that needle's match starts when they do (that
        # needle joined to their tail).
        self._straddling: dict[str, list[tuple[str, str]]] = {}
        by_first: dict[str, list[str]] = {}
        for n in words:
            by_first.setdefault(n[0], []).append(n)
        for m in words:
            joined = [
                (n, m + n[len(m) - k :])
                for k in range(1, len(m))
                for n in by_first.get(m[k], ())
                if n.startswith(m[k:]) and len(n) > len(m) - k
            ]
            if joined:
                self._straddling[m] = joined

    def present(self, text: str) -> set[str]:
        if self._words is not None:
            return {n for n in self._words if n in text} | self._empty
        found = set(self._empty)
        if self._regex is None:
            return found
        for match in self._regex.finditer(text):
            hit = match.group()
            found |= self._within[hit]
            joined = self._straddling.get(hit)
            if joined:
                start = match.start()
                for needle, whole in joined:
                    if text.startswith(whole, start):
                        found.add(needle)
        return found

    def present_decoded(self, source: str, decoded: str) -> set[str]:
        """The needles of ``decoded.lower()`` that ``source.lower()`` may lack, where
        `decoded` is ``html.unescape(source)``.

        Decoding changes the text only at character references, so a needle the source
        lacks overlaps one that changed: only those stretches, with a needle's length of
        text either side, are scanned (a page holds a few dozen references in 60 KB).
        """
        stretches = (
            None if self._reach is None else _changed_stretches(source, decoded, self._reach)
        )
        return self.present((decoded if stretches is None else stretches).lower())


# html.unescape's character references (the `html` module's pattern): each is decoded on
# its own. `_changed_stretches` checks the text it rebuilds, so if the module ever decodes
# differently, the whole decoded text is scanned, as before.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def _changed_stretches(source: str, decoded: str, reach: int) -> str | None:
    """The stretches of `decoded` around the references that decoding changed, each with
    `reach` characters either side, joined by NULs (None: scan all of `decoded`)."""
    changed = []  # (start, end, decoded text) of each reference that decodes to another
    for m in _CHARREF.finditer(source):
        ref = m.group()
        text = html.unescape(ref)
        if text != ref:
            changed.append((m.start(), m.end(), text))
    if len(changed) * (2 * reach + 8) > len(source):
        return None  # (references everywhere: the stretches would cover the text)
    # References closer than two reaches share a stretch (a needle may span both).
    groups: list[list[tuple[int, int, str]]] = []
    for ref in changed:
        if groups and ref[0] - groups[-1][-1][1] <= 2 * reach:
            groups[-1].append(ref)
        else:
            groups.append([ref])
    rebuilt, stretches, pos = [], [], 0  # (the decoded text rebuilt, as the check)
    for group in groups:
        first = group[0][0]
        stretch = [source[max(0, first - reach) : first]]
        for j, (start, end, text) in enumerate(group):
            between = source[pos:start]
            rebuilt += [between, text]
            stretch += [between, text] if j else [text]
            pos = end
        stretch.append(source[pos : pos + reach])
        stretches.append("".join(stretch))
    rebuilt.append(source[pos:])
    if "".join(rebuilt) != decoded:
        return None
    return "\x00".join(stretches)


@lru_cache(maxsize=64)
def needle_set(needles: frozenset[str]) -> NeedleSet:
    """The `NeedleSet` of `needles`, built once per process (every `Cleaner` with the same
    rules shares it: it holds no state between calls)."""
    return NeedleSet(needles)
