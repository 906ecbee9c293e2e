"""docs/permissions.md shows exactly the role × capability table the code enforces."""

from __future__ import annotations

from pathlib import Path

from tools.permissions_doc import capability_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_capability_table_in_docs_matches_roles_module():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- capability-table:start -->") + len("<!-- capability-table:start -->")
    end = text.index("<!-- capability-table:end -->")
    assert text[start:end].strip() == capability_table(), "docs/permissions.md is stale: run tools/permissions_doc.py"
