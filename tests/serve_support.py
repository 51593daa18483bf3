"""A live `routinecard serve` on 127.0.0.1 for the web tests: uvicorn in a thread,
over a copy of the repository's cards/, clinics/ and patients/ (saves stay in tmp)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import uvicorn

from routinecard.serve.app import create_app
from routinecard.serve.config import ServeConfig
from routinecard.serve.pool import BuildPool

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_library(target: Path) -> Path:
    for name in ("cards", "clinics", "patients"):
        shutil.copytree(ROOT / name, target / name)
    return target


@dataclass
class LiveServer:
    url: str
    config: ServeConfig
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def start(config: ServeConfig, pool: BuildPool | None = None) -> LiveServer:
    port = free_port()
    config = replace(config, host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(create_app(config, pool), host="127.0.0.1", port=port, access_log=False,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", config, server, thread)


def running(config: ServeConfig, pool: BuildPool | None = None) -> Iterator[LiveServer]:
    live = start(config, pool)
    try:
        yield live
    finally:
        live.stop()
