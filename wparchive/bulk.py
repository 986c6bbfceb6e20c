"""Bulk runs: many sites, each an independent `run_archive` job, in a local process pool
or on a Dask cluster's workers.

The sites file is TOML (``[[site]]`` tables) or plain text (one source per line).
Each site is archived into its own folder, ``OUT/<name>/<site-slug>/``; one site
failing never stops the others. ``resume`` skips sites whose archive is complete and
carries on interrupted ones from their checkpoint (`wparchive.resume`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .names import dir_name, site_slug
from .pipeline import DEFAULT_OUT, ArchiveOptions, SourceError, run_archive
from .sinks.json_archive import FILENAME

DEFAULT_JOBS = 2

# Options a sites file may not set: the output root is bulk's, the pool is bulk's,
# and a password is never written into a file.
_NOT_PER_SITE = frozenset({"out", "jobs", "password", "ask_password"})
_OPTION_FIELDS = {f.name for f in dataclasses.fields(ArchiveOptions)} - _NOT_PER_SITE
_TUPLES = frozenset({"keep", "only", "media_hosts", "l10n_dirs"})
_PATHS = frozenset({"uploads_dir", "l10n_dirs"})
_RECORD_KINDS = frozenset({"comment", "term", "author", "media"})  # the rest are posts


class BulkError(ValueError):
    """The sites file can't be read, or names an option or source wrongly."""


class SchedulerError(RuntimeError):
    """The Dask scheduler can't be used: distributed is missing, or the scheduler or its
    workers can't be reached or run wparchive."""


@dataclass
class BulkSite:
    """One job of a bulk run: a site's source(s) and its own options."""

    name: str  # its folder below the output root
    sources: list[str]
    options: dict[str, Any] = field(default_factory=dict)  # ArchiveOptions fields


@dataclass
class BulkResult:
    """How one site of a bulk run went.

    ``status``: ``complete``, ``lost`` (finished, but something the source holds is
    not in the archive), ``failed`` (``error`` says why) or ``skipped`` (``resume``
    found its archive complete; the counts are read from it).
    """

    name: str
    sources: list[str]
    status: str
    run_dir: Path | None = None
    posts: int = 0  # posts of every type: pages, attachments...
    comments: int = 0
    media: int = 0
    warnings: int = 0
    seconds: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("complete", "skipped")


def read_sites(path: str | Path) -> list[BulkSite]:
    """The sites a sites file lists: TOML when it ends in ``.toml``, else one source a line.

    Relative paths (sources, ``uploads_dir``, ``l10n_dirs``) are relative to the file's
    folder. Raises `BulkError` naming the site and what is wrong.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BulkError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BulkError(f"{path} is not UTF-8 text") from None
    base = path.parent
    if path.suffix.lower() == ".toml":
        entries = _toml_entries(text, path)
    else:
        entries = [
            {"source": line.strip()}
            for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
    if not entries:
        raise BulkError(f"{path} lists no site")
    sites, names = [], set()
    for number, entry in enumerate(entries, start=1):
        site = _site(entry, number, base)
        name, n = site.name, 1
        while site.name in names:  # two exports of one site: each keeps its own folder
            n += 1
            site.name = f"{name}-{n}"
        names.add(site.name)
        sites.append(site)
    return sites


def _toml_entries(text: str, path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BulkError(f"{path} is not valid TOML: {exc}") from None
    entries = data.get("site", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BulkError(f"{path}: sites are [[site]] tables")
    unknown = set(data) - {"site"}
    if unknown:
        raise BulkError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    return entries


def _site(entry: dict[str, Any], number: int, base: Path) -> BulkSite:
    entry = dict(entry)
    where = f"site {number}"
    if "source" in entry and "sources" in entry:
        raise BulkError(f"{where}: give source or sources, not both")
    raw = entry.pop("sources", None) or [entry.pop("source", None)]
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s for s in raw):
        raise BulkError(f"{where}: no source (a WXR file or a site's URL)")
    sources = [_resolve(s, base) for s in raw]
    name = entry.pop("name", None)
    if name is not None and not isinstance(name, str):
        raise BulkError(f"{where}: name must be a string")
    unknown = set(entry) - _OPTION_FIELDS
    if unknown:
        raise BulkError(
            f"{where}: unknown option(s) {', '.join(sorted(unknown))} "
            f"(per-site options are ArchiveOptions fields, e.g. media, rewrite, clean)"
        )
    options = {}
    for key, value in entry.items():
        if key in _PATHS:
            value = (
                [str(_resolve(str(v), base)) for v in value]
                if isinstance(value, list)
                else str(_resolve(str(value), base))
            )
        if key in _TUPLES:
            value = tuple(value) if isinstance(value, list) else (value,)
        options[key] = value
    return BulkSite(
        name=dir_name(name or _default_name(sources[0]), fallback="site"),
        sources=sources,
        options=options,
    )


def _resolve(source: str, base: Path) -> str:
    if source.startswith(("http://", "https://")):
        return source
    path = Path(source).expanduser()
    return str(path if path.is_absolute() else base / path)


def _default_name(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return site_slug(source)
    name = Path(source).name
    for suffix in (".gz", ".xml"):
        name = name.removesuffix(suffix)
    return name


def complete_archive(folder: Path) -> Path | None:
    """The run folder below ``folder`` whose JSON archive is complete (has its end line)."""
    from . import open_archive
    from .sinks.json_archive import ArchiveError

    if not folder.is_dir():
        return None
    for run_dir in sorted(p for p in folder.iterdir() if (p / FILENAME).is_file()):
        try:
            open_archive(run_dir)  # the header: a wparchive archive of this version
        except ArchiveError:
            continue
        if _end_line(run_dir / FILENAME) is not None:
            return run_dir
    return None


def _end_line(path: Path) -> dict[str, Any] | None:
    """The archive's end line, read from the file's tail (not by streaming every record)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 65536))
        lines = fh.read().splitlines()
    try:
        last = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return last if isinstance(last, dict) and last.get("type") == "end" else None


