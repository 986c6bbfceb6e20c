"""``--resume``: an interrupted run carries on from its checkpoint (wparchive.resume).

The proof is a kill: `wparchive archive` runs as its own process group and gets SIGKILL at
seeded random moments, then ``--resume`` runs until it completes. The result must be the
uninterrupted run's: the same JSON archive line for line (bar the creation time), the same
WARC records (type and target, counted: nothing captured twice, nothing missing), every
file valid for `warcio check` and `wparchive verify`, no ``.open`` file, no checkpoint left.
Against the real WordPress test site with 5,000 bulk posts, the site must also never be
asked twice for an answer the interrupted run had received (its WARC answers instead).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.wxrgen import write_export
from tests.wordpress import site as wp
from tests.wordpress.fixture import skip_or_fail
from wparchive import resume
from wparchive.pipeline import ArchiveOptions, SourceError, run_archive
from wparchive.verify import verify_run

BIN = Path(sys.executable).parent
SAMPLE = Path(__file__).parent.parent / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"


# -- what a run wrote ----------------------------------------------------------------------


def archive_lines(run_dir: Path) -> list[dict]:
    lines = []
    with (run_dir / "archive.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            if data.get("type") == "archive":
                data.pop("created")
            lines.append(data)
    return lines


def warc_records(run_dir: Path) -> Counter[tuple[str, str, bool]]:
    """(type, target, whether it refers to another record) of every record but warcinfo,
    counted over all WARC files. A revisit is a response whose payload another capture
    holds: which of two identical answers (two empty lists) came first, and so holds the
    payload, depends on thread timing."""
    records: Counter[tuple[str, str, bool]] = Counter()
    for warc in sorted(run_dir.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "warcinfo":
                    target = record.rec_headers.get_header("WARC-Target-URI") or ""
                    kind = "response" if record.rec_type == "revisit" else record.rec_type
                    refers = bool(record.rec_headers.get_header("WARC-Refers-To"))
                    records[(kind, target, refers)] += 1
    return records


def pages(run_dir: Path) -> list[dict]:
    lines = (run_dir / "pages.jsonl").read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "ts"} for line in lines]


def assert_same_run(reference: Path, resumed: Path) -> None:
    assert archive_lines(resumed) == archive_lines(reference)
    assert pages(resumed) == pages(reference)
    extra = warc_records(resumed) - warc_records(reference)
    missing = warc_records(reference) - warc_records(resumed)
    assert not extra and not missing, f"captured twice: {extra}; missing: {missing}"
    leftovers = [p.name for p in resumed.iterdir() if p.name.endswith((".open", ".tmp"))]
    assert not leftovers
    assert not (resumed / resume.FILENAME).exists()
    assert not (resumed / resume.WANTS).exists()
    warcs = sorted(resumed.glob("*.warc.gz"))
    check = subprocess.run(
        [BIN / "warcio", "check", *warcs], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    result = verify_run(resumed)
    assert result.ok, result.problems


# -- killing a run -------------------------------------------------------------------------


def archive_command(source: str, out: Path, *options: str) -> list[str]:
    return [str(BIN / "wparchive"), "archive", source, "--out", str(out), "-q", *options]


def kill_and_resume(
    command: list[str], rng: random.Random, *, kills: int, within: float, env: dict | None = None
) -> int:
    """Start ``command --resume`` and SIGKILL it, workers and all, at a random moment in its
    first ``within`` seconds, up to ``kills`` times over; then let it run to the end.
    The number of kills (a run may finish before its kill comes)."""
    for killed in range(kills):
        process = subprocess.Popen(
            [*command, "--resume"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=env,
        )
        try:
            process.wait(timeout=rng.uniform(0.5, within))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            continue
        error = process.stderr.read().decode() if process.stderr else ""
        assert process.returncode == 0, error
        return killed
    final = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, env=env, timeout=600
    )
    assert final.returncode == 0, final.stderr
    # (or "nothing to resume": the last kill came as the run was exiting, its work done)
    assert "resume" in final.stdout + final.stderr
    return kills


# -- an export -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_export(tmp_path_factory.mktemp("export") / "big.xml", 1200, seed=7)


@pytest.fixture(scope="module")
def reference(export: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The uninterrupted run, and how long it took."""
    out = tmp_path_factory.mktemp("reference")
    started = time.monotonic()
    command = archive_command(str(export), out, "--warc-max-size", "2MB", "--cdxj", "--wacz")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return next(out.iterdir()), time.monotonic() - started


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_export_run_killed_at_random_moments_resumes_to_the_same_archive(
    export: Path, reference: tuple[Path, float], tmp_path: Path, seed: int
) -> None:
    print(f"seed {seed}")
    run_dir, seconds = reference
    command = archive_command(str(export), tmp_path, "--warc-max-size", "2MB", "--cdxj", "--wacz")
    # Each resume reads the export again up to its checkpoint: kills early enough to let
    # every run get further than the one before.
    kill_and_resume(command, random.Random(seed), kills=3, within=0.8 * seconds)
    resumed = next(tmp_path.iterdir())
    assert_same_run(run_dir, resumed)
    assert (resumed / "index.cdxj").is_file() and list(resumed.glob("*.wacz"))


