"""Scale-out on an existing engine: a Dask LocalCluster (two worker processes, loopback
only) builds a library to the same bytes as a serial build, and a failing card is
reported, not fatal. Also the CLI's --executor, and any concurrent.futures.Executor."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from routinecard import batch
from routinecard.scaleout import build_on, build_on_dask, check_spec

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "cards" / "sciatica-trigger-points.yaml"


def _library(folder: Path) -> Path:
    """Three good cards (different ids) and one that fails validation."""
    folder.mkdir()
    text = CARD.read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"card-{i}.yaml").write_text(text.replace("id: sciatica-trigger-points", f"id: card-{i}", 1), encoding="utf-8")
    (folder / "broken.yaml").write_text(text.replace("id: sciatica-trigger-points", "id: broken", 1)
                                        .replace("pressure: {min: 4, max: 6", "pressure: {min: 7, max: 6", 1), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.Client]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local, distributed.Client(local) as client:
        yield client


def _pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_a_dask_cluster_builds_the_same_bytes_as_a_serial_build_and_reports_a_failing_card(
        tmp_path: Path, cluster: distributed.Client) -> None:
    library = _library(tmp_path / "library")
    serial = batch.run(batch.make_jobs(sorted(library.glob("*.yaml")), [None], folder=tmp_path / "serial"))
    on_dask = build_on_dask(cluster, [library], output=tmp_path / "dask")
    assert [o.status for o in on_dask] == [o.status for o in serial]
    assert sorted(o.status for o in on_dask) == ["built", "built", "built", "failed"]
    failed = next(o for o in on_dask if o.status == "failed")
    assert failed.job.input.name == "broken.yaml"
    assert any("pressure" in str(p) for p in failed.problems)
    assert len(_pdfs(tmp_path / "dask")) == 3
    assert _pdfs(tmp_path / "dask") == _pdfs(tmp_path / "serial")
    # the manifest was kept by the caller: a second run skips the built cards
    again = build_on_dask(cluster, [library], output=tmp_path / "dask")
    assert sorted(o.status for o in again) == ["failed", "skipped", "skipped", "skipped"]


def test_any_executor_runs_a_batch(tmp_path: Path) -> None:
    library = _library(tmp_path / "library")
    with ThreadPoolExecutor(2) as pool:
        outcomes = build_on(pool, [library], output=tmp_path / "out")
    assert sorted(o.status for o in outcomes) == ["built", "built", "built", "failed"]
    assert all(o.sha256 for o in outcomes if o.status == "built")


def test_cli_executor_dask_local_and_a_scheduler_address(tmp_path: Path, cluster: distributed.Client) -> None:
    library = _library(tmp_path / "library")
    cli = [sys.executable, "-m", "routinecard", "build", str(library)]
    local = subprocess.run([*cli, "-o", str(tmp_path / "local"), "--executor", "dask-local", "--jobs", "2"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert local.returncode == 1, local.stderr  # the broken card fails; the rest are built
    assert "Traceback" not in local.stderr and "broken.yaml" in local.stderr
    assert "built 3, skipped 0 (unchanged), failed 1" in local.stderr
    address = cluster.scheduler.address  # tcp://127.0.0.1:PORT
    remote = subprocess.run([*cli, "-o", str(tmp_path / "remote"), "--executor", "dask://" + address.removeprefix("tcp://")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert remote.returncode == 1 and "built 3, skipped 0 (unchanged), failed 1" in remote.stderr, remote.stderr
    assert _pdfs(tmp_path / "local") == _pdfs(tmp_path / "remote")


def test_an_unknown_executor_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown executor"):
        check_spec("spark://x")
    result = subprocess.run([sys.executable, "-m", "routinecard", "build", str(CARD), "-o", str(tmp_path),
                             "--executor", "ray://x"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "unknown executor" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "routinecard", "build", str(CARD), "-o", str(tmp_path),
                             "--executor", "dask://127.0.0.1:9"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "cannot reach the Dask scheduler" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)


QUIET_PROBE = """
import logging, sys
from routinecard.scaleout import executor_for
with executor_for(sys.argv[1], 1) as executor:
    assert executor is not None
    # what Dask logs when a heartbeat races the scheduler's exit: an error with a traceback
    executor.submit(logging.getLogger("distributed.worker").error, "PROBE-IN-WORKER", exc_info=ValueError("x")).result()
    logging.getLogger("distributed.core").error("PROBE-IN-CALLER", exc_info=ValueError("x"))
print("ok")
"""


def test_dask_logs_no_tracebacks_on_the_command_line(tmp_path: Path, cluster: distributed.Client) -> None:
    """Dask's own error log (with tracebacks) never reaches the user's terminal, neither
    from the caller nor from a worker process: CI once failed on a shutdown race's log."""
    address = "dask://" + cluster.scheduler.address.removeprefix("tcp://")
    for spec in ("dask-local", address):
        result = subprocess.run([sys.executable, "-c", QUIET_PROBE, spec], capture_output=True, text=True,
                                cwd=tmp_path, timeout=300)
        assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
        assert "PROBE" not in result.stderr and "Traceback" not in result.stderr, result.stderr