def _skipped(site: BulkSite, run_dir: Path) -> BulkResult:
    counts = (_end_line(run_dir / FILENAME) or {}).get("counts", {})
    return BulkResult(
        name=site.name,
        sources=site.sources,
        status="skipped",
        run_dir=run_dir,
        posts=counts.get("post", 0),
        comments=counts.get("comment", 0),
        media=counts.get("media", 0),
    )


def _clear_previous(folder: Path) -> None:
    """Remove an earlier run of this job: a rerun starts afresh, no stale WARC or .open file."""
    if not folder.is_dir():
        return
    for run_dir in folder.iterdir():
        marks = (run_dir / FILENAME, run_dir / f"{FILENAME}.open")
        if run_dir.is_dir() and not run_dir.is_symlink() and any(p.exists() for p in marks):
            shutil.rmtree(run_dir)


def run_site(site: BulkSite, out: str | Path, resume: bool = False) -> BulkResult:
    """Archive one site into ``out/<name>/``; any failure becomes the result's ``error``.
    ``resume`` carries on an interrupted run of the site from its checkpoint."""
    start = time.monotonic()
    try:
        options = ArchiveOptions(**site.options, out=Path(out) / site.name, jobs=1, resume=resume)
        if not resume:
            _clear_previous(Path(out) / site.name)
        summary = run_archive(site.sources, options)
    except Exception as exc:  # noqa: BLE001 - one site's failure must not stop the others
        error = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
        return BulkResult(
            name=site.name,
            sources=site.sources,
            status="failed",
            seconds=time.monotonic() - start,
            error=error.splitlines()[0] if error else type(exc).__name__,
        )
    written = summary.written
    return BulkResult(
        name=site.name,
        sources=site.sources,
        status="lost" if summary.lost else "complete",
        run_dir=summary.run_dir,
        posts=sum(n for kind, n in written.items() if kind not in _RECORD_KINDS),
        comments=written.get("comment", 0),
        media=written.get("media", 0),
        warnings=len(summary.warnings),
        seconds=time.monotonic() - start,
    )


