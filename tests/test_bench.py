"""The benchmark harness counts what it claims to: requests against their minimum, targets."""

from __future__ import annotations

import argparse

from bench.rest import Requests, RestBench, RestRun, request_kind, rest_report
from bench.run import Measure, Row, report

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
