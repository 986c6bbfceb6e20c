"""The benchmark harness: wparchive against the floor and against a peer, in one run.

    python -m bench.run                 # full run: WXR 1k-50k posts, peer, REST, BENCHMARKS.md
    python -m bench.run --smoke         # 1k posts only, no peer, no REST; for CI
    python -m bench.run --wxr-only      # the export half alone (prints; --write to save)
    python -m bench.run --rest-only     # the live-site half alone (prints; --write to save)

Every figure comes from a separate process measured from outside (wall clock,
peak RSS and CPU from wait4's rusage). Throughput is reported as a ratio against
the floor measured in the same run on the same input — these machines are noisy,
ratios are what carry over. The harness measures; it never sleeps or pads.

The REST half boots the real WordPress test site (tests/wordpress, bulk posts) in a
private state dir, archives it at --concurrency 1 and 4, fetches the very URLs those
runs requested with bare sequential `requests` (the server's floor), and stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wparchive.sinks.warc import DEFAULT_GZIP_LEVEL

from .wxrgen import write_export

ROOT = Path(__file__).resolve().parent.parent
NOTES = Path(__file__).resolve().parent / "NOTES.md"  # hand-written, kept across runs
DATA = Path(os.environ.get("WPARCHIVE_BENCH_DATA", Path(tempfile.gettempdir()) / "wparchive-bench"))

# A bare lxml iterparse that clears elements: the fastest any Python WXR reader can go.
FLOOR = """
import sys
from lxml import etree
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="item"):
    n += 1
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]
print(n)
"""

# Where the time goes: each stage's CPU time on the same records, one process, in the
# pipeline's order (cleaning, then links, then encoding), each stage timed on what the
# stage before it produced — so the WARC stage renders the cleaned copies as a run does.
STAGES = """
import copy, json, sys, time
from wparchive.clean import CleanTransform
from wparchive.links import LinkRewriter, SiteIndex, parse_mode
from wparchive.sinks.warc import RecordBuilder
from wparchive.sources.wxr import WxrReader, read_wxr
from wparchive.units import UnitEncoder, group_units
path = sys.argv[1]
out = {}
t = time.process_time(); records = list(read_wxr(path))
out["read the export"] = time.process_time() - t
t = time.process_time(); index = SiteIndex.from_records(WxrReader([path], index_only=True))
out["index pass (links)"] = time.process_time() - t
site, units = records[0], list(group_units(records[1:]))
clean = CleanTransform(site.language); clean.cleaner
links = LinkRewriter(index, parse_mode("relative"), local_media=False)
for name, transform in (("cleaning", clean), ("link rewriting", links)):
    batch = copy.deepcopy(units)
    t = time.process_time()
    units = [[transform(r) for r in unit] for unit in batch]
    out[name] = time.process_time() - t
W = "<urn:uuid:00000000-0000-0000-0000-000000000000>"
WARC = "WARC records (render, gzip, digests)"
for name, builder in (("JSON lines", None), (WARC, RecordBuilder())):
    encoder = UnitEncoder(site=site, transforms=[], builder=builder)
    batch = copy.deepcopy(units)
    t = time.process_time()
    for unit in batch:
        encoder(unit, {}, W)
    out[name] = time.process_time() - t
out[WARC] -= out["JSON lines"]
print(json.dumps(out))
"""

# The least any implementation writing these outputs must spend beyond the floor's own run,
# each part timed alone in one process (CPU): gzip and digest every record the WARC holds,
# parse and serialise every post's and comment's HTML once (cleaning needs a tree), encode
# every archive line. The inputs come from a finished run of wparchive and
# are prepared untimed. Nothing of reading fields, the cleaning rules, link rewriting,
# rendering, moving work between processes or writing files is counted.
BUDGET = """
import glob, hashlib, json, sys, time, zlib
import orjson
from lxml import etree, html
from wparchive.resume import members
run_dir, level = sys.argv[1], int(sys.argv[2])
def cpu(work):
    start = time.process_time()
    work()
    return time.process_time() - start
records = []
for path in sorted(glob.glob(run_dir + "/*.warc.gz")):
    with open(path, "rb") as fh:
        records += [record for _, _, record in members(fh)]
blocks = [r[r.index(b"\\r\\n\\r\\n") + 4 :] for r in records]
lines = [orjson.loads(line) for line in open(run_dir + "/archive.jsonl", "rb")]
fragments = [
    line["content"]["raw"]
    for line in lines
    if isinstance(line.get("content"), dict) and line["content"].get("raw")
]
def tree():
    for fragment in fragments:
        etree.tostring(html.fragment_fromstring(fragment, create_parent="div"), method="html")
