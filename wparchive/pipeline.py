"""Source → transforms → sinks, with progress and a run summary.

The CLI and the Python API both call `run_archive`; neither holds logic of its own.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .links import LinkRewriter, SiteIndex, parse_media_hosts, parse_mode
from .model import Record, Site
from .names import site_slug
from .sinks.json_archive import FILENAME, JsonArchiveWriter, now_iso, record_category
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

    @property
    def lost(self) -> bool:
        """True when something the source had is not in the archive."""
        return any(w.lost for w in self.warnings) or self.found != self.written

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
                "unresolved": sum(self.unresolved.values()),
                "top_unresolved": self.unresolved.most_common(20),
            },
            "warnings": [str(w) for w in self.warnings],
            "duplicates": self.duplicates,
            "personal_data": "kept" if self.keep_personal_data else "left out",
            "lost": self.lost,
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
) -> Source:
    """The source for what the user named: WXR export file(s), or a site's URL."""
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

        return RestSource(str(urls[0]), options, warn=warn)
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

    ``transforms`` run on every record, in order, before the sinks see it.
    """
    options = options or ArchiveOptions()
    if options.digest not in DIGESTS:
        raise SourceError(f"--digest must be one of {', '.join(DIGESTS)}")
    try:
        parse_mode(options.rewrite)
        parse_media_hosts(options.media_hosts)
    except ValueError as exc:
        raise SourceError(str(exc)) from None
    warnings: list[ReadWarning] = []
    source = open_source(sources, options, warn=warnings.append)
    records = iter(source)
    try:
        site = next(records)
    except WxrError as exc:
        raise SourceError(str(exc)) from exc
    except StopIteration:
        raise SourceError("the source holds no site: not a WXR file") from None
    assert isinstance(site, Site)

    slug = site_slug(site.base_blog_url or site.url, site.title)
    run_dir = Path(options.out) / slug
    _clear_previous_run(run_dir)
    summary = Summary(
        run_dir=run_dir,
        archive=run_dir / FILENAME,
        site=site,
        source=source.describe(),
        warnings=warnings,
        keep_personal_data=options.keep_personal_data,
    )
    json_sink = JsonArchiveWriter(summary.archive, keep_personal_data=options.keep_personal_data)
    header = {
        "created": now_iso(),
        "tool": f"wparchive {__version__}",
        "source": summary.source,
        "site": dataclasses.asdict(site),
        "personal_data": summary.to_dict()["personal_data"],
    }
    json_sink.open(header)
    warc_sink: WarcSink | None = None
    if options.warc:
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
        )
        warc_sink = WarcSink(writer, run_dir)
        source.start_capture(writer)
    index: SiteIndex | None = None
    index_records = getattr(source, "index_records", None)
    if index_records is not None:
        # The first, quiet pass: everything a link can point to, a few hundred bytes a post.
        try:
            index = SiteIndex.from_records(index_records())
        except BaseException:
            _abort(json_sink, warc_sink, source)
            raise
    media_on = options.media if options.media is not None else source.kind == "rest"
    fetcher: MediaFetcher | None = None
    if media_on:
        grow = index is None  # no first pass: the index grows as records stream past
        index = index or SiteIndex()
        index.add(site)
        index.allow_media_hosts(options.media_hosts)
        fetcher = MediaFetcher(
            run_dir,
            index,
            writer=warc_sink.writer if warc_sink is not None else None,
            uploads_dir=options.uploads_dir,
            warn=lambda message: warnings.append(ReadWarning(message)),
            grow=grow,
        )
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
    try:
        _copy(
            records,
            encoder,
            json_sink,
            warc_sink,
            summary,
            source,
            progress,
            options.jobs,
            fetcher,
        )
        if fetcher is not None:
            for media in fetcher.fetch_all():
                summary.found["media"] += 1
                json_sink.write(media)
                summary.written["media"] += 1
    except WxrError as exc:
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
    _package(summary, options, warc_sink.pages_path if warc_sink is not None else None)
    return summary


# What a run writes into its folder; a new run into the same folder replaces all of it,
# so no file of an earlier run (a WARC of another date, say) can pass for this run's.
_RUN_OUTPUTS = (
    "archive.jsonl*",
    "pages.jsonl*",
    "*.warc.gz",
    "*.warc.gz.open",
    "index.cdxj*",
    "*.wacz",
    "*.wacz.open",
)
_RUN_FOLDERS = ("media", BAG_DIR, BAG_DIR + ".open")


def _clear_previous_run(run_dir: Path) -> None:
    if not run_dir.is_dir():
        return
    for pattern in _RUN_OUTPUTS:
        for path in run_dir.glob(pattern):
            path.unlink()
    for name in _RUN_FOLDERS:
        if (run_dir / name).is_dir():
            shutil.rmtree(run_dir / name)


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
    needs_warc = [flag for flag, on in (("--cdxj", options.cdxj), ("--wacz", options.wacz)) if on]
    if needs_warc and not warcs:
        raise SourceError(f"{' and '.join(needs_warc)} need WARC files: drop --no-warc")
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
) -> None:
    """Source → transforms and encoding (maybe in workers) → files, in the source's order."""
    done = 0

    def counted(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            summary.found[record_category(record)] += 1
            yield record

    warcinfo = (lambda: warc_sink.writer.warcinfo_id) if warc_sink is not None else (lambda: "")
    units = group_units(counted(records))
    for unit, encoded in encode_units(units, encoder, jobs=jobs, warcinfo_id=warcinfo):
        json_sink.write_encoded(encoded.lines, encoded.types)
        if warc_sink is not None:
            warc_sink.write_encoded(encoded.members, encoded.pages)
        for _, category in encoded.types:
            summary.written[category] += 1
        summary.links_rewritten += encoded.rewritten
        summary.unresolved.update(encoded.unresolved)
        if fetcher is not None:
            if fetcher.grow:
                for record in unit:
                    fetcher.index.add(record)
            for url, post_id, attachment in encoded.media:
                fetcher.want(url, post_id=post_id, attachment=attachment)
        done += len(unit)
        if progress is not None and (done & 63 < len(unit) or done < 64):
            progress(*source.position()[:2], done)
    if progress is not None:
        position, total, _ = source.position()
        progress(total or position, total or position, done)


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
