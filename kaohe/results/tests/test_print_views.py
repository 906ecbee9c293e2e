"""Print views of the ranking and of one unit's breakdown: the stylesheet's print rules and the pages' title line."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from kaohe.results import services

ROOT = Path(__file__).resolve().parents[3]


def _print_block() -> str:
    css = (ROOT / "static/css/kaohe.css").read_text(encoding="utf-8")
    start = css.index("/* Print views of the results")
    return css[start:]


def test_the_print_stylesheet_hides_navigation_buttons_and_forms_and_repeats_header_rows() -> None:
    block = _print_block()
    assert re.search(r"@page kaohe-landscape\s*\{[^}]*size: A4 landscape", block)
    assert "page: kaohe-landscape" in block
    media = block[block.index("@media print") :]
    hidden = media[: media.index("display: none !important")]
    for selector in (".kaohe-print .nav", ".kaohe-print .btn", ".kaohe-print form", ".kaohe-print .kaohe-no-print"):
        assert selector in hidden, selector
    assert re.search(r"\.kaohe-print thead\s*\{\s*display: table-header-group", media)
    assert re.search(r"\.kaohe-print \.kaohe-print-title\s*\{\s*display: block", media)
    assert re.search(r"\.kaohe-print-title\s*\{\s*display: none", block)  # on screen the title line is hidden
    assert re.search(r"\.kaohe-print \.table-responsive\s*\{\s*overflow: visible", media)


def test_the_print_button_needs_no_inline_script() -> None:
    script = (ROOT / "static/js/print.js").read_text(encoding="utf-8")
    assert "[data-print]" in script and "window.print()" in script
    for name in ("snapshot.html", "breakdown.html"):
        template = (ROOT / "kaohe/results/templates/results" / name).read_text(encoding="utf-8")
        assert "onclick" not in template and "js/print.js" in template and 'class="kaohe-print"' in template


def test_ranking_and_breakdown_carry_the_print_title(personas, plan, graded_dept1) -> None:
    snapshot = services.results_compute(actor=personas.office, plan=plan, missing_policy="report")
    wangxin = graded_dept1[0]
    client = personas.client(personas.office)

    ranking = client.get(reverse("results:snapshot", args=[plan.pk, snapshot.pk]), {"category": wangxin.category_id})
    html = ranking.content.decode()
    title = re.search(r'data-testid="print-title">([^<]+)<', html)
    assert title is not None
    assert title.group(1) == f"{plan.title} · {wangxin.category.name}考核结果排名"
    assert f"第{snapshot.seq}次计算" in html and "打印日期：" in html
    assert 'data-print data-testid="print"' in html

    breakdown = client.get(reverse("results:breakdown", args=[plan.pk, snapshot.pk, wangxin.pk]))
    html = breakdown.content.decode()
    title = re.search(r'data-testid="print-title">([^<]+)<', html)
    assert title is not None
    assert title.group(1) == f"{plan.title} · {wangxin.category.name} · 市委网信办得分明细"
    assert "打印日期：" in html and 'data-testid="print"' in html
