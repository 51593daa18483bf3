"""Load on `routinecard serve`: twenty clinicians asking for a preview at the same moment.

Starts `routinecard serve` as its own process on 127.0.0.1 (a free port, over a copy of
cards/, clinics/ and patients/), warms it up, then sends rounds of N concurrent preview
requests (each its own form, like N clinicians typing) and prints p50/p95/max latency,
errors and how many were told "busy". Also one clinician alone, for comparison.

    python bench/serve_load.py [--clients 20] [--rounds 3] [--workers N] [--json FILE]

Not part of the tests (no timing assertions there); `make bench` runs it after run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def form(i: int) -> dict[str, object]:
    """The Maria Lopez card, a little different per clinician (so nothing is cached)."""
    return {
        "routine": "sciatica-trigger-points", "language": "es" if i % 2 else "en",
        "patient": f"Patient {i}", "clinician": "A. Patel, DPT", "date": "2026-11-30",
        "clinic": "example-clinic.yaml", "keep": ["piriformis", "gluteus-medius"],
        "amount.piriformis.min": str(20 + i % 10), "amount.piriformis.max": "45",
        "notes": f"Note {i}.", "key": f"clinician-{i}",
    }


def one(client: httpx.Client, i: int) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        response = client.post("/customise/preview", data=form(i))
    except httpx.HTTPError as error:
        return time.perf_counter() - start, f"error: {type(error).__name__}"
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        return elapsed, f"error: HTTP {response.status_code}"
    if "Many cards are being made right now" in response.text:
        return elapsed, "busy"
    if "data:image/png;base64," not in response.text:
        return elapsed, "error: no preview"
    return elapsed, "ok"


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its children (Linux /proc), in MiB."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return round(total, 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="routinecard serve --workers (default: its own)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    library = Path(tempfile.mkdtemp(prefix="serve-load-"))
    for name in ("cards", "clinics", "patients"):
        shutil.copytree(ROOT / name, library / name)
    port = free_port()
    command = [sys.executable, "-m", "routinecard", "serve", "--port", str(port), "--library", str(library)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "ROUTINECARD_VERIFY": "0"})
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=300) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/status")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start")
                    time.sleep(0.2)
            for i in range(4):  # warm every worker: imports, fonts, body maps
                one(client, 1000 + i)
            alone = [one(client, 2000 + i)[0] for i in range(5)]
            workers = client.get("/status").json()["workers"]
        latencies: list[float] = []
        outcomes: dict[str, int] = {}
        walls: list[float] = []
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        with httpx.Client(base_url=url, timeout=300, limits=limits) as client, ThreadPoolExecutor(args.clients) as pool:
            for round_ in range(args.rounds):
                start = time.perf_counter()
                results = list(pool.map(lambda i: one(client, round_ * 100 + i), range(args.clients)))
                walls.append(time.perf_counter() - start)
                for elapsed, outcome in results:
                    latencies.append(elapsed)
                    key = outcome if not outcome.startswith("error") else "error"
                    outcomes[key] = outcomes.get(key, 0) + 1
            status = client.get("/status").json()
            memory = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(library, ignore_errors=True)

    result = {
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "workers": workers,
        "clients": args.clients,
        "rounds": args.rounds,
        "alone_p50_s": round(statistics.median(alone), 3),
        "p50_s": round(percentile(latencies, 0.50), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
        "round_wall_s": [round(w, 2) for w in walls],
        "previews_per_s": round(len(latencies) / sum(walls), 2),
        "ok": outcomes.get("ok", 0),
        "busy": outcomes.get("busy", 0),
        "errors": outcomes.get("error", 0),
        "server_rss_mib": memory,
        "server": status,
    }
    print(f"routinecard serve under load ({result['machine']}, {workers} workers)")
    print(f"  one clinician alone: p50 {result['alone_p50_s']:.2f} s per preview")
    print(f"  {args.clients} at once x {args.rounds} rounds: p50 {result['p50_s']:.2f} s, p95 {result['p95_s']:.2f} s, "
          f"max {result['max_s']:.2f} s; {result['previews_per_s']} previews/s")
    print(f"  ok {result['ok']}, busy {result['busy']}, errors {result['errors']}; "
          f"server and workers use {memory:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
