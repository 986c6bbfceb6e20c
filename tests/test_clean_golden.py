"""Golden outputs of the cleaner: a fixed, varied input set must clean to the same bytes.

The cleaner is tuned for speed (pre-checks, merged passes, skipped parses); every such
shortcut must leave what it produces unchanged. This test cleans a varied input set —
the cleaning corpus (every file in every mode, under several rule selections, plus
mutated copies that stress the pre-check: upper-cased, character references, cut off
mid-tag), every post and comment of the importer's test exports and the bundled sample
export, and a generated export — and compares one SHA-256 per group of outputs and
ledgers with the recorded one.

When the rules, locales or the engine's behaviour change *on purpose*, record the new
digests: ``.venv/bin/python -m tests.test_clean_golden`` prints the table to paste below.
Each group also records a digest of its inputs: a group whose inputs changed (new corpus
files, a different generator) fails with a message saying the table must be refreshed.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

from wparchive.clean import Cleaner, CleanResult, CleanTransform, Page, extract_page
from wparchive.model import Comment, Post

ROOT = Path(__file__).parent.parent
CORPUS = Path(__file__).parent / "data" / "clean"
IMPORTER = Path(__file__).parent / "data" / "wordpress-importer"
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"
GENERATED_POSTS = 300

# group → (SHA-256 of the inputs, SHA-256 of the outputs)
GOLDEN: dict[str, tuple[str, str]] = {
    "corpus": (
        "bfe0ce36cd096feb02ca6852c4b8ff78f918e171472763905522e3263d6d9f34",
        "ad5560b61269cab9522f343e13038f0a094bfc3a840da8b2a71265f77f8ed133",
    ),
    "importer": (
        "3f115e47f9ebb642f4d2309c233fcf45f914893df8d5f280c7e28eeb31dbed90",
        "1982b7df539b8341450dd0a516bda6668fa847419c302f5b6211d847adc3615f",
    ),
    "sample": (
        "1ce644bb6f87d9e7d3c2e7fb820d1ee7fe235eae291da181b48f8f7651596313",
        "d0015d2bd69d9db122699e0135e85fef98980858881fc5e25db07e2ebe931aad",
    ),
    "generated": (
        "dc74a4139834c7ada2f6b8d41d19e87fde81ee260c6c6a340aeecf1d8eaec6fa",
        "b5da88292dbeed90b15dd14b96844aa884a586ef4664d6cb9df5afce4e267770",
    ),
}


class _Digest:
    """Two running SHA-256s: of what went in, and of what came out."""

    def __init__(self) -> None:
        self.inputs, self.outputs = hashlib.sha256(), hashlib.sha256()

    def feed(self, label: str, source: str) -> None:
        self.inputs.update(f"{label}\x00{source}\x01".encode("utf-8", "surrogatepass"))

    def out(self, *parts: object) -> None:
        self.outputs.update((repr(parts) + "\x02").encode("utf-8", "surrogatepass"))


def _result(r: CleanResult) -> tuple[object, ...]:
    return (r.html, r.text, [(x.rule, x.family, x.text) for x in r.removed])


def _page(p: Page) -> tuple[object, ...]:
    removed = [(x.rule, x.family, x.text) for x in p.removed]
    return (p.title, p.date, p.content_html, p.content_text, p.comments, removed)


@cache
def _cleaner(locale: str | None, keep: frozenset[str] = frozenset(), only=frozenset()) -> Cleaner:
    return Cleaner(locale, keep=keep, only=only)


def _mutations(source: str) -> Iterator[tuple[str, str]]:
    """Copies that stress the pre-check: other case, character references, truncation."""
    yield "upper", source.upper()
    yield "title", source.title()
    # A character reference for every "a" and "e": needles only match decoded.
    yield "refs", source.replace("a", "&#97;").replace("e", "&#x65;")
    yield "named", source.replace('"', "&quot;").replace("-", "&#8208;")
    for cut in (len(source) // 3, len(source) // 2, len(source) - 7):
        yield f"cut{cut}", source[: max(cut, 0)]
    yield "brackets", source.replace("<", "[").replace(">", "]")


def _clean_every_way(d: _Digest, label: str, source: str, c: Cleaner) -> None:
    for kind in ("content", "excerpt", "comment", "page"):
        d.out(label, kind, _result(c.clean_html(source, kind=kind)))
    d.out(label, "extract", _page(extract_page(source, cleaner=c)))
    d.out(label, "text", _result(c.clean_text(source)))


def corpus_group() -> _Digest:
    d = _Digest()
    manifest = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
    locales = {s["file"]: s.get("locale") for s in manifest["artifact"] + manifest["trap"]}
    files = sorted(p for p in CORPUS.glob("*/*") if p.suffix in (".html", ".txt"))
    selections = [
        (frozenset(), frozenset()),
        (frozenset({"gutenberg", "shortcodes"}), frozenset()),
        (frozenset(), frozenset({"jetpack", "comment-ui", "readmore", "lazyload"})),
    ]
    for path in files:
        name = path.relative_to(CORPUS).as_posix()
        source = path.read_text(encoding="utf-8")
        d.feed(name, source)
        locale = locales.get(name)
        for keep, only in selections:
            c = _cleaner(locale, keep, only)
            _clean_every_way(d, (name, locale, sorted(keep), sorted(only)), source, c)
        _clean_every_way(d, (name, None), source, _cleaner(None))
        for how, mutated in _mutations(source):
            c = _cleaner(locale)
            for kind in ("content", "comment"):
                d.out(name, how, kind, _result(c.clean_html(mutated, kind=kind)))
    # Edge cases of the fast paths.
    edge = [
        "", " ", "\n\n", "plain", "[", "<", "&", "&amp;", "<!---->", "<!--more-->",
        "<p>x</p><!--more--><p>y</p>", "[caption]x[/caption]", "\ue000[gallery]\ue001",
        "<p>&#91;gallery ids=&quot;1&quot;&#93;</p>", "<div class='sharedaddy'></div>",
        "<DIV CLASS=SHAREDADDY>x</DIV>", "<p>Leave a Reply</p>", "<html><body></body></html>",
        "<body><body>", "</p>", "<p>", "x<br>y", "&#x3C;!--more--&#x3E;",
        "<div class=\"addtoany_share_save_container\">a</div><p>b</p>",
    ]  # fmt: skip
    for i, source in enumerate(edge):
        d.feed(f"edge{i}", source)
        _clean_every_way(d, ("edge", i), source, _cleaner("hu_HU"))
    return d


def _records(path: Path) -> list[object]:
    from wparchive.sources.wxr import read_wxr

    try:
        return list(read_wxr(path, warn=lambda w: None))
    except Exception as exc:  # a file the reader refuses is part of the set too
        return [f"{type(exc).__name__}"]


def _export_group(paths: list[Path], read: Callable[[Path], list[object]]) -> _Digest:
    d = _Digest()
    for path in paths:
        d.feed(path.name, path.read_text(encoding="utf-8", errors="surrogateescape"))
        records = read(path)
        transform = CleanTransform()
        for record in records:
            raw = copy.deepcopy(record)
            transform(record)
            if isinstance(record, Post):
                ledger = record.provenance.get("removed")
                d.out(path.name, record.id, record.content.html, record.excerpt.html, ledger)
                # The whole removal lists (the ledger merges repeats).
                for kind in ("content", "excerpt"):
                    result = transform.cleaner.clean_html(getattr(raw, kind).raw, kind=kind)
                    d.out(kind, _result(result))
            elif isinstance(record, Comment):
                ledger = record.provenance.get("removed")
                d.out(path.name, record.id, record.content.html, ledger)
            else:
                d.out(path.name, type(record).__name__)
    return d


def importer_group() -> _Digest:
    return _export_group(sorted(IMPORTER.glob("*.xml")), _records)


def sample_group() -> _Digest:
    return _export_group([SAMPLE], _records)


def generated_group() -> _Digest:
    from bench.wxrgen import write_export

    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(Path(tmp) / "generated.xml", GENERATED_POSTS)
        d = _export_group([path], _records)
        # The generated posts once more under other locales and selections.
        posts = [r for r in _records(path) if isinstance(r, Post | Comment)]
    for c in (_cleaner(None), _cleaner("de_DE", frozenset({"addtoany"})), _cleaner("en")):
        for r in posts[:200]:
            kind = "comment" if isinstance(r, Comment) else "content"
            d.out(r.id, kind, _result(c.clean_html(r.content.raw, kind=kind)))
    for r in posts[:40]:
        for how, mutated in _mutations(r.content.raw):
            d.out(r.id, how, _result(_cleaner("hu_HU").clean_html(mutated)))
    return d


GROUPS: dict[str, Callable[[], _Digest]] = {
    "corpus": corpus_group,
    "importer": importer_group,
    "sample": sample_group,
    "generated": generated_group,
}


@pytest.mark.parametrize(
    "group", [pytest.param(g, marks=pytest.mark.slow) if g == "corpus" else g for g in GROUPS]
)
def test_cleaning_output_is_unchanged(group: str) -> None:
    d = GROUPS[group]()
    inputs, outputs = GOLDEN[group]
    assert d.inputs.hexdigest() == inputs, (
        f"the {group} inputs changed: refresh GOLDEN (python -m tests.test_clean_golden)"
    )
    assert d.outputs.hexdigest() == outputs, f"the cleaning of the {group} inputs changed"


if __name__ == "__main__":
    print("GOLDEN: dict[str, tuple[str, str]] = {")
    for name, make in GROUPS.items():
        d = make()
        print(f'    "{name}": (\n        "{d.inputs.hexdigest()}",')
        print(f'        "{d.outputs.hexdigest()}",\n    ),')
    print("}")