out = {
    f"gzip every WARC record at level {level}": cpu(
        lambda: [zlib.compress(r, level, 31) for r in records]
    ),
    "digest every record's block once": cpu(lambda: [hashlib.sha1(b).digest() for b in blocks]),
    "parse and serialise each post's and comment's HTML once": cpu(tree),
    "encode every archive line": cpu(lambda: [orjson.dumps(line) for line in lines]),
}
print(json.dumps(out))
"""

PEER = "wordpress-export-to-markdown"
PEER_VERSION = "2.2.2"


@dataclass
class Measure:
    wall: float
    peak_mb: float
    rc: int
    output: str = ""
    cpu: float = 0.0  # user + system seconds of the command and every process it waited for


# Runs the measured command as its own child and prints its exit code, peak RSS (kB) and
# CPU seconds. The child of a small launcher: a process forked straight from a big parent
# (pytest, say) starts out sharing the parent's pages, and its ru_maxrss would report the
# parent's size.
_LAUNCHER = (
    "import resource, subprocess, sys; "
    "out = open(sys.argv[1], 'wb'); "
    "rc = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT).returncode; "
    "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(rc, u.ru_maxrss, u.ru_utime + u.ru_stime)"
)


def measure(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measure:
    """Run a command to its end; its wall time, its own peak RSS and its CPU time."""
    with tempfile.NamedTemporaryFile() as out:
        start = time.perf_counter()
        launched = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, out.name, *command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - start
        rc, peak_kb, cpu = launched.stdout.split()
        text = Path(out.name).read_bytes().decode("utf-8", "replace")
    return Measure(wall, int(peak_kb) / 1024, int(rc), text, float(cpu))


def export_for(posts: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bench-{posts}.xml"
    if not path.exists():
        write_export(path.with_suffix(".part"), posts)
        path.with_suffix(".part").rename(path)
    return path


@dataclass
class Row:
    posts: int
    mb: float
    floor: Measure
    run: Measure

    @property
    def ratio(self) -> float:
        return self.floor.wall / self.run.wall


def bench_size(posts: int, args: argparse.Namespace) -> Row:
    export = export_for(posts)
    out = DATA / f"out-{posts}"
    shutil.rmtree(out, ignore_errors=True)
    floor = measure([sys.executable, "-c", FLOOR, str(export)])
    run = measure(
        [
            sys.executable,
            "-m",
            "wparchive",
            "archive",
            str(export),
            "--out",
            str(out),
            "-q",
            *args.wparchive_args,
        ]
    )
    if run.rc != 0:
        raise SystemExit(f"wparchive failed on {posts} posts:\n{run.output[-3000:]}")
    shutil.rmtree(out, ignore_errors=True)
    row = Row(posts, export.stat().st_size / 1e6, floor, run)
    print(
        f"{posts:>6} posts {row.mb:7.1f} MB: floor {floor.wall:6.2f}s, wparchive "
        f"{run.wall:6.2f}s ({posts / run.wall:,.0f} posts/s, {row.mb / run.wall:.1f} MB/s, "
        f"peak {run.peak_mb:.0f} MB), ratio {row.ratio:.2f}",
        flush=True,
    )
    return row


# What wparchive does at the least: no cleaning, no link rewriting, no WARC — records read
# and written as JSON lines. How far the peer target lies beyond even that.
LIGHTEST = ["--no-clean", "--rewrite", "none", "--no-warc"]


@dataclass
class Peer:
    """The peer and wparchive on the same export; ``lightest``: wparchive with `LIGHTEST`."""

    theirs: Measure
    ours: Measure
    lightest: Measure | None = None


def bench_peer(posts: int) -> Peer | None:
    """wordpress-export-to-markdown (images off) and wparchive on the same export."""
    npm = shutil.which("npm")
    if npm is None:
        print("peer skipped: npm not installed")
        return None
    peer_dir = DATA / "peer"
    binary = peer_dir / "node_modules" / ".bin" / PEER
    if not binary.exists():
        peer_dir.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", f"{PEER}@{PEER_VERSION}"],
            cwd=peer_dir,
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            print(f"peer skipped: npm install failed: {installed.stderr[-500:]}")
            return None
    export = export_for(posts)
    out = DATA / "peer-out"
    shutil.rmtree(out, ignore_errors=True)
    peer = measure(
        [
            str(binary),
            "--wizard=false",
            f"--input={export}",
            f"--output={out}",
            "--save-attached-images=false",
            "--save-scraped-images=false",
        ],
        cwd=peer_dir,
    )
    shutil.rmtree(out, ignore_errors=True)
    if peer.rc != 0:
        print(f"peer failed: {peer.output[-1000:]}")
        return None
    ours_out = DATA / "ours-out"
    runs = []
    for options in ([], LIGHTEST):
        shutil.rmtree(ours_out, ignore_errors=True)
        command = [sys.executable, "-m", "wparchive", "archive", str(export), "--out"]
        runs.append(measure([*command, str(ours_out), "-q", *options]))
    shutil.rmtree(ours_out, ignore_errors=True)
    ours, lightest = runs
    print(
        f"peer on {posts} posts: {PEER} {peer.wall:.1f}s peak {peer.peak_mb:.0f} MB; "
        f"wparchive {ours.wall:.1f}s peak {ours.peak_mb:.0f} MB, "
        f"with {' '.join(LIGHTEST)} {lightest.wall:.1f}s",
        flush=True,
    )
    return Peer(peer, ours, lightest if lightest.rc == 0 else None)


def bench_stages(posts: int) -> dict[str, float]:
    """CPU seconds per stage of the pipeline on one export (in its own process)."""
    result = measure([sys.executable, "-c", STAGES, str(export_for(posts))])
    if result.rc != 0:
        print(f"stage breakdown failed: {result.output[-1000:]}")
        return {}
    stages = json.loads(result.output.strip().splitlines()[-1])
    print("stages:", ", ".join(f"{k} {v:.2f}s" for k, v in stages.items()), flush=True)
    return stages


@dataclass
class Budget:
    """The least CPU the outputs cost, against what the throughput target leaves."""

    posts: int
    floor_wall: float
    parts: dict[str, float]

    @property
    def allowed(self) -> float:
        # ≥ 25% of the floor's throughput: at most 4× its wall, on every core of the machine
        return 4 * self.floor_wall * (os.cpu_count() or 1)

    @property
    def least(self) -> float:
        return sum(self.parts.values())


def bench_budget(posts: int, rows: list[Row], args: argparse.Namespace) -> Budget | None:
    """What the throughput target leaves once the work no implementation can skip is paid."""
    export = export_for(posts)
    floor = next((r.floor for r in rows if r.posts == posts), None)
    if floor is None:
        floor = measure([sys.executable, "-c", FLOOR, str(export)])
    out = DATA / f"budget-{posts}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure(
        [sys.executable, "-m", "wparchive", "archive", str(export), "--out", str(out), "-q"]
        + args.wparchive_args
    )
    run_dirs = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
    if run.rc != 0 or len(run_dirs) != 1:
        print(f"budget skipped: the run failed: {run.output[-1000:]}")
        return None
    level = _option(args.wparchive_args, "--gzip-level", DEFAULT_GZIP_LEVEL)
    parts = measure([sys.executable, "-c", BUDGET, str(run_dirs[0]), str(level)])
    shutil.rmtree(out, ignore_errors=True)
    if parts.rc != 0:
        print(f"budget failed: {parts.output[-1000:]}")
        return None
    found = json.loads(parts.output.strip().splitlines()[-1])
    # The floor's own process: Python's start, lxml's import and the one parse of the export
    budget = Budget(
        posts, floor.wall, {"start Python, parse the export (the floor)": floor.cpu, **found}
    )
    print(
        f"budget on {posts} posts: least {budget.least:.2f} CPU-s of {budget.allowed:.2f} "
        f"allowed ({budget.least / budget.allowed:.0%})",
        flush=True,
    )
    return budget


def _option(argv: list[str], name: str, default: int) -> int:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith(name + "="):
            return int(arg.split("=", 1)[1])
    return default


def _machine(load_start: float | None = None) -> list[str]:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from importlib.metadata import version

    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}",
        f"- Python {platform.python_version()}, lxml {version('lxml')}, "
        f"wparchive {version('wparchive')}",
        "- exports: bench/wxrgen.py (seed 1): 3 comments per post, block markup, srcset, "
        "shortcodes, plugin residue, Hungarian text",
        *(
            [
                f"- load average (1 min) when the run started: {load_start:.1f}, when it "
                f"ended: {os.getloadavg()[0]:.1f} — other work on the machine shares its "
                "cores; CPU seconds suffer less from that than wall times"
            ]
            if load_start is not None
            else []
        ),
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    rows: list[Row],
    peer: Peer | None,
    peer_posts: int,
    args: argparse.Namespace,
    stages: dict[str, float] | None = None,
    rest: tuple[list[str], list[str]] | None = None,
    budget: Budget | None = None,
) -> str:
    """BENCHMARKS.md: the tables of what ran, then every target with its verdict.
    ``rest`` is `bench.rest.rest_report`'s section and target rows."""
    lines = [
        "# Benchmarks",
        "",
        "Regenerated by `make bench` (`python -m bench.run`); every figure in the tables "
        "below was measured in one run on this machine (the notes at the end were measured "
        "by hand, and say when: they come from bench/NOTES.md).",
        "",
        *_machine(getattr(args, "load_start", None)),
        f"- wparchive options: `archive --quiet {' '.join(args.wparchive_args)}`",
    ]
    targets: list[str] = []
    if rows:
        lines += _wxr_section(rows, args, stages, budget)
        targets += _wxr_targets(rows, peer, peer_posts, budget, stages, args.stage_posts)
    if rest is not None:
        lines += rest[0]
        targets += rest[1]
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|", *targets]
    if NOTES.is_file():
        lines += ["", NOTES.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def _wxr_section(
    rows: list[Row],
    args: argparse.Namespace,
    stages: dict[str, float] | None,
    budget: Budget | None = None,
) -> list[str]:
    lines = [
        "",
        "## WXR → JSON archive + WARC, end to end",
        "",
        "| posts | export MB | floor s | wparchive s | wparchive CPU s | posts/s | MB/s "
        "| peak RSS MB | throughput vs floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.posts:,} | {r.mb:.1f} | {r.floor.wall:.2f} | {r.run.wall:.2f} | "
            f"{r.run.cpu:.1f} | {r.posts / r.run.wall:,.0f} | {r.mb / r.run.wall:.1f} | "
            f"{r.run.peak_mb:.0f} | {r.ratio:.0%} |"
        )
    lines += [
        "",
        "The floor is a bare lxml `iterparse` over the same file, clearing elements "
        "(no records, no output). wparchive's time includes its start-up and its worker "
        f"processes ({os.cpu_count()} on this machine); its CPU seconds are those of all its "
        "processes; peak RSS is the largest of its processes.",
    ]
    if stages:
        total = sum(stages.values())
        lines += [
            "",
            f"## Where the time goes ({args.stage_posts:,} posts, CPU seconds, one process)",
            "",
            "| stage | CPU s | share |",
            "|---|---:|---:|",
            *(f"| {name} | {sec:.2f} | {sec / total:.0%} |" for name, sec in stages.items()),
        ]
    if budget:
        lines += _budget_section(budget)
    return lines


def _budget_section(budget: Budget) -> list[str]:
    cores = os.cpu_count() or 1
    return [
        "",
        f"## What the throughput target leaves ({budget.posts:,} posts, CPU seconds)",
        "",
        f"Throughput ≥ 25% of the floor means at most 4× the floor's wall time "
        f"({budget.floor_wall:.2f} s here), on {cores} cores: **{budget.allowed:.2f} CPU-s** "
        "for the whole run. Below, the least any program writing these outputs must spend, "
        "each part timed alone on what a run of wparchive wrote (the same records, the same "
        "gzip level); reading the fields, the cleaning rules, link rewriting, rendering, "
        "moving work between processes and writing files are not counted at all.",
        "",
        "| unavoidable part | CPU s | share of the allowance |",
        "|---|---:|---:|",
        *(
            f"| {name} | {sec:.2f} | {sec / budget.allowed:.0%} |"
            for name, sec in budget.parts.items()
        ),
        f"| **together** | **{budget.least:.2f}** | **{budget.least / budget.allowed:.0%}** |",
        "",
        f"That leaves {max(0.0, budget.allowed - budget.least):.2f} CPU-s "
        f"({max(0.0, budget.allowed - budget.least) / budget.posts * 1e6:,.0f} µs a post) "
        "for everything the table leaves out.",
    ]


def _wxr_targets(
    rows: list[Row],
    peer: Peer | None,
    peer_posts: int,
    budget: Budget | None = None,
    stages: dict[str, float] | None = None,
    stage_posts: int = 0,
) -> list[str]:
    lines = []
    by_size = {r.posts: r for r in rows}
    big = max(rows, key=lambda r: r.posts)
    least = (
        f" (the unavoidable parts alone take {budget.least / budget.allowed:.0%} of what "
        "it allows: see above)"
        if budget
        else ""
    )
    lines.append(
        f"| throughput ≥ 25% of the floor on the {big.posts:,}-post export | "
        f"{big.ratio:.0%}{least} | {verdict(big.ratio >= 0.25)} |"
    )
    lines.append(
        f"| peak RSS ≤ 150 MB on the {big.posts:,}-post export | "
        f"{big.run.peak_mb:.0f} MB | {verdict(big.run.peak_mb <= 150)} |"
    )
    if 5000 in by_size and big.posts > 5000:
        flat = big.run.peak_mb / by_size[5000].run.peak_mb
        lines.append(
            f"| peak RSS at {big.posts:,} ≤ 1.2× at 5,000 | {flat:.2f}× | {verdict(flat <= 1.2)} |"
        )
    if peer is not None:
        theirs, ours = peer.theirs, peer.ours
        speed = theirs.wall / ours.wall
        memory = ours.peak_mb / theirs.peak_mb
        # 50× its posts/s: at most 1/50 of its wall time, on every core of the machine
        allowed = theirs.wall / 50 * (os.cpu_count() or 1)
        notes = []
        if budget and budget.posts == peer_posts:
            notes.append(
                f"the unavoidable parts alone take {budget.least / allowed:.0%} of the "
                f"{allowed:.1f} CPU-s it allows"
            )
        if stages and stage_posts == peer_posts:
            notes.append(
                f"wparchive's stages alone, in one process with nothing moved between "
                f"processes, {sum(stages.values()) / allowed:.0%}"
            )
        if peer.lightest is not None:
            notes.append(
                f"with `{' '.join(LIGHTEST)}` it runs at {theirs.wall / peer.lightest.wall:.0f}×"
            )
        lines.append(
            f"| ≥ 50× {PEER}'s posts/s ({peer_posts:,} posts) | {speed:.0f}× "
            f"({peer_posts / ours.wall:,.0f} vs {peer_posts / theirs.wall:,.0f} posts/s"
            f"{''.join('; ' + n for n in notes)}) | {verdict(speed >= 50)} |"
        )
        lines.append(
            f"| ≤ 1/5 of {PEER}'s peak RSS | {ours.peak_mb:.0f} vs "
            f"{theirs.peak_mb:.0f} MB ({memory:.2f}×) | {verdict(memory <= 0.2)} |"
        )
    else:
        lines.append(f"| {PEER} comparison | not run | — |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="1k posts, no peer, no REST (CI)")
    half = parser.add_mutually_exclusive_group()
    half.add_argument("--wxr-only", action="store_true", help="only the export half")
    half.add_argument("--rest-only", action="store_true", help="only the live-site half")
    parser.add_argument("--sizes", default="1000,5000,10000,50000")
    parser.add_argument("--peer-posts", type=int, default=5000)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--stage-posts", type=int, default=5000)
    parser.add_argument("--rest-posts", type=int, default=5000, help="bulk posts on the site")
    parser.add_argument(
        "--wp-state",
        type=Path,
        default=Path("/tmp/wpa-bench"),
        help="the test site's state dir (its own: the harness stops the site it starts)",
    )
    parser.add_argument(
        "--write",
        type=Path,
        default=None,
        help="where to write the report (default: BENCHMARKS.md after a full run; "
        "a partial run only prints unless given)",
    )
    args, rest = parser.parse_known_args(argv)
    args.wparchive_args = rest
    args.load_start = os.getloadavg()[0]
    wxr = not args.rest_only
    rows: list[Row] = []
    peer = stages = budget = None
    if wxr:
        sizes = [1000] if args.smoke else [int(s) for s in args.sizes.split(",")]
        rows = [bench_size(n, args) for n in sizes]
        peer = None if (args.smoke or args.no_peer) else bench_peer(args.peer_posts)
        stages = None if args.smoke else bench_stages(args.stage_posts)
        budget = None if args.smoke else bench_budget(args.stage_posts, rows, args)
    rest_section = None
    if not (args.smoke or args.wxr_only):
        from .rest import bench_rest, rest_report

        measured = bench_rest(args.rest_posts, DATA, args.wp_state)
        rest_section = rest_report(measured) if measured is not None else None
    text = report(rows, peer, args.peer_posts, args, stages, rest_section, budget)
    print(text)
    partial = args.smoke or args.wxr_only or args.rest_only
    write = args.write or (None if partial else ROOT / "BENCHMARKS.md")
    if write is not None:
        write.write_text(text, encoding="utf-8")
        print(f"written to {write}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
