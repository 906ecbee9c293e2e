"""Every export a user downloads is an audit event: who took which file, of what, and how big it was.

Views that send a generated or stored file (.xlsx, .docx, .zip, .csv, evidence) return
``export_response(request, response, filename=…, action=…)`` instead of calling ``as_download`` themselves;
``kaohe/core/tests/test_export_audit.py`` walks every such URL and fails for one that records nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from kaohe.core import audit
from kaohe.core.downloads import as_download

R = TypeVar("R", bound=HttpResponseBase)


def export_response(
    request: HttpRequest,
    response: R,
    *,
    filename: str,
    action: str,
    plan_id: int | None = None,
    obj: Model | None = None,
    organisation: Any = None,
    after: dict[str, Any] | None = None,
    inline: bool = False,
) -> R:
    """Record the download (``action``, the file name, its size when known, ``after``) and send the response
    as a download (``as_download``: UTF-8 name, nosniff, no caching)."""
    details: dict[str, Any] = {"file": filename}
    if isinstance(response, HttpResponse):  # not streamed: its size is known
        details["bytes"] = len(response.content)
    details.update(after or {})
    audit.record(
        actor=request.user,
        action=action,
        obj=obj,
        plan_id=plan_id,
        organisation=organisation,
        after=details,
        object_repr=filename if obj is None else "",
    )
    return as_download(response, filename, inline=inline)
