"""The Django admin is the operators' tool (superusers only) and is Chinese like every page: third-party models
whose admin screens are English and add nothing for an operator are left out of it.

Background task results (django-tasks' database backend) are read from the worker's log and the database
(docs/deploy.md); login lockouts are handled by the 安全管理员 on /accounts/security/ (AXES_ENABLE_ADMIN=False).
"""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
