from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_rectification"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="feedback", name="feedback_once_per_unit"),
        migrations.AddField(
            model_name="feedback",
            name="number",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="轮次"),
        ),
        migrations.AddField(
            model_name="feedback",
            name="kind",
            field=models.CharField(
                choices=[("problems", "问题反馈"), ("final", "考核情况反馈")],
                default="problems",
                max_length=16,
                verbose_name="反馈类型",
            ),
        ),
    ]
