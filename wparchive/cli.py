"""The ``wparchive`` command: a thin typer layer over the library.

Each command parses its options, calls one library function, and renders the
result. Exit codes: 0 success, 1 finished but something was lost (see the
warnings), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import errno
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import __version__
from .pipeline import (
    DEFAULT_OUT,
    ArchiveOptions,
    SourceError,
    Summary,
    inspect_sources,
    run_archive,
)
from .units import default_jobs
from .verify import verify_run

app = typer.Typer(
    help="Archive a WordPress site — from its WXR export or its REST API — into WARC files "
    "and a portable JSON archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: an error or warning stays one line, whole, for logs and grep.
console = Console(stderr=True, soft_wrap=True)
out_console = Console()

Sources = Annotated[
    list[str],  # str, not Path: Path("https://x") would fold the URL's double slash
    typer.Argument(
        help="WordPress export file(s) (WXR .xml or .xml.gz) — several files of one split "
        "export are merged — or a site's URL (https://example.org/), read via its REST API.",
        show_default=False,
    ),
]
Strict = Annotated[
    bool, typer.Option("--strict", help="Treat any repaired damage in the input as an error.")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]


def _version(value: bool) -> None:
    if value:
        out_console.print(f"wparchive {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """wparchive: faithful, clean, standards-grade archives of WordPress sites."""


def _os_hint(exc: OSError) -> str:
    """What to do about a file the system would not let us write."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: free some space, then run the same command again with --resume."
    if exc.errno == errno.EFBIG:
        return (
            "the file reached the largest size allowed here (ulimit -f, or the filesystem's "
            "limit): raise the limit, then run the same command again with --resume "
            "(--warc-max-size keeps WARC files smaller)."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            "wparchive may not write there: choose another --out (or --to), or fix its permissions."
        )
    return "run again with --debug to see where it happened."


