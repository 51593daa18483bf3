"""Incremental builds: skip a PDF whose inputs have not changed.

After each PDF is built we record, in `<output folder>/.routinecard-manifest.json`, the
files that went into it (card, patient file, clinic file, layout chain, pictures, fonts)
with their SHA-256, plus the options and routinecard's own code hash. A later build of
the same job re-hashes just those files: if all match and the PDF is still the one we
wrote, it is skipped without parsing anything. This module imports nothing heavy, so a
no-op rebuild of a whole library stays well under a second.

The manifest is data someone else may have written (a copied folder, a hand edit, a
hostile upload), so it is read as untrusted input: a size limit, a regular file only
(never a FIFO or a folder), JSON with a fixed shape, output names that are plain file
names inside the folder, and any entry that does not fit the shape is dropped (its PDF
is rebuilt). It is only written when something changed, so a no-op rebuild works on a
read-only folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST = ".routinecard-manifest.json"
VERSION = 2
MAX_MANIFEST_BYTES = 32 * 1024 * 1024  # about 30,000 cards; a larger file is not ours
MAX_DEPS = 256  # files one PDF is made from; a real card has about ten
MAX_HASHED_BYTES = 256 * 1024 * 1024  # a dependency larger than this is never "unchanged"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_OUTPUT_NAME = re.compile(r"[^/\\\x00]{1,255}\Z")


def file_hash(path: Path) -> str | None:
    """SHA-256 of a regular file, or None (missing, not a regular file, unreadable, huge).

    Opened without blocking and checked after opening, so a FIFO or a device named in a
    manifest is refused at once instead of hanging the build.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            return None
        digest = hashlib.sha256()
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


@cache
def code_hash() -> str:
    """routinecard's version and its own source and data files: a new routinecard rebuilds."""
    from routinecard import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".svg") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class JobKey:
    """What was asked: the input file and every option that changes the PDF."""

    input: str
    layout: str | None
    clinic: str | None
    language: str | None
    only: str | None
    sets: str  # JSON of --set values
    split: bool = False  # --split

    def text(self) -> str:
        fields = [self.input, self.layout, self.clinic, self.language, self.only, self.sets]
        return json.dumps(fields + ([True] if self.split else []))


@dataclass(frozen=True)
class Entry:
    """One PDF in the folder: its file name, its SHA-256, and what it was made from."""

    output: str  # a plain file name inside the manifest's folder
    pdf: str
    code: str
    deps: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"output": self.output, "pdf": self.pdf, "code": self.code, "deps": dict(sorted(self.deps.items()))}


def parse_entry(value: object) -> Entry | None:
    """An entry as written by `Entry.as_json`, or None if it has any other shape."""
    if not isinstance(value, dict) or set(value) != {"output", "pdf", "code", "deps"}:
        return None
    output, pdf, code, deps = value["output"], value["pdf"], value["code"], value["deps"]
    if not (isinstance(output, str) and _OUTPUT_NAME.match(output) and output not in (".", "..")):
        return None
    if not output.lower().endswith((".pdf", ".png")) or output.startswith("."):
        return None
    if not (isinstance(pdf, str) and _HEX64.match(pdf) and isinstance(code, str) and _HEX64.match(code)):
        return None
    if not isinstance(deps, dict) or len(deps) > MAX_DEPS:
        return None
    for name, digest in deps.items():
        if not (isinstance(name, str) and 0 < len(name) <= 4096 and "\x00" not in name and os.path.isabs(name)):
            return None
        if not (isinstance(digest, str) and _HEX64.match(digest)):
            return None
    return Entry(output, pdf, code, dict(deps))


