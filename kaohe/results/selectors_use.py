"""Result use (结果运用), reads: the plan's receiving assessments, and the export in each one's shape.

The export takes the plan's **published** snapshot only (the one of the publication in force): an unpublished
computation never leaves the platform this way. Per unit, ``weighted points = final score ÷ full score ×
receiving total × weight ÷ 100``, computed in exact ``Decimal`` and rounded once, to 2 places half-up
(``ROUND_HALF_UP``: 9.125 → 9.13). The score and full score are the snapshot's own (already 2 places).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell

from kaohe.core import xlsx_write
from kaohe.plans.models import Plan
from kaohe.results import selectors
from kaohe.results.models import ResultPublication, ResultSnapshot
from kaohe.results.models_use import ResultUse, UseColumn

CENT = Decimal("0.01")


def uses_of(plan: Plan) -> QuerySet[ResultUse]:
    """The plan's receiving assessments, in the order they were added (with who added them)."""
    return ResultUse.objects.filter(plan=plan).select_related("created_by").order_by("created_at", "pk")


def weighted_points(final: Decimal, full_score: Decimal, total: Decimal, weight: Decimal) -> Decimal:
    """The unit's points in the receiving assessment: final ÷ full × total × weight ÷ 100, 2 places half-up."""
    if full_score <= 0:
        return Decimal(0).quantize(CENT)
    return (final / full_score * total * weight / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UseRow:
    category: str
    unit: str
    score: Decimal | None
    full_score: Decimal
    rank: int | None
    grade: str
    weight: Decimal
    weighted: Decimal | None

    def value(self, column: str) -> Any:
        return getattr(self, column)


def use_rows(use: ResultUse, snapshot: ResultSnapshot) -> list[UseRow]:
    """Every unit of the published snapshot, category by category in rank order."""
    data, inputs = ResultSnapshot.objects.filter(pk=snapshot.pk).values_list("data", "inputs").get()
    rows: list[UseRow] = []
    for table in selectors.all_category_tables(data, inputs):
        full = Decimal(table.full_score)
        for row in table.rows:
            final = None if row.final is None else Decimal(row.final)
            rows.append(
                UseRow(
                    category=table.name,
                    unit=row.name,
                    score=final,
                    full_score=full,
                    rank=row.rank,
                    grade=row.grade or "",
                    weight=use.weight,
                    weighted=None if final is None else weighted_points(final, full, use.total_points, use.weight),
                )
            )
    return rows


NUMBERS = {UseColumn.SCORE, UseColumn.FULL_SCORE, UseColumn.WEIGHT, UseColumn.WEIGHTED}


def use_workbook(plan: Plan, use: ResultUse, publication: ResultPublication) -> bytes:
    """The published results in the receiving assessment's shape, as .xlsx bytes (numbers as exact Decimals)."""
    snapshot = publication.snapshot
    columns = [c for c in use.columns if c in UseColumn.values]
    workbook = xlsx_write.new_workbook(write_only=True)
    sheet = workbook.create_sheet(use.name[:28] or "结果运用")
    widths = [28 if c in (UseColumn.UNIT, UseColumn.CATEGORY) else 12 for c in columns]
    published = timezone.localtime(publication.published_at).strftime("%Y-%m-%d")
    lines = [
        f"接收考核：{use.name}　权重：{use.weight}%　接收考核总分值：{use.total_points}",
        f"依据：{published} 公布的第{snapshot.seq}次计算结果　"
        "折算分值 = 最终得分 ÷ 满分 × 总分值 × 权重 ÷ 100（保留两位小数，四舍五入）",
    ]
    xlsx_write.widths(sheet, widths)
    xlsx_write.print_setup(sheet, header_row=len(lines) + 2, freeze_column=1)
    xlsx_write.title_rows(sheet, f"{plan.title}考核结果运用", lines, columns=len(columns))
    xlsx_write.header(sheet, [UseColumn(c).label for c in columns])
    for row in use_rows(use, snapshot):
        cells: list[Any] = []
        for column in columns:
            value = row.value(column)
            if column in NUMBERS and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.00"
                cells.append(cell)
            elif column in (UseColumn.UNIT, UseColumn.CATEGORY):
                cells.append(xlsx_write.text_cell(sheet, value))
            else:
                cells.append(value)
        xlsx_write.append(sheet, cells)
    return xlsx_write.save(workbook)
