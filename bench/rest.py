"""The REST half of the benchmark: wparchive against the real WordPress test site.

Boots tests/wordpress in bulk mode in a private state dir, archives the site with the
options users get by default (anonymous, pages and media on) at ``--concurrency`` 4 and
1, fetches the very URLs those runs requested one after another with bare `requests`
(the server's floor: no parsing, no output), and stops the site if it started it.

Requests are counted from the runs' own WARC request records — what went over the wire,
retries and redirects included — and the minimum from the responses' ``X-WP-Total``.
Server CPU is read from /proc for the site's own processes (php -S workers, MariaDB), so
a slow run says whether the time went to the server or to wparchive.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .run import ROOT, Measure, measure

DEFAULT_STATE = Path("/tmp/wpa-bench")
PER_PAGE = 100

# The floor: each URL once, in the runs' order, on one keep-alive session, body read.
# Redirects are not followed: a redirect's target is in the list on its own.
FLOOR = """
import json, sys, time
import requests
urls = json.load(open(sys.argv[1], encoding="utf-8"))
session = requests.Session()
spent, statuses = {}, {}
for kind, url in urls:
    start = time.perf_counter()
    response = session.get(url, allow_redirects=False, timeout=120)
    response.content
    spent[kind] = spent.get(kind, 0.0) + time.perf_counter() - start
    statuses[url] = response.status_code
