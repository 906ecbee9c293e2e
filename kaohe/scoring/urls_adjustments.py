"""URLs of 加减分 (bonus applications, deductions, veto flags), under /plans/<plan_id>/ in the "scoring" namespace."""

from django.urls import URLPattern, path

from kaohe.scoring import views_adjustments as views

urlpatterns: list[URLPattern] = [
    path("adjustments/", views.adjustments_unit, name="adjustments_unit"),
    path("adjustments/office/", views.adjustments_office, name="adjustments_office"),
    path("adjustments/apply", views.bonus_apply, name="bonus_apply"),
    path("adjustments/bonus/record", views.bonus_office_record, name="bonus_office_record"),
    path("adjustments/bonus/<int:application_id>/withdraw", views.bonus_withdraw, name="bonus_withdraw"),
    path("adjustments/bonus/<int:application_id>/decide", views.bonus_decide, name="bonus_decide"),
    path("adjustments/bonus/<int:application_id>/evidence", views.bonus_evidence, name="bonus_evidence"),
    path("adjustments/deductions/record", views.deduction_record, name="deduction_record"),
    path("adjustments/deductions/<int:deduction_id>/withdraw", views.deduction_withdraw, name="deduction_withdraw"),
    path("adjustments/deductions/<int:deduction_id>/link", views.deduction_link, name="deduction_link"),
    path("adjustments/flags/set", views.veto_flag_set, name="veto_flag_set"),
    path("adjustments/flags/<int:flag_id>/clear", views.veto_flag_clear, name="veto_flag_clear"),
]
