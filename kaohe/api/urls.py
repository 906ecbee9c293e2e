"""URLs of the exchange between installations, under /exchange/ in the "api" namespace (the read API itself is
served under /api/v1/, kaohe/api/api_v1.py)."""

from django.urls import URLPattern, path

from kaohe.api import views

app_name = "api"
urlpatterns: list[URLPattern] = [
    path("", views.exchange, name="exchange"),
    path("public-key.pem", views.public_key, name="public_key"),
    path("tokens/create", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("keys/add", views.key_add, name="key_add"),
    path("plans/<int:plan_id>/export.zip", views.export, name="export"),
    path("imports/upload", views.import_upload, name="import_upload"),
    path("imports/<int:result_import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:result_import_id>/confirm", views.import_confirm, name="import_confirm"),
]
