"""The walk: how one card travels through routinecard's modules, from the CLI to the PDF.

    .venv/bin/python bench/walk.py [CARD] [--stages] [--show]

Runs `routinecard build CARD -o <tmp>/x.pdf --jobs 1 --force` in this process with
`sys.setprofile`, and records every call into a routinecard function. The first call of
each function, in order, is the card's path through the code (loops such as the fit's
passes would otherwise repeat it; a function called again adds nothing new to the path).

Code that runs while a module is imported (module and class bodies) is left out: it is
the same for every card. A *stop* is a run of consecutive calls in one module. Counted:

- stops and modules: how long the path is and how many modules it touches;
- climbs back: stops in a module that is still on the call stack (control came back up
  to it and it went on to call something else);
- re-entries: stops in a module that was visited before and left (no frame of it on the
  stack any more), i.e. the walk went back to a place it had finished with.

`--stages` counts the same at the level of stages instead of modules: every module is
mapped to the stage it belongs to (see STAGES); helpers used by several stages (errors,
fonts, text, files...) count as part of whichever stage called them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CARD = ROOT / "cards" / "sciatica-trigger-points.yaml"

# Module -> stage, for --stages. The stages are where the card's data changes form:
# inputs -> prepared job -> fitted page plan -> PDF bytes -> file. `cli`, `batch` and
# `api` hand the card from one stage to the next. Modules not listed are shared
# vocabulary and helpers (the models, layouts, locale, errors, fonts, text, figures...):
# a call into them counts as part of the stage that made it.
STAGES = {
    "routinecard.cli": "cli",
    "routinecard.batch": "batch",
    "routinecard.incremental": "batch",
    "routinecard.api": "api",
    "routinecard.build": "api",  # before the split: build.py held the loading, the pipeline and the API
    "routinecard.prepare": "prepare",
    "routinecard.loader": "prepare",
    "routinecard.validate": "prepare",
    "routinecard.patients": "prepare",
    "routinecard.library": "prepare",
    "routinecard.safety": "prepare",
    "routinecard.emergency": "prepare",
    "routinecard.assets": "prepare",
    "routinecard.compose": "compose+fit",  # before the split: compose.py held the sections and the fit
    "routinecard.compose.sections": "compose+fit",
    "routinecard.compose.styles": "compose+fit",
    # compose.marks: flowables compose makes and render draws (badges, warning sign, QR
    # code, tables): the page plan's vocabulary, shared like figures/ and text.
    "routinecard.fit": "compose+fit",
    "routinecard.render": "render",
    "routinecard.write": "write",
    "routinecard.verify": "verify",
}


@dataclass(frozen=True)
class Call:
    module: str
    function: str
    stack: tuple[str, ...]  # routinecard modules of the callers, innermost first


def trace(card: Path) -> list[Call]:
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from routinecard.cli import app

    calls: list[Call] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("routinecard") or frame.f_code.co_name == "<module>":
            return
        stack: list[str] = []
        caller = frame.f_back
        while caller is not None:
            if caller.f_code.co_name == "<module>" and caller.f_globals.get("__name__") != "__main__":
                return  # a module being imported (its body, class bodies): not the card's path
            name = caller.f_globals.get("__name__", "")
            if name.startswith("routinecard"):
                stack.append(name)
            caller = caller.f_back
        calls.append(Call(module, frame.f_code.co_qualname, tuple(stack)))

    with tempfile.TemporaryDirectory() as folder:
        args = ["-q", "build", str(card), "-o", str(Path(folder) / "x.pdf"), "--jobs", "1", "--force"]
        sys.setprofile(profile)
        try:
            app(args, standalone_mode=False)
        finally:
            sys.setprofile(None)
    return calls


def walk(calls: list[Call], *, stages: bool) -> list[tuple[str, bool, bool]]:
    """(place, climbed back, re-entered) for each stop on the path."""

    def place(module: str) -> str | None:
        return STAGES.get(module) if stages else module

    seen_functions: set[tuple[str, str]] = set()
    stops: list[tuple[str, bool, bool]] = []
    visited: set[str] = set()
    current: str | None = None
    for call in calls:
        if (call.module, call.function) in seen_functions:
            continue
        seen_functions.add((call.module, call.function))
        here = place(call.module)
        if here is None:  # a helper: part of its caller's stage
            continue
        if here == current:
            continue
        on_stack = {place(m) for m in call.stack}
        climbed = here in on_stack
        reentered = here in visited and not climbed
        stops.append((here, climbed, reentered))
        visited.add(here)
        current = here
    return stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("card", nargs="?", type=Path, default=DEFAULT_CARD)
    parser.add_argument("--stages", action="store_true", help="count stages, not modules")
    parser.add_argument("--show", action="store_true", help="print the path itself")
    options = parser.parse_args()
    calls = trace(options.card)
    for stages in (False, True) if not options.stages else (True,):
        stops = walk(calls, stages=stages)
        kind = "stages" if stages else "modules"
        places = {p for p, _, _ in stops}
        climbs = sum(1 for _, c, _ in stops if c)
        reentries = sum(1 for _, _, r in stops if r)
        print(f"{kind}: {len(stops)} stops in {len(places)} {kind}, climbs back {climbs}, re-enters {reentries}")
        if options.show:
            print("  " + " -> ".join(p.removeprefix("routinecard.") + ("^" if c else "") + ("*" if r else "")
                                     for p, c, r in stops))


if __name__ == "__main__":
    main()
