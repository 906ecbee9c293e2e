"""Record where the unkeyed (legacy) part of an existing audit chain ends.

Events written before the chain was keyed were sealed with plain SHA-256 and cannot be re-sealed without
changing every digest an auditor may have written down. They stay as they are, and verify by the old rule up
to this boundary; every later event is an HMAC with the audit key. A new installation has no events: 0.
"""

from typing import Any

from django.db import migrations


def record_boundary(apps: Any, schema_editor: Any) -> None:
    head_model = apps.get_model("core", "AuditChainHead")
    head = head_model.objects.filter(singleton=1).first()
    if head is not None and head.last_seq:
        head.legacy_until_seq = head.last_seq
        head.save(update_fields=["legacy_until_seq"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_key_and_checkpoints")]

    operations = [migrations.RunPython(record_boundary, migrations.RunPython.noop)]
