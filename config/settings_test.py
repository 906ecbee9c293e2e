"""Settings for the test suite: the production settings with a throwaway secret and plain static storage.

DATABASE_URL still decides the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("KAOHE_TESTING", "1")

from config.settings import *  # noqa: F403