# -- in process: what resume refuses, and what it leaves alone -----------------------------


class Stop(Exception):
    pass


def interrupted(out: Path, after: int, source: Path = SAMPLE, **options: object) -> Path:
    """A run stopped (as by Ctrl-C) once ``after`` records are written."""

    def progress(done: int, total: int | None, records: int) -> None:
        if records >= after:
            raise Stop

    resume.INTERVAL, interval = 0.0, resume.INTERVAL  # a checkpoint after every unit
    try:
        with pytest.raises(Stop):
            run_archive(source, ArchiveOptions(out=out, jobs=1, **options), progress=progress)
    finally:
        resume.INTERVAL = interval
    return next(out.iterdir())


def test_an_interrupted_run_is_cut_back_to_its_checkpoint_and_completed(tmp_path: Path) -> None:
    reference = run_archive(SAMPLE, ArchiveOptions(out=tmp_path / "ref", jobs=1)).run_dir
    run_dir = interrupted(tmp_path / "out", after=20)
    checkpoint = resume.Checkpoint.load(run_dir)
    assert checkpoint is not None and checkpoint.records >= 20
    summary = run_archive(SAMPLE, ArchiveOptions(out=tmp_path / "out", jobs=1, resume=True))
    assert summary.resumed and not summary.lost
    assert (
        summary.written
        == run_archive(SAMPLE, ArchiveOptions(out=tmp_path / "again", jobs=1)).written
    )
    assert reference is not None
    assert_same_run(reference, run_dir)


def test_resume_refuses_other_options_and_says_what_differs(tmp_path: Path) -> None:
    interrupted(tmp_path, after=20)
    with pytest.raises(SourceError, match=r"other options \(clean, digest\).*without --resume"):
        run_archive(
            SAMPLE,
            ArchiveOptions(out=tmp_path, jobs=1, resume=True, clean=False, digest="sha256"),
        )


def test_resume_of_a_complete_run_changes_nothing(tmp_path: Path) -> None:
    first = run_archive(SAMPLE, ArchiveOptions(out=tmp_path, jobs=1))
    assert first.run_dir is not None
    before = {p.name: p.stat().st_mtime_ns for p in first.run_dir.iterdir()}
    again = run_archive(SAMPLE, ArchiveOptions(out=tmp_path, jobs=1, resume=True))
    assert again.complete and again.written == first.written
    assert {p.name: p.stat().st_mtime_ns for p in first.run_dir.iterdir()} == before


def test_resume_with_nothing_to_resume_runs_afresh(tmp_path: Path) -> None:
    summary = run_archive(SAMPLE, ArchiveOptions(out=tmp_path, jobs=1, resume=True))
    assert not summary.resumed and not summary.complete
    assert verify_run(summary.run_dir).ok  # type: ignore[arg-type]


def test_a_changed_export_is_not_resumed_but_archived_afresh(tmp_path: Path) -> None:
    source = tmp_path / "site.xml"
    source.write_bytes(SAMPLE.read_bytes())
    interrupted(tmp_path / "out", after=20, source=source)
    source.write_bytes(SAMPLE.read_bytes() + b"\n")  # edited since: another size
    summary = run_archive(source, ArchiveOptions(out=tmp_path / "out", jobs=1, resume=True))
    assert not summary.resumed and verify_run(summary.run_dir).ok  # type: ignore[arg-type]