def _source_hint(message: str) -> str:
    """The hint for a SourceError that brings none of its own, by what it is about."""
    if "--resume" in message:
        return (
            "--resume carries on an interrupted run of the same source with the same "
            "options; without --resume the run starts afresh."
        )
    if "rule family" in message:
        return "`wparchive rules` lists the rule families."
    if message.startswith("--"):
        return "`wparchive archive --help` lists the options and the values they take."
    return "check the path, and that the file is a WordPress export (WXR)."


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turn failures into one clear sentence and exit code 2; --debug keeps the traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except SourceError as exc:
        if debug:
            raise
        # escaped: a site's own error text ("Invalid [param]") is not rich markup
        console.print(f"[bold red]Error:[/] {escape(str(exc))}")
        hint = getattr(exc, "hint", "") or _source_hint(str(exc))
        console.print(f"Hint: {hint}", markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # a full disk, a file-size limit, a folder we may not write to
        if debug:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        console.print(f"[bold red]Error:[/] {escape(f'{exc.strerror or exc}{where}')}")
        console.print(f"Hint: {_os_hint(exc)}", markup=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print(
            "[bold red]Interrupted.[/] The archive was left as *.open (incomplete): run the "
            "same command with --resume to carry it on."
        )
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if debug:
            raise
        console.print(f"[bold red]Error:[/] {type(exc).__name__}: {escape(str(exc))}")
        console.print("Hint: run again with --debug to see where it happened.")
        raise typer.Exit(2) from None


@contextmanager
def _progress(label: str, quiet: bool, unit: str = "bytes") -> Iterator:
    """A rich progress bar over the bytes of the input (or the items of a site's API),
    with records and records/s."""
    if quiet:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn() if unit == "bytes" else MofNCompleteColumn(),
        TextColumn("{task.fields[items]:,} items · {task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, items=0, rate=0.0)
        start = time.monotonic()

        def update(done: int, total: int, items: int) -> None:
            elapsed = max(time.monotonic() - start, 1e-6)
            bar.update(task, completed=done, total=total, items=items, rate=items / elapsed)

        yield update


def _summary_table(summary: Summary, title: str) -> Table:
    table = Table(title=escape(title), title_justify="left")
    table.add_column("records")
    table.add_column("found", justify="right")
    table.add_column("written", justify="right")
    for kind, found, written in summary.rows():
        style = "red" if found != written else ""
        table.add_row(escape(kind), f"{found:,}", f"{written:,}", style=style)
    return table


def _print_warnings(summary: Summary) -> None:
    for warning in summary.warnings[:50]:
        colour = "red" if warning.lost else "yellow"
        console.print(f"[{colour}]warning:[/] {escape(str(warning))}")
    if len(summary.warnings) > 50:
        console.print(f"[yellow]… and {len(summary.warnings) - 50} more warnings[/]")
    shown = summary.not_cleaned[:20]
    for note in shown:
        console.print(f"[yellow]not cleaned:[/] {escape(note)} (the archive keeps it whole)")
    more = summary.not_cleaned_total - len(shown)
    if more > 0:
        console.print(f"[yellow]… and {more:,} more fields not cleaned[/]")


def _ask_password(user: str, host: str) -> str:
    """--user's application password, typed without echo (asked only when no other is found)."""
    return typer.prompt(f"Application password of {user} on {host}", hide_input=True)


Keep = Annotated[
    list[str] | None,
    typer.Option(
        "--keep", help="Keep this rule family's artifacts (repeatable).", show_default=False
    ),
]
Only = Annotated[
    list[str] | None,
    typer.Option("--only", help="Apply only this rule family (repeatable).", show_default=False),
]


Locale = Annotated[
    str | None,
    typer.Option(
        "--locale", help="The site's locale for cleaning (hu_HU, de-DE...); default: the site's."
    ),
]
L10n = Annotated[
    list[Path] | None,
    typer.Option(
        "--l10n",
        help="A wp-content/languages folder: its .mo/.po catalogs add the site's own "
        "strings (repeatable).",
        show_default=False,
    ),
]


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.I)


def parse_size(text: str) -> int:
    """``1GB``, ``500MB``, ``64k``, ``1GiB`` or plain bytes; decimal units, as WARC tools use."""
    match = _SIZE.match(text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a size like 1GB, 500MB or 100000")
    number, unit, binary = match.groups()
    base = 1024 if binary.lower().startswith("i") else 1000
    return int(float(number) * base ** " kmgt".index(unit.lower() or " "))


@app.command()
def archive(
    sources: Sources,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output root; the run goes to OUT/<site-slug>/.")
    ] = DEFAULT_OUT,
    strict: Strict = False,
    keep_personal_data: Annotated[
        bool,
        typer.Option(
            "--keep-personal-data",
            help="Keep commenter e-mails and IPs, user e-mails and post passwords "
            "(left out by default).",
        ),
    ] = False,
    warc: Annotated[
        bool, typer.Option("--warc/--no-warc", help="Write WARC files beside the JSON archive.")
    ] = True,
    warc_max_size: Annotated[
        str,
        typer.Option(
            "--warc-max-size",
            help="Start a new WARC file before one would pass this size (e.g. 1GB, 200MB).",
        ),
    ] = "1GB",
    digest: Annotated[
        str,
        typer.Option(
            "--digest", help="WARC digest algorithm: sha1 (base32, the default) or sha256 (hex)."
        ),
    ] = "sha1",
    gzip_level: Annotated[
        int,
        typer.Option("--gzip-level", min=1, max=9, help="gzip level of each WARC record (1-9)."),
    ] = 6,
    operator: Annotated[
        str,
        typer.Option("--operator", help="Who made the archive, for the WARC's warcinfo."),
    ] = "",
    cdxj: Annotated[
        bool, typer.Option("--cdxj", help="Also write index.cdxj, a CDXJ index of the WARCs.")
    ] = False,
    wacz: Annotated[bool, typer.Option("--wacz", help="Also write a WACZ 1.1.1 package.")] = False,
    bag: Annotated[
        bool, typer.Option("--bag", help="Also write bag/, a BagIt 1.0 bag of every output.")
    ] = False,
    source_organization: Annotated[
        str, typer.Option("--source-organization", help="The bag's Source-Organization.")
    ] = "",
    contact_email: Annotated[
        str, typer.Option("--contact-email", help="The bag's Contact-Email.")
    ] = "",
    external_identifier: Annotated[
        str, typer.Option("--external-identifier", help="The bag's External-Identifier.")
    ] = "",
    user: Annotated[
        str,
        typer.Option(
            "--user",
            help="REST: the WordPress user whose application password to use (asked for "
            "without echo unless WPARCHIVE_APP_PASSWORD or ~/.netrc has it).",
        ),
    ] = "",
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=32, help="REST: requests in flight at most.")
    ] = 4,
    rate: Annotated[
        float,
        typer.Option("--rate", min=0, help="REST: requests per second at most (0: no limit)."),
    ] = 0.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="REST: seconds to wait for the server.")
    ] = 30.0,
    pages: Annotated[
        bool,
        typer.Option(
            "--pages/--no-pages", help="REST: also capture each published post's permalink page."
        ),
    ] = True,
    rewrite: Annotated[
        str,
        typer.Option(
            "--rewrite",
            help="Where links to the site's own pages and media point: relative (into the "
            "archive), base=URL (the same permalinks on a new host) or none (broken ones are "
            "still reported).",
        ),
    ] = "relative",
    media: Annotated[
        bool | None,
        typer.Option(
            "--media/--no-media",
            help="Download the site's files (attachments, images in content) into media/ and "
            "the WARC (default: on for a site URL, off for an export).",
            show_default=False,
        ),
    ] = None,
    uploads_dir: Annotated[
        Path | None,
        typer.Option(
            "--uploads-dir",
            help="A local copy of the site's wp-content/uploads, read instead of downloading.",
        ),
    ] = None,
    media_hosts: Annotated[
        list[str] | None,
        typer.Option(
            "--media-hosts",
            metavar="HOST[,HOST...]",
            help="Also bring home files on these off-site hosts (i0.wp.com, "
            "*.files.wordpress.com, a CDN): downloaded into media/_hosts/ and linked there "
            "(repeatable; with --media).",
            show_default=False,
        ),
    ] = None,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean/--no-clean",
            help="Remove plugin and theme artifacts from content.html (raw is always kept).",
        ),
    ] = True,
    locale: Locale = None,
    keep: Keep = None,
    only: Only = None,
    l10n: L10n = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes for cleaning and encoding (default: cores).",
        ),
    ] = default_jobs(),
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Carry on an interrupted run of the same source and options from its last "
            "checkpoint, without asking the site again for what it already answered; a "
            "complete run is left as it is.",
        ),
    ] = False,
    summary_json: Annotated[
        Path | None,
        typer.Option("--summary-json", help="Also write the run summary as JSON to this file."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    debug: Debug = False,
) -> None:
    """Archive a site from its WordPress export file(s) or its URL: JSON archive and WARC."""
    options = ArchiveOptions(
        out=out,
        strict=strict,
        keep_personal_data=keep_personal_data,
        warc=warc,
        warc_max_size=parse_size(warc_max_size),
        digest=digest,
        gzip_level=gzip_level,
        operator=operator,
        cdxj=cdxj,
        wacz=wacz,
        bag=bag,
        source_organization=source_organization,
        contact_email=contact_email,
        external_identifier=external_identifier,
        user=user,
        ask_password=_ask_password,
        concurrency=concurrency,
        rate=rate,
        timeout=timeout,
        pages=pages,
        rewrite=rewrite,
        media=media,
        uploads_dir=uploads_dir,
        media_hosts=tuple(media_hosts or ()),
        clean=clean,
        locale=locale,
        keep=tuple(keep or ()),
        only=tuple(only or ()),
        l10n_dirs=tuple(l10n or ()),
        jobs=jobs,
        resume=resume,
    )
    unit = "items" if any(s.startswith(("http://", "https://")) for s in sources) else "bytes"
    with _errors(debug), _progress("archiving", quiet, unit) as progress:
        summary = run_archive(sources, options, progress=progress)
    if summary.complete:
        console.print(f"nothing to resume: {escape(str(summary.run_dir))} holds a complete run")
    elif summary.resumed:
        console.print(
            f"resumed {escape(str(summary.run_dir))}: {summary.replayed:,} answers taken from "
            "the interrupted run's WARC instead of the site"
        )
    _print_warnings(summary)
    console.print(_summary_table(summary, f"{summary.site.title or 'site'} → {summary.run_dir}"))
    console.print(
        f"personal data: {'kept' if keep_personal_data else 'left out'}"
        f" · duplicates merged: {summary.duplicates} · warnings: {len(summary.warnings)}"
        f" · WARC files: {len(summary.warc_files)}"
    )
    if summary.links_rewritten or summary.unresolved:
        console.print(
            f"links: {summary.links_rewritten:,} rewritten · "
            f"{summary.unresolved_total:,} to pages not in the archive"
        )
    if summary_json is not None:
        summary_json.write_text(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    if summary.lost:
        console.print("[bold red]Some items could not be archived: see the warnings above.[/]")
    raise typer.Exit(summary.exit_code)


@app.command()
def inspect(
    sources: Sources,
    strict: Strict = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the facts as JSON.")] = False,
    debug: Debug = False,
) -> None:
    """Show a source's site facts and counts without writing anything."""
    unit = "items" if any(s.startswith(("http://", "https://")) for s in sources) else "bytes"
    with _errors(debug), _progress("reading", as_json, unit) as progress:
        summary = inspect_sources(sources, strict=strict, progress=progress)
    exit_code = 1 if any(w.lost for w in summary.warnings) else 0
    if as_json:
        facts = summary.to_dict()
        out_console.print_json(
            json.dumps({k: facts[k] for k in ("site", "source", "found", "warnings", "duplicates")})
        )
        raise typer.Exit(exit_code)
    _print_warnings(summary)
    site = summary.site
    facts = Table.grid(padding=(0, 2))
    for name in ("title", "url", "description", "language", "base_site_url", "base_blog_url"):
        facts.add_row(name, escape(getattr(site, name) or "—"))
    facts.add_row("WXR version", escape(site.wxr_version or "—"))
    out_console.print(facts)
    table = Table(title="records", title_justify="left")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, found, _ in summary.rows():
        table.add_row(escape(kind), f"{found:,}")
    out_console.print(table)
    raise typer.Exit(exit_code)


@app.command()
def verify(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder (OUT/<site-slug>/).", show_default=False)
    ],
    debug: Debug = False,
) -> None:
    """Check every output of a run: WARC digests, JSON archive, CDXJ, WACZ and bag."""
    with _errors(debug):
        result = verify_run(run_dir)
    for problem in result.problems:
        console.print(f"[red]problem:[/] {escape(str(problem))}")
    if result.ok:
        out_console.print(f"[green]OK[/]: {', '.join(result.checked)}")
        raise typer.Exit(0)
    console.print(f"[bold red]{len(result.problems)} problem(s)[/] in {escape(str(run_dir))}")
    raise typer.Exit(1)


@app.command()
def clean(
    page: Annotated[
        str,
        typer.Argument(
            help="A rendered page (HTML) or a scraped page (text) file; - reads standard input.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Print the post as text, html or json.")
    ] = "text",
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale", help="The site's locale (hu_HU, de-DE...); default: <html lang>, else all."
        ),
    ] = None,
    l10n: L10n = None,
    keep: Keep = None,
    only: Only = None,
    debug: Debug = False,
) -> None:
    """Clean one page of a WordPress site and print its post: title, date, body, comments."""
    from .clean import extract_page

    if fmt not in ("text", "html", "json"):
        console.print(f"[bold red]Error:[/] --format must be text, html or json, not {fmt!r}")
        raise typer.Exit(2)
    if page != "-" and not Path(page).is_file():
        console.print(f"[bold red]Error:[/] {escape(page)}: no such file")
        console.print("Hint: give a saved page (HTML or text), or - to read standard input.")
        raise typer.Exit(2)
    with _errors(debug):
        try:
            source = (
                typer.get_text_stream("stdin").read()
                if page == "-"
                else Path(page).read_bytes().decode("utf-8", errors="replace")
            )
            result = extract_page(
                source, locale=locale, keep=keep or (), only=only or (), l10n_dirs=l10n or ()
            )
        except ValueError as exc:  # an unknown family, a missing --l10n folder
            console.print(f"[bold red]Error:[/] {escape(str(exc))}")
            console.print("Hint: `wparchive rules` lists the rule families.")
            raise typer.Exit(2) from None
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(result.to_html() if fmt == "html" else result.to_text(), nl=False)


