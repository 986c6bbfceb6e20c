"""Source → transforms → sinks, with progress and a run summary.

The CLI and the Python API both call `run_archive`; neither holds logic of its own.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__, resume
from .http import HttpClient
from .links import LinkRewriter, SiteIndex, parse_media_hosts, parse_mode
from .model import Record, Site
from .names import site_slug
from .resume import Checkpointer, ReplayCache
from .sinks.json_archive import (
    FILENAME,
    ArchiveError,
    ArchiveReader,
    JsonArchiveWriter,
    now_iso,
    record_category,
    record_kind,
)
from .sinks.media import MediaFetcher
from .sinks.package import BAG_DIR, CDXJ_FILE, write_bag, write_cdxj, write_wacz
from .sinks.warc import (
    DEFAULT_GZIP_LEVEL,
    DEFAULT_MAX_SIZE,
    DIGESTS,
    WarcSink,
    WarcWriter,
    default_info,
)
from .sources import Source
from .sources.wxr import ReadWarning, WxrError, WxrReader
from .units import Transform, UnitEncoder, default_jobs, encode_units, group_units

# progress(done, total or None, records_done); done/total in the source's unit
Progress = Callable[[int, int | None, int], None]

DEFAULT_OUT = Path("warc")


# The order the summary lists record kinds in; other post types follow.
CATEGORIES = ("post", "page", "attachment", "comment", "term", "author", "media")


class SourceError(Exception):
    """The source can't be read at all (missing file, not a WXR export...)."""


@dataclass
class Summary:
    """What a run read and wrote. ``found`` and ``written`` count by record kind."""

    run_dir: Path | None
    archive: Path | None
    site: Site
    source: dict[str, Any]
    found: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    warnings: list[ReadWarning] = field(default_factory=list)
    duplicates: int = 0
    keep_personal_data: bool = False
    warc_files: list[Path] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)  # cdxj, wacz, bag
    links_rewritten: int = 0
    unresolved: Counter[str] = field(default_factory=Counter)  # same-site URLs to nothing
    unresolved_other: int = 0  # a resumed run's: those beyond the most frequent it kept
    # fields cleaning left as they were ("post 12 content: <why>"): kept, not cleaned;
    # the first NOT_CLEANED_KEPT are named, all are counted
    not_cleaned: list[str] = field(default_factory=list)
    not_cleaned_total: int = 0
    resumed: bool = False  # carried on from an interrupted run's checkpoint
    replayed: int = 0  # answers a resumed run took from its interrupted run's WARC
    complete: bool = False  # --resume found the run already complete: nothing was done

    @property
    def lost(self) -> bool:
        """True when something the source had is not in the archive."""
        return any(w.lost for w in self.warnings) or self.found != self.written

    @property
    def unresolved_total(self) -> int:
        return sum(self.unresolved.values()) + self.unresolved_other

    @property
    def exit_code(self) -> int:
        return 1 if self.lost else 0

    def rows(self) -> list[tuple[str, int, int]]:
        """(kind, found, written) for every kind seen, in a stable order."""
        kinds = [k for k in CATEGORIES if k in self.found or k in self.written]
        kinds += sorted((set(self.found) | set(self.written)) - set(kinds))
        return [(k, self.found.get(k, 0), self.written.get(k, 0)) for k in kinds]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir) if self.run_dir else None,
            "archive": str(self.archive) if self.archive else None,
            "site": dataclasses.asdict(self.site),
            "source": self.source,
            "found": dict(self.found),
            "written": dict(self.written),
            "warc_files": [str(p) for p in self.warc_files],
            "outputs": {k: str(v) for k, v in self.outputs.items()},
            "links": {
                "rewritten": self.links_rewritten,
                "unresolved": self.unresolved_total,
                "top_unresolved": self.unresolved.most_common(20),
            },
            "warnings": [str(w) for w in self.warnings],
            "not_cleaned": self.not_cleaned,
            "not_cleaned_total": self.not_cleaned_total,
            "duplicates": self.duplicates,
            "personal_data": "kept" if self.keep_personal_data else "left out",
            "lost": self.lost,
            "resumed": self.resumed,
            "replayed": self.replayed,
            "complete": self.complete,
        }


