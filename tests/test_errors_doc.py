"""docs/errors.md can't silently fall behind the code: every message wparchive can print
is in it, and every entry names a test that exists and that looks for that message.

The messages are read from the product code with `ast`: the text of every exception a
user can meet, every warning, note and `verify` problem, and the CLI's own errors and
hints. Each literal piece of that text (the parts of an f-string between its
placeholders) of 15 characters or more must be in the doc, where the message is shown with
placeholders (``FILE``, ``URL``, ``N``) in place of what varies.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wparchive"
DOC = ROOT / "docs" / "errors.md"
DOC_TEXT = DOC.read_text(encoding="utf-8")

# Exceptions whose message is printed after "Error:" (or given to a Python caller), and
# the warning record of the readers.
MESSAGE_CLASSES = {
    "SourceError",
    "RestError",
    "WxrError",
    "ResumeError",
    "BulkError",
    "SchedulerError",
    "HttpError",
    "RefusedError",
    "RedirectError",
    "TooLargeError",
    "ArchiveError",
    "ExportError",
    "BadParameter",
    "RuleError",
    "SelectorError",
    "ValueError",  # the option parsers': wrapped in a SourceError (or printed by `clean`)
    "ReadWarning",
}
# Methods that print or record a message: the readers' warnings and notes, the media
# fetcher's warnings, `verify`'s problems.
MESSAGE_METHODS = {"_note", "_warn", "warn", "_fail", "fail", "_unreadable", "skipped"}
# Functions whose every string is (part of) a message: the reason a page was not captured,
# what blocks an API, what went wrong with a request, the CLI's hints.
MESSAGE_FUNCTIONS = {
    "_fetch_page",
    "diagnose",
    "_describe_exception",
    "_incomplete_json",
    "_load_json",
    "_replacement",
    "_os_hint",
    "_source_hint",
}
# Names that messages are built in before they are raised or warned.
MESSAGE_VARIABLES = {"message", "what"}
# Constants that are pieces of messages.
MESSAGE_CONSTANTS = {"EXPORT_HINT", "WXR_VERSION_ERROR", "_FRESH", "BLOCK_CODES"}

# Messages that can't reach a user, each with why. Keep this short: anything a user can
# see belongs in the doc.
UNREACHABLE = {
    # a rule file shipped with wparchive is broken (tests/test_clean.py loads them all)
    "RuleError": "every message of the class",
    "SelectorError": "every message of the class",
    # programming errors in a caller of an internal function
    "kind must be content, excerpt, comment or page, not ": "Cleaner.clean_html's own kinds",
    "concurrency must be at least 1": "the CLI says min=1; RestSource passes at least 1",
    "the final header must have the length of the first": "the JSON writer's invariant",
    # checked first, with the option's name, by run_archive (--digest must be one of ...)
    "digest must be one of ": "WarcWriter's own check",
    # a reader yields the site first or raises: there is always one
    "the source holds no site: not a WXR file": "defensive",
    # the media fetcher stores each path once per run, so it never meets it twice
    ": other bytes than the file already at ": "defensive",
}
MIN_CHUNK = 15  # shorter literal pieces (": ", "HTTP ") say nothing on their own
MIN_FRAGMENT = 12  # a test recognisably looks for a message: 12 characters of it in a row


def _normal(text: str) -> str:
    return " ".join(text.split())


def _chunks(node: ast.AST) -> list[str]:
    """The literal pieces of a string expression: a constant, an f-string's constant
    parts, both sides of a ``+``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _chunks(node.left) + _chunks(node.right)
    return []


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _markup_free(text: str) -> str:
    return re.sub(r"\[/?[a-z ]*\]", "", text)  # rich markup: [bold red]Error:[/]


