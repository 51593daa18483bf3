"""`routinecard serve` over HTTP: pages, the form <-> patient file, problems beside fields,
and the safety rules (password, host, origin, path confinement, body size, logs, queue).

The server runs for real (uvicorn on 127.0.0.1, a free port) over a copy of the
repository's cards/, clinics/ and patients/. The browser walk-through is in
test_serve_browser.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from conftest import page_text, squash
from serve_support import LiveServer, make_library, running
from routinecard.serve.config import ServeConfig, UsageError, make_config, start_message
from routinecard.serve.form import from_patient, new_form, to_yaml
from routinecard.serve.library import Library
from routinecard.serve.pool import BuildPool, Busy, Superseded

ROUTINE = "sciatica-trigger-points"
SECRET_NAME = "Zebulon Quaxwright"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    library = make_library(tmp_path_factory.mktemp("library"))
    yield from running(ServeConfig(library=library))


@pytest.fixture()
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=120) as c:
        yield c


def maria(**more: Any) -> dict[str, Any]:
    """The Maria Lopez card as the form posts it: two points, a longer hold, a note, Spanish, the clinic."""
    data: dict[str, Any] = {
        "routine": ROUTINE, "language": "es", "patient": "Maria Lopez", "clinician": "A. Patel, DPT",
        "date": "2026-11-30", "clinic": "example-clinic.yaml", "keep": ["piriformis", "gluteus-medius"],
        "amount.piriformis.min": "30", "amount.piriformis.max": "45",
        "notes": "Para si aumenta el hormigueo en el pie.", "key": "test",
    }
    data.update(more)
    return data


# -- pages -------------------------------------------------------------------------------------


def test_library_lists_each_routine_once_with_its_languages_region_and_thumbnail(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.count("Self-massage for sciatica trigger points") == 1  # en and es are one routine
    assert ">en</a>" in page.text and ">es</a>" in page.text
    assert "Region: hip, thigh" in page.text
    assert "example-jane.yaml" in page.text
    thumb = client.get(f"/thumb/{ROUTINE}/en.png")
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")


def test_library_filters_by_region_and_language(client: httpx.Client) -> None:
    assert "1 routine<" in client.get("/", params={"region": "thigh", "language": "es"}).text
    assert "0 routines" in client.get("/", params={"region": "thigh", "language": "fr"}).text
    assert "0 routines" in client.get("/", params={"region": "knee"}).text  # no routine for the knee yet


def test_customise_page_labels_every_field(client: httpx.Client) -> None:
    import re

    page = client.get("/customise", params={"routine": ROUTINE}).text
    ids = set(re.findall(r'<(?:input(?! type="hidden")|select|textarea)[^>]*\bid="([^"]+)"', page))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
    assert ids and ids <= labelled, f"fields without a label: {sorted(ids - labelled)}"
    assert 'src="/static/htmx.min.js"' in page and "unpkg" not in page and "cdn" not in page.lower()


def test_htmx_is_served_from_the_package(client: httpx.Client) -> None:
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200 and "htmx" in script.text[:200]
    assert client.get("/static/htmx.LICENSE").status_code == 200


# -- preview, problems, download, save, open --------------------------------------------------------


def test_preview_says_how_it_fits_in_words(client: httpx.Client) -> None:
    fragment = client.post("/customise/preview", data=maria()).text
    assert "Fits on one letter page, with the type at" in fragment
    assert 'src="data:image/png;base64,' in fragment


def test_a_problem_is_shown_beside_the_field_that_caused_it(client: httpx.Client) -> None:
    fragment = client.post("/customise/preview", data=maria(**{"amount.piriformis.min": "0"})).text
    start = fragment.index('id="err-amount--piriformis"')
    slot = fragment[start: fragment.index("</div>", start)]
    assert "<p>must be at least 1, found 0</p>" in slot, slot  # the CLI's message
    assert "data:image/png" not in fragment  # no preview of a card that would not build
    other = fragment.index('id="err-notes"')
    assert "<p>" not in fragment[other: fragment.index("</div>", other)]


def test_language_picks_the_routines_own_translation(client: httpx.Client) -> None:
    pdf = client.post("/customise/pdf", data=maria()).content
    text = squash(page_text(pdf))
    assert squash("Automasaje para los puntos gatillo de la ciática") in text
    assert squash("Self-massage for sciatica") not in text
    assert squash("Maria Lopez") in text and "Riverside" in text
    assert squash("Para si aumenta el hormigueo en el pie.") in text
    assert "Piriforme" in text and "Isquiotibiales" not in text
    assert squash("Mantén de 30 a 45 segundos") in text


def test_a_language_the_routine_does_not_have_is_refused(client: httpx.Client) -> None:
    page = client.post("/customise/preview", data=maria(language="fr"))
    assert page.status_code == 404
    assert "its languages are: en, es" in page.text


def test_saved_patient_file_is_what_a_person_writes_and_the_cli_builds_the_same_bytes(
        live: LiveServer, client: httpx.Client) -> None:
    downloaded = client.post("/customise/pdf", data=maria(file_name="maria-lopez.yaml")).content
    saved = client.post("/customise/save", data=maria(file_name="maria-lopez.yaml"))
    assert "Saved" in saved.text
    path = live.config.library / "patients" / "maria-lopez.yaml"
    text = path.read_text()
    assert "patient: Maria Lopez" in text
    assert "only: [piriformis, gluteus-medius]" in text
    assert "points.piriformis.timing.hold_s: [30, 45]" in text
    assert "clinic: ../clinics/example-clinic.yaml" in text
    assert "medical_attention" not in text  # nothing added, nothing copied from the card
    out = live.config.library / "cli.pdf"
    subprocess.run([sys.executable, "-m", "routinecard", "build", "patients/maria-lopez.yaml", "-o", str(out)],
                   cwd=live.config.library, check=True, capture_output=True)
    assert out.read_bytes() == downloaded
    again = client.post("/customise/save", data=maria(file_name="maria-lopez.yaml"))
    assert "already exists" in again.text  # never overwrites a file it did not open


def test_open_loads_a_patient_file_into_the_form(live: LiveServer, client: httpx.Client) -> None:
    page = client.get("/customise", params={"open": "example-jane.yaml"}).text
    assert 'value="Jane Doe"' in page and 'value="A. Patel, DPT"' in page
    assert 'value="30"' in page and 'value="45"' in page
    assert 'option value="example-clinic.yaml" selected' in page
    assert 'name="keep" value="piriformis" checked' in page
    assert 'name="keep" value="hamstrings" >' in page or 'name="keep" value="hamstrings">' in page
    assert "log" in page  # the form has no field for the log: kept as written, and said so


def test_form_round_trip_keeps_what_the_form_cannot_show(live: LiveServer) -> None:
    from routinecard.loader import load_yaml_file

    library = Library(live.config.library)
    data = load_yaml_file(live.config.library / "patients" / "example-jane.yaml").data
    state = from_patient(data, library, "example-jane.yaml")
    again = load_yaml_bytes_data(to_yaml(state).text)
    for key in ("card", "clinician", "date", "clinic", "only", "notes", "medical_attention", "log"):
        assert again[key] == data[key], key
    assert data["patient"] == {"name": "Jane Doe"} and again["patient"] == "Jane Doe"  # the short form
    assert again["set"] == data["set"]


def load_yaml_bytes_data(text: str) -> Any:
    from routinecard.loader import load_yaml_bytes

    return load_yaml_bytes(text.encode(), "draft.yaml").data


def test_awkward_text_is_quoted_so_it_reads_back_exactly(live: LiveServer) -> None:
    library = Library(live.config.library)
    state = new_form(library.routine(ROUTINE))
    state.patient = 'no: "yes" # not a comment'
    state.clinician = "true"
    state.notes = "Line one\n  indented line\n\nlast: line"
    state.soon = ["- starts with a dash", "{braces}"]
    data = load_yaml_bytes_data(to_yaml(state).text)
    assert data["patient"] == state.patient
    assert data["clinician"] == "true"
    assert data["notes"] == state.notes
    assert data["medical_attention"]["soon"] == state.soon


# -- safety --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/customise?open=../../../../etc/passwd",
    "/customise?open=%2Fetc%2Fpasswd",
    "/customise?open=..%2Fcards%2Fsciatica-trigger-points.yaml",
    "/customise?routine=..%2F..%2Fetc%2Fpasswd",
    "/thumb/..%2F..%2Fetc/en.png",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
])
def test_no_request_reaches_a_file_outside_the_library(client: httpx.Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert "root:" not in response.text


def test_a_symlink_out_of_patients_is_not_opened(live: LiveServer, client: httpx.Client, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("card: sciatica-trigger-points\nnotes: SECRET-OUTSIDE\n")
    link = live.config.library / "patients" / "link.yaml"
    link.symlink_to(outside)
    try:
        assert "link.yaml" not in client.get("/").text
        response = client.get("/customise", params={"open": "link.yaml"})
        assert response.status_code == 404 and "SECRET-OUTSIDE" not in response.text
    finally:
        link.unlink()


@pytest.mark.parametrize("field,value", [
    ("clinic", "../../etc/passwd"), ("clinic", "/etc/passwd"), ("routine", "../cards/x"),
])
def test_form_values_that_name_files_must_be_in_the_library(client: httpx.Client, field: str, value: str) -> None:
    response = client.post("/customise/preview", data=maria(**{field: value}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["../escape.yaml", "/tmp/escape.yaml", "sub/dir.yaml", "x.txt", ".hidden.yaml"])
def test_save_writes_only_plain_names_inside_patients(live: LiveServer, client: httpx.Client, name: str) -> None:
    response = client.post("/customise/save", data=maria(file_name=name))
    assert "Saved" not in response.text
    assert not (live.config.library / "escape.yaml").exists() and not Path("/tmp/escape.yaml").exists()


def test_request_bodies_have_a_size_limit(live: LiveServer, client: httpx.Client) -> None:
    big = maria(notes="x" * (live.config.max_body + 10))
    assert client.post("/customise/preview", data=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(live.config.max_body // 4096 + 8):
            yield b"notes=" + b"x" * 4096

    response = client.post("/customise/preview", content=chunks(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_another_host_name_is_refused_dns_rebinding(live: LiveServer) -> None:
    response = httpx.get(live.url + "/", headers={"host": "attacker.example"})
    assert response.status_code == 421


def test_a_form_posted_from_another_site_is_refused(client: httpx.Client) -> None:
    response = client.post("/customise/preview", data=maria(), headers={"origin": "http://attacker.example"})
    assert response.status_code == 403


def test_patient_names_are_never_logged(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/customise/preview", data=maria(patient=SECRET_NAME))
    client.post("/customise/preview", data=maria(patient=SECRET_NAME, **{"amount.piriformis.min": "0"}))
    client.post("/customise/save", data=maria(patient=SECRET_NAME, file_name="../x.yaml"))
    client.get("/customise", params={"open": f"{SECRET_NAME}.yaml"})
    server = [r for r in caplog.records if r.name.startswith(("routinecard", "uvicorn", "starlette"))]
    assert any("POST /customise/preview 200" in r.getMessage() for r in server)
    assert all("Zebulon" not in r.getMessage() and "Zebulon" not in (r.exc_text or "") for r in server)


def test_password_is_required_when_set(tmp_path_factory: pytest.TempPathFactory) -> None:
    library = make_library(tmp_path_factory.mktemp("locked"))
    for live in running(ServeConfig(library=library, password="correct horse battery", workers=1)):
        assert httpx.get(live.url + "/").status_code == 401
        assert httpx.get(live.url + "/static/htmx.min.js").status_code == 401
        assert httpx.get(live.url + "/", auth=("x", "wrong password!")).status_code == 401
        assert httpx.get(live.url + "/", auth=("anyone", "correct horse battery")).status_code == 200


def test_any_other_host_needs_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROUTINECARD_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="needs a password"):
        make_config(tmp_path, "0.0.0.0", 8765, None)
    assert make_config(tmp_path, "127.0.0.1", 8765, None).password is None
    secret = tmp_path / "pw"
    secret.write_text("s3cret-enough\n")
    config = make_config(tmp_path, "0.0.0.0", 8765, secret)
    assert config.password == "s3cret-enough"
    message = start_message(config)
    assert "a password is required" in message and "s3cret" not in message
    monkeypatch.setenv("ROUTINECARD_PASSWORD", "from-the-environment")
    assert make_config(tmp_path, "192.168.1.5", 8765, None).password == "from-the-environment"


def test_cli_refuses_another_host_without_a_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ROUTINECARD_PASSWORD"}
    result = subprocess.run([sys.executable, "-m", "routinecard", "serve", "--host", "0.0.0.0", "--library", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert "needs a password" in result.stderr and "Traceback" not in result.stderr


# -- the queue ---------------------------------------------------------------------------------------


def _wait(event: threading.Event) -> str:
    event.wait(10)
    return "done"


def _echo(value: str) -> str:
    return value


def run_async(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own (Playwright's sync API may own this thread's loop)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_queue_runs_twenty_at_once_with_two_workers() -> None:
    async def scenario() -> list[str]:
        pool = BuildPool(2, 32, ThreadPoolExecutor(2))
        await pool.start()
        try:
            return list(await asyncio.gather(*(pool.submit(_echo, f"job{i}") for i in range(20))))
        finally:
            await pool.stop()

    assert run_async(scenario()) == [f"job{i}" for i in range(20)]


def test_queue_refuses_beyond_its_limit_and_drops_superseded_previews() -> None:
    async def scenario() -> None:
        gate = threading.Event()
        pool = BuildPool(1, 2, ThreadPoolExecutor(1))
        await pool.start()
        try:
            blocker = asyncio.ensure_future(pool.submit(_wait, gate))
            await asyncio.sleep(0.05)  # the one worker is now busy
            old = asyncio.ensure_future(pool.submit(_echo, "old", key="form-1"))
            new = asyncio.ensure_future(pool.submit(_echo, "new", key="form-1"))
            await asyncio.sleep(0)
            with pytest.raises(Busy):
                await pool.submit(_echo, "one too many")
            gate.set()
            assert await blocker == "done"
            with pytest.raises(Superseded):
                await old
            assert await new == "new"
            assert pool.stats.superseded == 1 and pool.stats.refused == 1
        finally:
            gate.set()
            await pool.stop()

    run_async(scenario())


def _until(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_over_http_a_full_queue_says_busy_and_a_superseded_preview_is_dropped(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    library = make_library(tmp_path_factory.mktemp("busy"))
    pool = BuildPool(1, 2, ThreadPoolExecutor(1))  # builders in threads, so the test can hold the one worker
    for live in running(ServeConfig(library=library, workers=1, queue_limit=2), pool):
        assert pool.loop is not None
        gate = threading.Event()
        held = asyncio.run_coroutine_threadsafe(pool.submit(_wait, gate), pool.loop)
        try:
            _until(lambda: pool.stats.running == 1)
            with httpx.Client(base_url=live.url, timeout=120) as client, ThreadPoolExecutor(4) as threads:
                older = threads.submit(client.post, "/customise/preview", data=maria(key="form-a"))
                _until(lambda: pool.stats.queued == 1)
                newer = threads.submit(client.post, "/customise/preview", data=maria(key="form-a"))
                _until(lambda: pool.stats.queued == 2)
                busy = client.post("/customise/preview", data=maria(key="form-b"))  # the queue is full
                assert busy.status_code == 200 and "Many cards are being made right now" in busy.text
                gate.set()
                assert older.result().status_code == 204  # superseded by the same form's newer preview
                assert "Fits on one" in newer.result().text
        finally:
            gate.set()
            held.result(30)
        assert pool.stats.superseded == 1 and pool.stats.refused >= 1


def test_an_unexpected_error_is_the_error_page_and_its_message_is_not_logged(
        live: LiveServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import routinecard.serve.app as app_module

    def broken(*args: object) -> str:
        raise RuntimeError(f"failed for {SECRET_NAME}")

    monkeypatch.setattr(app_module, "suggested_file_name", broken)
    caplog.set_level(logging.INFO)
    response = client.post("/customise/preview", data=maria(patient=SECRET_NAME))
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Nothing was saved" in response.text
    assert "Traceback" not in response.text and "Zebulon" not in response.text
    server = [r for r in caplog.records if r.name.startswith(("routinecard", "uvicorn", "starlette"))]
    assert any("internal error RuntimeError" in r.getMessage() for r in server)
    assert all("Zebulon" not in r.getMessage() and "Zebulon" not in (r.exc_text or "") for r in server)


def test_unticking_every_point_is_a_problem_beside_the_points(client: httpx.Client) -> None:
    fragment = client.post("/customise/preview", data=maria(keep=[])).text
    start = fragment.index('id="err-points"')
    assert "leaves no points on the card" in fragment[start: fragment.index("</div>", start)]


def test_a_card_too_long_for_the_layout_says_so_in_the_preview(client: httpx.Client) -> None:
    # (the pocket layout would print a long card as a set of cards: Letter does not split)
    data = maria(layout="letter", keep=["piriformis", "gluteus-medius", "gluteus-minimus", "hamstrings"],
                 notes="Una nota larga. " * 200)
    fragment = client.post("/customise/preview", data=data).text
    assert "It does not fit on one page" in fragment
    assert "does not fit on one &#39;letter&#39; page" in fragment  # the CLI's own message, in the list


def test_the_language_picked_in_the_form_wins_over_a_clinics_preference(live: LiveServer, client: httpx.Client) -> None:
    clinic = live.config.library / "clinics" / "clinica-sol.yaml"
    clinic.write_text("name: Clínica Sol\nemergency_number: \"112\"\nlanguage: es\n")
    try:
        pdf = client.post("/customise/pdf", data=maria(language="en", clinic="clinica-sol.yaml")).content
        text = squash(page_text(pdf))
        assert squash("Self-massage for sciatica trigger points") in text and "Automasaje" not in text
        assert squash("Clínica Sol") in text
    finally:
        clinic.unlink()
