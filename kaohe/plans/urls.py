from django.urls import path

from kaohe.plans import views, views_collective, views_policy, views_settings, views_templates, views_tree

app_name = "plans"
urlpatterns = [
    path("new/", views.create_plan, name="create"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/categories/<int:category_id>/", views.category_tree, name="tree"),
    path("<int:plan_id>/categories/<int:category_id>/export.xlsx", views.export_category, name="export"),
    path("<int:plan_id>/categories/<int:category_id>/edit/", views_tree.tree_edit, name="tree_edit"),
    path("<int:plan_id>/categories/<int:category_id>/edit/add", views_tree.indicator_add, name="indicator_add"),
    path(
        "<int:plan_id>/categories/<int:category_id>/edit/assign-desk",
        views_tree.indicators_assign_desk,
        name="indicators_assign_desk",
    ),
    path(
        "<int:plan_id>/categories/<int:category_id>/edit/<int:indicator_id>/",
        views_tree.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "<int:plan_id>/categories/<int:category_id>/edit/<int:indicator_id>/move",
        views_tree.indicator_move,
        name="indicator_move",
    ),
    path(
        "<int:plan_id>/categories/<int:category_id>/edit/<int:indicator_id>/delete",
        views_tree.indicator_delete,
        name="indicator_delete",
    ),
    path(
        "<int:plan_id>/categories/<int:category_id>/publish-template/",
        views_templates.template_publish,
        name="template_publish",
    ),
    path("<int:plan_id>/templates/", views_templates.templates_index, name="templates"),
    path("<int:plan_id>/templates/<int:template_id>/", views_templates.template_detail, name="template_detail"),
    path("<int:plan_id>/templates/<int:template_id>/adopt", views_templates.template_adopt, name="template_adopt"),
    path("<int:plan_id>/units/", views.plan_units, name="units"),
    path("<int:plan_id>/units/<int:unit_id>/sort-key", views.unit_sort_key, name="unit_sort_key"),
    path("<int:plan_id>/units/<int:unit_id>/leader/", views.unit_leader, name="unit_leader"),
    path("<int:plan_id>/collective-feedback", views_collective.collective_feedback, name="collective_feedback"),
    path("<int:plan_id>/desks/", views.plan_desks, name="desks"),
    path("<int:plan_id>/desks/own-department", views.own_department, name="own_department"),
    path("<int:plan_id>/settings/", views_settings.plan_settings, name="settings"),
    path("<int:plan_id>/problem-kinds/", views_settings.problem_kinds, name="problem_kinds"),
    path("<int:plan_id>/policy/", views_policy.policy_edit, name="policy"),
    path("<int:plan_id>/import/", views.import_upload, name="import"),
    path("<int:plan_id>/import/<int:import_id>/", views.import_preview, name="import_preview"),
    path("<int:plan_id>/import/<int:import_id>/apply", views.import_apply, name="import_apply"),
    path("<int:plan_id>/import/<int:import_id>/options", views.import_options, name="import_options"),
    path("<int:plan_id>/import/<int:import_id>/discard", views.import_discard, name="import_discard"),
    path("<int:plan_id>/publish/", views.publish, name="publish"),
    path("<int:plan_id>/copy/", views.copy_plan, name="copy"),
]
