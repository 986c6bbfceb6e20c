"""Start, stop and describe the real WordPress test site from Python.

A thin layer over ``wp-up`` and ``wp-down`` beside this file (the scripts do the work, so a person
at a shell and the test suite get the same site). See README.md here for what the site contains.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_STATE_DIR = Path("/tmp/wparchive-wp")
# Installing the Debian packages from nothing takes ~30 s on a good day; mirrors have bad ones.
START_TIMEOUT = 1200

# What populate.php creates (fixture.json's "counts" has the same shape). Tests of the REST and
# WXR sources rely on these numbers; test_wordpress_site.py checks the site still matches them.
PUBLISHED_POSTS = 10
FIXTURE_COUNTS: dict[str, Any] = {
    "post": {"publish": 10, "future": 1, "draft": 1, "pending": 1, "private": 1, "trash": 1},
    "page": {"publish": 3},
    "recept": {"publish": 3},
    "wp_block": {"publish": 1},
    "attachment": {"inherit": 4},
    "comments": {
        "approved/comment": 6,
        "approved/pingback": 1,
        "hold/comment": 1,
        "spam/comment": 1,
        "trash/comment": 1,
    },
    "users": 4,
    "terms": {"category": 6, "post_tag": 7, "konyha": 2},
}


@dataclass(frozen=True)
class Site:
    """A running test site, as described by the env file wp-up writes."""

    url: str
    user: str
    app_password: str
    export_path: Path
    state_dir: Path
    fixture_path: Path
    bulk_posts: int = 0
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def auth(self) -> tuple[str, str]:
        """HTTP Basic credentials for the REST API (the application password, not the login one)."""
        return (self.user, self.app_password)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def rest(self, route: str) -> str:
        """URL of a REST route, e.g. ``site.rest("/wp/v2/posts")``."""
        return f"{self.url}/wp-json{route}"

    def fixture(self) -> dict[str, Any]:
        """fixture.json: ids, links and counts of what populate.php created."""
        return json.loads(self.fixture_path.read_text(encoding="utf-8"))


def state_dir_for(state_dir: str | os.PathLike[str] | None = None) -> Path:
    """The state dir wp-up uses: the argument, else $WPARCHIVE_WP_STATE, else /tmp/wparchive-wp."""
    if state_dir is not None:
        return Path(state_dir)
    return Path(os.environ.get("WPARCHIVE_WP_STATE") or DEFAULT_STATE_DIR)


def can_run() -> tuple[bool, str]:
    """Whether this machine can run the site: root on Debian 12 with apt. Returns (ok, reason)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False, "the WordPress test site needs root (it installs Debian packages)"
    os_release = _os_release()
    if os_release.get("ID") != "debian" or os_release.get("VERSION_ID") != "12":
        found = os_release.get("PRETTY_NAME", "an unknown system")
        return False, f"the WordPress test site needs Debian 12 (bookworm), not {found}"
    if shutil.which("apt-get") is None or shutil.which("dpkg-query") is None:
        return False, "the WordPress test site needs apt-get and dpkg-query"
    return True, ""


def start_site(
    state_dir: str | os.PathLike[str] | None = None,
    *,
    bulk: int = 0,
    timeout: float = START_TIMEOUT,
) -> Site:
    """Run wp-up (a no-op when the site is up) and return the running site.

    ``bulk`` tops the site up to that many extra published posts (for benchmarks).
    """
    args = ["--bulk", str(bulk)] if bulk else []
    result = _run("wp-up", args, state_dir, timeout)
    return load_site(Path(result.stdout.strip().splitlines()[-1]))


def stop_site(state_dir: str | os.PathLike[str] | None = None, *, purge: bool = False) -> None:
    """Run wp-down: stop the site's processes; ``purge`` also deletes its state dir."""
    _run("wp-down", ["--purge"] if purge else [], state_dir, 120)


def is_up(state_dir: str | os.PathLike[str] | None = None) -> bool:
    """Whether wp-up's env file is there and both of the site's servers are running."""
    directory = state_dir_for(state_dir)
    if not (directory / "env").is_file():
        return False
    env = read_env(directory / "env")
    return all(_is_live(int(env[key])) for key in ("WP_PHP_PID", "WP_MARIADB_PID"))


def load_site(env_path: Path) -> Site:
    """A Site from an env file written by wp-up."""
    env = read_env(env_path)
    return Site(
        url=env["WP_URL"],
        user=env["WP_USER"],
        app_password=env["WP_APP_PASSWORD"],
        export_path=Path(env["WP_EXPORT"]),
        state_dir=Path(env["WP_STATE"]),
        fixture_path=Path(env["WP_FIXTURE"]),
        bulk_posts=int(env.get("WP_BULK_POSTS", "0")),
        env=env,
    )


def read_env(path: Path) -> dict[str, str]:
    """Parse the env file: shell ``KEY='value'`` lines."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = " ".join(shlex.split(value))
    return env


def running_processes(state_dir: str | os.PathLike[str] | None = None) -> list[int]:
    """Live (not zombie) processes whose command line mentions the state dir: the site's servers."""
    marker = f"{state_dir_for(state_dir)}/"  # the slash: /tmp/wpa-1 must not match /tmp/wpa-12
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(marker.encode() in arg for arg in cmdline) and _is_live(int(proc.name)):
            found.append(int(proc.name))
    return found


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Nobody listens on the port, and a server could bind it."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return False
    except OSError:
        pass
    with socket.socket() as sock:
        # Closed connections linger in TIME_WAIT; SO_REUSEADDR ignores them, as servers do.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _run(
    script: str, args: list[str], state_dir: str | os.PathLike[str] | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, WPARCHIVE_WP_STATE=str(state_dir_for(state_dir)))
    result = subprocess.run(
        ["bash", str(HERE / script), *args],  # works even where a checkout lost the exec bit
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{script} {' '.join(args)} failed ({result.returncode}):\n{result.stderr}"
        )
    return result


def _is_live(pid: int) -> bool:
    """The process exists and is not a zombie (an exited child nobody has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _os_release() -> dict[str, str]:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return {}
    release = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            release[key] = " ".join(shlex.split(value))
    return release
