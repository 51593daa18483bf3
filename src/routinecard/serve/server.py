"""Running the app with uvicorn, with logging that keeps patients' names out."""

from __future__ import annotations

import logging

from routinecard.serve.config import ServeConfig


def run(config: ServeConfig) -> None:
    """Serve until Ctrl+C. uvicorn's own access log is off: ours (security.py) records
    method, path, status and time only."""
    import uvicorn

    from routinecard.serve.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        access_log=False,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=3,
        limit_concurrency=200,
    )
