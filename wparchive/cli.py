"""The ``wparchive`` command: a thin typer layer over the library.

Each command parses its options, calls one library function, and renders the
result. Exit codes: 0 success, 1 finished but something was lost (see the
warnings), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
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
from .verify import verify_run

app = typer.Typer(
    help="Archive a WordPress site — from its WXR export — into a portable JSON archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: an error or warning stays one line, whole, for logs and grep.
console = Console(stderr=True, soft_wrap=True)
out_console = Console()

Sources = Annotated[
    list[Path],
    typer.Argument(
        help="WordPress export file(s) (WXR .xml or .xml.gz). Several files of one split "
        "export are merged.",
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
        console.print(f"[bold red]Error:[/] {exc}")
        console.print("Hint: check the path, and that the file is a WordPress export (WXR).")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print("[bold red]Interrupted.[/] The archive was left as *.open (incomplete).")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
        if debug:
            raise
        console.print(f"[bold red]Error:[/] {type(exc).__name__}: {exc}")
        console.print("Hint: run again with --debug to see where it happened.")
        raise typer.Exit(2) from None


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator:
    """A rich progress bar over the bytes of the input, with records and records/s."""
    if quiet:
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
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
    table = Table(title=title, title_justify="left")
    table.add_column("records")
    table.add_column("found", justify="right")
    table.add_column("written", justify="right")
    for kind, found, written in summary.rows():
        style = "red" if found != written else ""
        table.add_row(kind, f"{found:,}", f"{written:,}", style=style)
    return table


def _print_warnings(summary: Summary) -> None:
    for warning in summary.warnings[:50]:
        colour = "red" if warning.lost else "yellow"
        console.print(f"[{colour}]warning:[/] {warning}")
    if len(summary.warnings) > 50:
        console.print(f"[yellow]… and {len(summary.warnings) - 50} more warnings[/]")


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
    summary_json: Annotated[
        Path | None,
        typer.Option("--summary-json", help="Also write the run summary as JSON to this file."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    debug: Debug = False,
) -> None:
    """Archive a site from its WordPress export file(s): JSON archive and WARC."""
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
    )
    with _errors(debug), _progress("archiving", quiet) as progress:
        summary = run_archive(sources, options, progress=progress)
    _print_warnings(summary)
    console.print(_summary_table(summary, f"{summary.site.title or 'site'} → {summary.run_dir}"))
    console.print(
        f"personal data: {'kept' if keep_personal_data else 'left out'}"
        f" · duplicates merged: {summary.duplicates} · warnings: {len(summary.warnings)}"
        f" · WARC files: {len(summary.warc_files)}"
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
    with _errors(debug), _progress("reading", as_json) as progress:
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
        facts.add_row(name, getattr(site, name) or "—")
    facts.add_row("WXR version", site.wxr_version or "—")
    out_console.print(facts)
    table = Table(title="records", title_justify="left")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, found, _ in summary.rows():
        table.add_row(kind, f"{found:,}")
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
        console.print(f"[red]problem:[/] {problem}")
    if result.ok:
        out_console.print(f"[green]OK[/]: {', '.join(result.checked)}")
        raise typer.Exit(0)
    console.print(f"[bold red]{len(result.problems)} problem(s)[/] in {run_dir}")
    raise typer.Exit(1)


def main() -> None:
    app()
