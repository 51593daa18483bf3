"""Test cases as data: every folder under tests/cases/ with a case.yaml is one test.

    description: why this case exists
    args: [build, card.yaml, -o, out]     # `routinecard ARGS`, cwd = a temp copy of the case folder
    exit: 1
    stderr: ["card.yaml:3:5: points[0].name: ..."]   # each must be a whole line of stderr
    stdout: [...]                          # optional, the same for stdout
    stderr_has: [...] / stdout_has: [...]  # optional: fragments that must appear somewhere
    stderr_lines: 1                        # optional: exactly this many lines on stderr
    stderr_starts: "card.yaml:"            # optional: every stderr line but the summary starts so
    absent: [out/card.pdf]                 # optional: paths that must not exist afterwards
    present: [out/card.pdf]                # optional: paths that must exist afterwards
    pages: 1                               # optional: page count of the first `present` PDF
    unchanged: [card.pdf]                  # optional: files whose bytes must not change
    exactly: {out: [card.pdf]}             # optional: all a folder holds afterwards, hidden files aside
    generate:                              # optional: input files made when the case runs
      big.yaml: {text: "# x", repeat: 1000}          #   text (or hex: bytes) repeated
      empty: {dir: true}                             #   an empty folder
      card.yaml: {from: cards/sciatica-trigger-points.yaml,   # a shipped card (path from the
                  change: {points.0.timing.hold_s: [30, 15]},  # repository's top) with values
                  delete: [points.0.timing.per_day]}           # changed or removed by dotted path

`{dir}` in any expected string is the temporary folder the case ran in. Always checked:
no traceback, and no temporary file left anywhere in that folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import page_count

CASES = Path(__file__).resolve().parent / "cases"
ROOT = CASES.parent.parent
KEYS = {"description", "args", "exit", "stderr", "stdout", "stderr_has", "stdout_has", "stderr_lines", "stderr_starts",
        "absent", "present", "pages", "generate", "unchanged", "exactly"}
SUMMARY = "built "  # the build command's last line: "built 0, skipped 0 (unchanged), failed 1 in 0.1 s"


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    spec: dict[str, Any]


def collect() -> list[Case]:
    cases = []
    for spec_file in sorted(CASES.glob("*/case.yaml")):
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
        cases.append(Case(spec_file.parent.name, spec_file.parent, spec))
    return cases


def _lines(spec: dict[str, Any], key: str, folder: Path) -> list[str]:
    return [str(item).replace("{dir}", str(folder)) for item in spec.get(key, [])]


def _dotted(data: Any, path: str) -> tuple[Any, str | int]:
    """The container holding `path` (points.0.timing.hold_s) and the last key in it."""
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parts[:-1]:
        data = data[part]
    return data, parts[-1]


def _derived(how: dict[str, Any]) -> bytes:
    """A shipped card with some values changed or removed, written as YAML."""
    from conftest import _NoAliases

    data = yaml.safe_load((ROOT / how["from"]).read_text(encoding="utf-8"))
    for path, value in (how.get("change") or {}).items():
        container, key = _dotted(data, path)
        container[key] = value
    for path in how.get("delete") or []:
        container, key = _dotted(data, path)
        del container[key]
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False).encode("utf-8")


def _generate(folder: Path, spec: dict[str, Any]) -> None:
    for name, how in (spec.get("generate") or {}).items():
        target = folder / name
        if how.get("dir"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if "from" in how:
            data = _derived(how)
        elif "hex" in how:
            data = bytes.fromhex(how["hex"]) * int(how.get("repeat", 1))
        else:
            data = (str(how["text"]) * int(how.get("repeat", 1))).encode(how.get("encoding", "utf-8"))
        target.write_bytes(data)


def test_cases_folder_is_not_empty() -> None:
    assert collect(), f"no cases under {CASES}"


@pytest.mark.parametrize("case", collect(), ids=lambda c: c.name)
def test_case(case: Case, runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from routinecard.cli import app

    spec = case.spec
    unknown = set(spec) - KEYS
    assert not unknown, f"{case.name}/case.yaml: unknown keys {sorted(unknown)}"
    assert spec.get("description"), f"{case.name}/case.yaml: say why the case exists (description)"
    work = tmp_path / case.name
    shutil.copytree(case.folder, work, ignore=shutil.ignore_patterns("case.yaml"))
    _generate(work, spec)
    monkeypatch.chdir(work)
    before = {name: (work / name).read_bytes() for name in spec.get("unchanged", [])}
    result = runner.invoke(app, [str(a) for a in spec["args"]])
    output = result.stdout + result.stderr
    where = f"{case.name}: exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"

    assert "Traceback" not in output, where
    assert result.exception is None or isinstance(result.exception, SystemExit), where
    assert result.exit_code == spec.get("exit", 0), where
    stderr_lines = result.stderr.splitlines()
    stdout_lines = result.stdout.splitlines()
    for line in _lines(spec, "stderr", work):
        assert line in stderr_lines, f"missing stderr line {line!r}\n{where}"
    for line in _lines(spec, "stdout", work):
        assert line in stdout_lines, f"missing stdout line {line!r}\n{where}"
    for fragment in _lines(spec, "stderr_has", work):
        assert fragment in result.stderr, f"stderr lacks {fragment!r}\n{where}"
    for fragment in _lines(spec, "stdout_has", work):
        assert fragment in result.stdout, f"stdout lacks {fragment!r}\n{where}"
    if "stderr_starts" in spec:
        start = str(spec["stderr_starts"]).replace("{dir}", str(work))
        wrong = [line for line in stderr_lines if not line.startswith((start, SUMMARY))]
        assert not wrong, f"stderr lines not starting with {start!r}: {wrong}\n{where}"
    if "stderr_lines" in spec:
        assert len(stderr_lines) == spec["stderr_lines"], where
    for path in _lines(spec, "absent", work):
        assert not (work / path).exists(), f"{path} should not exist\n{where}"
    present = _lines(spec, "present", work)
    for path in present:
        assert (work / path).exists(), f"{path} should exist\n{where}"
    if "pages" in spec:
        assert present, f"{case.name}: `pages` needs a `present` PDF"
        assert page_count(work / present[0]) == spec["pages"]
    for name, data in before.items():
        assert (work / name).read_bytes() == data, f"{name} changed\n{where}"
    for folder, names in (spec.get("exactly") or {}).items():
        held = sorted(p.name for p in (work / folder).iterdir() if not p.name.startswith("."))
        assert held == sorted(names), f"{folder} holds {held}, expected {sorted(names)}\n{where}"
    left = [p for p in work.rglob("*") if p.name.endswith(".tmp")]
    assert not left, f"temporary files left behind: {left}"
