"""Screenshots of `routinecard serve` for the README, and a timed walk-through.

Makes the Maria Lopez card the way a clinician would (open the routine, untick two
points, a longer hold, Spanish, the clinic, her name and a note, download, save) in
Debian's chromium, pausing and typing at a person's pace (2 s to find each control,
40 words a minute), and prints how long each step took. Writes docs/serve-*.png and, with
--steps DIR, a picture after every step.

    python docs/serve_screenshots.py [--steps /work/looked/web] [--fast]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serve_support import make_library, start  # noqa: E402

from routinecard.serve.config import ServeConfig  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=Path, default=None, help="also save a picture after every step here")
    parser.add_argument("--fast", action="store_true", help="no human pauses")
    args = parser.parse_args()
    think = 0 if args.fast else 2000  # ms to find the next control
    keys = 0 if args.fast else 120  # ms per key: about 40 words a minute

    work = Path(tempfile.mkdtemp(prefix="serve-shots-"))
    live = start(ServeConfig(library=make_library(work)))
    docs = ROOT / "docs"
    log: list[tuple[str, float]] = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(work / "profile"), executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS,
                headless=True, accept_downloads=True, viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(60_000)
            page = context.new_page()
            started = time.perf_counter()
            count = [0]

            def step(name: str) -> None:
                log.append((name, time.perf_counter() - started))
                count[0] += 1
                if args.steps:
                    args.steps.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.steps / f"walk-{count[0]:02d}-{name}.png"), full_page=True)

            def act(do: Any) -> None:
                page.wait_for_timeout(think)
                do()

            def type_into(label: str, text: str) -> None:
                act(lambda: page.get_by_label(label, exact=True).click())
                page.keyboard.type(text, delay=keys)

            page.goto(live.url + "/")
            page.wait_for_function("[...document.querySelectorAll('.routine img')]"
                                   ".every(i => i.complete && i.naturalWidth > 0)")  # thumbnails
            page.screenshot(path=str(docs / "serve-library.png"), full_page=True)
            step("library")
            act(lambda: page.get_by_role("link", name="Self-massage for sciatica trigger points").click())
            page.wait_for_selector("#preview img")
            step("routine-open")
            act(lambda: page.get_by_label("3. Gluteus minimus").uncheck())
            act(lambda: page.get_by_label("4. Hamstrings").uncheck())
            step("two-points")
            act(lambda: page.get_by_label("Piriformis: Hold (seconds), from").fill("30"))
            act(lambda: page.get_by_label("Piriformis: Hold (seconds), to").fill("45"))
            step("longer-hold")
            act(lambda: page.get_by_label("Language", exact=True).select_option("es"))
            page.wait_for_selector("text=1. Piriforme")
            step("spanish")
            act(lambda: page.get_by_label("Clinic", exact=True).select_option("example-clinic.yaml"))
            type_into("Patient name", "Maria Lopez")
            type_into("Notes from you (printed in a box on the card)", "Para si aumenta el hormigueo en el pie.")
            page.wait_for_timeout(1200)
            page.wait_for_selector("#fit")
            step("name-clinic-note")
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(300)
            page.screenshot(path=str(docs / "serve-customise.png"), full_page=True)
            with page.expect_download() as download:
                act(lambda: page.get_by_role("button", name="Download PDF").click())
            download.value.save_as(work / "maria.pdf")
            step("downloaded")
            act(lambda: page.get_by_role("button", name="Save patient file").click())
            page.wait_for_selector("#save-status p")
            step("saved")
            total = time.perf_counter() - started

            # A problem beside its field.
            page.goto(live.url + "/customise?routine=sciatica-trigger-points")
            page.wait_for_selector("#preview img")
            page.get_by_label("Hamstrings: Repeats, from").fill("80")
            page.get_by_label("Hamstrings: Repeats, to").fill("80")
            page.wait_for_selector("#err-repeats--hamstrings p")
            page.screenshot(path=str(docs / "serve-problem.png"), full_page=False)

            page.goto(live.url + "/stack")
            page.get_by_label("Self-massage for sciatica trigger points").check()
            page.screenshot(path=str(docs / "serve-stack.png"), full_page=True)
            context.close()
    finally:
        live.stop()
        shutil.rmtree(work, ignore_errors=True)
    previous = 0.0
    for name, at in log:
        print(f"{at:6.1f} s  (+{at - previous:4.1f})  {name}")
        previous = at
    print(f"Maria Lopez card made, downloaded and saved in {total:.0f} s"
          f"{' (machine speed)' if args.fast else ' at a person pace'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
