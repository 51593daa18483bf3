"""The layer every request passes first: password, host and origin checks, the body
size limit, and an access log that never records a patient's name.

Pure ASGI (no Starlette middleware classes), so it also guards static files and
applies before any form is parsed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import time
from typing import Any, Awaitable, Callable, MutableMapping

from routinecard.serve.config import ServeConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access = logging.getLogger("routinecard.serve.access")
log = logging.getLogger("routinecard.serve")


class BodyTooLarge(Exception):
    pass


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + (headers or [])})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def password_ok(scope: Scope, password: str) -> bool:
    """HTTP Basic: any user name, this password (compared in constant time)."""
    header = _header(scope, b"authorization") or ""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, _, given = decoded.partition(":")
    return hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


def guard(app: ASGIApp, config: ServeConfig) -> ASGIApp:
    """Wrap the application in the checks every request must pass."""
    allowed_hosts = {"127.0.0.1", "localhost", "[::1]"} if config.loopback else None

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await _checked(scope, receive, send_logged)
        finally:
            # Method and path only: query strings and bodies can carry a patient's name.
            access.info("%s %s %d %.0fms", scope.get("method", ""), scope.get("path", ""), status["code"],
                        (time.perf_counter() - started) * 1000)

    async def _checked(scope: Scope, receive: Receive, send: Send) -> None:
        host = (_header(scope, b"host") or "").rsplit(":", 1)[0] if not (_header(scope, b"host") or "").startswith("[") \
            else (_header(scope, b"host") or "").split("]")[0] + "]"
        if allowed_hosts is not None and host not in allowed_hosts:
            # A page on another site that points a name at 127.0.0.1 (DNS rebinding) gets nothing.
            await _plain(send, 421, "This address is not served here.")
            return
        if config.password is not None and not password_ok(scope, config.password):
            await _plain(send, 401, "This routinecard needs a password.",
                         [(b"www-authenticate", b'Basic realm="routinecard", charset="UTF-8"')])
            return
        if scope.get("method") not in ("GET", "HEAD"):
            origin = _header(scope, b"origin")
            if origin is not None and origin != "null" and origin.split("://", 1)[-1] != _header(scope, b"host"):
                await _plain(send, 403, "Forms are only accepted from routinecard's own pages.")
                return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > config.max_body):
            await _plain(send, 413, f"The request is too large (the limit is {config.max_body // 1024} KiB).")
            return
        seen = {"bytes": 0}

        async def limited() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > config.max_body:
                    raise BodyTooLarge()
            return message

        response_started = {"yes": False}

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_started["yes"] = True
            await send(message)

        try:
            await app(scope, limited, tracking)
        except BodyTooLarge:
            if not response_started["yes"]:
                await _plain(send, 413, f"The request is too large (the limit is {config.max_body // 1024} KiB).")
        except Exception as error:  # already shown as the error page and logged without its message
            if not response_started["yes"]:
                log.error("internal error %s", type(error).__name__)
                await _plain(send, 500, "routinecard could not finish this request.")

    return guarded
