"""Root URL table: only include()s."""

from django.contrib import admin
from django.urls import include, path

from kaohe.api.api_v1 import api as api_v1

urlpatterns = [
    path("", include("kaohe.core.urls")),
    path("accounts/", include("kaohe.accounts.urls")),
    path("security/", include("kaohe.core.urls_security")),
    path("search/", include("kaohe.submissions.urls_search")),
    path("plans/", include("kaohe.plans.urls")),
    path("plans/<int:plan_id>/", include("kaohe.submissions.urls")),
    path("plans/<int:plan_id>/", include("kaohe.scoring.urls")),
    path("plans/<int:plan_id>/", include("kaohe.results.urls")),
    path("plans/<int:plan_id>/", include("kaohe.reviews.urls")),
    path("plans/<int:plan_id>/", include("kaohe.results.urls_analysis")),
    path("plans/<int:plan_id>/", include("kaohe.results.urls_practice")),
    path("plans/<int:plan_id>/insights/", include("kaohe.insights.urls")),
    path("rollup/", include("kaohe.results.urls_rollup")),
    path("exchange/", include("kaohe.api.urls")),
    path("api/v1/", api_v1.urls),
    path("plans/<int:plan_id>/fieldwork/", include("kaohe.inspections.fieldwork.urls")),
    path("plans/<int:plan_id>/ability-tests/", include("kaohe.inspections.abilitytests.urls")),
    path("plans/<int:plan_id>/case-files/", include("kaohe.inspections.casefiles.urls")),
    path("test/", include("kaohe.inspections.abilitytests.urls_testee")),
    path("admin/", admin.site.urls),
]

handler403 = "kaohe.core.views.permission_denied"
handler404 = "kaohe.core.views.page_not_found"
handler500 = "kaohe.core.views.server_error"
