"""A real pywb on 127.0.0.1 for replay tests: a collection, its WARCs, a wayback server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def pywb(root: Path, *archives: Path, unpack_wacz: bool = False) -> Iterator[str]:
    """Index the archives into a fresh collection and serve it; yields the collection URL."""
    root.mkdir(parents=True, exist_ok=True)
    run = {"cwd": root, "check": True, "capture_output": True, "timeout": 120}
    subprocess.run([BIN / "wb-manager", "init", "coll"], **run)
    add = [BIN / "wb-manager", "add", *(["--unpack-wacz"] if unpack_wacz else []), "coll"]
    subprocess.run([*add, *map(str, archives)], **run)
    port = free_port()
    log = (root / "wayback.log").open("wb")
    # -b 127.0.0.1: pywb binds every interface by default.
    server = subprocess.Popen(
        [BIN / "wayback", "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/coll"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((root / "wayback.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
