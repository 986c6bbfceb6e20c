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
of the match is a prefix of that needle, and then the text holds the match's
head joined to that needle: a few longer strings, known in advance for each
needle, are looked for with ``in``.
"""

from __future__ import annotations

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
        # The needles each needle contains: found with it.
        self._within = {m: frozenset(n for n in words if n in m) for m in words}
        # For the needles that can start inside each needle and run past its end: the
        # string the text holds when they do (that needle joined to their tail), and a
        # regex for "that needle, then the first character of a tail" to rule them out
        # all at once (usually the case).
        self._straddling: dict[str, tuple[re.Pattern[str], list[tuple[str, str]]]] = {}
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
                heads = sorted({j[len(m)] for _, j in joined})
                guard = re.compile(re.escape(m) + "[" + "".join(map(re.escape, heads)) + "]")
                self._straddling[m] = (guard, joined)

    def present(self, text: str) -> set[str]:
        if self._words is not None:
            return {n for n in self._words if n in text} | self._empty
        found = set(self._empty)
        if self._regex is None:
            return found
        hits = set(self._regex.findall(text))
        for hit in hits:
            found |= self._within[hit]
        for hit in hits.intersection(self._straddling):
            guard, joined = self._straddling[hit]
            if guard.search(text):
                for needle, whole in joined:
                    if needle not in found and whole in text:
                        found.add(needle)
        return found


@lru_cache(maxsize=64)
def needle_set(needles: frozenset[str]) -> NeedleSet:
    """The `NeedleSet` of `needles`, built once per process (every `Cleaner` with the same
    rules shares it: it holds no state between calls)."""
    return NeedleSet(needles)
