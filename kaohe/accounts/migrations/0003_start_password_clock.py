"""Start the password-age clock for accounts that predate it: an unknown change time becomes now.

Without this, expiry would count from ``date_joined`` and long-standing accounts would all be sent to
the password page at once on upgrade. Reverse: nothing to undo (the times stay).
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(password_changed_at__isnull=True).update(password_changed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
