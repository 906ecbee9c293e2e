"""The floor for the upload benchmark: a WSGI app that only streams the request body to disk."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any

DIRECTORY = os.environ.get("RAW_UPLOAD_DIR", "/tmp")  # noqa: S108 - benchmark scratch space


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    stream = environ["wsgi.input"]
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    digest = hashlib.sha256()
    with open(os.path.join(DIRECTORY, uuid.uuid4().hex), "wb") as fh:
        while remaining > 0:
            chunk = stream.read(min(remaining, 1024 * 1024))
            if not chunk:
                break
            fh.write(chunk)
            digest.update(chunk)
            remaining -= len(chunk)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [digest.hexdigest().encode()]
