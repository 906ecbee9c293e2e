from typing import Any

from django.http import HttpRequest


def security(request: HttpRequest) -> dict[str, Any]:
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
