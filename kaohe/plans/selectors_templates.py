"""Reads of the templates pages (指标模板): a plan's published templates, the templates sent down to its office,
a template's rows and who adopted it. The roll-up of results per template task starts from
``template_items_of`` and ``Indicator.template_item``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from kaohe.access.plans import templates_from_above
from kaohe.organisations.regions import region_ids_below
from kaohe.plans.constants import Level
from kaohe.plans.models import Category, Indicator, IndicatorTemplate, Plan, TemplateAdoption, TemplateItem


def template_items_of(template: IndicatorTemplate) -> QuerySet[TemplateItem]:
    """The template's rows in table order (一级, its 二级, their tasks …); each adopted copy points back with
    ``Indicator.template_item`` (``related_name="adopted_indicators"``)."""
    return TemplateItem.objects.filter(template=template).order_by("order", "pk")


def adopted_indicators_of(template: IndicatorTemplate) -> QuerySet[Indicator]:
    """Every node of the lower plans copied from this template (with its plan and the plan's office)."""
    return Indicator.objects.filter(template_item__template=template).select_related("plan__organiser", "template_item")


def _with_counts(templates: QuerySet[IndicatorTemplate]) -> QuerySet[IndicatorTemplate]:
    return templates.select_related("organisation", "category").annotate(
        n_tasks=Count("items", filter=Q(items__level=Level.TASK), distinct=True),
        n_locked=Count("items", filter=Q(items__locked=True), distinct=True),
        n_adoptions=Count("adoptions", distinct=True),
    )


def templates_published_from(plan: Plan) -> QuerySet[IndicatorTemplate]:
    """The templates this plan's office published from this plan, newest first, with their counts."""
    return _with_counts(IndicatorTemplate.objects.filter(plan=plan)).order_by("name", "-version")


@dataclass(frozen=True)
class AvailableTemplate:
    template: IndicatorTemplate
    adopted_in: list[str]  # the categories of this plan that adopted it


def templates_for_adoption(plan: Plan) -> list[AvailableTemplate]:
    """上级下发的模板: templates sent down to the plan's office, with the categories of this plan that took them."""
    rows = list(_with_counts(templates_from_above(plan.organiser)).order_by("organisation__name", "name", "-version"))
    adopted: dict[int, list[str]] = {}
    for template_id, name in TemplateAdoption.objects.filter(plan=plan).values_list("template_id", "category__name"):
        adopted.setdefault(template_id, []).append(name)
    return [AvailableTemplate(t, adopted.get(t.pk, [])) for t in rows]


def template_adoptions(template: IndicatorTemplate) -> QuerySet[TemplateAdoption]:
    """Who adopted this version: the lower offices, their plans and categories (for the publisher)."""
    return TemplateAdoption.objects.filter(template=template).select_related("plan__organiser__region", "category")


def adoptions_of_series(template: IndicatorTemplate) -> QuerySet[TemplateAdoption]:
    """Adoptions of every version of the template's name (the publisher's table: which office took which version)."""
    return (
        TemplateAdoption.objects.filter(template__organisation=template.organisation, template__name=template.name)
        .select_related("plan__organiser__region", "category", "template")
        .order_by("plan__organiser__name", "-template__version")
    )


def category_tasks(category: Category) -> list[Indicator]:
    """The tasks of a category in table order (the publish form's rows)."""
    return list(Indicator.objects.filter(category=category, level=Level.TASK).order_by("order"))


def has_regions_below(plan: Plan) -> bool:
    """Whether the plan's office has lower regions to send a template to (its region has children)."""
    region_id = plan.organiser.region_id
    return bool(region_ids_below({region_id}) - {region_id})
