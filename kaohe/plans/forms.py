from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from kaohe.core.dates import year_date_bounds
from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, model_choice_field
from kaohe.organisations.models import Organisation
from kaohe.plans.models import PlanImport


class PlanCreateForm(StyledFormMixin, forms.Form):
    organiser = forms.ModelChoiceField(label="组织单位", queryset=Organisation.objects.none(), empty_label=None)
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="方案名称", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=100, required=False)
    # The plan does not exist yet: the window is that of the year typed above (2000–2100 until it is valid).
    period_start = BoundedDateField(label="考核期间起", window=None)
    period_end = BoundedDateField(label="考核期间止", window=None)

    def __init__(self, *args: Any, organisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organiser").queryset = organisers
        try:
            year = self.fields["year"].clean(self.data.get("year")) if self.is_bound else None
        except ValidationError:
            year = None
        if year is not None:
            for name in ("period_start", "period_end"):
                cast(BoundedDateField, self.fields[name]).set_bounds(year_date_bounds(year))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "考核期间止不能早于考核期间起")
        return data


class ImportUploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=PlanImport.Kind.choices)
    file = forms.FileField(label="文件（.xlsx；指标表也可为旧版 .xls 或 Word .docx）")
    category_name = forms.CharField(
        label="考核对象类别", max_length=100, required=False, help_text="导入指标体系时填写，如“县区政府”“部门1”"
    )
    full_score = forms.DecimalField(
        label="类别满分",
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal(100),
        required=False,
        help_text="该类别按多少分制考核；指标合计不足时按实际满分换算",
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.KAOHE_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限 {limit // 1024 // 1024} MB")
        if upload.size == 0:
            raise forms.ValidationError("文件是空的")
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".xls", ".docx")):
            raise forms.ValidationError("请上传 Excel 表格（.xlsx/.xls）或 Word 文档（.docx）；旧版 .doc 请先另存为 .docx")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        other_format = upload is not None and (upload.name or "").lower().endswith((".docx", ".xls"))
        if other_format and data.get("kind") != PlanImport.Kind.INDICATORS:
            self.add_error("file", "只有指标表可以是 Word 文档或旧版 .xls；考核对象名单和考核主体联系表请上传 .xlsx")
        if data.get("kind") == PlanImport.Kind.INDICATORS:
            if not (data.get("category_name") or "").strip():
                self.add_error("category_name", "导入指标体系时须填写考核对象类别")
            if data.get("full_score") is None:
                data["full_score"] = Decimal(100)
        return data


class ImportApplyForm(StyledFormMixin, forms.Form):
    accept_warnings = forms.BooleanField(label="我已逐条核对以上警告，确认接受并导入", required=False)
    create_accounts = forms.BooleanField(label="同时为填写了督导平台登录账号的单位新建登录账号", required=False)


class PublishForm(StyledFormMixin, forms.Form):
    accept_warnings = forms.BooleanField(label="我已逐条核对以上问题，确认接受并发布", required=False)


class SortKeyForm(StyledFormMixin, forms.Form):
    sort_key = forms.CharField(label="排序码", max_length=200, required=False)


