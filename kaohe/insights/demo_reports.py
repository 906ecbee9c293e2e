"""Demo annual reports: placeholder 法治政府建设年度报告 of the demo units with accounts, so the office's list and the
coverage table show at once. Files are made here with python-docx; the people are placeholders. Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from kaohe.accounts.models import User
from kaohe.core import audit
from kaohe.core.storage import open_for_download, store_stream
from kaohe.insights.extract import extract_text
from kaohe.insights.models_reports import AnnualReport, AnnualReportVersion
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan, PlanUnit

BEIJING = ZoneInfo("Asia/Shanghai")

COUNTY_REPORT = """\
{name}关于{year}年度法治政府建设工作情况的报告
一、主要工作
（一）依法全面履行政府职能。深化“放管服”改革，公布政府部门权责清单，持续优化营商环境。
（二）完善依法行政制度体系。严格规范性文件合法性审核和备案审查，开展规范性文件清理。
（三）推进行政决策科学化民主化法治化。落实重大行政决策程序规定，发挥政府法律顾问作用。
（四）坚持严格规范公正文明执法。全面推行行政执法三项制度，组织行政执法案卷评查。
（五）强化对行政权力的制约和监督。自觉接受人大监督和政协民主监督，深入推进政务公开。
（六）依法有效化解社会矛盾纠纷。办理行政复议案件12件，人民调解组织实现全覆盖。
（七）全面提高政府工作人员法治思维和依法行政能力。政府常务会议会前学法6次，组织领导干部法治培训2期。
（八）履行推进法治建设第一责任人职责。{post}作为第一责任人，主持研究法治政府建设工作4次。
二、存在的问题
部分乡镇执法人员力量薄弱，行政执法规范化水平有待提高。
三、下一步工作打算
下一步，我们将继续深化行政执法体制改革，加强执法人员培训。
"""

DEPARTMENT_REPORT = """\
{name}{year}年度法治政府建设工作报告
一、依法履行部门职能。公布本部门权责清单，推进政务服务事项网上办理。
二、推进服务型行政执法。加强行政执法规范化建设，统一执法文书；组织执法人员业务培训3期，提升执法能力。
三、开展行政指导。对轻微违法行为开展行政指导，发放提示函40份。
四、加强学法用法。局党组会议会前学法4次，开展普法宣传进社区活动。
五、{post}履行推进法治建设第一责任人职责，听取法治工作汇报2次。
下一步，我局将加强行政复议应诉工作，完善重大执法决定法制审核制度。
"""

# (unit, demo account, template, filed on, published on and where; None: filed, not yet published)
DEMO_REPORTS = [
    (
        "舞钢市人民政府",
        "unit_wugang",
        COUNTY_REPORT,
        dt.date(2021, 3, 12),
        (dt.date(2021, 3, 25), "https://www.example.gov.cn/wugang/fzzf/2020.html"),
    ),
    ("市司法局", "unit_sfj", DEPARTMENT_REPORT, dt.date(2021, 3, 30), None),
]


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def load_demo_data(plan: Plan) -> int:
    """File the demo reports (once); returns how many were filed."""
    filed = 0
    for unit_name, username, template, filed_on, publication in DEMO_REPORTS:
        unit = PlanUnit.objects.select_related("organisation").filter(plan=plan, organisation__name=unit_name).first()
        if unit is None:
            continue
        user = User.objects.filter(
            username=username, memberships__role=Role.UNIT, memberships__organisation=unit.organisation
        ).first()
        if user is None or AnnualReport.objects.filter(plan=plan, unit=unit).exists():
            continue
        text = template.format(name=unit.organisation.name, year=plan.year, post=unit.leader_post or "主要负责人")
        file_name = f"{unit.organisation.name}{plan.year}年度法治政府建设工作报告.docx"
        stored = store_stream(
            io.BytesIO(_docx(text)),
            prefix=f"annual-reports/plan-{plan.pk}/unit-{unit.pk}",
            original_name=file_name,
            max_bytes=settings.KAOHE_EVIDENCE_MAX_BYTES,
        )
        with open_for_download(stored.name) as handle:
            extraction = extract_text("report.docx", handle)  # type: ignore[arg-type]
        report = AnnualReport.objects.create(plan=plan, unit=unit)
        published_on, url = publication if publication else (None, "")
        version = AnnualReportVersion(
            report=report,
            number=1,
            file_name=stored.display_name,
            file_sha256=stored.sha256,
            file_storage_name=stored.name,
            file_size=stored.size,
            publication_url=url,
            published_on=published_on,
            text=extraction.text,
            text_method=extraction.method,
            text_note=extraction.note,
            submitted_by=user,
            submitted_at=dt.datetime.combine(filed_on, dt.time(10, 0), tzinfo=BEIJING),
            late=False,
        )
        version.full_clean()
        version.save()
        audit.record(
            actor=user,
            action="annual_report.submit",
            obj=report,
            plan_id=plan.pk,
            organisation=unit.organisation,
            after={"version": 1, "file": version.file_name, "sha256": version.file_sha256, "publication_url": url, "demo": True},
        )
        filed += 1
    return filed