def _as_paths(sources: Sequence[str | Path]) -> list[Path]:
    paths = [Path(s) for s in sources]
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
    return paths


def open_source(
    sources: str | Path | Sequence[str | Path],
    options: ArchiveOptions | None = None,
    *,
    warn: Callable[[ReadWarning], None] | None = None,
    replay: ReplayCache | None = None,
) -> Source:
    """The source for what the user named: WXR export file(s), or a site's URL.
    ``replay``: answers a resumed run's interrupted run already received."""
    options = options or ArchiveOptions()
    if isinstance(sources, str | Path):
        sources = [sources]
    if not sources:
        raise SourceError("no source given: name WXR export file(s) or a site's URL")
    urls = [s for s in sources if str(s).startswith(("http://", "https://"))]
    if urls:
        if len(sources) > 1:
            raise SourceError("name one site URL, or export files, not both or several")
        from .sources.rest import RestSource

        return RestSource(str(urls[0]), options, warn=warn, replay=replay)
    return WxrReader(_as_paths(sources), strict=options.strict, warn=warn)


@dataclass
class ArchiveOptions:
    """Everything a run can be asked to do; the CLI's options map onto these one to one."""

    out: Path = DEFAULT_OUT
    strict: bool = False
    keep_personal_data: bool = False
    warc: bool = True
    warc_max_size: int = DEFAULT_MAX_SIZE
    digest: str = "sha1"
    gzip_level: int = DEFAULT_GZIP_LEVEL
    operator: str = ""
    cdxj: bool = False
    wacz: bool = False
    bag: bool = False
    # cleaning: remove plugin and theme artifacts (wparchive.clean)
    clean: bool = True
    locale: str | None = None  # default: the site's language
    keep: tuple[str, ...] = ()  # rule families whose artifacts are kept
    only: tuple[str, ...] = ()  # apply only these families
    l10n_dirs: tuple[Path, ...] = ()  # a site's wp-content/languages: its own catalogs
    rewrite: str = "relative"  # where links point: relative | none | base=URL (links.parse_mode)
    # media: download the site's files into media/ (default: on for REST, off for WXR)
    media: bool | None = None
    uploads_dir: Path | None = None  # a local wp-content/uploads standing in for downloads
    # off-site hosts whose files are brought home too: "i0.wp.com", "*.files.wordpress.com"
    media_hosts: tuple[str, ...] = ()
    jobs: int = field(default_factory=default_jobs)  # worker processes for transforms/encoding
    # bag-info.txt fields (RFC 8493 reserved names)
    source_organization: str = ""
    contact_email: str = ""
    external_identifier: str = ""
    # The REST source (a site's URL). The password of ``user`` comes from ``password``,
    # WPARCHIVE_APP_PASSWORD, ~/.netrc, or ``ask_password(user, host)``; never printed.
    user: str = ""
    password: str | None = field(default=None, repr=False)
    ask_password: Callable[[str, str], str] | None = field(default=None, repr=False)
    concurrency: int = 4  # requests in flight at most
    rate: float = 0.0  # requests per second at most; 0: no limit
    timeout: float = 30.0  # seconds to connect, and between bytes received
    pages: bool = True  # also capture each published post's permalink page
    # carry on an interrupted run of the same source and options (wparchive.resume)
    resume: bool = False


def _software() -> str:
    """What made the archive, with the versions a librarian needs to reproduce it."""
    python = ".".join(map(str, sys.version_info[:3]))
    return (
        f"wparchive/{__version__} (lxml/{metadata.version('lxml')}; "
        f"cdxj-indexer/{metadata.version('cdxj-indexer')}; Python/{python})"
    )


