"""Print the role × capability table of docs/permissions.md from kaohe/organisations/roles.py.

Usage: python tools/permissions_doc.py   (paste the output into docs/permissions.md; a test checks they agree)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from kaohe.organisations.roles import CAPABILITIES, ROLE_CAPABILITIES, Role


def capability_table() -> str:
    roles = list(Role)
    lines = ["| 能力 | 说明 | " + " | ".join(r.label for r in roles) + " |", "|---|---|" + "---|" * len(roles)]
    for cap, text in CAPABILITIES.items():
        marks = " | ".join("✓" if cap in ROLE_CAPABILITIES[r] else "" for r in roles)
        lines.append(f"| `{cap}` | {text} | {marks} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(capability_table())