def test_verify_calls_an_interrupted_run_incomplete_and_says_how_to_go_on(tmp_path: Path) -> None:
    run_dir = interrupted(tmp_path, after=20)
    problems = " ".join(verify_run(run_dir).problems)
    assert "resume.json" in problems and "--resume" in problems


def test_the_cli_says_it_resumed_and_what_it_replayed(tmp_path: Path) -> None:
    interrupted(tmp_path, after=20)
    result = subprocess.run(
        archive_command(str(SAMPLE), tmp_path, "--resume"), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "resumed" in result.stdout + result.stderr
    again = subprocess.run(
        archive_command(str(SAMPLE), tmp_path, "--resume"), capture_output=True, text=True
    )
    assert again.returncode == 0
    assert "nothing to resume" in again.stdout + again.stderr


# -- the real WordPress test site: 5,000 bulk posts ----------------------------------------

BULK_POSTS = 5000
KILLS = int(os.environ.get("WPARCHIVE_RESUME_KILLS", "20"))


@pytest.fixture(scope="module")
def bulk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wp.Site]:
    """Its own WordPress (its own state dir), so the shared site keeps its fixture counts."""
    ok, reason = wp.can_run()
    if not ok:
        skip_or_fail(reason)
    state = tmp_path_factory.mktemp("wp-bulk")
    try:
        site = wp.start_site(state, bulk=BULK_POSTS)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield site
    wp.stop_site(state, purge=True)


@pytest.fixture(scope="module")
def rest_env(bulk_site: wp.Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(tmp_path_factory.mktemp("home")),
        "WPARCHIVE_USER": bulk_site.user,
        "WPARCHIVE_APP_PASSWORD": bulk_site.app_password,
    }


@pytest.mark.wordpress
def test_a_rest_run_killed_at_20_random_moments_always_resumes_to_the_same_archive(
    bulk_site: wp.Site, rest_env: dict[str, str], tmp_path: Path
) -> None:
    """20 SIGKILLs at seeded random moments, five to a run: each run is killed, resumed,
    killed again..., then resumed to the end and compared with the uninterrupted run.
    Permalink pages are left out (--no-pages) to keep 5,000 posts within the suite's
    time; they are replayed like every other answer (the export test above has its
    renderings, and the CLI test below a REST run with pages)."""
    options = ("--no-pages", "--warc-max-size", "4MB")
    started = time.monotonic()
    reference_out = tmp_path / "reference"
    subprocess.run(
        archive_command(bulk_site.url + "/", reference_out, *options),
        check=True,
        stdout=subprocess.DEVNULL,
        env=rest_env,
    )
    seconds = time.monotonic() - started
    reference = next(reference_out.iterdir())
    assert sum(1 for r in archive_lines(reference) if r.get("type") == "post") > BULK_POSTS
    seed = int(os.environ.get("WPARCHIVE_SEED", "20261126"))
    print(f"seed {seed}; an uninterrupted run takes {seconds:.1f} s")
    rng = random.Random(seed)
    kills = runs = 0
    while kills < KILLS:
        out = tmp_path / f"run-{runs}"
        command = archive_command(bulk_site.url + "/", out, *options)
        kills += kill_and_resume(
            command, rng, kills=min(5, KILLS - kills), within=seconds, env=rest_env
        )
        runs += 1
        assert_same_run(reference, next(out.iterdir()))
        shutil.rmtree(out)
    assert runs <= KILLS // 2, "most resumed runs finished before their kill came"


