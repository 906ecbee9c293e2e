from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from kaohe.core.forms import BoundedDateField, PlanDatesMixin, StyledFormMixin, choice_field
from kaohe.organisations.models import Organisation
from kaohe.results.models import MissingPolicyChoice, ResultRelease, ResultSnapshot
from kaohe.results.services import APPROVER_MAX, COMMENT_MAX, NOTE_MAX, REASON_MAX


class ComputeForm(StyledFormMixin, forms.Form):
    missing_policy = forms.ChoiceField(
        label="缺少评价时", choices=MissingPolicyChoice.choices, initial=MissingPolicyChoice.REPORT, widget=forms.RadioSelect
    )
    decision_note = forms.CharField(
        label="考核办的决定",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选择“按0分计”时必填：写明依据（如会议纪要、批准人、日期）",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing_policy"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        note = (data.get("decision_note") or "").strip()
        if data.get("missing_policy") == MissingPolicyChoice.ZERO and not note:
            self.add_error("decision_note", "缺少的评价按0分计时，须记录考核办的决定")
        data["decision_note"] = note
        return data


class CategoryChoiceForm(forms.Form):
    category = forms.TypedChoiceField(label="类别", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, categories: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = [(str(pk), name) for pk, name in categories]


# --- release: consultation, approval, publication ---------------------------------------------------------


class ReleaseStartForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    snapshot = forms.TypedChoiceField(label="征求意见稿（计算结果）", coerce=int)
    consult_until = BoundedDateField(label="征求意见截止日期")

    def __init__(self, *args: Any, snapshots: list[ResultSnapshot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "snapshot").choices = [
            (str(s.pk), f"第{s.seq}次计算（{timezone.localtime(s.computed_at):%Y-%m-%d %H:%M}，{s.completeness}）")
            for s in snapshots
        ]
        self.fields["snapshot"].error_messages["invalid_choice"] = "请选择一次评价齐全的计算结果"
        self.fields["snapshot"].error_messages["required"] = "请选择作为征求意见稿的计算结果"
        self.fields["consult_until"].error_messages["required"] = "请填写征求意见截止日期"
        self.fields["consult_until"].error_messages["invalid"] = "征求意见截止日期格式不正确"


class CommentForm(StyledFormMixin, forms.Form):
    organisation = forms.TypedChoiceField(label="以哪个单位的名义", coerce=int)
    text = forms.CharField(label="意见", max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organisation").choices = [(str(o.pk), o.name) for o in organisations]
        if organisations:
            self.fields["organisation"].initial = str(organisations[0].pk)
        self.fields["organisation"].error_messages["invalid_choice"] = "请选择本人所在的单位"
        self.fields["text"].error_messages["required"] = "请填写意见"
        self.fields["text"].error_messages["max_length"] = f"意见不能超过 {COMMENT_MAX} 字"


class ApprovalForm(PlanDatesMixin, StyledFormMixin, forms.Form):
    approved_by = forms.CharField(
        label="审定机构或会议",
        max_length=APPROVER_MAX,
        widget=forms.TextInput(attrs={"placeholder": "如：市法治政府建设领导小组第3次会议审定"}),
    )
    approved_on = BoundedDateField(label="审定日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].error_messages["required"] = "请填写审定机构或会议"
        self.fields["approved_on"].error_messages["required"] = "请填写审定日期"
        self.fields["approved_on"].error_messages["invalid"] = "审定日期格式不正确"


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤回理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "撤回公布须写明理由"


class RecipientForm(forms.Form):
    organisation = forms.TypedChoiceField(label="抄送单位", coerce=int)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organisation").choices = [(str(o.pk), o.name) for o in organisations]
        self.fields["organisation"].error_messages["invalid_choice"] = "请选择本区划内尚未抄送的单位"
        self.fields["organisation"].error_messages["required"] = "请选择抄送单位"


class BulletinForm(PlanDatesMixin, StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    bulletin_date = BoundedDateField(label="成文日期", required=False, help_text="留空为公布当天")
    bulletin_imprint_date = BoundedDateField(label="印发日期", required=False, help_text="留空与成文日期相同")

    class Meta:
        model = ResultRelease
        fields = (
            "bulletin_number",
            "bulletin_title",
            "bulletin_addressees",
            "bulletin_opening",
            "bulletin_analysis",
            "bulletin_problem_counts",
            "bulletin_requirements",
            "bulletin_signature",
            "bulletin_date",
            "bulletin_contact",
            "bulletin_imprint",
            "bulletin_imprint_date",
        )
        widgets: ClassVar[dict[str, Any]] = {
            "bulletin_title": forms.Textarea(attrs={"rows": 2}),
            "bulletin_opening": forms.Textarea(attrs={"rows": 3}),
            "bulletin_analysis": forms.Textarea(attrs={"rows": 4}),
            "bulletin_requirements": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts: ClassVar[dict[str, str]] = {
            "bulletin_title": "换行分为两行；留空按默认标题",
            "bulletin_analysis": "考核办撰写的分析，每行一段，印在“三、考核分析评估”中；留空则只列计算所得的数据",
            "bulletin_problem_counts": "勾选后，在“三、考核分析评估”中按问题类型列出件数，如“规范性文件超期报备共N件，其中县区政府X件、部门Y件”（取自考核分析的问题类型统计；公布时固定）",
            "bulletin_requirements": "每行一段；留空按默认的两段工作要求",
            "bulletin_contact": "印在成文日期下，如“张三，0375-1234567”；留空不印",
        }

    def __init__(self, *args: Any, defaults: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in (defaults or {}).items():
            if name in self.fields:
                self.fields[name].widget.attrs["placeholder"] = text