def parse_manifest(raw: bytes) -> dict[str, Entry]:
    """The valid entries of a manifest file's bytes; anything malformed is left out.

    Never raises: a manifest that is not ours (wrong JSON, wrong shape, too deep, not
    UTF-8) is simply empty, and every PDF it would have skipped is rebuilt.
    """
    if len(raw) > MAX_MANIFEST_BYTES:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("entries"), dict):
        return {}
    entries: dict[str, Entry] = {}
    for key, value in data["entries"].items():
        entry = parse_entry(value)
        if isinstance(key, str) and len(key) <= 65536 and entry is not None:
            entries[key] = entry
    return entries


def read_manifest(path: Path) -> dict[str, Entry]:
    """Entries of the manifest at `path`; empty when it is missing, not a regular file
    (a folder, a FIFO, a symbolic link), too large or not valid."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return {}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return {}
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_MANIFEST_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return parse_manifest(b"".join(chunks))
    except OSError:
        return {}
    finally:
        os.close(fd)


def manifest_bytes(entries: dict[str, Entry]) -> bytes:
    data = {"version": VERSION, "entries": {key: entries[key].as_json() for key in sorted(entries)}}
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")


class Manifest:
    """The record of what each output was built from, kept next to the outputs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / MANIFEST
        self._seen = _stamp(self.path)
        self.entries: dict[str, Entry] = read_manifest(self.path)
        # What this process recorded (an Entry) or forgot (None) since it last saved.
        self._pending: dict[str, Entry | None] = {}
        self.changed = False
        if os.path.lexists(self.path):  # never raises: a name too long is simply not there
            # Rewrite a manifest that was not valid as a whole (it is rebuilt from scratch).
            self.changed = manifest_bytes(self.entries) != _raw(self.path)

    def output_of(self, key: JobKey) -> Path | None:
        """The PDF this job last wrote, whether or not it is current."""
        entry = self.entries.get(key.text())
        return self.folder / entry.output if entry is not None else None

    def up_to_date(self, key: JobKey) -> Path | None:
        """The output, if it exists and nothing it was built from has changed."""
        entry = self.entries.get(key.text())
        if entry is None or entry.code != code_hash():
            return None
        output = self.folder / entry.output
        if file_hash(output) != entry.pdf:
            return None
        for name, digest in entry.deps.items():
            if file_hash(Path(name)) != digest:
                return None
        return output

    def record(self, key: JobKey, output: Path, pdf_sha256: str, deps: dict[str, str]) -> None:
        """Remember a PDF just written into this folder (`deps`: absolute path -> SHA-256)."""
        entry = Entry(output.name, pdf_sha256, code_hash(), dict(deps))
        self.entries[key.text()] = entry
        self._pending[key.text()] = entry
        self.changed = True

    def forget(self, key: JobKey) -> None:
        if self.entries.pop(key.text(), None) is not None:
            self._pending[key.text()] = None
            self.changed = True

    def payload(self) -> bytes:
        return manifest_bytes(self.entries)

    def merge(self) -> None:
        """Take in what another process wrote to the manifest since this one read or saved
        it (two builds into one folder), with this process's own changes on top. Call with
        the folder locked (`locked`), just before saving. Only a stat when nobody else wrote."""
        if _stamp(self.path) == self._seen:
            return
        entries = read_manifest(self.path)
        for key, entry in self._pending.items():
            if entry is None:
                entries.pop(key, None)
            else:
                entries[key] = entry
        self.entries = entries

    def saved(self) -> None:
        """The manifest on disk is now this one."""
        self._pending.clear()
        self._seen = _stamp(self.path)
        self.changed = False


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """Which version of a file is there (every save replaces it: a new inode)."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


LOCK = ".routinecard-manifest.lock"


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The folder's manifest to ourselves for the block: an exclusive lock on a lock file
    beside it, which other routinecard processes wait for. Where no lock can be had (a
    read-only folder, no fcntl), the block runs unlocked: saving fails or races as before."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / LOCK, flags, 0o644)
    except (OSError, ValueError):
        yield
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            yield  # not a file of ours (a FIFO, a device): never wait on it
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _raw(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None
