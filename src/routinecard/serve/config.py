"""How one `routinecard serve` runs: where, for whom, and how much it may take on."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from routinecard.errors import Problem, RoutineCardError

PASSWORD_ENV = "ROUTINECARD_PASSWORD"
LOOPBACK_NAMES = ("localhost",)


class UsageError(RoutineCardError):
    """The command line asks for something unsafe or impossible (exit code 2)."""


@dataclass(frozen=True)
class ServeConfig:
    library: Path
    host: str = "127.0.0.1"
    port: int = 8765
    password: str | None = None
    workers: int = 2
    queue_limit: int = 32
    max_body: int = 256 * 1024  # bytes of one request body
    max_copies: int = 50
    preview_dpi: int = 75

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_password(password_file: Path | None) -> str | None:
    """The password from --password-file (first line), else $ROUTINECARD_PASSWORD."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(Problem(f"cannot read the password file: {error.__class__.__name__}",
                                     file=str(password_file))) from None
        password = text.splitlines()[0].strip() if text.strip() else ""
        if not password:
            raise UsageError(Problem("the password file is empty", file=str(password_file)))
        return password
    return os.environ.get(PASSWORD_ENV) or None


def make_config(library: Path, host: str, port: int, password_file: Path | None, workers: int | None = None) -> ServeConfig:
    """Check the command line's choices: any host but this computer needs a password."""
    password = read_password(password_file)
    if not is_loopback(host) and not password:
        raise UsageError(Problem(
            f"--host {host} lets other computers connect, so it needs a password: "
            f"--password-file FILE or the {PASSWORD_ENV} environment variable"))
    if password is not None and len(password) < 8:
        raise UsageError(Problem("the password must be at least 8 characters"))
    if not library.is_dir():
        raise UsageError(Problem(f"--library {library}: no such folder"))
    count = workers if workers is not None else max(1, min(2, os.cpu_count() or 1))
    return ServeConfig(library=library.resolve(), host=host, port=port, password=password, workers=count)


def start_message(config: ServeConfig) -> str:
    """What `routinecard serve` says on start (never the password itself)."""
    shown = f"[{config.host}]" if ":" in config.host else config.host
    lines = [f"routinecard serve: open http://{shown}:{config.port}/ in a browser (library: {config.library})"]
    if config.loopback:
        lines.append("Only this computer can connect." + (" A password is required." if config.password else ""))
    else:
        lines.append(f"Other computers can connect to {config.host}: a password is required (user name: anything). "
                     "The connection is not encrypted: use it only on a network you trust.")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)
