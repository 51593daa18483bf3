"""Write: the one atomic file writer. Every file routinecard writes (PDFs, previews, new
starting files, the incremental manifest, cached fonts and geometry) goes through
`write_atomic`, so a reader never sees a half-written file and a failure leaves none.

A file is written to a temporary file in the same folder and renamed over the target, so
a reader (or a killed build) never sees half a file. The temporary name carries the
writer's process id (`.NAME.PID.XXXXXX.tmp`): if a process is killed between the two
steps, the next build in that folder removes what the dead process left.

Every operating-system failure becomes an `OutputError` naming the path, in plain words;
targets that are folders, devices, FIFOs or one of the build's own input files are
refused before anything is written.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from routinecard.errors import OutputError, Problem, display_path

_TEMP = re.compile(r"\A\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp\Z")

_current_temp: list[str] = []  # the temporary file being written by this process, if any


def reason(error: OSError) -> str:
    """An operating-system error in plain words (without the path: the caller names it)."""
    code = error.errno
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.EROFS:
        return "the folder is on a read-only file system"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "no space left on the disk"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return "it is a folder"
    if code == errno.ENAMETOOLONG:
        return "the name is too long"
    if code == errno.ENOENT:
        return "the folder does not exist and cannot be created"
    if code == errno.EEXIST:
        return "a file of that name is in the way of a folder"
    return (error.strerror or type(error).__name__).lower()


def _refuse(target: Path, message: str) -> OutputError:
    return OutputError(Problem(message, file=display_path(target)))


def check_target(target: Path, protect: tuple[Path, ...] = (), *, replace_special: bool = False) -> None:
    """Refuse a target that is one of the inputs, a folder, or (unless `replace_special`,
    for files only routinecard names, like the manifest) not a regular file."""
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError, ValueError):
        raise _refuse(target, "cannot write here: the path cannot be resolved") from None
    for source in protect:
        try:
            same = source.resolve() == resolved
        except (OSError, RuntimeError, ValueError):
            same = False
        if same:
            raise _refuse(target, "refusing to write the PDF over an input file; choose another output name")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as error:
        if error.errno == errno.ENOTDIR:
            raise _refuse(target, f"cannot write here: {_blocking_file(target)} is not a folder") from None
        return  # the write itself will say what is wrong
    except ValueError:
        raise _refuse(target, "cannot write here: the name contains a NUL character") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(target, "is a folder; expected the name of a file to write")
    if not stat.S_ISREG(info.st_mode) and not replace_special:
        raise _refuse(target, "is not a regular file (a device, pipe or socket); expected the name of a file to write")


def _blocking_file(target: Path) -> str:
    """The first part of `target`'s path that exists and is not a folder."""
    for parent in reversed(target.parents):
        if parent.exists() and not parent.is_dir():
            return display_path(parent)
    return display_path(target.parent)


def write_file(target: Path, data: bytes, *, protect: tuple[Path, ...] = (), mode: int = 0o644,
               replace_special: bool = False) -> None:
    """Write `data` to `target` atomically, or raise `OutputError` and leave nothing behind.

    `replace_special`: a FIFO or device at `target` is replaced by the file (renamed over,
    never written into); only for names routinecard owns, like the manifest."""
    target = Path(target)
    check_target(target, protect, replace_special=replace_special)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _refuse(target, f"cannot create the folder {display_path(folder)}: a file of that name is in the way") from None
    except OSError as error:
        raise _refuse(target, f"cannot create the folder {display_path(folder)}: {reason(error)}") from None
    if not folder.is_dir():
        raise _refuse(target, f"cannot write here: {display_path(folder)} is not a folder")
    _sweep_once(folder)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name[:100]}.{os.getpid()}.", suffix=".tmp")
    except OSError as error:
        why = "the folder does not accept new files" if error.errno == errno.ENOENT else reason(error)
        raise _refuse(target, f"cannot write the file: {why}") from None
    _current_temp.append(tmp)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, mode)  # mkstemp makes it private; a PDF is for sharing
            os.replace(tmp, target)
        except OSError as error:
            raise _refuse(target, f"cannot write the file: {reason(error)}") from None
        finally:
            if os.path.lexists(tmp):
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
    finally:
        _current_temp.remove(tmp)


def write_atomic(target: Path, data: bytes, *, inputs: Iterable[Path] = (), mode: int = 0o644) -> None:
    """Write `data` to `target` via a temporary file beside it and a rename.

    Never a half-written file, never a temporary file left behind, never over one of
    `inputs` (the files the data was made from), a folder or a device. Parallel writers of
    the same bytes may race safely: the last rename wins. Failures are `OutputError`s
    naming the path (callers that only cache may ignore them).
    """
    write_file(target, data, protect=tuple(inputs), mode=mode)


_swept: set[Path] = set()
_swept_lock = threading.Lock()


def _sweep_once(folder: Path) -> None:
    """Before this process first writes into a folder, clear what killed writers left
    there. Done here, in the writer, so a build never comes back to this stage just to
    tidy up (and a folder we only read is never touched)."""
    try:
        key = folder.resolve()
    except OSError:
        return
    with _swept_lock:
        if key in _swept:
            return
        _swept.add(key)
    remove_stale_temporaries(key)


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files of ours in `folder` whose writer process is gone (killed)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TEMP.match(name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            path = folder / name
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.unlink(path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31
    return True


def discard_current_temporary() -> None:
    """Called by a worker about to exit abruptly: remove the file it was writing."""
    for tmp in list(_current_temp):
        try:
            os.unlink(tmp)
        except OSError:
            pass
