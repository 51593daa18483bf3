"""Batch builds: parallel jobs, incremental rebuilds, the summary line."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import SCIATICA, card_data, page_count, write_card
from routinecard.cli import app


def library(tmp_path: Path, count: int = 3) -> Path:
    folder = tmp_path / "cards"
    folder.mkdir()
    for index in range(count):
        data = card_data()
        data["id"] = f"card-{index}"
        data["points"] = data["points"][: 1 + index % 4]
        write_card(folder, data, f"card-{index}.yaml")
    return folder


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def test_unchanged_cards_are_skipped_and_changes_rebuild(runner, tmp_path: Path) -> None:
    cards = library(tmp_path)
    out = tmp_path / "out"
    first = runner.invoke(app, ["build", str(cards), "-o", str(out), "--jobs", "1"])
    assert first.exit_code == 0, first.output
    assert "built 3, skipped 0 (unchanged), failed 0 in " in first.stdout
    built = pdfs(out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}

    again = runner.invoke(app, ["build", str(cards), "-o", str(out)])
    assert again.exit_code == 0
    assert "built 0, skipped 3 (unchanged), failed 0" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == stamps

    changed = cards / "card-1.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Self-massage", "Self massage"), encoding="utf-8")
    third = runner.invoke(app, ["build", str(cards), "-o", str(out)])
    assert "built 1, skipped 2 (unchanged), failed 0" in third.stdout
    assert pdfs(out)["card-1.pdf"] != built["card-1.pdf"]

    forced = runner.invoke(app, ["build", str(cards), "-o", str(out), "--force"])
    assert "built 3, skipped 0" in forced.stdout


def test_a_deleted_or_edited_pdf_is_rebuilt(runner, tmp_path: Path) -> None:
    cards = library(tmp_path, 2)
    out = tmp_path / "out"
    runner.invoke(app, ["build", str(cards), "-o", str(out)])
    (out / "card-0.pdf").unlink()
    (out / "card-1.pdf").write_bytes(b"%PDF-1.4 not ours")
    result = runner.invoke(app, ["build", str(cards), "-o", str(out)])
    assert "built 2, skipped 0" in result.stdout
    assert page_count(out / "card-1.pdf") == 1


def test_a_changed_layout_file_rebuilds(runner, tmp_path: Path) -> None:
    cards = library(tmp_path, 1)
    layout = tmp_path / "mine.yaml"
    layout.write_text("extends: letter\n", encoding="utf-8")
    out = tmp_path / "out"
    runner.invoke(app, ["build", str(cards), "-o", str(out), "--layout", str(layout)])
    assert "skipped 1" in runner.invoke(app, ["build", str(cards), "-o", str(out), "--layout", str(layout)]).stdout
    layout.write_text("extends: a4\n", encoding="utf-8")
    assert "built 1" in runner.invoke(app, ["build", str(cards), "-o", str(out), "--layout", str(layout)]).stdout


def test_parallel_builds_match_serial_ones(runner, tmp_path: Path) -> None:
    cards = library(tmp_path, 4)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert runner.invoke(app, ["build", str(cards), "-o", str(serial), "--jobs", "1"]).exit_code == 0
    result = runner.invoke(app, ["build", str(cards), "-o", str(parallel), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert pdfs(serial) == pdfs(parallel) and len(pdfs(serial)) == 4


def test_a_failing_card_does_not_stop_a_parallel_batch(runner, tmp_path: Path) -> None:
    cards = library(tmp_path, 3)
    broken = cards / "card-1.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("hold_s:", "hold_seconds:", 1), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(cards), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1
    assert "card-1.yaml:" in result.stderr and "unknown field 'hold_seconds'; did you mean 'hold_s'?" in result.stderr
    assert "built 2, skipped 0 (unchanged), failed 1" in result.stderr
    assert sorted(pdfs(out)) == ["card-0.pdf", "card-2.pdf"]


def test_every_layout_for_every_card(runner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(SCIATICA), "-o", str(out), "--layout", "letter", "--layout", "large-print"])
    assert result.exit_code == 0, result.output
    assert sorted(pdfs(out)) == ["sciatica-trigger-points-large-print.pdf", "sciatica-trigger-points-letter.pdf"]


def test_quiet_prints_nothing_on_success(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--quiet", "build", str(SCIATICA), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_output_files_are_readable_by_others(runner, tmp_path: Path) -> None:
    runner.invoke(app, ["build", str(SCIATICA), "-o", str(tmp_path / "x.pdf")])
    assert os.stat(tmp_path / "x.pdf").st_mode & 0o044 == 0o044


def test_two_builds_into_one_folder_keep_each_others_manifest_entries(runner, tmp_path: Path) -> None:
    """Two routinecard processes building different cards into one folder at the same
    time: each saves the manifest under a lock, merged with what the other wrote, so the
    next build skips every card (the manifest was once last-writer-wins)."""
    import subprocess
    import sys

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for index in range(6):
        data = card_data()
        data["id"] = f"card-{index}"
        data["points"] = data["points"][:1]
        write_card(first if index % 2 == 0 else second, data, f"card-{index}.yaml")
    out = tmp_path / "out"
    out.mkdir()
    runs = [subprocess.Popen([sys.executable, "-m", "routinecard", "build", str(folder), "-o", str(out), "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for folder in (first, second)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert len(pdfs(out)) == 6
    again = runner.invoke(app, ["build", str(first), str(second), "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert "built 0, skipped 6 (unchanged), failed 0" in again.stdout


def test_the_manifest_merges_what_another_process_saved(tmp_path: Path) -> None:
    """The merge itself, step by step: entries another process saved are kept, this
    process's own records and forgets win."""
    from routinecard.incremental import JobKey, Manifest, locked

    def key(name: str) -> JobKey:
        return JobKey(input=f"/cards/{name}.yaml", layout="letter", clinic=None, language=None, only=None, sets="{}")

    def save(manifest: Manifest) -> None:
        with locked(manifest.folder):
            manifest.merge()
            manifest.path.write_bytes(manifest.payload())
            manifest.saved()

    sha = "0" * 64
    one, two = Manifest(tmp_path), Manifest(tmp_path)
    one.record(key("a"), tmp_path / "a.pdf", sha, {})
    one.record(key("c"), tmp_path / "c.pdf", sha, {})
    save(one)
    two.record(key("b"), tmp_path / "b.pdf", sha, {})
    save(two)
    assert set(Manifest(tmp_path).entries) == {key(n).text() for n in "abc"}
    one.forget(key("c"))
    save(one)
    assert set(Manifest(tmp_path).entries) == {key(n).text() for n in "ab"}


def test_the_manifest_is_written_at_most_every_half_second_and_at_the_end(tmp_path: Path, monkeypatch) -> None:
    """A 1000-card batch once rewrote the whole manifest after every PDF (about 1.5 GB of
    JSON in the parent). Now: the first PDF's record at once, then at most every
    SAVE_EVERY_S, and everything when the last job finishes."""
    from routinecard import batch, write
    from routinecard.incremental import MANIFEST, read_manifest

    cards = library(tmp_path, count=5)
    writes: list[Path] = []
    real = write.write_file

    def counting(path: Path, data: bytes, **options: object) -> None:
        if path.name == MANIFEST:
            writes.append(path)
        real(path, data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "write_file", counting)
    monkeypatch.setattr(batch, "SAVE_EVERY_S", 3600.0)
    out = tmp_path / "out"
    jobs = batch.make_jobs(sorted(cards.glob("*.yaml")), [None], folder=out)
    outcomes = batch.run(jobs)
    assert [o.status for o in outcomes] == ["built"] * 5
    assert len(writes) == 2  # the first record, then the end of the batch
    assert len(read_manifest(out / MANIFEST)) == 5
