"""Settings for the test suite: the production settings with a throwaway secret and plain static storage.

DATABASE_URL still decides the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("KAOHE_TESTING", "1")
os.environ.setdefault("KAOHE_AUDIT_KEY", "test-only-audit-key-not-for-production-0123456789")
# Never the developer's var/audit-anchors.log: one (absent) file per test process; tests that write checkpoints
# point KAOHE_AUDIT_ANCHOR_FILE at their own tmp_path.
os.environ.setdefault("KAOHE_AUDIT_ANCHOR_FILE", os.path.join(tempfile.gettempdir(), f"kaohe-test-anchors-{os.getpid()}.log"))
# Never the developer's signing key: one per test process (the exchange tests use their own tmp_path keys).
os.environ.setdefault(
    "KAOHE_EXCHANGE_KEY_FILE", os.path.join(tempfile.gettempdir(), f"kaohe-test-exchange-key-{os.getpid()}.pem")
)

from config.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not ":memory:": the browser tests' live-server threads then open their own connections
    # instead of sharing the test thread's (which Django's threaded server cannot close cleanly).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kaohe.sqlite3")}  # noqa: F405
