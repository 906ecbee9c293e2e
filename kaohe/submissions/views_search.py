"""搜索: one page for the navbar's search box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaohe.accounts.http import AuthenticatedHttpRequest
from kaohe.plans.forms import SearchForm
from kaohe.submissions import search


@login_required
@require_GET
def search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Units, tasks and evidence files the user may see whose name (or task code) contains the words."""
    form = SearchForm(request.GET if "q" in request.GET else None)
    results = search.search(request.user, form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "submissions/search.html", {"form": form, "results": results, "limit": search.LIMIT})