def run_archive(
    sources: str | Path | Sequence[str | Path],
    options: ArchiveOptions | None = None,
    *,
    progress: Progress | None = None,
    transforms: Sequence[Transform] = (),
) -> Summary:
    """Archive a site into ``out/<site-slug>/``; return the summary.

    ``transforms`` run on every record, in order, before the sinks see it. With
    ``options.resume``, a run of the same source that was interrupted carries on from
    its last checkpoint (`wparchive.resume`); a complete one is left as it is.
    """
    options = options or ArchiveOptions()
    _check_options(options)
    names = [str(s) for s in ([sources] if isinstance(sources, str | Path) else sources)]
    key = _source_key(names)
    resumed = _salvage(options, key) if options.resume else None
    warnings: list[ReadWarning] = []
    source = open_source(
        sources, options, warn=warnings.append, replay=resumed.cache if resumed else None
    )
    records = iter(source)
    site = _site_of(records)
    slug = site_slug(site.base_blog_url or site.url, site.title)
    run_dir = Path(options.out) / slug
    if resumed is not None and resumed.run_dir.resolve() != run_dir.resolve():
        source.finish()
        raise SourceError(
            f"--resume: the interrupted run is in {resumed.run_dir}, but the source now "
            f"belongs in {run_dir}; run without --resume"
        )
    if resumed is None:
        if options.resume and (complete := _complete_run(run_dir, site, source)) is not None:
            return complete
        _clear_previous_run(run_dir)
    summary = Summary(
        run_dir=run_dir,
        archive=run_dir / FILENAME,
        site=site,
        source=source.describe(),
        warnings=warnings,
        keep_personal_data=options.keep_personal_data,
        resumed=resumed is not None,
    )
    json_sink, header = _json_sink(summary, options, resumed)
    warc_sink = _warc_sink(options, run_dir, slug, site, source, resumed)
    checkpoint = Checkpointer(
        run_dir,
        resumed.checkpoint if resumed is not None else _new_checkpoint(key, options, warc_sink),
        json_sink,
        warc_sink,
        summary,
    )
    skip = resumed.checkpoint if resumed is not None else None
    try:
        checkpoint(records=0, force=True)
        if warc_sink is not None:
            source.start_capture(warc_sink.writer)
        index = _link_index(source, checkpoint)
        media_on = options.media if options.media is not None else source.kind == "rest"
        fetcher: MediaFetcher | None = None
        if media_on:
            replay = resumed.cache if resumed is not None else None
            fetcher = _media_fetcher(options, summary, index, warc_sink, replay)
            index = fetcher.index
        builtin = _builtin_transforms(options, site, index, local_media=media_on)
        encoder = UnitEncoder(
            site=site,
            transforms=[*builtin, *transforms],
            keep_personal_data=options.keep_personal_data,
            builder=warc_sink.writer.builder if warc_sink is not None else None,
            render=source.renders_pages,
            captured=bool(getattr(source, "capture_pages", False)),
            source=source.kind,
            tool=f"wparchive {__version__}",
        )
        done = _copy(
            records,
            encoder,
            json_sink,
            warc_sink,
            summary,
            source,
            progress,
            options.jobs,
            fetcher,
            checkpoint=checkpoint,
            skip=skip,
        )
        media = _write_media(fetcher, json_sink, summary, checkpoint, skip, done)
        checkpoint(records=done, media=media, force=True, phase="closing")
    except (WxrError, resume.ResumeError) as exc:
        _abort(json_sink, warc_sink, source)
        raise SourceError(str(exc)) from exc
    except BaseException:
        _abort(json_sink, warc_sink, source)
        raise
    source.finish()
    summary.source = header["source"] = source.describe()
    json_sink.close(header)
    if warc_sink is not None:
        warc_sink.close(fixity=[summary.archive])
        summary.warc_files = list(warc_sink.writer.files)
    summary.duplicates = source.duplicates
    if resumed is not None:
        summary.replayed = resumed.cache.kept + resumed.cache.recaptured
    _package(summary, options, warc_sink.pages_path if warc_sink is not None else None)
    checkpoint.done()
    return summary


