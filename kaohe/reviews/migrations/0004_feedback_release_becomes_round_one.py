"""Today's single release per unit becomes that unit's round 1, the final feedback (考核情况反馈).

It carries the score snapshot, as every release did before rounds; an unreleased feedback stays the
unit's draft. The reverse clears the round fields again (the old unique constraint comes back with 0003).
"""

from typing import Any

from django.db import migrations


def number_released(apps: Any, schema_editor: Any) -> None:
    Feedback = apps.get_model("reviews", "Feedback")
    Feedback.objects.filter(released_at__isnull=False).update(number=1, kind="final")


def unnumber(apps: Any, schema_editor: Any) -> None:
    Feedback = apps.get_model("reviews", "Feedback")
    Feedback.objects.update(number=None, kind="problems")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_feedback_round_fields"),
    ]

    operations = [migrations.RunPython(number_released, unnumber)]
