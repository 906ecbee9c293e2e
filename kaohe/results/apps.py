from typing import ClassVar

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "kaohe.results"
    label = "results"
    verbose_name = "考核结果"
    # Labels of the release's audit actions (results.compute/export/bulletin are in core.views_security).
    audit_labels: ClassVar[dict[str, str]] = {
        "analysis.export": "导出考核分析",
        "results.consultation_open": "发起考核结果征求意见",
        "results.comment": "对征求意见稿提出意见",
        "results.consultation_close": "结束征求意见",
        "results.approve": "记录考核结果审定",
        "results.bulletin_edit": "修改通报内容",
        "results.copy_add": "添加抄送单位",
        "results.copy_remove": "移除抄送单位",
        "results.publish": "公布考核结果",
        "results.reopen": "撤回公布考核结果",
        "results.receipt": "查阅书面送达的考核结果（回执）",
        "results.release_bulletin": "下载通报（送审稿或公布稿）",
        "results.commendation": "下载表彰建议",
        "results.score_sheet": "下载类别评分表",
        "results.use_add": "添加结果运用",
        "results.use_remove": "删除结果运用",
        "results.use_export": "导出结果运用表",
        "rollup.bulletin": "下载下级考核方案公布的通报",
        "practice.mark": "标记典型经验",
        "practice.publish": "发布典型经验",
        "practice.withdraw": "撤回典型经验",
    }

    def ready(self) -> None:
        from kaohe.core.home import register_home_section
        from kaohe.organisations.roles import Role
        from kaohe.plans.hooks import PolicyPreview, register_policy_preview
        from kaohe.plans.todos import register_todos
        from kaohe.results import home, hooks, preview, services_jobs, todos
        from kaohe.results.blockers import (
            open_feedback_rounds,
            open_review_requests,
            pending_bonus_applications,
            register_publication_blocker,
        )
        from kaohe.reviews.hooks import register_bottom_units, register_missing_decision

        register_publication_blocker(open_review_requests)
        register_publication_blocker(open_feedback_rounds)
        register_publication_blocker(pending_bonus_applications)
        register_todos(Role.OFFICE, 40, todos.office_todos)
        register_todos(Role.VIEWER, 10, todos.viewer_todos)
        register_policy_preview(PolicyPreview(latest_snapshot=preview.latest_snapshot, preview=preview.policy_preview))
        register_missing_decision(hooks.missing_decision)
        services_jobs.register()
        register_home_section(home.home_section)
        register_bottom_units(hooks.bottom_units)
