"""Demo evidence for 材料分析: a few .docx files of 2020 that 市司法局依法行政指导科 (``desk_yfxz``) grades, analysed at
once so that its grid shows hint markers and the 材料分析 page has something to show without a worker running.

- 10.2.1 (2020年度法治政府建设工作安排): 宝丰县's notice, and 郏县's — copied from 宝丰县's with the names changed
  (a near-duplicate across units); 郏县 also filed an old notice of 2019 (dated outside the year).
- 10.2.2 (报送并公开年度法治政府建设工作报告): 郏县's 2019 annual report (the coverage table).

Units without a demo account are used, so that 舞钢市 (``unit_wugang``) starts with nothing filed for the upload tour.

The files are stored like any evidence (``store_stream`` under the submission's prefix) with a 2020 upload time, as
the demo's events are (kaohe/demo/events.py). 文号 and people are placeholders. Idempotent: a unit's task that holds
files already is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from kaohe.accounts.models import User
from kaohe.core.storage import store_stream
from kaohe.insights.services import version_analyse
from kaohe.organisations.roles import Role
from kaohe.plans.constants import Level, Method
from kaohe.plans.models import Indicator, Plan, PlanUnit
from kaohe.submissions.models import EvidenceFile, Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")
DESK = "市司法局依法行政指导科"
PLAN_TASK = "结合实际研究部署法治政府建设年度重点工作"
REPORT_TASK = "报送并公开年度法治政府建设工作报告"

NOTICE_BODY = [
    "各乡（镇）人民政府、街道办事处，{place}人民政府各部门：",
    "《{place}2020年法治政府建设工作要点》已经{place}人民政府同意，现印发给你们，请认真贯彻落实。",
    "{place}2020年法治政府建设工作要点",
    "一、依法全面履行政府职能。深化“放管服”改革，动态调整政府部门权责清单，推进“一网通办”，持续优化法治化营商环境。",
    "二、完善依法行政制度体系。严格执行规范性文件合法性审核机制，开展规范性文件备案审查和集中清理，做到应备尽备。",
    "三、推进行政决策科学化民主化法治化。严格落实重大行政决策程序规定，公布年度重大行政决策事项目录，发挥法律顾问作用。",
    "四、坚持严格规范公正文明执法。全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，组织案卷评查。",
    "五、强化对行政权力的制约和监督。自觉接受人大监督和政协民主监督，认真办理建议提案，深入推进政务公开。",
    "六、依法有效化解社会矛盾纠纷。加强行政复议规范化建设，落实行政机关负责人出庭应诉制度，完善人民调解网络。",
    "七、提高政府工作人员法治思维和依法行政能力。落实政府常务会议会前学法制度，每年举办领导干部法治专题培训。",
    "八、加强组织领导。各单位主要负责人要切实履行推进法治建设第一责任人职责，年底前报送工作落实情况。",
]

OLD_NOTICE_BODY = [
    "各乡（镇）人民政府，郏县人民政府各部门：",
    "为做好2019年度依法行政考核迎检工作，现就有关事项通知如下。",
    "一、各单位要对照考核指标逐项梳理本单位2019年度工作，于12月10日前完成自查。",
    "二、自查材料须加盖单位公章，按指标顺序装订成册，报市司法局备查。",
    "三、市政府督查室将会同市司法局对自查情况进行抽查，对敷衍应付的予以通报。",
]

REPORT = [
    "郏县人民政府文件",
    "郏政〔2020〕9号",
    "郏县人民政府关于2019年度法治政府建设工作情况的报告",
    "平顶山市人民政府：",
    "2019年，我县深入推进依法行政，法治政府建设取得新进展。现将有关情况报告如下。",
    "一、主要工作",
    "（一）依法全面履行政府职能。深化“放管服”改革，公布政府部门权责清单，持续优化营商环境。",
    "（二）完善依法行政制度体系。严格规范性文件合法性审核和备案审查，开展规范性文件清理。",
    "（三）推进行政决策科学化民主化法治化。落实重大行政决策程序规定，发挥政府法律顾问作用。",
    "（四）坚持严格规范公正文明执法。全面推行行政执法三项制度，组织行政执法案卷评查。",
    "（五）强化对行政权力的制约和监督。自觉接受人大监督和政协民主监督，深入推进政务公开。",
    "（六）依法有效化解社会矛盾纠纷。办理行政复议案件12件，人民调解组织实现全覆盖。",
    "（七）全面提高政府工作人员法治思维和依法行政能力。政府常务会议会前学法6次，组织领导干部法治培训2期。",
    "（八）履行推进法治建设第一责任人职责。县长作为第一责任人，主持研究法治政府建设工作4次。",
    "二、存在的问题",
    "部分乡镇执法人员力量薄弱，行政执法规范化水平有待提高。",
    "三、下一步工作打算",
    "下一步，我们将继续深化行政执法体制改革，加强执法人员培训。",
    "",
    "郏县人民政府",
    "2020年3月26日",
]


def _notice(place: str, prefix: str, number: int, sent_on: str) -> list[str]:
    organ = f"{place}人民政府办公室"
    title = f"{organ}关于印发{place}2020年法治政府建设工作要点的通知"
    body = [line.format(place=place) for line in NOTICE_BODY]
    return [f"{organ}文件", f"{prefix}〔2020〕{number}号", title, *body, "", organ, sent_on]


def _old_notice() -> list[str]:
    organ = "郏县人民政府办公室"
    title = f"{organ}关于做好2019年度依法行政考核迎检工作的通知"
    return [f"{organ}文件", "郏政办〔2019〕15号", title, *OLD_NOTICE_BODY, "", organ, "二〇一九年十一月二十日"]


# (unit, task name, file name, paragraphs, uploaded on) — in upload order: the copy is analysed after its original
DEMO_FILES: list[tuple[str, str, str, list[str], dt.date]] = [
    (
        "宝丰县人民政府",
        PLAN_TASK,
        "宝丰县2020年法治政府建设工作要点（示例）.docx",
        _notice("宝丰县", "宝政办", 8, "二〇二〇年三月十六日"),
        dt.date(2020, 3, 20),
    ),
    (
        "郏县人民政府",
        PLAN_TASK,
        "关于做好2019年度依法行政考核迎检工作的通知（示例）.docx",
        _old_notice(),
        dt.date(2020, 3, 20),
    ),
    (
        "郏县人民政府",
        PLAN_TASK,
        "郏县2020年法治政府建设工作要点（示例）.docx",
        _notice("郏县", "郏政办", 11, "二〇二〇年四月二日"),
        dt.date(2020, 4, 7),
    ),
    (
        "郏县人民政府",
        REPORT_TASK,
        "郏县2019年度法治政府建设工作报告（示例）.docx",
        REPORT,
        dt.date(2020, 3, 30),
    ),
]


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _task(plan: Plan, unit: PlanUnit, name: str) -> Indicator | None:
    return Indicator.objects.filter(
        plan=plan,
        category_id=unit.category_id,
        level=Level.TASK,
        method=Method.SUBMISSION,
        name=name,
        assessor__organisation__name=DESK,
    ).first()


def _uploader(unit: PlanUnit) -> User:
    user = User.objects.filter(memberships__organisation=unit.organisation, memberships__role=Role.UNIT).order_by("pk").first()
    return user if user is not None else User.objects.get(username="office")


def _store(plan: Plan, unit: PlanUnit, task: Indicator, name: str, data: bytes, user: User, day: dt.date) -> EvidenceFile:
    stored = store_stream(
        io.BytesIO(data),
        prefix=f"evidence/plan-{plan.pk}/unit-{unit.pk}/task-{task.pk}",
        original_name=name,
        max_bytes=settings.KAOHE_EVIDENCE_MAX_BYTES,
    )
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)
    submission, _ = Submission.objects.get_or_create(plan=plan, unit=unit, task=task)
    version = EvidenceFile(
        submission=submission,
        storage_name=stored.name,
        display_name=stored.display_name,
        size=stored.size,
        sha256=stored.sha256,
        kind=stored.kind,
        mime=stored.mime,
        uploaded_by=user,
        uploaded_at=moment,
    )
    version.full_clean()
    version.save()
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SUBMITTED,
        first_submitted_at=submission.first_submitted_at or moment,
        last_changed_at=moment,
        version=submission.version + 1,
    )
    return version


@transaction.atomic
def load_demo_data(plan: Plan) -> int:
    """Store the demo files and analyse them now (text, facts, duplicates, hints); returns how many were stored."""
    units = {u.organisation.name: u for u in PlanUnit.objects.filter(plan=plan).select_related("organisation")}
    versions: list[EvidenceFile] = []
    filled: set[tuple[int, int]] = set()
    for unit_name, task_name, file_name, paragraphs, day in DEMO_FILES:
        unit = units.get(unit_name)
        task = _task(plan, unit, task_name) if unit is not None else None
        if unit is None or task is None:
            continue
        key = (unit.pk, task.pk)
        if (
            key not in filled
            and EvidenceFile.objects.filter(submission__plan=plan, submission__unit=unit, submission__task=task).exists()
        ):
            continue  # loaded before
        filled.add(key)
        versions.append(_store(plan, unit, task, file_name, _docx(paragraphs), _uploader(unit), day))
    for version in versions:
        version_analyse(version.pk)  # at once, not through the worker: the hints are there when the demo opens
    return len(versions)
