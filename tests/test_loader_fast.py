"""The libyaml fast path must be invisible: same data, same positions, same messages.

`loader._parse` composes with libyaml's C parser when it can and falls back to the
pure-Python parser for any file it rejects (whose messages show the offending line).
These tests compare the two composers node by node on every YAML file we ship and on
generated documents, so a difference in libyaml can never change what a card says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from routinecard import loader
from routinecard.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"  # their input files are broken on purpose; their case.yaml files count
SHIPPED = sorted(p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and "build" not in p.parts
                 and p.is_file() and (CASES not in p.parents or p.name == "case.yaml"))

pytestmark = pytest.mark.skipif(loader._CParser is None, reason="PyYAML built without libyaml")


def _nodes(cls: Any, text: str) -> list[tuple[Any, ...]]:
    parser = cls(text)
    try:
        parser.get_event()
        root = parser.compose_document()
    finally:
        parser.dispose()
    out: list[tuple[Any, ...]] = []

    def walk(node: yaml.Node) -> None:
        value = node.value if isinstance(node.value, str) else None
        out.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
                    node.end_mark.line, node.end_mark.column, value, node.style or None if isinstance(node, yaml.ScalarNode) else None))
        if isinstance(node.value, list):
            for child in node.value:
                for part in child if isinstance(child, tuple) else (child,):
                    walk(part)

    walk(root)
    return out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_and_pure_python_composers_agree_on_every_shipped_file(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        slow = _nodes(loader._CoreLoader, text)
    except (UnicodeDecodeError, yaml.YAMLError):
        pytest.skip("a deliberately broken file (a test case): the slow path explains it")
    assert _nodes(loader._FastLoader, text) == slow


def _outcome(raw: bytes, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(loader, "_CParser", loader._CParser if fast else None)
    try:
        doc = loader._parse(raw, "t.yaml")
    except InputError as exc:
        return ("error", [str(p) for p in exc.problems])
    return ("ok", doc.data, dict(doc.positions), dict(doc.key_positions))


_scalar = st.one_of(
    st.text(alphabet="abcxyz é:#-[]{}'\",&*!|>?%@`~0123456789.\n", max_size=12),
    st.sampled_from(["true", "no", "010", "0x1F", ".inf", "~", "null", "1e3", "'q'", '"d"', "- a", "a: b"]),
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines = []
    for i in range(draw(st.integers(1, 6))):
        indent = "  " * draw(st.integers(0, 2))
        kind = draw(st.sampled_from(["map", "seq", "flow", "raw"]))
        value = draw(_scalar)
        if kind == "map":
            lines.append(f"{indent}k{i}: {value}")
        elif kind == "seq":
            lines.append(f"{indent}- {value}")
        elif kind == "flow":
            lines.append(f"{indent}k{i}: [{value}, {draw(_scalar)}]")
        else:
            lines.append(indent + value)
    return "\n".join(lines) + "\n"


@settings(max_examples=int(__import__("os").environ.get("RC_FAST_EXAMPLES", "300")), deadline=None)
@given(_documents())
def test_fast_path_gives_the_same_data_positions_and_messages(text: str) -> None:
    raw = text.encode("utf-8")
    with pytest.MonkeyPatch.context() as mp:
        fast = _outcome(raw, fast=True, monkeypatch=mp)
    with pytest.MonkeyPatch.context() as mp:
        slow = _outcome(raw, fast=False, monkeypatch=mp)
    if fast[0] == "ok" and slow[0] == "error":
        # libyaml follows the YAML spec where PyYAML is stricter than it (`[0?, ]`: '?'
        # inside a plain scalar is allowed in flow context). Such text is valid YAML and
        # loads; every position is still libyaml's own and is checked where both agree.
        return
    assert fast == slow
