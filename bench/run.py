#!/usr/bin/env python3
"""Benchmark routinecard against its floors and rivals, side by side, in one run.

    python bench/run.py              # full run (~1-3 min on 2 cores)
    python bench/run.py --quick      # ~30 s
    python bench/run.py --repeats 50 --json /tmp/results.json

Prints machine info, one aligned table of measurements, then the ratios with their
targets marked PASS/MISS, and writes everything as JSON (bench/results.json by default).
See bench/README.md for what each number means.

Only the standard library is imported at the top: this file is also the entry point of
some child processes (`--child-batch`), and those should not pay for anything extra.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CARD = ROOT / "cards" / "sciatica-trigger-points.yaml"
BASELINE = BENCH / "baseline_reportlab.py"
TYPST_SOURCE = BENCH / "card.typ"

# The targets of issue 19 (and the older ones kept as context).
TARGETS = {
    "warm_vs_typst": 1.0,  # routinecard warm / Typst with one reused Compiler, at most
    "warm_vs_baseline": 0.5,  # routinecard warm / naive reportlab warm, at most (floor)
    "process_vs_platypus": 1.3,  # whole-process one card / `import reportlab.platypus`, at most
    "jobs_speedup": 1.8,  # 200-card library: jobs 2 throughput / jobs 1 throughput, at least
    "batch_peak_mb": 80.0,  # batch of 1000 cards, largest process of the build, at most (and flat)
    "pdf_vs_typst": 1.0,  # PDF size / Typst's PDF size for the same content, at most
    "peak_rss_mb": 100.0,  # per worker, under
}

# -- child-process snippets (run with `python -c`, so they import only what they need) ----

# Each memory child prints "ru_maxrss_MB VmHWM_MB" (VmHWM: Linux only, else the same).
# ru_maxrss can carry the parent's RSS over fork+exec on Linux, so run.py measures memory
# first, while it is still small, and keeps VmHWM (per address space) as a cross-check.
PEAK = """
def _peak():
    import resource
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status") as status:
            hwm = next(int(l.split()[1]) / 1024 for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        hwm = maxrss
    print(maxrss, hwm)
"""

RC_MEMORY_CHILD = PEAK + """
import sys
from routinecard import build_pdf
for _ in range(int(sys.argv[2])):
    build_pdf(sys.argv[1])
_peak()
"""

BASELINE_MEMORY_CHILD = PEAK + """
import sys
sys.path.insert(0, sys.argv[1])
import baseline_reportlab
for _ in range(int(sys.argv[3])):
    baseline_reportlab.build(sys.argv[2])
_peak()
"""

TYPST_PROCESS_CHILD = """
import sys, typst, fontpkg_atkinson_hyperlegible as a
from pathlib import Path
root, source, card, out = sys.argv[1:5]
typst.compile(source, output=out, root=root, font_paths=[str(Path(a.ROOT) / "files")],
              ignore_system_fonts=True, sys_inputs={"card-yaml": card})
"""

TYPST_MEMORY_CHILD = PEAK + """
import json, sys, typst, yaml, fontpkg_atkinson_hyperlegible as a
from pathlib import Path
root, source, card_path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
card = yaml.safe_load(Path(card_path).read_text(encoding="utf-8"))
fonts = [str(Path(a.ROOT) / "files")]
for i in range(n):
    card["id"] = f"card-{i}"
    typst.compile(source, root=root, font_paths=fonts, ignore_system_fonts=True,
                  sys_inputs={"card": json.dumps(card)})
_peak()
"""


# -- helpers ----------------------------------------------------------------------------


def child_env(pycache: Path | None) -> dict[str, str]:
    """The environment for child processes: ours, with PYTHONPATH made absolute (children
    run in other folders). With `pycache`, bytecode is cached there (and
    PYTHONDONTWRITEBYTECODE dropped), so children import compiled modules as on a normal
    installation, without writing __pycache__ folders into the repository."""
    env = dict(os.environ)
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV = child_env(None)


def run(cmd: list[str], *, cwd: Path = ROOT, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {result.returncode}: {result.stderr.strip()[-600:]}")
    return result


def timed(cmd: list[str], *, cwd: Path = ROOT) -> float:
    """Wall seconds of one child process, start to exit."""
    start = time.perf_counter()
    run(cmd, cwd=cwd)
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, Any]:
    """Median and p90 (inclusive quantiles) in ms, plus the raw samples."""
    ms = [s * 1000 for s in samples]
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[8] if len(ms) > 1 else ms[0]
    return {"median_ms": statistics.median(ms), "p90_ms": p90, "min_ms": min(ms), "n": len(ms), "samples_ms": ms}


def warm_loop(fn: Callable[[int], Any], repeats: int, warmup: int = 3) -> dict[str, Any]:
    """`warmup` untimed calls, then `repeats` timed ones (the call number is passed in)."""
    first_start = time.perf_counter()
    fn(-1)
    first = time.perf_counter() - first_start
    for i in range(1, warmup):
        fn(-1 - i)
    samples = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    result = summary(samples)
    result["first_call_ms"] = first * 1000
    return result


def interleaved(commands: dict[str, Callable[[int], list[str]]], repeats: int) -> dict[str, dict[str, Any]]:
    """Time each command `repeats` times, round-robin (so drift hits all alike), after one
    untimed run each (page cache, .pyc files). Each factory gets the run number."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    errors: dict[str, str] = {}
    for name, factory in commands.items():
        try:
            run(factory(-1))
        except Exception as error:  # noqa: BLE001 - reported in the table
            errors[name] = str(error)
    for i in range(repeats):
        for name, factory in commands.items():
            if name not in errors:
                samples[name].append(timed(factory(i)))
    return {name: ({"error": errors[name]} if name in errors else summary(samples[name])) for name in commands}


def own_rss_mb() -> float | None:
    """This process's current RSS (Linux), the level a forked child's ru_maxrss starts from."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def page_count(pdf: bytes) -> int:
    """Pages of a PDF, read with pdfium (routinecard's page dictionaries sit in a
    compressed object stream, so the bytes cannot be searched for them)."""
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf))


def kb(n: int) -> float:
    return n / 1024


def has_typst() -> bool:
    """Whether the optional `typst` package is installed. Not imported here: this process
    should stay small until the memory step has run."""
    import importlib.util

    try:
        return importlib.util.find_spec("typst") is not None
    except (ImportError, ValueError):
        return False


def atkinson_dir() -> str:
    import fontpkg_atkinson_hyperlegible as atkinson

    return str(Path(atkinson.ROOT) / "files")


def cli_help() -> str:
    result = run([sys.executable, "-m", "routinecard", "build", "--help"], check=False)
    return result.stdout + result.stderr


def make_library(folder: Path, copies: int) -> list[Path]:
    """`copies` of the card in `folder`, each with its own id (so its own output file)."""
    text = CARD.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(copies):
        card_text, n = re.subn(r"^id:\s*(\S+)\s*$", lambda m: f"id: {m.group(1)}-{i:02d}", text, count=1, flags=re.M)
        if n != 1:
            raise RuntimeError("cannot find the card's top-level `id:` line")
        path = folder / f"card-{i:02d}.yaml"
        path.write_text(card_text, encoding="utf-8")
        paths.append(path)
    return paths


# -- batch child (fallback when the CLI has no --jobs) ------------------------------------


def _build_one(job: tuple[str, str]) -> int:
    from routinecard import build_pdf

    card, target = job
    pdf = build_pdf(card)
    Path(target).write_bytes(pdf)
    return len(pdf)


def child_batch(folder: str, output: str, workers: int) -> None:
    """Build every card in `folder` into `output`: in-process, or in a pool of `workers`."""
    cards = sorted(Path(folder).glob("*.yaml"))
    jobs = [(str(c), str(Path(output) / f"{c.stem}.pdf")) for c in cards]
    Path(output).mkdir(parents=True, exist_ok=True)
    if workers <= 1:
        for job in jobs:
            _build_one(job)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_build_one, jobs, chunksize=1))


# -- measurements -----------------------------------------------------------------------


def measure_warm_routinecard(repeats: int) -> dict[str, Any]:
    from routinecard import build_pdf

    pdfs: list[bytes] = []
    result = warm_loop(lambda i: pdfs.append(build_pdf(CARD)) if i == -1 else build_pdf(CARD), repeats)
    result["pdf_bytes"] = len(pdfs[0])
    result["pages"] = page_count(pdfs[0])
    return result


def measure_warm_baseline(repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    try:
        import baseline_reportlab
    finally:
        sys.path.remove(str(BENCH))
    pdfs: list[bytes] = []
    result = warm_loop(lambda i: pdfs.append(baseline_reportlab.build(CARD)) if i == -1 else baseline_reportlab.build(CARD), repeats)
    result["pdf_bytes"] = len(pdfs[0])
    result["pages"] = page_count(pdfs[0])
    return result


def measure_warm_typst(repeats: int) -> dict[str, Any]:
    """typst.compile() per call, each with a distinct card id (Typst memoizes across
    compilations in a process; a batch of cards never compiles identical input twice).
    Also recorded: identical input every call, and one reused typst.Compiler."""
    import typst
    import yaml

    card = yaml.safe_load(CARD.read_text(encoding="utf-8"))
    fonts = [atkinson_dir()]
    base_id = card["id"]

    def inputs(i: int) -> dict[str, str]:
        return {"card": json.dumps({**card, "id": f"{base_id}-{i}"})}

    pdfs: list[bytes] = []

    def compile_fresh(i: int) -> bytes:
        pdf = typst.compile(str(TYPST_SOURCE), root=str(ROOT), font_paths=fonts, ignore_system_fonts=True, sys_inputs=inputs(i))
        if not pdfs:
            pdfs.append(pdf)
        return pdf

    result = warm_loop(compile_fresh, repeats)
    result["pdf_bytes"] = len(pdfs[0])
    result["pages"] = page_count(pdfs[0])
    same = inputs(10**6)
    result["identical_input"] = summary_only(
        warm_loop(lambda i: typst.compile(str(TYPST_SOURCE), root=str(ROOT), font_paths=fonts, ignore_system_fonts=True, sys_inputs=same), repeats)
    )
    compiler = typst.Compiler(str(TYPST_SOURCE), root=str(ROOT), font_paths=fonts, ignore_system_fonts=True)
    result["reused_compiler"] = summary_only(warm_loop(lambda i: compiler.compile(sys_inputs=inputs(2 * 10**6 + i)), repeats))
    return result


def summary_only(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "samples_ms"}


def measure_processes(repeats: int, tmp: Path, typst_ok: bool, force_flag: bool) -> dict[str, dict[str, Any]]:
    out = tmp / "process"
    py = sys.executable

    def rc(i: int) -> list[str]:
        return [py, "-m", "routinecard", "build", str(CARD), "-o", str(out / f"rc-{i}")] + (["--force"] if force_flag else [])

    commands: dict[str, Callable[[int], list[str]]] = {
        "routinecard": rc,
        "baseline": lambda i: [py, str(BASELINE), str(CARD), "-o", str(out / f"baseline-{i}.pdf")],
        "floor_platypus": lambda i: [py, "-c", "import reportlab.platypus"],
        "floor_reportlab": lambda i: [py, "-c", "import reportlab"],
        "python_startup": lambda i: [py, "-c", "pass"],
    }
    if typst_ok:
        commands["typst"] = lambda i: [py, "-c", TYPST_PROCESS_CHILD, str(ROOT), str(TYPST_SOURCE), "/" + CARD.relative_to(ROOT).as_posix(), str(out / f"typst-{i}.pdf")]
    out.mkdir(parents=True, exist_ok=True)
    return interleaved(commands, repeats)


def measure_batch(copies: int, repeats: int, tmp: Path, help_text: str) -> dict[str, Any]:
    library = tmp / "library"
    make_library(library, copies)
    has_jobs = "--jobs" in help_text
    has_force = "--force" in help_text
    py = sys.executable
    result: dict[str, Any] = {"cards": copies, "method": "CLI --jobs N" if has_jobs else "build_pdf loop / ProcessPoolExecutor(2)"}

    def command(workers: int, i: int) -> list[str]:
        target = str(tmp / "batch" / f"w{workers}-{i}")
        if has_jobs:
            return [py, "-m", "routinecard", "build", str(library), "-o", target, "--jobs", str(workers)] + (["--force"] if has_force else [])
        return [py, str(Path(__file__).resolve()), "--child-batch", str(library), target, str(workers)]

    times: dict[int, list[float]] = {1: [], 2: []}
    for i in range(repeats):  # alternate, so drift hits both alike
        for workers in (1, 2):
            times[workers].append(timed(command(workers, i)))
    for workers in (1, 2):
        s = summary(times[workers])
        s["cards_per_s"] = copies / (s["median_ms"] / 1000)
        result[f"jobs{workers}"] = s
    result["speedup"] = result["jobs2"]["cards_per_s"] / result["jobs1"]["cards_per_s"]
    produced = sorted((tmp / "batch" / "w2-0").glob("*.pdf"))
    if len(produced) != copies:
        raise RuntimeError(f"the batch built {len(produced)} PDFs, expected {copies}")
    return result


BATCH_MEMORY_CHILD = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
# RUSAGE_CHILDREN: the largest resident set of any waited-for descendant (the CLI's own
# process and its pool workers), in KiB on Linux.
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def measure_batch_memory(counts: list[int], tmp: Path) -> dict[str, Any]:
    """Peak memory of `routinecard build LIBRARY --jobs 2` for libraries of each size: the
    largest process of the build (parent or worker). Flat means it does not grow with the
    number of cards."""
    py = sys.executable
    result: dict[str, Any] = {}
    for count in counts:
        library = tmp / f"memory-library-{count}"
        make_library(library, count)
        target = tmp / f"memory-out-{count}"
        cmd = [py, "-c", BATCH_MEMORY_CHILD, py, "-m", "routinecard", "-q", "build", str(library), "-o", str(target), "--jobs", "2", "--force"]
        t0 = time.perf_counter()
        peak = float(run(cmd).stdout.strip().splitlines()[-1])
        result[str(count)] = {"peak_mb": peak, "seconds": time.perf_counter() - t0}
        shutil.rmtree(library, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
    return result


def measure_noop(copies: int, repeats: int, tmp: Path, help_text: str) -> dict[str, Any]:
    if "--force" not in help_text:
        return {"supported": False}
    library = tmp / "noop-library"
    make_library(library, copies)
    target = tmp / "noop-out"
    py = sys.executable
    base = [py, "-m", "routinecard", "build", str(library), "-o", str(target)]
    full = timed(base + ["--force"])
    result = summary([timed(base) for _ in range(repeats)])
    result.update({"supported": True, "cards": copies, "full_build_ms": full * 1000})
    return result


def measure_memory(builds: int, typst_ok: bool, tmp: Path) -> dict[str, Any]:
    py = sys.executable
    result: dict[str, Any] = {"builds": builds}
    commands = {
        "routinecard": [py, "-c", RC_MEMORY_CHILD, str(CARD), str(builds)],
        "baseline": [py, "-c", BASELINE_MEMORY_CHILD, str(BENCH), str(CARD), str(builds)],
    }
    if typst_ok:
        commands["typst"] = [py, "-c", TYPST_MEMORY_CHILD, str(ROOT), str(TYPST_SOURCE), str(CARD), str(builds)]
    for name, command in commands.items():
        maxrss, hwm = map(float, run(command).stdout.strip().splitlines()[-1].split())
        result[f"{name}_mb"] = maxrss
        result[f"{name}_vmhwm_mb"] = hwm
    return result


# -- report -----------------------------------------------------------------------------


def machine_info(typst_ok: bool) -> dict[str, Any]:
    import reportlab

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "reportlab": reportlab.Version,
    }
    try:
        from reportlab.lib import rl_accel

        info["reportlab_c_accel"] = not rl_accel.fp_str.__name__.startswith("_py_")
    except Exception:  # noqa: BLE001
        info["reportlab_c_accel"] = None
    try:
        import routinecard

        info["routinecard"] = routinecard.__version__
    except Exception as error:  # noqa: BLE001
        info["routinecard"] = f"import failed: {error}"
    if typst_ok:
        from importlib.metadata import PackageNotFoundError, version

        try:
            info["typst_py"] = version("typst")
        except PackageNotFoundError:
            info["typst_py"] = "?"
    return info


def fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:.{digits}f}{unit}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    last = len(header) - 1  # first and last columns are text, the others numbers

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in (0, last) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def get(d: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def render(results: dict[str, Any]) -> str:
    m = results["measurements"]
    typst_ok = results["typst_available"]
    warm, proc, batch, noop, mem = (m.get(k, {}) for k in ("warm", "process", "batch", "noop", "memory"))

    def value(section: dict[str, Any], engine: str, key: str, unit: str = " ms", digits: int = 1, scale: float = 1.0) -> str:
        if engine == "typst" and not typst_ok:
            return "n/a"
        if "error" in section or get(section, engine, "error"):
            return "error"
        found = get(section, engine, key)
        return "-" if found is None else fmt(found * scale, unit, digits)

    def row(name: str, section: dict[str, Any], key: str, unit: str = " ms", note: str = "", **kw: Any) -> list[str]:
        return [name, *(value(section, e, key, unit, **kw) for e in ("routinecard", "baseline", "typst")), note]

    def memory(engine: str) -> str:
        if engine == "typst" and not typst_ok:
            return "n/a"
        return "error" if "error" in mem else fmt(mem.get(f"{engine}_mb"), " MB")

    def only(name: str, column: int, text: str, note: str = "") -> list[str]:
        cells = ["", "", ""]
        cells[column] = text
        return [name, *cells, note]

    rows = [
        row("warm per card, median", warm, "median_ms", note=f"{results['settings']['warm_repeats']} builds after 3 warm-up"),
        row("warm per card, p90", warm, "p90_ms"),
        row("first call in a process", warm, "first_call_ms", note="pays one-time setup (fonts, SVG parsing)"),
    ]
    if typst_ok:
        rows += [
            ["  typst: identical input each call", "", "", fmt(get(warm, "typst", "identical_input", "median_ms"), " ms"),
             "memoized across compiles"],
            ["  typst: one reused Compiler", "", "", fmt(get(warm, "typst", "reused_compiler", "median_ms"), " ms"), "fonts loaded once"],
        ]
    rows += [
        row("whole process, one card, median", proc, "median_ms", note=f"{results['settings']['process_repeats']} runs each, interleaved"),
        ["  floor: python -c 'import reportlab.platypus'", value(proc, "floor_platypus", "median_ms"), "", "", ""],
        ["  floor: python -c 'import reportlab'", value(proc, "floor_reportlab", "median_ms"), "", "", ""],
        ["  floor: python -c 'pass'", value(proc, "python_startup", "median_ms"), "", "", ""],
        [f"peak RSS, {mem.get('builds', '?')} builds in a child", memory("routinecard"), memory("baseline"), memory("typst"), "ru_maxrss"],
        row("PDF size", warm, "pdf_bytes", " KB", scale=1 / 1024),
    ]
    if "jobs1" in batch:
        for workers in (1, 2):
            jobs = batch[f"jobs{workers}"]
            rows.append(only(f"batch throughput, jobs {workers}", 0, fmt(jobs["cards_per_s"], " cards/s", 2),
                             f"{batch['cards']} cards in {fmt(jobs['median_ms'] / 1000, ' s', 2)} ({batch['method']})"))
    else:
        rows.append(["batch throughput", "error", "", "", str(batch.get("error", ""))[:60]])
    bmem = m.get("batch_memory", {})
    for count, v in sorted(((k, v) for k, v in bmem.items() if k.isdigit()), key=lambda kv: int(kv[0])):
        rows.append(only(f"batch peak memory, {count} cards, jobs 2", 0, fmt(v["peak_mb"], " MB"),
                         f"largest process of the build; took {fmt(v['seconds'], ' s')}"))
    if "error" in bmem:
        rows.append(["batch peak memory", "error", "", "", str(bmem["error"])[:60]])
    if noop.get("supported"):
        rows.append(["no-op rebuild (second identical build)", fmt(noop["median_ms"], " ms"), "", "",
                     f"{noop['cards']} cards; full build {fmt(noop['full_build_ms'], ' ms')}"])
    elif "error" in noop:
        rows.append(["no-op rebuild", "error", "", "", str(noop["error"])[:60]])
    else:
        rows.append(["no-op rebuild", "n/a", "", "", "CLI has no --force: no incremental builds"])
    header = ["measurement", "routinecard", "baseline", "typst" if typst_ok else "typst: not installed (pip install typst)", "note"]
    out = [table(rows, header)]

    trows = [[t["name"], fmt(t["value"], t.get("unit", ""), 2), t["target"], t["status"]] for t in results["targets"]]
    out += ["", table(trows, ["ratio / target", "value", "target", "status"])]
    for engine, built in warm.items():
        if isinstance(built, dict) and built.get("pages") not in (None, 1):
            out.append(f"warning: the {engine} PDF has {built['pages']} pages, not 1: its numbers are not comparable")
    errors = [f"  {name}: {v['error']}" for name, v in m.items() if isinstance(v, dict) and "error" in v]
    errors += [f"  {name}/{e}: {v[e]['error']}" for name, v in m.items() if isinstance(v, dict)
               for e in v if isinstance(v[e], dict) and "error" in v[e]]
    if errors:
        out.append("\nerrors:\n" + "\n".join(errors))
    return "\n".join(out)


def evaluate(m: dict[str, Any], typst_ok: bool) -> list[dict[str, Any]]:
    def ratio(a: Any, b: Any) -> float | None:
        return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None

    def item(name: str, value: float | None, target: str, ok: Callable[[float], bool], unit: str = "x", na: str = "n/a") -> dict[str, Any]:
        status = na if value is None else ("PASS" if ok(value) else "MISS")
        return {"name": name, "value": value, "target": target, "status": status, "unit": unit}

    warm, proc, batch, mem = m.get("warm", {}), m.get("process", {}), m.get("batch", {}), m.get("memory", {})
    bmem = m.get("batch_memory", {})
    rc_warm = get(warm, "routinecard", "median_ms")
    pdf = get(warm, "routinecard", "pdf_bytes")
    largest = max((int(k) for k in bmem if k.isdigit()), default=None)
    peaks = [v["peak_mb"] for k, v in bmem.items() if k.isdigit()]
    no_typst = "n/a (typst not installed)" if not typst_ok else "n/a"
    items = [
        item("process one card / import reportlab.platypus", ratio(get(proc, "routinecard", "median_ms"), get(proc, "floor_platypus", "median_ms")),
             "<= 1.3x", lambda v: v <= TARGETS["process_vs_platypus"]),
        item("warm per card / typst, compiler reused", ratio(rc_warm, get(warm, "typst", "reused_compiler", "median_ms")), "<= 1.0x",
             lambda v: v <= TARGETS["warm_vs_typst"], na=no_typst),
        item(f"{batch.get('cards', '?')}-card library, jobs 2 / jobs 1 speed-up", batch.get("speedup"), ">= 1.8x",
             lambda v: v >= TARGETS["jobs_speedup"]),
        item(f"batch peak memory, {largest} cards", get(bmem, str(largest), "peak_mb") if largest else None, "<= 80 MiB, flat",
             lambda v: v <= TARGETS["batch_peak_mb"] and max(peaks) - min(peaks) <= 10, unit=" MB"),
        item("PDF size / typst's", ratio(pdf, get(warm, "typst", "pdf_bytes")), "<= 1.0x", lambda v: v <= TARGETS["pdf_vs_typst"], na=no_typst),
        item("process one card / import reportlab", ratio(get(proc, "routinecard", "median_ms"), get(proc, "floor_reportlab", "median_ms")),
             "(info)", lambda v: True),
        item("warm per card / naive reportlab", ratio(rc_warm, get(warm, "baseline", "median_ms")), "<= 0.5x",
             lambda v: v <= TARGETS["warm_vs_baseline"]),
        item("peak RSS per worker", mem.get("routinecard_mb"), "< 100 MB", lambda v: v < TARGETS["peak_rss_mb"], unit=" MB"),
    ]
    items[5]["status"] = "info" if items[5]["value"] is not None else "n/a"
    return items


def prime(typst_ok: bool, tmp: Path) -> None:
    """Run each child program once, untimed: fills the bytecode cache and the page cache."""
    py = sys.executable
    run([py, "-m", "routinecard", "build", str(CARD), "-o", str(tmp / "prime")])
    run([py, str(BASELINE), str(CARD), "-o", str(tmp / "prime" / "baseline.pdf")])
    run([py, "-c", "import concurrent.futures, routinecard.api, reportlab.platypus"])
    if typst_ok:
        run([py, "-c", TYPST_PROCESS_CHILD, str(ROOT), str(TYPST_SOURCE), "/" + CARD.relative_to(ROOT).as_posix(), str(tmp / "prime" / "typst.pdf")])


def main(argv: list[str] | None = None) -> int:
    global ENV
    parser = argparse.ArgumentParser(description="Benchmark routinecard against plain reportlab and Typst.")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller batch (~30 s)")
    parser.add_argument("--repeats", type=int, help="warm in-process repeats (default 30, quick 10)")
    parser.add_argument("--process-repeats", type=int, help="whole-process runs per command (default 10, quick 3)")
    parser.add_argument("--json", type=Path, default=BENCH / "results.json", help="where to write the results (default bench/results.json)")
    parser.add_argument("--keep-env", action="store_true",
                        help="run children in our environment as is (default: give them a private bytecode cache, "
                        "even if PYTHONDONTWRITEBYTECODE is set)")
    parser.add_argument("--render", type=Path, metavar="JSON", help="print the table of a saved results file and exit")
    parser.add_argument("--child-batch", nargs=3, metavar=("FOLDER", "OUTPUT", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.render:
        print(render(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    if args.child_batch:
        folder, output, workers = args.child_batch
        child_batch(folder, output, int(workers))
        return 0

    sys.dont_write_bytecode = True  # importing bench/baseline_reportlab.py leaves no __pycache__
    quick = args.quick
    repeats = args.repeats or (10 if quick else 30)
    process_repeats = args.process_repeats or (3 if quick else 10)
    batch_cards = 40 if quick else 200
    batch_repeats = 1 if quick else 2
    memory_counts = [50, 200] if quick else [100, 1000]
    memory_builds = 10 if quick else 20
    noop_repeats = 3 if quick else 5

    tmp = Path(tempfile.mkdtemp(prefix="routinecard-bench-"))
    ENV = child_env(None if args.keep_env else tmp / "pycache")
    typst_ok = has_typst()
    info = machine_info(typst_ok)
    info["PYTHONDONTWRITEBYTECODE"] = os.environ.get("PYTHONDONTWRITEBYTECODE")
    print("routinecard benchmark" + (" (quick)" if quick else ""))
    print(
        f"python {info['python']} ({info['implementation']})  reportlab {info['reportlab']} "
        f"(C accelerator rl_accel: {'yes' if info['reportlab_c_accel'] else 'no'})  routinecard {info['routinecard']}  "
        f"typst-py {info.get('typst_py', 'not installed')}"
    )
    print(f"cpus {info['cpu_count']} (usable {info['cpus_usable']})  {info['platform']}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    info["load_average_1min_at_start"] = load
    print(
        f"card {CARD.relative_to(ROOT)}; warm repeats {repeats}, process runs {process_repeats}, "
        f"batch {batch_cards} cards x {batch_repeats}, memory {memory_builds} builds; load average {fmt(load, '', 2)}\n"
    )

    started = time.perf_counter()
    measurements: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        print(f"  {name} ...", end="", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            return fn()
        except Exception as error:  # noqa: BLE001 - one failing measurement must not hide the rest
            print(file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return {"error": f"{type(error).__name__}: {error}"}
        finally:
            print(f" {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    help_text = ""
    try:
        help_text = cli_help()
        step("priming (bytecode, page cache)", lambda: prime(typst_ok, tmp))
        # Memory first, while this process is small: Linux carries a parent's RSS into a
        # child's ru_maxrss across fork+exec.
        measurements["memory"] = step("peak memory", lambda: measure_memory(memory_builds, typst_ok, tmp))
        if isinstance(measurements["memory"], dict):
            measurements["memory"]["parent_rss_mb"] = own_rss_mb()
        warm: dict[str, Any] = {}
        warm["routinecard"] = step("warm routinecard", lambda: measure_warm_routinecard(repeats))
        warm["baseline"] = step("warm baseline", lambda: measure_warm_baseline(repeats))
        if typst_ok:
            warm["typst"] = step("warm typst", lambda: measure_warm_typst(repeats))
        measurements["warm"] = warm
        measurements["process"] = step("whole process", lambda: measure_processes(process_repeats, tmp, typst_ok, "--force" in help_text))
        measurements["batch"] = step("batch throughput", lambda: measure_batch(batch_cards, batch_repeats, tmp, help_text))
        measurements["noop"] = step("no-op rebuild", lambda: measure_noop(min(batch_cards, 50), noop_repeats, tmp, help_text))
        measurements["batch_memory"] = step("batch peak memory", lambda: measure_batch_memory(memory_counts, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    results: dict[str, Any] = {
        "machine": info,
        "settings": {
            "quick": quick, "warm_repeats": repeats, "process_repeats": process_repeats, "batch_cards": batch_cards,
            "batch_repeats": batch_repeats, "memory_builds": memory_builds, "batch_memory_counts": memory_counts, "noop_repeats": noop_repeats,
            "card": str(CARD.relative_to(ROOT)), "cli_has_jobs": "--jobs" in help_text, "cli_has_force": "--force" in help_text,
            "private_bytecode_cache": not args.keep_env,
        },
        "typst_available": typst_ok,
        "measurements": measurements,
        "targets": evaluate(measurements, typst_ok),
        "elapsed_s": time.perf_counter() - started,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    print(f"\ntotal {results['elapsed_s']:.0f} s")
    try:
        shown = args.json.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = args.json
    print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
