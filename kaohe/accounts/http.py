"""Request types for views behind ``login_required``.

django-stubs types ``HttpRequest.user`` as ``User | AnonymousUser``; a view that only runs for a signed-in
user annotates its request as ``AuthenticatedHttpRequest`` so that ``request.user`` is a ``User`` — what every
service's ``actor`` is. (Types only: Django builds a plain ``HttpRequest``; the middleware sets ``user``.)
"""

from __future__ import annotations

from django.http import HttpRequest

from kaohe.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
