"""One way to send a file to the browser: named in UTF-8, never sniffed, never cached by proxies."""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

from django.http.response import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)


def as_download(response: R, filename: str, *, inline: bool = False) -> R:
    """Set Content-Disposition (RFC 6266/5987, Chinese names intact), nosniff and private no-store."""
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
