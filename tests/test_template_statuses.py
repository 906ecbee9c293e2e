"""Templates compare statuses with the models' enums, never with string literals (issue 16, item 4).

``{% if item.status == 'reported' %}`` silently stops matching when a value is renamed; ``item.status ==
enums.RectificationItemStatus.REPORTED`` names the enum (``kaohe.core.template_enums``). A misspelt enum or member
renders as nothing, so every ``enums.X.Y`` of the templates must exist too.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from kaohe.core.template_enums import template_enums

ROOT = Path(settings.BASE_DIR)
# `x.status == "a"`, `status != 'b'`, and the literal on the left: `"a" == x.status`.
LITERAL_COMPARISON = re.compile(
    r"""\b[\w.]*status\s*(?:==|!=)\s*["']|["']\s*(?:==|!=)\s*[\w.]*status\b""",
)
ENUM_REFERENCE = re.compile(r"\benums\.(\w+)(?:\.(\w+))?")


def template_files() -> list[Path]:
    files = sorted([*ROOT.joinpath("kaohe").rglob("*.html"), *ROOT.joinpath("templates").rglob("*.html")])
    assert len(files) > 50  # the walk found the templates
    return files


def literal_comparisons(text: str) -> list[str]:
    return [line.strip()[:160] for line in text.splitlines() if LITERAL_COMPARISON.search(line)]


def test_the_check_catches_a_literal() -> None:
    assert literal_comparisons('{% if item.status == "open" %}x{% endif %}')
    assert literal_comparisons("{% elif row.state.status != '待签收' %}")
    assert literal_comparisons("{% if 'open' == item.status %}")
    assert not literal_comparisons("{% if item.status == enums.RectificationItemStatus.OPEN %}")
    assert not literal_comparisons("{{ item.get_status_display }}")


def test_no_template_compares_a_status_with_a_string_literal() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {line}"
        for path in template_files()
        for line in literal_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert not found, "compare with enums.<Model><Enum>.<MEMBER> instead:\n" + "\n".join(found)


def test_every_enum_a_template_names_exists() -> None:
    enums = template_enums()
    missing = [
        f"{path.relative_to(ROOT)}: enums.{name}" + (f".{member}" if member else "")
        for path in template_files()
        for name, member in ENUM_REFERENCE.findall(path.read_text(encoding="utf-8"))
        if name not in enums or (member and member not in enums[name])
    ]
    assert not missing, "\n".join(missing)


def test_enum_members_compare_equal_to_stored_values() -> None:
    template = Template("{% if item.status == enums.RectificationItemStatus.REPORTED %}yes{% else %}no{% endif %}")
    enums = template_enums()
    assert template.render(Context({"enums": enums, "item": {"status": "reported"}})) == "yes"
    assert template.render(Context({"enums": enums, "item": {"status": "open"}})) == "no"
    assert str(enums["CategoryStatus"]["COMPLETE"]) == "complete"
