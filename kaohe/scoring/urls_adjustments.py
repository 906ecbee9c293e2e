"""URLs of 加减分 (bonus applications, deductions, veto flags) — filled in by the adjustments work."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
