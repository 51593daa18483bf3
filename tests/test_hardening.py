"""Issue 12: nothing lost, nothing leaked. The faults that cannot be written as data cases
(tests/cases/hardening-*): FIFOs, read-only and full file systems, killed batches, bytes
that are not UTF-8 on the command line, devices as targets, and property tests that feed
random layout values and random manifests.

Everything runs the real CLI in a subprocess (a kill has to kill a real process tree).
Tests that mount a tmpfs need root and skip cleanly otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import page_count
from routinecard.incremental import MANIFEST, VERSION, JobKey, Manifest, parse_manifest

PATIENT = "card: sciatica-trigger-points\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT or not sys.platform.startswith("linux"),
                                reason="mounting a tmpfs needs root on Linux")


def cli(args: list[str | bytes], cwd: Path, *, timeout: float = 180, verify: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ROUTINECARD_VERIFY="1" if verify else "0")
    command: list[str | bytes] = [sys.executable, "-m", "routinecard", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def patients(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"p{index:02d}.yaml").write_text(PATIENT, encoding="utf-8")
    return folder


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def assert_clean_failure(result: subprocess.CompletedProcess[str], line: str) -> None:
    """Exit 1, the line present, no traceback, and only that line and the summary on stderr."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert line in lines, result.stderr
    assert len(lines) == 2 and lines[1].startswith("built "), result.stderr


def assert_manifest_valid(folder: Path, *, entries: int | None = None) -> dict[str, Any]:
    """The manifest is exactly our schema, and every PDF it names is the one it recorded."""
    raw = (folder / MANIFEST).read_bytes()
    data = json.loads(raw)
    assert data["version"] == VERSION
    parsed = parse_manifest(raw)
    assert set(parsed) == set(data["entries"]), "an entry that does not fit the schema was written"
    for entry in parsed.values():
        pdf = folder / entry.output
        assert pdf.resolve().parent == folder.resolve()
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == entry.pdf
    if entries is not None:
        assert len(parsed) == entries
    return data


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


# -- the manifest is data -------------------------------------------------------------------


