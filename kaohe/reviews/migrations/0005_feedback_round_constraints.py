from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_feedback_release_becomes_round_one"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.UniqueConstraint(
                condition=models.Q(("released_at__isnull", True)), fields=("unit",), name="feedback_one_draft_per_unit"
            ),
        ),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.UniqueConstraint(fields=("unit", "number"), name="feedback_round_number_per_unit"),
        ),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "final"), ("released_at__isnull", False)),
                fields=("unit",),
                name="feedback_final_once_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.CheckConstraint(
                condition=models.Q(("released_at__isnull", True), ("number__isnull", False), _connector="OR"),
                name="feedback_released_round_numbered",
            ),
        ),
    ]
