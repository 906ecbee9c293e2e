"""URLs of the security and audit administrators' pages (三员分立: each page asks for its own capability)."""

from django.urls import URLPattern, path

from kaohe.core import views_security

app_name = "security"
urlpatterns: list[URLPattern] = [
    path("audit/", views_security.audit_log, name="audit_log"),
    path("audit/export", views_security.audit_export, name="audit_export"),
    path("audit/verify", views_security.audit_verify, name="audit_verify"),
]
