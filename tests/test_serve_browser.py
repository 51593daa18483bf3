"""`routinecard serve` in a real browser: Debian's chromium driven by Playwright.

Playwright cannot download its own browser here, so the tests launch /usr/bin/chromium
(`make test` installs it when missing). In CI a missing chromium is a failure, never a
skip: these tests must run there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import page_text, squash
from serve_support import LiveServer, make_library, running
from routinecard.serve.config import ServeConfig

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is missing in CI: `make test` installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from running(ServeConfig(library=make_library(tmp_path_factory.mktemp("library"))))


@pytest.fixture()
def web(playwright: Any, tmp_path: Path) -> Iterator[Any]:
    """A chromium page with a fresh profile."""
    context = playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(dir=tmp_path), executable_path=CHROMIUM, args=ARGS, headless=True,
        accept_downloads=True, viewport={"width": 1400, "height": 1000},
    )
    context.set_default_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def preview_src(page: Any) -> str:
    return str(page.get_attribute("#preview img", "src"))


def wait_for_new_preview(page: Any, before: str) -> str:
    page.wait_for_function("(before) => { const i = document.querySelector('#preview img');"
                           " return i && i.src !== before; }", arg=before)
    return preview_src(page)


def test_a_clinician_makes_the_maria_lopez_card(live: LiveServer, web: Any, tmp_path: Path) -> None:
    page = web
    page.goto(live.url + "/")
    page.get_by_role("link", name="Self-massage for sciatica trigger points").click()
    page.wait_for_selector("#preview img")
    first = preview_src(page)
    assert "Fits on one letter page" in page.inner_text("#preview")

    page.get_by_label("3. Gluteus minimus").uncheck()
    page.get_by_label("4. Hamstrings").uncheck()
    page.get_by_label("Piriformis: Hold (seconds), from").fill("30")
    page.get_by_label("Piriformis: Hold (seconds), to").fill("45")
    two_points = wait_for_new_preview(page, first)

    page.get_by_label("Language", exact=True).select_option("es")
    page.wait_for_selector("text=1. Piriforme")  # the Spanish routine's own point names
    assert page.get_by_label("Piriforme: Hold (seconds), to").input_value() == "45"  # kept across languages
    assert not page.get_by_label("3. Glúteo menor").is_checked()
    spanish = wait_for_new_preview(page, two_points)
    assert spanish != first

    page.get_by_label("Patient name").fill("Maria Lopez")
    page.get_by_label("Clinic", exact=True).select_option("example-clinic.yaml")
    page.get_by_label("Notes from you").fill("Para si aumenta el hormigueo en el pie.")
    wait_for_new_preview(page, spanish)
    assert "Fits on one letter page" in page.inner_text("#preview")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf_path = tmp_path / "download.pdf"
    download.value.save_as(pdf_path)
    assert download.value.suggested_filename == "maria-lopez.pdf"
    text = squash(page_text(pdf_path))
    for words in ("Maria Lopez", "Automasaje para los puntos gatillo", "Piriforme", "Glúteo medio", "Mantén de 30 a 45 segundos",
                  "Para si aumenta el hormigueo en el pie.", "Riverside Physiotherapy"):
        assert squash(words) in text, words
    assert "Isquiotibiales" not in text and "Self-massage" not in text

    page.get_by_label("Notes from you").fill("Para si aumenta el hormigueo en el pie.")  # typing, then at once:
    page.get_by_role("button", name="Save patient file").click()  # a preview starting now must not cancel the save
    page.wait_for_selector("#save-status p")
    assert "Saved patients/maria-lopez.yaml" in page.inner_text("#save-status")
    saved = live.config.library / "patients" / "maria-lopez.yaml"
    assert "only: [piriformis, gluteus-medius]" in saved.read_text()
    cli_pdf = tmp_path / "cli.pdf"
    subprocess.run([sys.executable, "-m", "routinecard", "build", "patients/maria-lopez.yaml", "-o", str(cli_pdf)],
                   cwd=live.config.library, check=True, capture_output=True)
    assert cli_pdf.read_bytes() == pdf_path.read_bytes()

    # Open brings it back into the form (from the Customise page itself; the Library lists them too).
    page.goto(live.url + "/customise")
    page.get_by_label("Open a patient file").select_option("maria-lopez.yaml")
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_selector("#preview img")
    assert page.get_by_label("Patient name").input_value() == "Maria Lopez"
    assert page.get_by_label("Language", exact=True).input_value() == "es"
    assert page.get_by_label("Piriforme: Hold (seconds), from").input_value() == "30"
    assert not page.get_by_label("4. Isquiotibiales").is_checked()


def test_a_problem_appears_beside_its_field(live: LiveServer, web: Any) -> None:
    page = web
    page.goto(live.url + "/customise?routine=sciatica-trigger-points")
    page.wait_for_selector("#preview img")
    page.get_by_label("Hamstrings: Repeats, from").fill("99")
    page.get_by_label("Hamstrings: Repeats, to").fill("99")
    page.wait_for_selector("#err-repeats--hamstrings p")
    assert "50" in page.inner_text("#err-repeats--hamstrings")  # the limit, in the CLI's words
    assert page.inner_text("#err-notes") == ""
    assert "before this change" in page.inner_text("#preview-note")  # the last good picture stays, greyed
    assert page.is_visible("#preview img")
    page.get_by_label("Hamstrings: Repeats, from").fill("2")
    page.get_by_label("Hamstrings: Repeats, to").fill("3")
    page.wait_for_selector("#err-repeats--hamstrings p", state="detached")
    page.wait_for_function("document.querySelector('#preview-note').textContent === ''")
    assert page.inner_text("#err-repeats--hamstrings") == ""


def test_the_form_is_keyboard_usable(live: LiveServer, web: Any) -> None:
    page = web
    page.goto(live.url + "/customise?routine=sciatica-trigger-points")
    page.wait_for_selector("#preview img")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.focus("#patient")
    page.keyboard.type("Ana")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "clinician"
    page.focus("input[name=keep][value=hamstrings]")
    page.keyboard.press("Space")
    assert not page.is_checked("input[name=keep][value=hamstrings]")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
    assert unlabelled == []


def test_print_a_stack(live: LiveServer, web: Any, tmp_path: Path) -> None:
    from conftest import page_count

    page = web
    page.goto(live.url + "/stack")
    page.get_by_label("Self-massage for sciatica trigger points").check()
    page.get_by_label("Automasaje para los puntos gatillo de la ciática").check()
    page.get_by_label("Layout", exact=True).select_option("a4")
    page.get_by_label("Copies of each").fill("2")
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the PDF").click()
    path = tmp_path / "stack.pdf"
    download.value.save_as(path)
    assert page_count(path) == 4
    text = squash(page_text(path))
    assert text.count(squash("Self-massage for sciatica trigger points")) == 2


CONTRAST = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                     return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                              if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c; } return [255, 255, 255]; };
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.offsetParent) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) found.push(el.tagName + ' ' + el.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return found;
}"""


def test_every_text_on_every_page_has_at_least_4_5_to_1_contrast(live: LiveServer, web: Any) -> None:
    page = web
    for path in ("/", "/stack", "/customise?routine=sciatica-trigger-points"):
        page.goto(live.url + path)
        if path.startswith("/customise"):
            page.wait_for_selector("#preview img")
            page.get_by_label("Hamstrings: Repeats, from").fill("99")
            page.wait_for_selector("#err-repeats--hamstrings p")  # the problem text too
        assert page.evaluate(CONTRAST) == [], path