def _json_sink(
    summary: Summary, options: ArchiveOptions, resumed: resume.Salvage | None
) -> tuple[JsonArchiveWriter, dict[str, Any]]:
    """The archive writer, opened (or reopened, resuming), and the header line it holds."""
    assert summary.archive is not None
    sink = JsonArchiveWriter(summary.archive, keep_personal_data=options.keep_personal_data)
    if resumed is not None:
        sink.resume()
        return sink, resumed.header
    header = {
        "created": now_iso(),
        "tool": f"wparchive {__version__}",
        "source": summary.source,
        "site": dataclasses.asdict(summary.site),
        "personal_data": summary.to_dict()["personal_data"],
    }
    sink.open(header)
    return sink, header


def _new_checkpoint(
    key: list[str], options: ArchiveOptions, warc_sink: WarcSink | None
) -> resume.Checkpoint:
    stamp = warc_sink.writer.stamp if warc_sink is not None else ""
    return resume.Checkpoint(source=key, options=resume.shaping(options), stamp=stamp)


def _media_fetcher(
    options: ArchiveOptions,
    summary: Summary,
    index: SiteIndex | None,
    warc_sink: WarcSink | None,
    replay: ReplayCache | None,
) -> MediaFetcher:
    """What fetches the site's files once the records are written. Without a first pass
    (no ``index``), the index grows as records stream past."""
    assert summary.run_dir is not None
    grow = index is None
    index = index or SiteIndex()
    index.add(summary.site)
    index.allow_media_hosts(options.media_hosts)
    return MediaFetcher(
        summary.run_dir,
        index,
        writer=warc_sink.writer if warc_sink is not None else None,
        uploads_dir=options.uploads_dir,
        warn=lambda message: summary.warnings.append(ReadWarning(message)),
        grow=grow,
        # the same manners as the source's requests (--timeout, --concurrency, --rate)
        client=HttpClient(
            timeout=options.timeout, concurrency=options.concurrency, rate=options.rate or None
        ),
        replay=replay,
    )


def _write_media(
    fetcher: MediaFetcher | None,
    json_sink: JsonArchiveWriter,
    summary: Summary,
    checkpoint: Checkpointer,
    skip: resume.Checkpoint | None,
    records: int,
) -> int:
    """Fetch the files the records asked for; write a `Media` record each (those a resumed
    run's interrupted run wrote are counted only). The number of media records."""
    media = 0
    if fetcher is None:
        return media
    for record in fetcher.fetch_all():
        media += 1
        summary.found["media"] += 1
        if skip is not None and media <= skip.media:
            json_sink.count([("media", "media")])
        else:
            json_sink.write(record)
            checkpoint(records=records, media=media)
        summary.written["media"] += 1
    return media


def _check_options(options: ArchiveOptions) -> None:
    """Refuse what can't be done before anything is read or written."""
    if options.digest not in DIGESTS:
        raise SourceError(f"--digest must be one of {', '.join(DIGESTS)}")
    needs_warc = [flag for flag, on in (("--cdxj", options.cdxj), ("--wacz", options.wacz)) if on]
    if needs_warc and not options.warc:
        verb = "need" if len(needs_warc) > 1 else "needs"
        raise SourceError(f"{' and '.join(needs_warc)} {verb} WARC files: drop --no-warc")
    try:
        parse_mode(options.rewrite)
        parse_media_hosts(options.media_hosts)
        if options.clean:  # said now, not as a ValueError once the run has begun writing
            from .clean.rules import select_rules

            select_rules(frozenset(options.keep), frozenset(options.only))
            for folder in options.l10n_dirs:
                if not Path(folder).is_dir():
                    raise ValueError(f"--l10n {folder}: not a directory")
    except ValueError as exc:
        raise SourceError(str(exc)) from None


def _source_key(names: list[str]) -> list[str]:
    try:
        return resume.source_key(names)
    except OSError:
        return names  # a missing file: open_source names it


def _site_of(records: Iterator[Record]) -> Site:
    try:
        site = next(records)
    except WxrError as exc:
        raise SourceError(str(exc)) from exc
    except StopIteration:
        raise SourceError("the source holds no site: not a WXR file") from None
    assert isinstance(site, Site)
    return site