print(json.dumps({"spent": spent, "statuses": statuses}))
"""


def request_kind(url: str) -> str:
    """``api`` (the REST API), ``media`` (a file below wp-content) or ``page``."""
    parts = urlsplit(url)
    if "/wp-json" in parts.path or "rest_route=" in parts.query:
        return "api"
    if "/wp-content/" in parts.path:
        return "media"
    return "page"


def _without(url: str, names: frozenset[str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


@dataclass
class Requests:
    """What one run asked the server for, read back from its WARC files."""

    urls: list[tuple[str, str]] = field(default_factory=list)  # (kind, url), in order
    statuses: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # listing URL (no page) → X-WP-Total
    singles: set[str] = field(default_factory=set)  # API URLs that are no listing

    @property
    def kinds(self) -> Counter[str]:
        return Counter(kind for kind, _ in self.urls)

    def minimum(self, *, per_listing: bool) -> int:
        """The fewest API requests that read what this run read: each collection in
        ceil(total/100) pages (one when empty), plus each request that is no listing.
        ``per_listing``: two listings of one collection with different ``_fields`` count
        as two collections (the link index's first pass is one)."""
        drop = frozenset({"page"} if per_listing else {"page", "_fields"})
        totals: dict[str, int] = {}
        for url, total in self.totals.items():
            totals[_without(url, drop)] = total
        return len(self.singles) + sum(max(1, math.ceil(t / PER_PAGE)) for t in totals.values())


def read_requests(run_dir: Path) -> Requests:
    """Every request record of the run's WARCs, and what the API's answers said."""
    from warcio.archiveiterator import ArchiveIterator

    found = Requests()
    for warc in sorted(run_dir.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "request":
                    found.urls.append((request_kind(url), url))
                elif record.rec_type == "response" and record.http_headers is not None:
                    found.statuses[url] = int(record.http_headers.get_statuscode() or 0)
                    if request_kind(url) != "api":
                        continue
                    total = record.http_headers.get_header("X-WP-Total")
                    if total is not None and total.isdigit():
                        found.totals[_without(url, frozenset({"page"}))] = int(total)
                    else:
                        found.singles.add(url)
    return found


def server_cpu(state: Path) -> float:
    """CPU seconds the site's processes (and the children they reaped) have used so far."""
    from tests.wordpress.site import running_processes

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in running_processes(state):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


@dataclass
class RestRun:
    label: str
    run: Measure
    requests: Requests
    server_cpu: float


@dataclass
class RestBench:
    posts: int  # bulk posts added to the fixture site
    found: dict[str, int]  # records by kind, from the concurrency-4 run's summary
    floor: RestRun
    spent: dict[str, float]  # the floor's seconds by request kind
    runs: dict[int, RestRun]  # by concurrency
    same_urls: bool  # both runs asked for the same URLs
    floor_mismatches: int  # URLs the floor got another status for than the run did

    def ratio(self, concurrency: int) -> float:
        return self.runs[concurrency].run.wall / self.floor.run.wall


def _user_env() -> dict[str, str]:
    """The environment of a user who gave no credentials: the default, anonymous run."""
    env = dict(os.environ)
    for name in ("WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD"):
        env.pop(name, None)
    return env


def _archive(url: str, concurrency: int, state: Path, data: Path) -> tuple[RestRun, dict]:
    out = data / f"rest-out-{concurrency}"
    shutil.rmtree(out, ignore_errors=True)
    summary = data / f"rest-summary-{concurrency}.json"
    before = server_cpu(state)
    run = measure(
        [
            sys.executable,
            "-m",
            "wparchive",
            "archive",
            url,
            "--out",
            str(out),
            "-q",
            "--concurrency",
            str(concurrency),
            "--summary-json",
            str(summary),
        ],
        env=_user_env(),
    )
    spent = server_cpu(state) - before
    if run.rc not in (0, 1):  # 1: finished, but the anonymous API hides some content
        raise SystemExit(f"wparchive failed on {url}:\n{run.output[-3000:]}")
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    requests = read_requests(run_dir)
    shutil.rmtree(out, ignore_errors=True)
    facts = json.loads(summary.read_text(encoding="utf-8"))
    summary.unlink()
    kinds = requests.kinds
    print(
        f"REST --concurrency {concurrency}: {run.wall:.1f}s, {kinds['api']} API + "
        f"{kinds['page']} page + {kinds['media']} media requests, client CPU {run.cpu:.1f}s, "
        f"server CPU {spent:.1f}s, peak {run.peak_mb:.0f} MB",
        flush=True,
    )
    return RestRun(f"wparchive --concurrency {concurrency}", run, requests, spent), facts


def _floor(requests: Requests, state: Path, data: Path) -> tuple[RestRun, dict[str, float], int]:
    urls = data / "rest-urls.json"
    urls.write_text(json.dumps(requests.urls), encoding="utf-8")
    before = server_cpu(state)
    run = measure([sys.executable, "-c", FLOOR, str(urls)])
    spent = server_cpu(state) - before
    if run.rc != 0:
        raise SystemExit(f"the REST floor failed:\n{run.output[-3000:]}")
    result = json.loads(run.output.strip().splitlines()[-1])
    mismatches = sum(
        1 for url, status in result["statuses"].items() if requests.statuses.get(url) != status
    )
    print(
        f"REST floor: {run.wall:.1f}s for {len(requests.urls)} URLs "
        f"({', '.join(f'{k} {v:.1f}s' for k, v in result['spent'].items())}), "
        f"server CPU {spent:.1f}s",
        flush=True,
    )
    return RestRun("floor", run, requests, spent), result["spent"], mismatches


def bench_rest(posts: int, data: Path, state: Path = DEFAULT_STATE) -> RestBench | None:
    """The REST benchmark on the test site with ``posts`` bulk posts; None where the
    site can't run here (not root on Debian 12)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.wordpress.site import can_run, is_up, start_site, stop_site

    ok, reason = can_run()
    if not ok:
        print(f"REST skipped: {reason}")
        return None
    data.mkdir(parents=True, exist_ok=True)
    was_up = is_up(state)
    site = start_site(state, bulk=posts)
    try:
        # The measured concurrency-4 run goes first, against the fresh site: whatever
        # warming up the server does counts against wparchive, not for it.
        fast, facts = _archive(site.url, 4, state, data)
        floor, spent, mismatches = _floor(fast.requests, state, data)
        slow, _ = _archive(site.url, 1, state, data)
    finally:
        if not was_up:
            stop_site(state)
    return RestBench(
        posts=posts,
        found=facts.get("found", {}),
        floor=floor,
        spent=spent,
        runs={4: fast, 1: slow},
        same_urls=sorted(u for _, u in fast.requests.urls)
        == sorted(u for _, u in slow.requests.urls),
        floor_mismatches=mismatches,
    )


def rest_report(bench: RestBench) -> tuple[list[str], list[str]]:
    """The REST section of BENCHMARKS.md, and its rows of the targets table."""
    fast = bench.runs[4]
    kinds = fast.requests.kinds
    minimum = fast.requests.minimum(per_listing=False)
    listings = fast.requests.minimum(per_listing=True)
    found = ", ".join(f"{n:,} {k}" for k, n in bench.found.items() if k != "media")
    lines = [
        "",
        "## REST API → JSON archive + WARC, against the real WordPress test site",
        "",
        f"tests/wordpress (WordPress 6.1, MariaDB, `php -S` with `PHP_CLI_SERVER_WORKERS=4` "
        f"as wp-up starts it) with {bench.posts:,} bulk posts: {found}. "
        "`wparchive archive URL --concurrency N` with the options users get by default "
        "(anonymous, permalink pages and media on). Server and wparchive share this "
        "machine's cores. The floor is a bare sequential fetch, with `requests` on one "
        "keep-alive session, of exactly the URLs the concurrency-4 run requested, each "
        "body read and nothing done with it.",
        "",
        "| run | API requests | page requests | media requests | wall s | vs floor "
        "| client CPU s | server CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in (bench.floor, bench.runs[1], bench.runs[4]):
        k = r.requests.kinds
        lines.append(
            f"| {r.label} | {k['api']:,} | {k['page']:,} | {k['media']:,} | {r.run.wall:.1f} | "
            f"{r.run.wall / bench.floor.run.wall:.2f}× | {r.run.cpu:.1f} | "
            f"{r.server_cpu:.1f} | {r.run.peak_mb:.0f} |"
        )
    spent = ", ".join(f"{k} URLs {v:.1f} s" for k, v in bench.spent.items())
    lines += [
        "",
        f"The floor's time by kind: {spent}. The concurrency-4 run went first, against "
        "the freshly started site, then the floor, then concurrency 1.",
        f"Both runs requested {'the same' if bench.same_urls else 'different'} URLs; "
        f"the floor got another HTTP status than the run for {bench.floor_mismatches}.",
        "",
        f"Minimum API requests: every collection read once, 100 items a page "
        f"(Σ ceil(total/100), an empty one 1), plus each request that is no listing "
        f"(discovery, types, taxonomies): **{minimum}**; wparchive made {kinds['api']} "
        f"at concurrency 4 and {bench.runs[1].requests.kinds['api']} at concurrency 1."
        + (
            f" Some collections were listed more than once with different `_fields`: "
            f"counting each such listing as a collection of its own, the minimum is {listings}."
            if listings != minimum
            else ""
        ),
    ]
    over = kinds["api"] / minimum - 1
    ratio = bench.ratio(4)
    per_listing = (
        f"; each listing once: {kinds['api']} vs {listings} ({kinds['api'] / listings - 1:+.0%})"
        if listings != minimum
        else ""
    )
    targets = [
        f"| REST: API requests ≤ minimum + 2% (Σ ceil(total/100), each collection once) | "
        f"{kinds['api']} vs {minimum} ({over:+.0%}){per_listing} | "
        f"{'PASS' if over <= 0.02 else 'FAIL'} |",
        f"| REST: wall time at concurrency 4 ≤ 0.6× the sequential floor | {ratio:.2f}× "
        f"({fast.run.wall:.1f} vs {bench.floor.run.wall:.1f} s; concurrency 1: "
        f"{bench.ratio(1):.2f}×) | {'PASS' if ratio <= 0.6 else 'FAIL'} |",
    ]
    return lines, targets