@app.command()
def rules(keep: Keep = None, only: Only = None) -> None:
    """List the cleaning rules: family, id and what each removes."""
    from rich.text import Text

    from .clean import list_rules

    try:
        selected = list_rules(keep=set(keep or ()), only=set(only or ()))
    except ValueError as exc:
        console.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    table = Table(title=f"{len(selected)} cleaning rules", title_justify="left")
    for column in ("family", "id", "description"):
        table.add_column(column)
    for rule in selected:
        table.add_row(rule.family, rule.id, Text(rule.description))
    out_console.print(table)


@app.command()
def bulk(
    sites_file: Annotated[
        Path,
        typer.Argument(
            help="A sites file: TOML ([\\[site]] tables with source or sources and per-site "
            "options) or plain text, one export file or site URL a line.",
            show_default=False,
        ),
    ],
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Sites archived at once, each in a process (ignored with --scheduler).",
        ),
    ] = 2,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output root; each site goes to OUT/<name>/<site-slug>/."),
    ] = DEFAULT_OUT,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip sites whose archive is already complete; carry on interrupted ones "
            "from their checkpoint.",
        ),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Run the sites on a Dask cluster's workers, e.g. tcp://HOST:8786 (needs "
            "wparchive\\[dask], and OUT and the sources on a path every worker shares).",
            show_default=False,
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Archive many sites listed in a file, each an independent job, with one summary table."""
    from rich.markup import escape
    from rich.text import Text

    from .bulk import BulkError, BulkResult, SchedulerError, exit_code, run_bulk

    def report(result: BulkResult) -> None:
        colour = {"failed": "red", "lost": "red", "skipped": "dim"}.get(result.status, "green")
        error = f": {escape(result.error)}" if result.error else ""
        console.print(
            f"[{colour}]{result.status}[/]: {escape(result.name)}{error}", highlight=False
        )

    with _errors(debug):
        try:
            results = run_bulk(
                sites_file,
                out=out,
                jobs=jobs,
                resume=resume,
                on_result=report,
                scheduler=scheduler,
            )
        except BulkError as exc:
            console.print(f"[bold red]Error:[/] {escape(str(exc))}")
            console.print("Hint: see `wparchive bulk` in the README for the sites file's format.")
            raise typer.Exit(2) from None
        except SchedulerError as exc:
            console.print(f"[bold red]Error:[/] {escape(str(exc))}")
            console.print("Hint: see 'Bulk on a Dask cluster' in the README.", markup=False)
            raise typer.Exit(2) from None
    table = Table(title=f"{len(results)} sites → {out}", title_justify="left")
    for column in ("site", "status", "posts", "comments", "media", "warnings", "seconds"):
        text = column in ("site", "status")
        table.add_column(column, justify="left" if text else "right", overflow="fold")
    for r in results:
        status = f"failed: {r.error}" if r.status == "failed" else r.status
        table.add_row(
            Text(r.name),
            Text(status),
            f"{r.posts:,}",
            f"{r.comments:,}",
            f"{r.media:,}",
            f"{r.warnings:,}",
            f"{r.seconds:.1f}",
            style="red" if r.status in ("failed", "lost") else "",
        )
    console.print(table)
    raise typer.Exit(exit_code(results))


export_app = typer.Typer(
    help="Export a finished archive: Markdown for Hugo or Jekyll, a static HTML site, or WXR.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

RunDir = Annotated[
    Path,
    typer.Argument(
        help="A run folder (OUT/<site-slug>/) or its archive.jsonl.", show_default=False
    ),
]


def _export(debug: bool, call: Any) -> Any:
    """Run one exporter; a bad run folder or target is one sentence and exit code 2."""
    from .export.run import ExportError
    from .sinks.json_archive import ArchiveError

    with _errors(debug):
        try:
            with _progress("exporting", False, unit="items") as progress:
                return call(progress)
        except (ArchiveError, ExportError) as exc:
            if debug:
                raise
            console.print(f"[bold red]Error:[/] {escape(str(exc))}")
            if isinstance(exc, ArchiveError):
                console.print("Hint: give a run folder written by `wparchive archive`.")
            raise typer.Exit(2) from None


def _export_report(summary: Any, what: str) -> None:
    for warning in getattr(summary, "warnings", ()):
        console.print(f"[yellow]warning:[/] {escape(str(warning))}")
    table = Table(title=escape(f"{what} → {summary.out}"), title_justify="left")
    table.add_column("written")
    table.add_column("count", justify="right")
    for kind, count in sorted(summary.written.items()):
        table.add_row(escape(kind), f"{count:,}")
    for kind, count in sorted(getattr(summary, "skipped", {}).items()):
        table.add_row(f"[dim]left out: {escape(kind)}[/]", f"[dim]{count:,}[/]")
    console.print(table)


def _tick(progress: Any) -> Any:
    return None if progress is None else (lambda done: progress(0, 0, done))


@export_app.command("markdown")
def export_markdown(
    run_dir: RunDir,
    to: Annotated[
        Path, typer.Option("--to", help="The folder to write the site into.", show_default=False)
    ],
    flavor: Annotated[
        str, typer.Option("--flavor", help="The static site generator: hugo or jekyll.")
    ] = "hugo",
    keep_personal_data: Annotated[
        bool,
        typer.Option(
            "--keep-personal-data",
            help="Write commenters' e-mails into the comment data files (when the archive "
            "kept them).",
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Markdown with front matter for Hugo or Jekyll: posts, pages, media, comments."""
    from .export import export_markdown as run

    summary = _export(
        debug,
        lambda p: run(
            run_dir, to, flavor=flavor, keep_personal_data=keep_personal_data, progress=_tick(p)
        ),
    )
    _export_report(summary, f"Markdown ({flavor})")


@export_app.command("html")
def export_html(
    run_dir: RunDir,
    to: Annotated[
        Path, typer.Option("--to", help="The folder to write the site into.", show_default=False)
    ],
    debug: Debug = False,
) -> None:
    """A static, browsable site: plain HTML and CSS, no JavaScript."""
    from .export import export_html as run

    summary = _export(debug, lambda p: run(run_dir, to, progress=_tick(p)))
    _export_report(summary, "HTML")


@export_app.command("wxr")
def export_wxr(
    run_dir: RunDir,
    to: Annotated[
        Path,
        typer.Option("--to", help="The WXR file to write (.xml, or .xml.gz).", show_default=False),
    ],
    debug: Debug = False,
) -> None:
    """A WXR 1.2 file for WordPress's importer: every author, term, post and comment."""
    from .export import export_wxr as run

    summary = _export(debug, lambda p: run(run_dir, to, progress=_tick(p)))
    _export_report(summary, "WXR")


def main() -> None:
    app()
