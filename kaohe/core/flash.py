"""Refusals shown to the user as messages on the page they return to (Django's messages framework)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Every message of a refused service call, one per line."""
    for message in exc.messages:
        messages.error(request, message)


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    """Every error of an invalid form (field and non-field), one per line."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