def run_bulk(
    path: str | Path | Sequence[BulkSite],
    *,
    out: str | Path = DEFAULT_OUT,
    jobs: int = DEFAULT_JOBS,
    resume: bool = False,
    on_result: Callable[[BulkResult], None] | None = None,
    scheduler: str | None = None,
) -> list[BulkResult]:
    """Archive every site a sites file lists (or the `BulkSite`\\ s given), ``jobs`` at a time.

    Each site runs with ``jobs=1`` in its own worker process, into ``out/<name>/``.
    With ``scheduler`` (a Dask scheduler's address, ``tcp://HOST:8786``) the sites run on
    that cluster's workers instead, and ``jobs`` is ignored: ``out`` and the sources must
    then be on a path every worker shares.
    With ``resume``, sites whose folder already holds a complete archive are skipped, and
    interrupted ones carry on from their checkpoint.
    ``on_result`` is called as each site finishes; the results come back in the file's
    order. Raises `BulkError` only for a sites file that can't be read, `SchedulerError`
    when the scheduler can't be used.
    """
    sites = read_sites(path) if isinstance(path, str | Path) else list(path)
    out = Path(out)
    results: dict[int, BulkResult] = {}

    def done(index: int, result: BulkResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    pending = []
    for index, site in enumerate(sites):
        run_dir = complete_archive(out / site.name) if resume else None
        if run_dir is not None:
            done(index, _skipped(site, run_dir))
        else:
            pending.append(index)
    if pending:
        executor = (
            _dask_cluster(scheduler, out, resume) if scheduler else _local_pool(jobs, out, resume)
        )
        with executor as (submit, completed):
            jobs_of = {submit(sites[i]): i for i in pending}
            for future in completed(jobs_of):
                index = jobs_of[future]
                done(index, _outcome(future, sites[index]))
    return [results[i] for i in range(len(sites))]


# An executor runs `run_site` jobs: it yields ``submit(site) -> future`` and an
# ``as_completed(futures)``; concurrent.futures and Dask futures answer ``result()`` alike.
_Submit = Callable[[BulkSite], Any]
_AsCompleted = Callable[[Iterable[Any]], Iterator[Any]]


@contextmanager
def _local_pool(jobs: int, out: Path, resume: bool) -> Iterator[tuple[_Submit, _AsCompleted]]:
    with futures.ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield (lambda site: pool.submit(run_site, site, out, resume)), futures.as_completed


@contextmanager
def _dask_cluster(address: str, out: Path, resume: bool) -> Iterator[tuple[_Submit, _AsCompleted]]:
    """Jobs on a Dask cluster. A job whose worker dies is rerun on another by the scheduler
    itself (up to ``distributed.scheduler.allowed-failures`` times, then `KilledWorker`);
    ``retries=`` would only rerun raised errors, which `run_site` turns into results."""
    distributed = _import_distributed()
    client = _connect(distributed, address)
    with client:
        _check_workers(client, address)
        # A worker has its own current folder: it gets absolute paths.
        out = out.absolute()

        def submit(site: BulkSite) -> Any:
            # A readable key names the site on the dashboard; unique, so a rerun of the
            # whole bulk never reuses an earlier result (pure=False, spelled out).
            key = f"wparchive-bulk-{site.name}-{uuid.uuid4().hex}"
            return client.submit(run_site, _absolute(site), out, resume, key=key, pure=False)

        def completed(jobs: Iterable[Any]) -> Iterator[Any]:
            return iter(distributed.as_completed(jobs, loop=client.loop))

        yield submit, completed


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise SchedulerError(
            "--scheduler needs Dask distributed: pip install 'wparchive[dask]'"
        ) from None
    return distributed


def _connect(distributed: Any, address: str) -> Any:
    """A client of the scheduler; it waits ``distributed.comm.timeouts.connect`` (Dask's
    own setting, 30 s unless configured) before giving up."""
    try:
        return distributed.Client(address, set_as_default=False)
    except (OSError, ValueError) as exc:  # TimeoutError is an OSError
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _wparchive_version() -> str:
    """The wparchive version a Dask worker imports (run there by `run_bulk`'s check)."""
    return __version__


def _check_workers(client: Any, address: str) -> None:
    """Fail before any job runs when a worker can't import wparchive, or another version.

    Workers that join later are not checked: a job of theirs fails on its own."""
    try:
        versions = client.run(_wparchive_version)
    except Exception as exc:  # noqa: BLE001 - whatever a worker raised while unpickling
        raise SchedulerError(
            f"the Dask workers of {address} can't run wparchive ({type(exc).__name__}: {exc}); "
            f"install wparchive {__version__} where they run"
        ) from None
    other = {worker: v for worker, v in versions.items() if v != __version__}
    if other:
        worker, version = next(iter(other.items()))
        raise SchedulerError(
            f"{len(other)} Dask worker(s) of {address} run wparchive {version} "
            f"(e.g. {worker}), this is {__version__}: install the same version everywhere"
        )


def _absolute(site: BulkSite) -> BulkSite:
    """The site with its local paths absolute, as a worker elsewhere must see them."""
    here = Path.cwd()
    options = dict(site.options)
    for key in _PATHS & options.keys():
        value = options[key]
        if key in _TUPLES:
            options[key] = tuple(_resolve(str(v), here) for v in value)
        elif value is not None:
            options[key] = _resolve(str(value), here)
    sources = [_resolve(source, here) for source in site.sources]
    return dataclasses.replace(site, sources=sources, options=options)


def _outcome(future: Any, site: BulkSite) -> BulkResult:
    """A finished job's result; a job that never returned one (its worker process died, or
    on Dask every worker that tried it) is the site's failure."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - one site's failure must not stop the others
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return BulkResult(site.name, site.sources, "failed", error=error)


def exit_code(results: Sequence[BulkResult]) -> int:
    """2 when any site failed, 1 when any lost data, else 0 (skipped sites succeeded)."""
    if any(r.status == "failed" for r in results):
        return 2
    return 1 if any(r.status == "lost" for r in results) else 0
