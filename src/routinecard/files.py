"""Reading a user's file safely: only regular files, never more than a limit, and every
operating-system failure turned into a plain sentence (the callers add the file name)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Callable


class Unreadable(Exception):
    """The file cannot be used; the message says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_regular_file(path: Path, *, limit: int, noun: str, expected: str, too_large: Callable[[int], str]) -> bytes:
    """The file's bytes. Folders, devices and files over `limit` are refused before reading.

    `noun` names the file in messages ("file", "image file"); `expected` says what a
    folder should have been ("a .yaml file"); `too_large(size)` words the size refusal.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable(f"is a folder, expected {expected}")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"is not a regular file, expected {expected}")
        if info.st_size > limit:
            raise Unreadable(too_large(info.st_size))
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise Unreadable(f"no such {noun}") from None
    except IsADirectoryError:
        raise Unreadable(f"is a folder, expected {expected}") from None
    except PermissionError:
        raise Unreadable(f"permission denied: this {noun} cannot be read (check its permissions)") from None
    except OSError as exc:
        raise Unreadable(f"cannot read the {noun}: {exc.strerror or exc}") from None
    except ValueError as exc:  # e.g. a NUL character in the path
        raise Unreadable(f"cannot read the {noun}: {exc}") from None
    if len(data) > limit:  # it grew after stat()
        raise Unreadable(too_large(len(data)))
    return data
