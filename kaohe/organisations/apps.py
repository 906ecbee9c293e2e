from typing import ClassVar

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "kaohe.organisations"
    label = "organisations"
    verbose_name = "组织机构"
    # Chinese labels of this app's audit actions added since views_security.ACTION_LABELS (merged there).
    audit_labels: ClassVar[dict[str, str]] = {"membership.move": "调动角色（变更所属单位）"}

    def ready(self) -> None:
        from kaohe.access.audit import audit_scope
        from kaohe.access.base import require
        from kaohe.core.backup import register_restore_pause
        from kaohe.core.capabilities import register_audit_scope, register_require
        from kaohe.core.home import register_home_section
        from kaohe.core.notifications import register_members_lookup
        from kaohe.organisations import home, selectors, signals  # signals connects membership audit receivers

        register_restore_pause(signals.restore_pause)
        register_require(require)
        register_audit_scope(audit_scope)
        register_home_section(home.home_section)
        register_members_lookup(selectors.member_ids)
