"""Units of work: a post with its comments, or one author or term record.

Transforms and encoding (JSON lines, WARC records compressed) are the costly
part of a run and depend on nothing but the unit itself, so they run in a pool
of worker processes while the main process reads the source and writes files in
order. With one job they run in-process through the very same code.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Author, Comment, Post, Record, Site
from .sinks.json_archive import encode_line, record_kind, record_to_dict
from .sinks.warc import Member, RecordBuilder, post_members

Transform = Callable[[Record], Record]

# Units per batch sent to a worker, and batches in flight per worker: enough to
# amortise inter-process overhead, few enough to keep memory bounded.
BATCH = 32
IN_FLIGHT = 3


@dataclass
class Encoded:
    """What a unit becomes: archive lines, WARC records and page entries, in order."""

    lines: bytes = b""
    members: list[Member] = field(default_factory=list)
    pages: list[dict[str, str]] = field(default_factory=list)
    types: list[tuple[str, str]] = field(default_factory=list)  # (record type, category)
    rewritten: int = 0  # links rewritten in the unit's records
    unresolved: list[str] = field(default_factory=list)  # same-site links to nothing archived
    # files the unit's posts need: (url, post id, is that post the attachment itself)
    media: list[tuple[str, int, bool]] = field(default_factory=list)
    not_cleaned: list[str] = field(default_factory=list)  # fields cleaning left as they were


@dataclass
class UnitEncoder:
    """Everything needed to turn a unit into bytes; read-only once the run starts."""

    site: Site
    transforms: Sequence[Transform] = ()
    keep_personal_data: bool = False
    builder: RecordBuilder | None = None  # None: no WARC
    render: bool = True
    captured: bool = False  # the source captured real permalink pages (REST)
    source: str = "wxr"
    tool: str = "wparchive"

    def __call__(self, unit: list[Record], authors: dict[str, str], warcinfo_id: str) -> Encoded:
        out = Encoded()
        lines = []
        records = []
        for record in unit:
            for transform in self.transforms:
                record = transform(record)
            records.append(record)
            kind = record_kind(record)
            provenance = getattr(record, "provenance", {})
            for skipped in provenance.get("not_cleaned", ()):
                out.not_cleaned.append(
                    f"{kind[0]} {record.id} {skipped['field']}: {skipped['reason']}"
                )
            links = provenance.get("links")
            if links:
                out.rewritten += len(links.get("rewritten", ()))
                out.unresolved += links.get("unresolved", ())
            if isinstance(record, Post):
                if record.attachment_url:
                    out.media.append((record.attachment_url, record.id, True))
                for url in (links or {}).get("rewritten", ()):
                    out.media.append((url, record.id, False))
            data = record_to_dict(record, keep_personal_data=self.keep_personal_data)
            lines.append(encode_line(data))
            out.types.append(kind)
        out.lines = b"".join(lines)
        head = records[0]
        if self.builder is not None and isinstance(head, Post):
            comments = [c for c in records[1:] if isinstance(c, Comment) and c.status == "approved"]
            out.members, page = post_members(
                head,
                comments,
                self.site,
                self.builder,
                author=authors.get(head.author, head.author),
                warcinfo_id=warcinfo_id,
                tool=self.tool,
                render=self.render,
                source=self.source,
                captured=self.captured,
            )
            if page is not None:
                out.pages.append(page)
        return out


def group_units(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Each post with the comments that follow it; every other record on its own."""
    unit: list[Record] = []
    for record in records:
        head = unit[0] if unit else None
        if isinstance(record, Comment) and isinstance(head, Post) and record.post_id == head.id:
            unit.append(record)
            continue
        if unit:
            yield unit
        unit = [record]
    if unit:
        yield unit


# -- the worker side -------------------------------------------------------------------

_encoder: UnitEncoder | None = None


def _init(encoder: UnitEncoder) -> None:
    global _encoder
    _encoder = encoder
    # Ctrl-C is the main process's to handle (it stops the pool); a worker killed by it
    # would lose its batch, and the pool would wait for that batch forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _encode_batch(
    batch: list[list[Record]], authors: dict[str, str], warcinfo_id: str
) -> list[Encoded]:
    assert _encoder is not None
    return [_encoder(unit, authors, warcinfo_id) for unit in batch]


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def encode_units(
    units: Iterable[list[Record]],
    encoder: UnitEncoder,
    *,
    jobs: int,
    warcinfo_id: Callable[[], str],
) -> Iterator[tuple[list[Record], Encoded]]:
    """Encode every unit, in order: in this process (``jobs`` 1) or in a worker pool.

    The pool sees at most ``jobs * IN_FLIGHT`` batches at a time, so memory stays
    bounded whatever the source's size; results come back in the source's order.
    Authors are tracked here, as they stream past, and sent along with each batch.
    """
    authors: dict[str, str] = {}

    def note(unit: list[Record]) -> None:
        if isinstance(unit[0], Author):
            authors[unit[0].login] = unit[0].display_name or unit[0].login

    if jobs <= 1:
        for unit in units:
            note(unit)
            yield unit, encoder(unit, authors, warcinfo_id())
        return
    # fork: the workers inherit the encoder (transforms, indexes) without pickling it.
    # Frozen for the fork, everything inherited is left out of the workers' garbage
    # collections: they neither walk it nor write to its pages (which would copy them).
    # Unfrozen at once here, so a long-lived caller's objects stay collectable.
    context = multiprocessing.get_context("fork")
    gc.freeze()
    try:
        pool = context.Pool(jobs, initializer=_init, initargs=(encoder,))
    finally:
        gc.unfreeze()
    try:
        pending: deque[tuple[list[list[Record]], Any]] = deque()
        batch: list[list[Record]] = []

        def submit() -> None:
            pending.append(
                (batch, pool.apply_async(_encode_batch, (batch, dict(authors), warcinfo_id())))
            )

        for unit in units:
            note(unit)
            batch.append(unit)
            if len(batch) >= BATCH:
                submit()
                batch = []
                while len(pending) >= jobs * IN_FLIGHT:
                    done, result = pending.popleft()
                    yield from zip(done, result.get(), strict=True)
        if batch:
            submit()
        while pending:
            done, result = pending.popleft()
            yield from zip(done, result.get(), strict=True)
    finally:
        # Not Pool.terminate (what `with` does): when the run stops early (a full disk), the
        # pool's task thread may be halfway through sending a batch bigger than the pipe's
        # buffer, and with the workers killed it waits forever (2 hangs in 35 runs). The
        # workers finish what was sent — at most jobs * IN_FLIGHT batches — and exit; a
        # second Ctrl-C while they do terminates them.
        pool.close()
        try:
            pool.join()
        except BaseException:
            pool.terminate()
            raise
