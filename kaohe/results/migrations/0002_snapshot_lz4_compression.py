"""On PostgreSQL, compress a snapshot's large JSON values with lz4 instead of pglz (when the server has lz4).

A province's snapshot holds about 20 MB of JSON text; lz4 stores it faster, and pages that select one unit's
path decompress it faster. Other databases, and servers without lz4, are left as they are.
"""

from django.db import migrations

COLUMNS = ("inputs", "data")


def _set_compression(method: str):
    def apply(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND %s = ANY(enumvals)", [method])
            if cursor.fetchone() is None:
                return
        table = schema_editor.quote_name("results_resultsnapshot")
        for column in COLUMNS:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(_set_compression("lz4"), _set_compression("pglz"))]