def test_a_fifo_manifest_does_not_hang_and_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / MANIFEST)
    result = cli(["build", "patient.yaml", "-o", "out"], tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (out / MANIFEST).is_file()
    assert_manifest_valid(out, entries=1)


def test_a_fifo_or_folder_named_in_the_manifest_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    assert cli(["build", "patient.yaml", "-o", "out"], tmp_path).returncode == 0
    out = tmp_path / "out"
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    os.mkfifo(tmp_path / "fifo")
    (key, entry), = data["entries"].items()
    entry["deps"][str(tmp_path / "fifo")] = "0" * 64
    entry["deps"][str(tmp_path)] = "1" * 64
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    result = cli(["build", "patient.yaml", "-o", "out"], tmp_path, timeout=60)
    assert result.returncode == 0 and "built 1, skipped 0" in result.stdout, result.stdout + result.stderr
    assert_manifest_valid(out, entries=1)


def test_a_copied_output_folder_with_a_deleted_pdf_is_rebuilt(tmp_path: Path) -> None:
    patients(tmp_path / "in", 2)
    assert cli(["build", "in", "-o", "out"], tmp_path).returncode == 0
    shutil.copytree(tmp_path / "out", tmp_path / "copy")
    (tmp_path / "copy" / "p00.pdf").unlink()
    result = cli(["build", "in", "-o", "copy"], tmp_path)
    assert "built 1, skipped 1" in result.stdout, result.stdout + result.stderr
    assert (tmp_path / "out" / "p00.pdf").is_file()
    assert_manifest_valid(tmp_path / "copy", entries=2)


def test_a_failed_rebuild_leaves_no_old_pdf_that_looks_current(tmp_path: Path) -> None:
    patient = tmp_path / "patient.yaml"
    patient.write_text(PATIENT, encoding="utf-8")
    assert cli(["build", "patient.yaml", "-o", "out"], tmp_path).returncode == 0
    patient.write_text("card: sciatica-trigger-points\nonly: [no-such-point]\n", encoding="utf-8")
    result = cli(["build", "patient.yaml", "-o", "out"], tmp_path)
    assert result.returncode == 1
    assert not (tmp_path / "out" / "patient.pdf").exists()
    assert_manifest_valid(tmp_path / "out", entries=0)


def test_a_no_op_rebuild_does_not_rewrite_the_manifest(tmp_path: Path) -> None:
    patients(tmp_path / "in", 2)
    assert cli(["build", "in", "-o", "out"], tmp_path).returncode == 0
    manifest = tmp_path / "out" / MANIFEST
    before = manifest.stat().st_mtime_ns, manifest.stat().st_ino
    assert "skipped 2" in cli(["build", "in", "-o", "out"], tmp_path).stdout
    assert (manifest.stat().st_mtime_ns, manifest.stat().st_ino) == before


def test_links_in_the_output_folder_are_replaced_never_followed(tmp_path: Path) -> None:
    """A manifest or PDF in the output folder that is a symbolic link to a file elsewhere
    (a shared folder someone prepared): the link is replaced, the file it named untouched."""
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    (out / MANIFEST).symlink_to(victim)
    (out / "patient.pdf").symlink_to(victim)
    result = cli(["build", "patient.yaml", "-o", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / MANIFEST).is_symlink() and not (out / "patient.pdf").is_symlink()
    assert_manifest_valid(out, entries=1)


def test_temporary_files_of_dead_builds_are_removed(tmp_path: Path) -> None:
    """A build killed between writing and renaming leaves `.NAME.PID.XXXX.tmp`; the next
    build in that folder removes it if that process is gone, and leaves a live one's."""
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = out / f".patient.pdf.{int(dead.stdout)}.abc123.tmp"
    live = out / f".patient.pdf.{os.getpid()}.def456.tmp"
    stale.write_bytes(b"%PDF half")
    live.write_bytes(b"%PDF being written")
    assert cli(["build", "patient.yaml", "-o", "out"], tmp_path).returncode == 0
    assert not stale.exists() and live.exists()


# -- odd targets and arguments --------------------------------------------------------------


def test_a_pdf_name_that_is_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    (tmp_path / "x.pdf").symlink_to("/dev/null")
    result = cli(["build", "patient.yaml", "-o", "x.pdf"], tmp_path)
    assert_clean_failure(result, "x.pdf: is not a regular file (a device, pipe or socket); expected the name of a file to write")
    assert Path("/dev/null").is_char_device()
    assert (tmp_path / "x.pdf").is_symlink() and not temporaries(tmp_path)


def test_arguments_that_are_not_utf8_are_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    for option, value in ((b"--set", b"title=\xff\xfe"), (b"--only", b"\xff"), (b"--lang", b"e\xffs")):
        result = cli([b"build", b"patient.yaml", option, value, b"-o", b"out"], tmp_path)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert f"{option.decode()}: the value is not valid UTF-8 text; retype it" in result.stderr.splitlines()
    assert not (tmp_path / "out").exists()


def test_a_referenced_file_is_never_quoted(tmp_path: Path, runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a patient file names, the message carries none of that file's text."""
    from routinecard.cli import app

    monkeypatch.chdir(tmp_path)
    secret = "TOPSECRET-4a1f"
    foreign = {
        "notes.txt": f"{secret}\n",
        "config.yaml": f"token: {secret}\n",
        "list.yaml": f"- {secret}\n",
        "broken.yaml": f"key: '{secret}\n",
        "binary.yaml": "\x00\x01" + secret,
        "name.yaml": f"name: {secret}\ncolumns: {secret}\n",
    }
    for name, text in foreign.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        for field in ("card", "layout", "clinic"):
            head = "" if field == "card" else PATIENT
            (tmp_path / "patient.yaml").write_text(f"{head}{field}: {name}\n", encoding="utf-8")
            result = runner.invoke(app, ["build", "patient.yaml", "-o", "out"])
            assert result.exit_code == 1, (name, field, result.stderr)
            assert secret not in result.stderr + result.stdout, (name, field, result.stderr)
            assert "Traceback" not in result.stderr


# -- file systems that say no (root: tmpfs) ------------------------------------------------


@needs_root
def test_a_read_only_folder(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    with tmpfs(tmp_path / "mnt", "4m") as mount:
        assert cli(["build", "patient.yaml", "-o", "mnt/out"], tmp_path).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        again = cli(["build", "patient.yaml", "-o", "mnt/out"], tmp_path)
        assert again.returncode == 0 and "skipped 1" in again.stdout, again.stderr  # a no-op writes nothing
        forced = cli(["build", "patient.yaml", "-o", "mnt/out", "--force"], tmp_path)
        assert_clean_failure(forced, "mnt/out/patient.pdf: cannot write the file: the folder is on a read-only file system")
        fresh = cli(["build", "patient.yaml", "-o", "mnt/new"], tmp_path)
        assert_clean_failure(fresh, "mnt/new/patient.pdf: cannot create the folder mnt/new: the folder is on a read-only file system")
        assert not temporaries(mount)


@needs_root
def test_a_full_disk(tmp_path: Path) -> None:
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    with tmpfs(tmp_path / "mnt", "16k") as mount:
        result = cli(["build", "patient.yaml", "-o", "mnt/out"], tmp_path)
        assert_clean_failure(result, "mnt/out/patient.pdf: cannot write the file: no space left on the disk")
        assert not (mount / "out" / "patient.pdf").exists() and not temporaries(mount)


@needs_root
def test_a_manifest_that_does_not_fit(tmp_path: Path) -> None:
    """Room for the PDF but not for the manifest: one line naming the manifest, no
    temporary file, and the next build (with room) is correct."""
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    assert cli(["build", "patient.yaml", "-o", "probe"], tmp_path).returncode == 0
    pdf_size = (tmp_path / "probe" / "patient.pdf").stat().st_size
    with tmpfs(tmp_path / "mnt", "2m") as mount:
        (mount / "out").mkdir()
        stats = os.statvfs(mount)
        block = stats.f_frsize
        need = math.ceil(pdf_size / block) * block
        (mount / "filler").write_bytes(b"\0" * (stats.f_bavail * block - need))
        result = cli(["build", "patient.yaml", "-o", "mnt/out"], tmp_path)
        assert_clean_failure(result, f"mnt/out/{MANIFEST}: cannot write the file: no space left on the disk")
        assert not temporaries(mount)
        (mount / "filler").unlink()
        again = cli(["build", "patient.yaml", "-o", "mnt/out"], tmp_path)
        assert again.returncode == 0, again.stderr
        assert_manifest_valid(mount / "out", entries=1)


# -- killed builds ----------------------------------------------------------------------------


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except OSError:
            continue
        if text in command and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find worker processes")
def test_a_batch_killed_at_random_moments(tmp_path: Path) -> None:
    """kill -9 of the main process: no worker survives it, no partial PDF or temporary file
    is left once the next build has run, the manifest names only PDFs that are whole, and
    the next build finishes the rest without rebuilding what was done."""
    count = 16
    patients(tmp_path / "in", count)
    out = tmp_path / "out-killed"
    env = dict(os.environ, ROUTINECARD_VERIFY="0")
    chance = random.Random(12)
    for attempt in range(3):
        process = subprocess.Popen([sys.executable, "-m", "routinecard", "build", "in", "-o", str(out), "-j", "2"],
                                   cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(chance.uniform(0.4, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while _processes_mentioning(str(out)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _processes_mentioning(str(out)), f"workers outlived their parent (attempt {attempt})"
        if (out / MANIFEST).exists():
            assert_manifest_valid(out)
        for pdf in out.glob("*.pdf"):
            assert page_count(pdf) == 1  # renamed into place whole, or not at all
    done = len(parse_manifest((out / MANIFEST).read_bytes())) if (out / MANIFEST).exists() else 0
    result = cli(["build", "in", "-o", str(out), "-j", "2"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"built {count - done}, skipped {done} (unchanged)" in result.stdout
    assert_manifest_valid(out, entries=count)
    assert not temporaries(out)
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"p{i:02d}.pdf" for i in range(count)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find worker processes")
def test_a_killed_worker_does_not_fail_the_batch(tmp_path: Path) -> None:
    """A pool worker killed (say, by the out-of-memory killer) breaks the pool; the jobs it
    took down are run again in a fresh pool, so the batch still builds every card."""
    count = 12
    patients(tmp_path / "in", count)
    out = tmp_path / "out-worker"
    env = dict(os.environ, ROUTINECARD_VERIFY="0")
    process = subprocess.Popen([sys.executable, "-m", "routinecard", "build", "in", "-o", str(out), "-j", "2"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and process.poll() is None and time.monotonic() < deadline:
        workers = [pid for pid in _processes_mentioning(str(out)) if pid != process.pid]
        time.sleep(0.05)
    if workers:
        time.sleep(0.3)
        with contextlib.suppress(ProcessLookupError):
            os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert f"built {count}, skipped 0" in stdout
    assert_manifest_valid(out, entries=count)
    assert not temporaries(out)


# -- the batch's unit of work -----------------------------------------------------------------


def test_any_executor_runs_the_batch_and_no_pdf_comes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from routinecard.batch import Job, Outcome, run

    patients(tmp_path / "in", 3)
    monkeypatch.chdir(tmp_path)
    jobs = [Job(p, None, None, None, None, (), (), None, tmp_path / "out", False, False)
            for p in sorted((tmp_path / "in").glob("*.yaml"))]
    with ThreadPoolExecutor(2) as executor:
        outcomes = run(jobs, executor=executor)
    assert [o.status for o in outcomes] == ["built"] * 3
    for outcome in outcomes:
        assert isinstance(outcome, Outcome) and not hasattr(outcome, "pdf")
        assert outcome.output is not None and outcome.sha256 == hashlib.sha256(outcome.output.read_bytes()).hexdigest()
    assert_manifest_valid(tmp_path / "out", entries=3)
    assert [o.status for o in run(jobs, executor=ThreadPoolExecutor(1))] == ["skipped"] * 3


# -- property tests -----------------------------------------------------------------------------

_UNITS = st.sampled_from(["pt", "in", "mm", "cm"])
_NUMBERS = st.one_of(st.integers(0, 3000).map(str), st.floats(0, 3000, allow_nan=False).map(lambda f: f"{f:.3f}"))
_LENGTHS = st.one_of(st.builds(lambda n, u: f"{n}{u}", _NUMBERS, _UNITS), st.just(0), st.integers(-5, 5),
                     st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True))
_LAYOUTS = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=12), st.sampled_from(["a4", "x/../../y", "sub/dir", "ok-name"])),
        "page": st.fixed_dictionaries({}, optional={
            "size": st.sampled_from(["letter", "a4", "a5", "half-letter", "tabloid", "nope"]),
            "orientation": st.sampled_from(["portrait", "landscape"]),
            "margin": _LENGTHS,
            "sheet": st.fixed_dictionaries({"size": st.sampled_from(["letter", "a4", "tabloid", "a5"])},
                                           optional={"orientation": st.sampled_from(["portrait", "landscape"])}),
        }),
        "type": st.fixed_dictionaries({}, optional={k: _LENGTHS for k in ("body", "title", "heading", "small", "min", "max")}),
        "figures": st.fixed_dictionaries({}, optional={k: _LENGTHS for k in ("body_map", "closeup", "icon", "logo")}),
        "gap": _LENGTHS,
        "columns": st.integers(-2, 8),
        "attention_columns": st.integers(-1, 4),
        "sections": st.lists(st.sampled_from(["header", "overview", "points", "notes", "medical_attention", "log",
                                              "footer", "nope"]), max_size=8),
        "log": st.booleans(),
        "description": st.text(max_size=300),
    },
)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=_LAYOUTS)
def test_random_layout_values_are_a_located_message_or_a_card(tmp_path_factory: pytest.TempPathFactory, values: dict[str, Any]) -> None:
    """Any values in a layout file: a located InputError, a FitError, or a one-page card,
    and the layout's name is always a plain id. Never any other exception."""
    import yaml

    from routinecard.api import build_prepared
    from routinecard.errors import FitError, InputError
    from routinecard.prepare import prepare

    folder = tmp_path_factory.mktemp("layout")
    layout_file = folder / "random.yaml"
    layout_file.write_text(yaml.safe_dump({"extends": "letter", **values}), encoding="utf-8")
    card = Path(__file__).resolve().parent.parent / "cards" / "sciatica-trigger-points.yaml"
    try:
        prepared = prepare(card, layout=str(layout_file))
    except InputError as error:
        assert all(p.file is not None for p in error.problems), error
        return
    import re

    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", prepared.layout.name)
    try:
        built = build_prepared(prepared)
    except FitError:
        return
    assert page_count(built.pdf) == 1
    assert smallest_text(built.pdf) >= prepared.layout.type.min - 0.01  # no layout prints below its minimum


def smallest_text(pdf: bytes) -> float:
    """The smallest printed size of any text object on the first page, in points."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw

    page = pdfium.PdfDocument(pdf)[0]
    sizes = []
    for obj in page.get_objects():
        if obj.type == pdfium_raw.FPDF_PAGEOBJ_TEXT:
            size = ctypes.c_float()
            pdfium_raw.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
            sizes.append(size.value * abs(obj.get_matrix().d))
    return min(sizes)


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20,
)
_HEX = st.one_of(st.text("0123456789abcdef", min_size=64, max_size=64), st.text(max_size=70))
_ENTRY = st.fixed_dictionaries({
    "output": st.one_of(st.text(max_size=30), st.sampled_from(["../x.pdf", "/etc/passwd", "a/b.pdf", "..", ".x.pdf", "ok.pdf"])),
    "pdf": _HEX, "code": _HEX,
    "deps": st.dictionaries(st.one_of(st.text(max_size=20), st.sampled_from(["/dev/zero", "/proc/self/mem", "/"])), _HEX, max_size=3),
})
_MANIFESTS = st.one_of(
    _JSON,
    st.fixed_dictionaries({"version": st.sampled_from([VERSION, 1, "2"]),
                           "entries": st.dictionaries(st.text(max_size=30), st.one_of(_ENTRY, _JSON), max_size=4)}),
)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_MANIFESTS, noise=st.binary(max_size=64))
def test_random_manifests_are_read_as_data(tmp_path_factory: pytest.TempPathFactory, data: Any, noise: bytes) -> None:
    """Whatever a manifest holds: reading it never raises, never hangs on a device, and
    every entry kept names a plain file inside the folder."""
    folder = tmp_path_factory.mktemp("manifest")
    for raw in (json.dumps(data).encode("utf-8"), noise, json.dumps(data).encode("utf-8")[:-1] + noise):
        (folder / MANIFEST).write_bytes(raw)
        manifest = Manifest(folder)
        for text, entry in manifest.entries.items():
            assert (folder / entry.output).resolve().parent == folder.resolve()
            assert not entry.output.startswith(".")
        key = JobKey(str(folder / "card.yaml"), None, None, None, None, "[]")
        assert manifest.up_to_date(key) is None
        assert parse_manifest(manifest.payload()) == manifest.entries


@pytest.mark.parametrize("sizes", [{"heading": "0pt"}, {"heading": "1pt", "small": "0pt", "title": "0pt"}])
def test_tiny_heading_sizes_never_print_below_the_minimum(tmp_path: Path, sizes: dict[str, str]) -> None:
    """Found by the random-layout property test: with `type.heading: 0pt` the heading is
    held at the minimum (8.5 pt), and the point's number badge beside it, sized from the
    heading, printed its number at 7.9 pt. The badge is now never that small."""
    import yaml

    from routinecard.api import build_prepared
    from routinecard.prepare import prepare

    layout = tmp_path / "tiny.yaml"
    layout.write_text(yaml.safe_dump({"extends": "letter", "type": sizes}), encoding="utf-8")
    prepared = prepare(Path(__file__).resolve().parent.parent / "cards" / "sciatica-trigger-points.yaml",
                       layout=str(layout))
    built = build_prepared(prepared)
    assert page_count(built.pdf) == 1
    assert smallest_text(built.pdf) >= 8.5 - 0.01
