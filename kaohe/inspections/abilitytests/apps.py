from typing import ClassVar

from django.apps import AppConfig


class AbilitytestsConfig(AppConfig):
    name = "kaohe.inspections.abilitytests"
    label = "abilitytests"
    verbose_name = "依法行政能力测试"
    # Chinese labels of this app's audit actions (merged into the audit log browser's table).
    audit_labels: ClassVar[dict[str, str]] = {
        "abilitytest.roster_save": "保存测试人员名册（新版本）",
        "abilitytest.bank_upload": "上传题库（待确认）",
        "abilitytest.bank_apply": "导入题库",
        "abilitytest.bank_discard": "放弃题库导入",
        "abilitytest.create": "新建能力测试",
        "abilitytest.draw": "抽取测试人员",
        "abilitytest.paper": "组卷",
        "abilitytest.replay": "复核抽取（重算）",
        "abilitytest.open": "开考（生成测试码）",
        "abilitytest.code_reissue": "重新生成测试码",
        "abilitytest.close": "结束测试",
        "abilitytest.start": "测试人员开始答题",
        "abilitytest.submit": "测试人员交卷",
        "abilitytest.oral_score": "现场提问评分",
        "abilitytest.mark": "简答题阅卷",
        "abilitytest.record": "能力测试计入考核得分",
        "abilitytest.sitting_create": "新建统一考试场次",
        "abilitytest.sitting_roster": "导入统一考试考生名单",
        "abilitytest.sitting_paper": "统一考试组卷",
        "abilitytest.sitting_open": "统一考试开考（生成测试码）",
        "abilitytest.sitting_close": "结束统一考试",
        "abilitytest.sitting_record": "统一考试成绩计入考核得分",
    }
