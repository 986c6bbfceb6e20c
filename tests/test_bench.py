"""The benchmark harness counts what it claims to: requests against their minimum, targets."""

from __future__ import annotations

import argparse

from bench.rest import Requests, RestBench, RestRun, request_kind, rest_report
from bench.run import Budget, Measure, Peer, Row, _option, bench_budget, bench_stages, report

SITE = "http://127.0.0.1:8080"


def _requests() -> Requests:
    found = Requests()
    posts = f"{SITE}/wp-json/wp/v2/posts?per_page=100&orderby=id&order=asc"
    index = posts + "&_fields=id,slug,link"
    for url in (f"{SITE}/wp-json/", f"{SITE}/wp-json/wp/v2/types"):
        found.urls.append(("api", url))
        found.singles.add(url)
    for base in (index, posts):  # the link index's listing, then the main read's
        for page in range(1, 4):
            url = base if page == 1 else f"{base}&page={page}"
            found.urls.append(("api", url))
        found.totals[base] = 250
    found.urls += [("page", f"{SITE}/2024/06/18/a/"), ("media", f"{SITE}/wp-content/uploads/a.jpg")]
    return found


def test_requests_are_told_apart_by_kind():
    assert request_kind(f"{SITE}/wp-json/wp/v2/posts?page=2") == "api"
    assert request_kind(f"{SITE}/?rest_route=/wp/v2/posts") == "api"
    assert request_kind(f"{SITE}/wp-content/uploads/2024/06/a.jpg") == "media"
    assert request_kind(f"{SITE}/2024/06/18/a/") == "page"


def test_the_minimum_reads_each_collection_once_or_each_listing_once():
    found = _requests()
    assert found.kinds == {"api": 8, "page": 1, "media": 1}
    # 250 posts: 3 pages of 100, plus the two requests that are no listing
    assert found.minimum(per_listing=False) == 2 + 3
    assert found.minimum(per_listing=True) == 2 + 3 + 3


def test_the_report_gives_every_target_a_verdict():
    found = _requests()

    def run(label: str, wall: float) -> RestRun:
        return RestRun(label, Measure(wall, 80.0, 0, cpu=wall / 2), found, wall / 3)

    bench = RestBench(
        posts=250,
        found={"post": 250},
        floor=run("floor", 10.0),
        spent={"api": 2.0, "page": 8.0},
        runs={1: run("wparchive --concurrency 1", 12.0), 4: run("c4", 5.0)},
        same_urls=True,
        floor_mismatches=0,
    )
    section, targets = rest_report(bench)
    assert any("| floor |" in line for line in section)
    assert "8 vs 5 (+60%)" in targets[0] and targets[0].endswith("| FAIL |")
    assert "0.50×" in targets[1] and targets[1].endswith("| PASS |")

    args = argparse.Namespace(wparchive_args=[], stage_posts=1000)
    row = Row(1000, 9.0, Measure(0.1, 30, 0), Measure(2.0, 80, 0))
    text = report([row], None, 1000, args, {"read the export": 1.0}, (section, targets))
    assert "## REST API" in text and "## Targets" in text
    verdicts = text.split("## Targets")[1].split("\n## ")[0]
    assert verdicts.count("| PASS |") + verdicts.count("| FAIL |") == 4


def test_the_budget_says_what_the_throughput_target_leaves(monkeypatch):
    monkeypatch.setattr("bench.run.os.cpu_count", lambda: 2)
    budget = Budget(5000, 0.5, {"parse the export (the floor)": 0.5, "gzip": 2.5})
    assert budget.allowed == 4.0  # 4× the floor's 0.5 s wall, on 2 cores
    assert budget.least == 3.0
    args = argparse.Namespace(wparchive_args=[], stage_posts=5000)
    row = Row(5000, 45.0, Measure(0.5, 30, 0), Measure(6.0, 80, 0))
    text = report([row], None, 5000, args, None, None, budget)
    section = text.split("## What the throughput target leaves")[1].split("\n## ")[0]
    assert "**4.00 CPU-s**" in section
    assert "| gzip | 2.50 | 62% |" in section
    assert "| **together** | **3.00** | **75%** |" in section
    assert "leaves 1.00 CPU-s (200 µs a post)" in section
    target = next(line for line in text.splitlines() if line.startswith("| throughput"))
    assert "take 75% of what it allows" in target and target.endswith("| FAIL |")
    # The peer's 100 s allow 2 s of wall time at 50×: 4 CPU-s on 2 cores.
    peer = Peer(Measure(100.0, 500, 0), Measure(4.0, 80, 0), lightest=Measure(2.5, 60, 0))
    stages = {"read the export": 1.0, "cleaning": 4.0}
    text = report([row], peer, 5000, args, stages, None, budget)
    target = next(line for line in text.splitlines() if "posts/s (5,000 posts)" in line)
    assert "25×" in target and "take 75% of the 4.0 CPU-s it allows" in target
    assert "in one process with nothing moved between processes, 125%" in target
    assert "`--no-clean --rewrite none --no-warc` it runs at 40×" in target
    assert target.endswith("| FAIL |")


def test_the_budget_reads_the_runs_gzip_level():
    assert _option(["--gzip-level", "9"], "--gzip-level", 6) == 9
    assert _option(["--gzip-level=1", "-j", "2"], "--gzip-level", 6) == 1
    assert _option(["-j", "2"], "--gzip-level", 6) == 6


def test_the_stage_and_budget_scripts_run_on_a_real_export(tmp_path, monkeypatch):
    # They run as their own processes from strings: only running them shows they still work.
    monkeypatch.setattr("bench.run.DATA", tmp_path)
    stages = bench_stages(100)
    assert set(stages) >= {"read the export", "cleaning", "link rewriting", "JSON lines"}
    assert all(sec > 0 for sec in stages.values())
    args = argparse.Namespace(wparchive_args=["--gzip-level", "1"])
    budget = bench_budget(100, [], args)
    assert budget is not None
    assert "gzip every WARC record at level 1" in budget.parts
    assert all(sec > 0 for sec in budget.parts.values()), budget.parts
    assert budget.floor_wall > 0
    assert not (tmp_path / "budget-100").exists()  # its run's output is removed
