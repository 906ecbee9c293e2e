"""案卷集中评查: reviewers of a plan (more models follow)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from kaohe.core.models import TimeStampedModel
from kaohe.organisations.models import Organisation
from kaohe.plans.models import Plan


class CaseReviewer(TimeStampedModel):
    """A person on the plan's case-review panel; never assigned a file of ``organisation`` (their own)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="case_reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评查员", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "评查员"
        verbose_name_plural = "评查员"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["plan", "user"], name="case_reviewer_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.user}（{self.organisation}）"