class UnitLeaderForm(StyledFormMixin, forms.Form):
    """主要负责人 of a unit in this plan's year."""

    leader_name = forms.CharField(
        label="主要负责人姓名", max_length=50, required=False, error_messages={"max_length": "姓名不能超过50个字符"}
    )
    leader_post = forms.CharField(
        label="职务",
        max_length=100,
        required=False,
        help_text="如：市长、县长、局长",
        error_messages={"max_length": "职务不能超过100个字符"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("leader_post") or "").strip() and not (data.get("leader_name") or "").strip():
            self.add_error("leader_name", "请填写主要负责人姓名")
        return data


class PlanCopyForm(StyledFormMixin, forms.Form):
    """复制方案至下一年度: the new plan's title and 文号 (the year is the source's plus one)."""

    title = forms.CharField(label="新方案名称", max_length=200, error_messages={"required": "请填写新方案的名称"})
    doc_number = forms.CharField(label="文号", max_length=100, required=False, help_text="新年度方案的文号，可稍后填写")


class PlanSettingsForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    """方案设置: title, 文号, period, timeline, member units and copy recipients (services_settings)."""

    title = forms.CharField(label="方案名称", max_length=200, error_messages={"required": "请填写方案名称"})
    doc_number = forms.CharField(label="文号", max_length=100, required=False)
    period_start = BoundedDateField(label="考核期间起", error_messages={"required": "请填写考核期间起"})
    period_end = BoundedDateField(label="考核期间止", error_messages={"required": "请填写考核期间止"})
    submission_deadline = BoundedDateField(
        label="资料报送截止", required=False, help_text="各任务未单独规定时限的，以此为报送截止日期"
    )
    case_files_deadline = BoundedDateField(label="集中评查材料截止", required=False)
    daily_scores_deadline = BoundedDateField(
        label="日常考核评分截止",
        required=False,
        help_text="过此日期，考核主体不能再录入或修改“日常掌握”任务的评分（复核改分除外）；如需延后，请在此修改并说明理由",
    )
    feedback_deadline = BoundedDateField(
        label="问题反馈截止",
        required=False,
        help_text="考核办在此日期前向各考核对象逐一反馈问题（如“5月8日前”）；临近或逾期时首页提醒尚未反馈的单位数",
    )
    consultation_days = forms.IntegerField(
        label="征求意见期(天)",
        min_value=1,
        max_value=60,
        help_text="发起征求意见时，截止日期默认为当天起算的天数",
        error_messages={"required": "请填写征求意见期", "invalid": "征求意见期须为整数天"},
    )
    office_contact_name = forms.CharField(
        label="考核办联系人", max_length=50, required=False, help_text="考核对象和考核主体遇到问题时联系的人，显示在方案首页"
    )
    office_contact_phone = forms.CharField(label="考核办联系电话", max_length=50, required=False)
    office_contact_address = forms.CharField(label="考核办联系地址", max_length=200, required=False)
    member_organisations = forms.ModelMultipleChoiceField(
        label="成员单位",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="法治政府建设领导小组成员单位：可查看已发布的方案，并参与考核结果征求意见",
    )
    copy_organisations = forms.ModelMultipleChoiceField(
        label="抄送单位",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="考核结果公布时抄送的单位；发起征求意见时带入，公布前仍可在“结果审定与公布”页调整",
    )
    reason = forms.CharField(
        label="修改理由",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="方案发布后修改须填写，将记入日志并通知受影响的考核对象和考核主体",
    )

    def __init__(self, *args: Any, organisations: Any, copy_organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {"member_organisations": organisations, "copy_organisations": copy_organisations}
        for name, queryset in choices.items():
            field = cast("forms.ModelMultipleChoiceField[Organisation]", self.fields[name])
            field.queryset = queryset
            field.error_messages["invalid_choice"] = "只能选择本区划的单位（考核对象不必抄送）"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "考核期间止不能早于考核期间起")
        return data


class SearchForm(forms.Form):
    """The navbar's search box (GET): units, tasks and evidence files by name or code."""

    MIN_LENGTH = 2

    q = forms.CharField(
        label="搜索",
        min_length=MIN_LENGTH,
        max_length=100,
        error_messages={
            "required": "请输入要搜索的内容。",
            "min_length": f"请至少输入 {MIN_LENGTH} 个字。",
            "max_length": "搜索内容不能超过 100 个字。",
        },
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": "考核对象、工作任务编号或名称、文件名"}
        ),
    )


class ProblemKindForm(forms.Form):
    """Add a 问题类型 (``name``) or retire one (``retire``: its id)."""

    name = forms.CharField(
        label="新增问题类型", required=False, max_length=60, error_messages={"max_length": "问题类型的名称不能超过 60 字"}
    )
    retire = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": "问题类型无效，请刷新页面"})


class CollectiveFeedbackForm(forms.Form):
    """集中反馈要求 of a 考核对象 (services_collective): a note, or ``withdraw`` to take the request back."""

    note = forms.CharField(label="集中反馈要求", max_length=500, required=False)
    withdraw = forms.BooleanField(required=False)
