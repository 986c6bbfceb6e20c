"""`wparchive bulk --scheduler`: the same jobs on a Dask cluster, here a LocalCluster of
worker processes on 127.0.0.1; a worker killed mid-run loses and doubles nothing."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster, get_task_stream
from typer.testing import CliRunner

import wparchive
from bench.wxrgen import write_export
from wparchive import bulk
from wparchive.bulk import SchedulerError, run_bulk
from wparchive.cli import app
from wparchive.verify import verify_run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exports" / "sala-gondolatai.wordpress.2024-06-18.xml"
BIG_POSTS = 500  # seconds of work: long enough to kill its worker mid-run


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes, loopback only, no dashboard."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


def _copy_of_sample(path: Path, number: int) -> Path:
    """The sample export as another site: its own title and URL, so its own run folder."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("https://salagondolatai.hu", f"https://copy{number}.example.org")
    text = text.replace("<title>SaLa gondolatai</title>", f"<title>Copy {number}</title>", 1)
    path.write_text(text, encoding="utf-8")
    return path


def _sites_file(folder: Path, *sources: str) -> Path:
    listing = folder / "sites.txt"
    listing.write_text("".join(f"{source}\n" for source in sources), encoding="utf-8")
    return listing


def _wait_for(condition, what: str, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


def _ids(run_dir: Path) -> Counter:
    """How often each record (type, id) is in the archive, read to its end line."""
    archive = wparchive.open_archive(run_dir)
    ids = Counter((r["type"], r["id"]) for r in archive)
    assert archive.complete, f"{run_dir}: no end line"
    return ids


def test_bulk_on_a_dask_cluster_archives_every_site_as_the_local_pool_does(
    cluster, tmp_path, monkeypatch
):
    _copy_of_sample(tmp_path / "copy1.xml", 1)
    _copy_of_sample(tmp_path / "copy2.xml", 2)
    (tmp_path / "broken.xml").write_text("this is not a WordPress export\n", encoding="utf-8")
    sites = _sites_file(tmp_path, str(SAMPLE), "copy1.xml", "copy2.xml", "broken.xml")
    out = tmp_path / "out"
    # Relative paths here; the workers started elsewhere, so they must be given absolute ones.
    monkeypatch.chdir(tmp_path)

    on_dask = {
        r.name: r for r in run_bulk("sites.txt", out="out", scheduler=cluster.scheduler_address)
    }
    local = {r.name: r for r in run_bulk(sites, out=tmp_path / "local", jobs=2)}
    assert [r.status for r in on_dask.values()] == ["complete"] * 3 + ["failed"]
    assert on_dask["broken"].error == local["broken"].error
    slugs = set()
    for name in ("sala-gondolatai-wordpress-2024-06-18", "copy1", "copy2"):
        run_dir = on_dask[name].run_dir
        slugs.add(run_dir.name)
        assert run_dir.parent == out / name
        counts = (on_dask[name].posts, on_dask[name].comments, on_dask[name].media)
        assert counts == (local[name].posts, local[name].comments, local[name].media)
        assert verify_run(run_dir).problems == []
    assert len(slugs) == 3, "each copy is its own site"

    address = cluster.scheduler_address
    cli = CliRunner().invoke(
        app, ["bulk", str(sites), "--out", str(out), "--resume", "--scheduler", address]
    )
    assert cli.exit_code == 2, cli.output
    assert "failed: broken" in cli.output and cli.output.count("skipped") >= 3


def test_a_killed_worker_s_site_is_rerun_on_another_and_nothing_is_lost_or_doubled(
    cluster, tmp_path
):
    write_export(tmp_path / "big.xml", BIG_POSTS)
    _copy_of_sample(tmp_path / "copy1.xml", 1)
    _copy_of_sample(tmp_path / "copy2.xml", 2)
    sites = _sites_file(tmp_path, "big.xml", "copy1.xml", "copy2.xml")
    out = tmp_path / "out"
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["results"] = run_bulk(sites, out=out, scheduler=cluster.scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            outcome["error"] = exc

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        with get_task_stream(client=client) as stream:
            runner = threading.Thread(target=run, daemon=True)
            runner.start()
            # The big site is mid-run once its archive is open (the link index is built).
            _wait_for(lambda: list(out.glob("big/*/archive.jsonl.open")), "the big site to start")
            running = client.processing()  # run_bulk's task keys name their site
            victim = next(w for w, keys in running.items() if any("-big-" in k for k in keys))
            os.kill(pids[victim], signal.SIGKILL)
            runner.join(timeout=120)
            assert not runner.is_alive(), "run_bulk did not finish"
        assert "error" not in outcome, outcome.get("error")
        finished_big = [t for t in stream.data if "-big-" in str(t["key"])]
        assert len(finished_big) == 1 and finished_big[0]["worker"] != victim

    results = {r.name: r for r in outcome["results"]}
    assert [r.status for r in results.values()] == ["complete"] * 3, results
    big = results["big"].run_dir
    ids = _ids(big)
    assert max(ids.values()) == 1, "a record is in the archive twice"
    kinds = Counter(kind for kind, _ in ids)
    assert kinds["post"] == BIG_POSTS and kinds["comment"] == 3 * BIG_POSTS
    for result in results.values():
        assert max(_ids(result.run_dir).values()) == 1
        assert verify_run(result.run_dir).problems == []
    assert not list(out.rglob("*.open")), "a killed run's leftovers were kept"
    assert len(list(big.glob("*.warc.gz"))) == 1


def test_an_unreachable_scheduler_is_named_in_one_clear_error(tmp_path):
    sites = _sites_file(tmp_path, str(SAMPLE))
    address = "tcp://127.0.0.1:9"  # discard: nothing listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler at tcp://"):
            run_bulk(sites, out=tmp_path / "out", scheduler=address)
        result = CliRunner().invoke(app, ["bulk", str(sites), "--scheduler", address])
    assert result.exit_code == 2
    assert address in result.output and "Traceback" not in result.output


def test_scheduler_without_distributed_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    sites = _sites_file(tmp_path, str(SAMPLE))
    result = CliRunner().invoke(app, ["bulk", str(sites), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "wparchive[dask]" in result.output


def test_workers_with_another_wparchive_are_refused_before_any_job(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "__version__", "0.0.0-other")
    sites = _sites_file(tmp_path, str(SAMPLE))
    with pytest.raises(SchedulerError, match="install the same version everywhere"):
        run_bulk(sites, out=tmp_path / "out", scheduler=cluster.scheduler_address)
    assert not (tmp_path / "out").exists()
