"""Write: the one atomic file writer. Every file routinecard writes (PDFs, previews,
new starting files, the incremental manifest, cached fonts and geometry) goes through
`write_atomic`, so a reader never sees a half-written file and a failure leaves none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from routinecard.errors import InputError, Problem, display_path


def write_atomic(target: Path, data: bytes, *, inputs: Iterable[Path] = (), mode: int = 0o644) -> None:
    """Write `data` to `target` via a temporary file beside it and a rename.

    Never a half-written file, never a temporary file left behind, and never over one of
    `inputs` (the files the data was made from). Parallel writers of the same bytes may
    race safely: the last rename wins. `OSError`s are the caller's to handle.
    """
    resolved = target.resolve()
    for source in inputs:
        if source.resolve() == resolved:
            raise InputError(Problem(f"refusing to write the PDF over an input file: {display_path(target)}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)  # mkstemp makes it private; what we write is for sharing
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