@pytest.mark.wordpress
def test_a_rest_run_with_pages_and_media_killed_twice_resumes_to_the_same_archive(
    wordpress_site: wp.Site, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The fixture site with everything on: permalink pages (cleaned into conversion
    records), media; every capture once, as in the uninterrupted run."""
    env = {
        **os.environ,
        "HOME": str(tmp_path_factory.mktemp("home")),
        "WPARCHIVE_USER": wordpress_site.user,
        "WPARCHIVE_APP_PASSWORD": wordpress_site.app_password,
    }
    started = time.monotonic()
    subprocess.run(
        archive_command(wordpress_site.url + "/", tmp_path / "reference"),
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    seconds = time.monotonic() - started
    reference = next((tmp_path / "reference").iterdir())
    assert list((reference / "media").rglob("*.jpg"))
    rng = random.Random(5)
    for run in range(3):
        out = tmp_path / f"run-{run}"
        command = archive_command(wordpress_site.url + "/", out)
        kill_and_resume(command, rng, kills=2, within=seconds, env=env)
        resumed = next(out.iterdir())
        assert_same_run(reference, resumed)
        assert sorted(p.name for p in (resumed / "media").rglob("*")) == sorted(
            p.name for p in (reference / "media").rglob("*")
        )


@pytest.mark.wordpress
def test_a_rest_run_stopped_between_a_page_capture_and_its_post_keeps_the_link(
    wordpress_site: wp.Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A post waits for its permalink page; the page is in the WARC before the post is in
    the archive. Stopped in between, the resumed run takes the page from the WARC (not the
    site) and the post's metadata record still refers to that capture."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # anonymous: no ~/.netrc
    for name in ("WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    url = wordpress_site.url + "/"
    reference = run_archive(url, ArchiveOptions(out=tmp_path / "ref", jobs=1)).run_dir
    assert reference is not None
    lines = archive_lines(reference)
    # (line 0 is the archive's header: the n-th record is line n)
    first_page = next(
        i
        for i, line in enumerate(lines)
        if line.get("type") == "post" and (line["status"], line["post_type"]) == ("publish", "post")
    )
    slept = []

    def progress(done: int, total: int | None, records: int) -> None:
        if records < first_page:
            return
        if slept:
            raise Stop  # the post after the nap: written, checkpointed with those pages
        time.sleep(1)  # the next posts' pages arrive, to be written with the next post
        slept.append(records)

    with monkeypatch.context() as patched, pytest.raises(Stop):
        patched.setattr(resume, "INTERVAL", 0.0)  # a checkpoint after every unit
        run_archive(url, ArchiveOptions(out=tmp_path / "out", jobs=1), progress=progress)
    taken: list[tuple[str, bool]] = []
    take = resume.ReplayCache.take

    def noted(cache: resume.ReplayCache, url: str) -> tuple | None:
        answer = take(cache, url)
        taken.append((url, answer is not None and not answer[1]))
        return answer

    monkeypatch.setattr(resume.ReplayCache, "take", noted)
    summary = run_archive(url, ArchiveOptions(out=tmp_path / "out", jobs=1, resume=True))
    assert summary.resumed
    pages_kept = [u for u, kept in taken if kept and "/wp-json/" not in u and u != url]
    assert pages_kept, f"no permalink page was taken from the interrupted run's WARC: {taken}"
    assert summary.run_dir is not None
    assert_same_run(reference, summary.run_dir)


@pytest.mark.wordpress
def test_a_5000_post_rest_run_asks_for_no_more_than_the_minimum_pages(
    bulk_site: wp.Site, rest_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 4's benchmark-sized run: API requests ≤ Σ ceil(total/100) over the
    collections (plus the few that find them) + 2%. (The wall times at concurrency 1 and 4
    are bench/rest.py's, in BENCHMARKS.md.)"""
    import wparchive.pipeline as pipeline

    for name in ("HOME", "WPARCHIVE_USER", "WPARCHIVE_APP_PASSWORD"):
        monkeypatch.setenv(name, rest_env[name])
    sources: list = []
    original = pipeline.open_source
    monkeypatch.setattr(
        pipeline, "open_source", lambda *a, **k: sources.append(original(*a, **k)) or sources[-1]
    )
    started = time.monotonic()
    summary = run_archive(bulk_site.url + "/", ArchiveOptions(out=tmp_path, pages=False))
    seconds = time.monotonic() - started
    stats = sources[0].stats
    pages = sum(  # each collection once: the first pass's listings are the same pages
        max(1, -(-(c["total"] or 0) // 100))
        for name, c in stats["collections"].items()
        if not name.startswith("index ")
    )
    print(
        f"{stats['api_requests']} API requests, minimum {stats['minimum_api_requests']}, "
        f"{seconds:.1f} s"
    )
    assert summary.written["post"] > BULK_POSTS and not summary.warnings, summary.warnings
    assert 0 <= stats["minimum_api_requests"] - pages <= 4  # index, types, taxonomies, users/me
    assert stats["api_requests"] <= stats["minimum_api_requests"] * 1.02


def test_a_checkpoint_never_holds_the_password_of_a_url() -> None:
    key = resume.source_key(["https://ann:s3cret@example.org/"])
    assert key == ["https://example.org/"] and "s3cret" not in json.dumps(key)
