"""Give every existing plan the suggested 问题类型 (new plans get them from plan_create / plan_copy)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS = ("规范性文件超期报备", "行政执法案卷不规范", "未按时报送资料", "信息公开不到位", "其他")


def seed(apps: Any, schema_editor: Any) -> None:
    Plan = apps.get_model("plans", "Plan")
    ProblemKind = apps.get_model("plans", "ProblemKind")
    for plan_id in Plan.objects.values_list("pk", flat=True):
        if not ProblemKind.objects.filter(plan_id=plan_id).exists():
            ProblemKind.objects.bulk_create(
                ProblemKind(plan_id=plan_id, name=name, position=i) for i, name in enumerate(DEFAULTS, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("plans", "0007_problem_kinds")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