def _messages(path: Path) -> Iterator[tuple[str, str]]:
    """(where, literal piece) of every message in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            args: list[ast.AST] = []
            if called in MESSAGE_CLASSES:
                args = [*node.args[:2], *(k.value for k in node.keywords if k.arg == "hint")]
                for chunk in (c for a in args for c in _chunks(a)):
                    yield f"{where}:{node.lineno} {called}", chunk
                continue
            if called in MESSAGE_METHODS or (
                called == "append" and _name(getattr(node.func, "value", None)) == "warnings"
            ):
                args = list(node.args)
            elif called == "print" and path.name == "cli.py" and node.args:
                text = "".join(_chunks(node.args[0]))
                if "[bold red]" in text or "Hint:" in text or "Error:" in text:
                    args = [node.args[0]]
            for chunk in (c for a in args for c in _chunks(a)):
                yield f"{where}:{node.lineno} {called}", _markup_free(chunk)
        elif isinstance(node, ast.FunctionDef) and node.name in MESSAGE_FUNCTIONS:
            # what it returns, or collects (repairs.append(...)): not the strings it looks for
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    said = [inner.value]
                elif isinstance(inner, ast.Call) and _name(inner.func) in ("append", "add"):
                    said = list(inner.args)
                else:
                    continue
                for piece in (n for s in said for n in ast.walk(s)):
                    if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                        yield f"{where}:{inner.lineno} {node.name}()", piece.value
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {_name(t) for t in targets}
            if names & MESSAGE_VARIABLES:
                for chunk in _chunks(node.value):
                    yield f"{where}:{node.lineno} {'/'.join(names)} =", chunk
            if names & MESSAGE_CONSTANTS:
                values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
                for chunk in (c for v in values for c in _chunks(v)):
                    yield f"{where}:{node.lineno} {'/'.join(names)}", chunk


# Every message's literal pieces, by where it is made ("path:line Class").
PIECES: dict[str, list[str]] = {}
for _path in sorted(PACKAGE.rglob("*.py")):
    for _where, _chunk in _messages(_path):
        PIECES.setdefault(_where, []).append(_chunk)


def product_messages() -> list[tuple[str, str]]:
    """Every literal piece to look for: (where, piece); a message one of whose pieces (or
    whose class) is UNREACHABLE is left out whole."""
    found = []
    for where, chunks in PIECES.items():
        if where.rsplit(" ", 1)[-1] in UNREACHABLE or set(chunks) & UNREACHABLE.keys():
            continue
        found += [(where, c) for c in chunks if len(c.strip()) >= MIN_CHUNK]
    return found


MESSAGES = product_messages()


def test_the_code_has_messages_to_check():
    """The extraction itself works: it finds the messages of every kind of source."""
    text = " ".join(chunk for _, chunk in MESSAGES)
    for sample in (
        "This does not appear to be a WXR file",  # a constant
        "the site kept refusing",  # an HTTP error
        "read anonymously",  # a REST note
        "left open: the run that wrote it did not finish",  # a verify problem
        "the disk is full",  # a CLI hint
        "Interrupted.",  # a CLI message
        "nests elements too deep",  # an export warning
        "Cloudflare challenge",  # a block the API diagnoses
    ):
        assert sample in text, sample
    assert len(MESSAGES) > 150


@pytest.mark.parametrize(("where", "chunk"), MESSAGES, ids=[w for w, _ in MESSAGES])
def test_every_message_is_in_the_doc(where, chunk):
    assert _normal(chunk).lower() in _normal(DOC_TEXT).lower(), (
        f"{where}: {chunk!r} is not in docs/errors.md: document the message (what causes "
        "it, what to do, the test that produces it), or, if no user can meet it, add it to "
        "UNREACHABLE with why"
    )


def test_the_unreachable_list_names_only_what_the_code_has():
    pieces = {chunk for chunks in PIECES.values() for chunk in chunks}
    classes = {where.rsplit(" ", 1)[-1] for where in PIECES}
    for entry in UNREACHABLE:
        assert entry in pieces or entry in classes, f"{entry!r}: no longer in the code"


# -- each entry names a test that produces it ---------------------------------------------------

TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9_]*\b|…")
PREFIX = re.compile(r"^(Error|Hint|warning|problem|failed): ")


def entries() -> list[tuple[str, str]]:
    """(heading, text) of each entry: a ``####`` heading up to the next heading."""
    parts = re.split(r"^(#{2,4} .*)$", DOC_TEXT, flags=re.M)
    return [
        (heading.removeprefix("#### "), body)
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
        if heading.startswith("#### ")
    ]


ENTRIES = entries()


def _defines(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        for node in ast.walk(tree)
    )


def fragments(block: str) -> Iterator[str]:
    """Every run of MIN_FRAGMENT characters of the shown messages that is not a
    placeholder, lower case."""
    for line in block.splitlines():
        for piece in PLACEHOLDER.split(PREFIX.sub("", line)):
            piece = _normal(piece).lower()
            for start in range(len(piece) - MIN_FRAGMENT + 1):
                yield piece[start : start + MIN_FRAGMENT]


def test_the_doc_has_entries():
    assert len(ENTRIES) > 60


@pytest.mark.parametrize(("heading", "body"), ENTRIES, ids=[h for h, _ in ENTRIES])
def test_each_entry_shows_the_message_and_names_a_test_that_produces_it(heading, body):
    blocks = re.findall(r"^```text\n(.*?)^```", body, flags=re.M | re.S)
    assert len(blocks) == 1, f"{heading}: show the message as printed in one ```text block"
    for label in ("**Why:**", "**What to do:**", "**Test:**"):
        assert label in body, f"{heading}: no {label}"
    refs = TEST_REF.findall(body)
    assert refs, f"{heading}: name the test that produces it (`tests/test_x.py::test_name`)"
    wanted = set(fragments(blocks[0]))
    for file, name in refs:
        path = ROOT / file
        assert path.is_file(), f"{heading}: {file} does not exist"
        assert _defines(path, name), f"{heading}: {file} defines no {name}"
        text = _normal(path.read_text(encoding="utf-8")).lower()
        assert any(fragment in text for fragment in wanted), (
            f"{heading}: {file} does not look for the message (no {MIN_FRAGMENT} characters "
            "of it in a row)"
        )


def test_the_readme_links_the_doc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/errors.md" in readme
