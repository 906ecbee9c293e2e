"""The one access layer: who may see or change what.

``kaohe.access`` itself is the vocabulary every app uses (``base``: memberships, plan roles, ``can`` /
``require``, ``is_own_unit``, 回避); each domain has its module, importing only its own app and the layers below
it (core → organisations → accounts → plans → submissions → scoring → inspections | reviews → results):

- ``accounts``: region-scoped account administration (三员分立): accounts, lockouts, admin-role grants
- ``audit``: the audit events a region's audit administrator reads
- ``plans``: visible plans, a plan for a page, categories, tree nodes, a user's units and desks, search scope
- ``evidence``: a unit's task and its evidence files (报送资料)
- ``grading``: grading (评价) and adjustments (加减分)
- ``insights``: a submission's 材料分析 (text, duplicates, hints) for its desk and the office; dismissing hints
- ``inspections``: 实地考核, 依法行政能力测试, 案卷集中评查
- ``reviews``: feedback rounds, 复核 requests, 整改 items and reports
- ``results``: snapshots, approval, publication
- ``exchange``: an office's API tokens, trusted keys and imports; what a token may read (kaohe/api)

Views fetch every object through these functions; ``tests/test_access_layer.py`` holds them to it.
"""

from kaohe.access.base import (
    admin_region_ids,
    all_capabilities,
    can,
    conflict_of_interest,
    forget,
    global_roles,
    is_admin_only,
    is_installation_admin,
    is_own_unit,
    managed_organisations,
    managed_region_ids,
    manages_account,
    manages_organisation,
    memberships,
    org_ids_with_role,
    plan_roles,
    register_plan_role,
    registered_plan_ids,
    require,
)

__all__ = [
    "admin_region_ids",
    "all_capabilities",
    "can",
    "conflict_of_interest",
    "forget",
    "global_roles",
    "is_admin_only",
    "is_installation_admin",
    "is_own_unit",
    "managed_organisations",
    "managed_region_ids",
    "manages_account",
    "manages_organisation",
    "memberships",
    "org_ids_with_role",
    "plan_roles",
    "register_plan_role",
    "registered_plan_ids",
    "require",
]