def _salvage(options: ArchiveOptions, key: list[str]) -> resume.Salvage | None:
    """The interrupted run of this source under ``out``, cut back to its checkpoint."""
    run_dir = resume.find(Path(options.out), key)
    if run_dir is None:
        return None
    checkpoint = resume.Checkpoint.load(run_dir)
    assert checkpoint is not None
    wanted = resume.shaping(options)
    changed = sorted(k for k in wanted if checkpoint.options.get(k) != wanted[k])
    if changed:
        raise SourceError(
            f"--resume: the interrupted run in {run_dir} used other options "
            f"({', '.join(changed)}); give the same options, or run without --resume"
        )
    _remove(run_dir, _PACKAGES)
    try:
        return resume.salvage(run_dir, checkpoint)
    except resume.ResumeError as exc:
        raise SourceError(str(exc)) from None


def _complete_run(run_dir: Path, site: Site, source: Source) -> Summary | None:
    """A finished run of this source (nothing to resume): its summary, or None."""
    path = run_dir / FILENAME
    if not path.is_file() or (run_dir / resume.FILENAME).exists():
        return None
    try:
        header = ArchiveReader(path).header
        end = _end_line(path)
    except (OSError, ValueError, ArchiveError):
        return None
    if end is None:
        return None
    source.finish()
    counts = end.get("counts", {})
    written: Counter[str] = Counter(counts.get("post_types", {}))
    for kind in ("author", "term", "comment", "media"):
        if counts.get(kind):
            written[kind] = counts[kind]
    return Summary(
        run_dir=run_dir,
        archive=path,
        site=site,
        source=header.get("source", {}),
        found=Counter(written),
        written=written,
        warc_files=sorted(run_dir.glob("*.warc.gz")),
        complete=True,
    )


