"""One way to send a stored file to the browser: named in UTF-8, never sniffed, never cached, never active.

Stored files are other people's bytes. Whatever a browser makes of them runs in a sandbox (CSP ``sandbox``:
a unique origin, no scripts, no forms, no popups) that may load nothing (``default-src 'none'``). Files shown
inline (the PDF and image previews) may additionally be framed by this site's own pages and keep the inline
styles and images the browsers' PDF and image viewers draw with; Chromium's PDF viewer works under this
policy (checked with Chromium 156). Attachments may not be framed at all.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import quote

from django.http.response import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)

PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def as_download(response: R, filename: str, *, inline: bool = False) -> R:
    """Set Content-Disposition (RFC 6266/5987, Chinese names intact), nosniff, private no-store and a sandbox CSP.

    ``inline`` is for content-checked PDFs and images only (the previews); everything else is an attachment.
    """
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PREVIEW_CSP if inline else ATTACHMENT_CSP
    return response
