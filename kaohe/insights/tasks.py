"""Background analysis of uploaded files (django-tasks; ``manage.py db_worker`` runs them in production)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from kaohe.insights import services

logger = logging.getLogger(__name__)


@task()
def analyse_version(*, version_id: int) -> str:
    """Text, facts and duplicates of one uploaded file version."""
    outcome = services.version_analyse(version_id)
    return f"extracted={outcome.extracted} hints={outcome.hints} pairs={outcome.pairs}"


def _enqueue(version_id: int) -> None:
    try:
        analyse_version.enqueue(version_id=version_id)
    except Exception:  # the upload stands; the backfill command catches up
        logger.exception("insights: analysis of version %s could not be scheduled", version_id)


def on_version_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    """post_save of EvidenceFile (connected in InsightsConfig.ready()): a new version is analysed after commit."""
    if created and not raw:
        transaction.on_commit(partial(_enqueue, instance.pk))