def _end_line(path: Path) -> dict[str, Any] | None:
    """An archive's end line (read from the file's tail), or None if it has none."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - (1 << 16)))
        line = fh.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    data = json.loads(line)
    return data if isinstance(data, dict) and data.get("type") == "end" else None


def _warc_sink(
    options: ArchiveOptions,
    run_dir: Path,
    slug: str,
    site: Site,
    source: Source,
    resumed: resume.Salvage | None,
) -> WarcSink | None:
    if not options.warc:
        return None
    stamp = resumed.checkpoint.stamp if resumed is not None else ""
    writer = WarcWriter(
        run_dir,
        slug,
        info=default_info(
            software=_software(),
            is_part_of=slug,
            description=f"{site.title}: {source.description}",
            operator=options.operator,
            user_agent=getattr(source, "user_agent", ""),
            robots=source.robots,
        ),
        max_size=options.warc_max_size,
        digest=options.digest,
        gzip_level=options.gzip_level,
        started=datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC) if stamp else None,
    )
    if resumed is not None:
        writer.resume(resumed.warc_files, resumed.held, resumed.payloads)
    return WarcSink(writer, run_dir, resume=resumed is not None)


def _link_index(source: Source, checkpoint: Checkpointer) -> SiteIndex | None:
    """The first, quiet pass: everything a link can point to, a few hundred bytes a post.
    Its requests are checkpointed too (a REST site's listings): a kill repeats none."""
    index_records = getattr(source, "index_records", None)
    if index_records is None:
        return None

    def checkpointed(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            checkpoint(records=0)
            yield record

    return SiteIndex.from_records(checkpointed(index_records()))


# What packaging writes after the WARCs close: a resumed run writes it again.
_PACKAGES = ("index.cdxj*", "*.wacz", "*.wacz.open", BAG_DIR, BAG_DIR + ".open")
# What a run writes into its folder; a new run into the same folder replaces all of it,
# so no file of an earlier run (a WARC of another date, say) can pass for this run's.
_RUN_OUTPUTS = (
    "archive.jsonl*",
    "pages.jsonl*",
    "*.warc.gz",
    "*.warc.gz.open",
    "media",
    resume.FILENAME + "*",
    resume.WANTS,
    *_PACKAGES,
)


def _remove(run_dir: Path, patterns: Iterable[str]) -> None:
    """Every file and folder in ``run_dir`` that one of ``patterns`` names."""
    for pattern in patterns:
        for path in run_dir.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _clear_previous_run(run_dir: Path) -> None:
    if run_dir.is_dir():
        _remove(run_dir, _RUN_OUTPUTS)


def _builtin_transforms(
    options: ArchiveOptions, site: Site, index: SiteIndex | None, *, local_media: bool
) -> list[Transform]:
    """The transforms the options ask for, in order: clean, then links (so links inside
    removed junk are neither rewritten nor reported)."""
    transforms: list[Transform] = []
    if options.clean:
        from .clean import CleanTransform

        clean = CleanTransform(
            options.locale or site.language or None,
            keep=options.keep,
            only=options.only,
            l10n_dirs=options.l10n_dirs,
        )
        clean.cleaner  # noqa: B018 - built once here, so forked workers inherit it
        transforms.append(clean)
    if index is not None and len(index):
        transforms.append(LinkRewriter(index, parse_mode(options.rewrite), local_media=local_media))
    return transforms


def _abort(json_sink: JsonArchiveWriter, warc_sink: WarcSink | None, source: Source) -> None:
    """Stop writing, leaving ``*.open`` files as evidence of an incomplete run."""
    source.finish()
    json_sink.abort()
    if warc_sink is not None:
        warc_sink.abort()


def _package(summary: Summary, options: ArchiveOptions, pages: Path | None) -> None:
    """CDXJ, WACZ and bag, once every WARC is closed."""
    run_dir, warcs = summary.run_dir, summary.warc_files
    assert run_dir is not None and summary.archive is not None
    if options.cdxj:
        summary.outputs["cdxj"] = write_cdxj(warcs, run_dir / CDXJ_FILE)
    if options.wacz and pages is not None:
        first = _first_page(pages)
        summary.outputs["wacz"] = write_wacz(
            warcs,
            pages,
            run_dir / f"{run_dir.name}.wacz",
            title=summary.site.title or run_dir.name,
            description=summary.site.description,
            main_page_url=first.get("url"),
            main_page_date=first.get("ts"),
            software=_software(),
        )
    if options.bag:
        files = [summary.archive, *warcs, *summary.outputs.values()]
        if pages is not None:
            files.append(pages)
        summary.outputs["bag"] = write_bag(
            files,
            run_dir / BAG_DIR,
            {
                "Source-Organization": options.source_organization,
                "Contact-Email": options.contact_email,
                "External-Identifier": options.external_identifier,
                "External-Description": f"wparchive run of {summary.site.title} "
                f"({summary.site.base_blog_url or summary.site.url})",
                "Bag-Software-Agent": _software(),
            },
        )


def _first_page(pages: Path) -> dict[str, str]:
    with pages.open(encoding="utf-8") as fh:
        line = fh.readline()
    return json.loads(line) if line.strip() else {}


def _copy(
    records: Iterable[Record],
    encoder: UnitEncoder,
    json_sink: JsonArchiveWriter,
    warc_sink: WarcSink | None,
    summary: Summary,
    source: Source,
    progress: Progress | None,
    jobs: int,
    fetcher: MediaFetcher | None = None,
    *,
    checkpoint: Checkpointer | None = None,
    skip: resume.Checkpoint | None = None,
) -> int:
    """Source → transforms and encoding (maybe in workers) → files, in the source's order;
    the number of records copied (``skip``: the records a resumed run's interrupted run
    had written are read again but neither encoded nor written)."""

    def counted(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            summary.found[record_category(record)] += 1
            yield record

    units = group_units(counted(records))
    done = _skip(units, skip, json_sink, summary, fetcher) if skip is not None else 0
    if checkpoint is not None:
        checkpoint.ready = True
    warcinfo = (lambda: warc_sink.writer.warcinfo_id) if warc_sink is not None else (lambda: "")
    for unit, encoded in encode_units(units, encoder, jobs=jobs, warcinfo_id=warcinfo):
        json_sink.write_encoded(encoded.lines, encoded.types)
        if warc_sink is not None:
            warc_sink.write_encoded(encoded.members, encoded.pages)
        for _, category in encoded.types:
            summary.written[category] += 1
        summary.links_rewritten += encoded.rewritten
        _note_not_cleaned(summary, encoded.not_cleaned)
        _tally(summary, encoded.unresolved)
        if fetcher is not None:
            if fetcher.grow:
                for record in unit:
                    fetcher.index.add(record)
            for url, post_id, attachment in encoded.media:
                fetcher.want(url, post_id=post_id, attachment=attachment)
                if checkpoint is not None:
                    checkpoint.want(url, post_id, attachment)
        done += len(unit)
        if checkpoint is not None:
            checkpoint(records=done, last=_key(unit[-1]))
        if progress is not None and (done & 63 < len(unit) or done < 64):
            progress(*source.position()[:2], done)
    if progress is not None:
        position, total, _ = source.position()
        progress(total or position, total or position, done)
    return done


# Distinct unresolved URLs the summary counts one by one (it shows the top 20); the rest
# are counted together, so a site full of broken links can't grow the main process.
UNRESOLVED_KEPT = 10_000


# Fields left uncleaned the summary names (the CLI shows 20); past that they are counted:
# a hostile export of deeply nested posts can't grow the main process either.
NOT_CLEANED_KEPT = 1_000


def _note_not_cleaned(summary: Summary, notes: list[str]) -> None:
    summary.not_cleaned_total += len(notes)
    room = NOT_CLEANED_KEPT - len(summary.not_cleaned)
    if room > 0:
        summary.not_cleaned += notes[:room]


def _tally(summary: Summary, unresolved: Iterable[str]) -> None:
    """Count each unresolved link (one URL per occurrence)."""
    for url in unresolved:
        if url in summary.unresolved or len(summary.unresolved) < UNRESOLVED_KEPT:
            summary.unresolved[url] += 1
        else:
            summary.unresolved_other += 1


def _skip(
    units: Iterator[list[Record]],
    skip: resume.Checkpoint,
    json_sink: JsonArchiveWriter,
    summary: Summary,
    fetcher: MediaFetcher | None,
) -> int:
    """Read past the records an interrupted run wrote; take its summary and media
    journal instead of encoding them again."""
    done = 0
    while done < skip.records:
        unit = next(units, None)
        if unit is None:
            break
        done += len(unit)
        json_sink.count([record_kind(r) for r in unit])
        if fetcher is not None and fetcher.grow:
            for record in unit:
                fetcher.index.add(record)
    if done != skip.records or (done and _key(unit[-1]) != skip.last):
        raise resume.ResumeError(
            f"--resume: the source no longer gives what the interrupted run read (record "
            f"{skip.records} was {skip.last}); run without --resume to start again"
        )
    summary.written.update({k: v for k, v in skip.written.items() if k != "media"})
    summary.links_rewritten = skip.links_rewritten
    summary.not_cleaned = list(skip.not_cleaned)
    summary.not_cleaned_total = max(skip.not_cleaned_total, len(skip.not_cleaned))
    summary.unresolved.update(skip.unresolved)
    summary.unresolved_other = skip.unresolved_total - sum(skip.unresolved.values())
    if fetcher is not None:
        for url, post_id, attachment in resume.wanted(summary.run_dir, skip):
            fetcher.want(url, post_id=post_id, attachment=attachment)
    return done


def _key(record: Record) -> str:
    """A record as a checkpoint names it."""
    return f"{record_category(record)} {getattr(record, 'id', '')}"


def inspect_sources(
    sources: str | Path | Sequence[str | Path],
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Read the source(s) to the end and count what they hold, writing nothing."""
    warnings: list[ReadWarning] = []
    source = open_source(sources, ArchiveOptions(strict=strict, warc=False), warn=warnings.append)
    summary = Summary(run_dir=None, archive=None, site=Site(), source={}, warnings=warnings)
    done = 0
    try:
        for record in source:
            if isinstance(record, Site):
                summary.site = record
                continue
            summary.found[record_category(record)] += 1
            done += 1
            if progress is not None and done & 63 == 0:
                progress(*source.position()[:2], done)
    except WxrError as exc:
        raise SourceError(str(exc)) from exc
    source.finish()
    summary.source = source.describe()
    summary.duplicates = source.duplicates
    return summary
