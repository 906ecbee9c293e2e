"""Run the benchmarks by name (``make bench`` runs this without arguments: the pages bench).

Usage:  .venv/bin/python bench/run.py                    # pages: every main page against the framework floor
        .venv/bin/python bench/run.py results_scale      # one or more by name, each with its default options
        .venv/bin/python bench/run.py all                # every bench, one after the other (PostgreSQL needed)
        .venv/bin/python bench/run.py pages --requests 5 # options after a single name go to that bench

Each bench is its own script in bench/ with its own docstring; this only starts them. The figures and how to read
them are in docs/performance.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHES = {
    "pages": "every main page's CPU ms, queries and HTML bytes against the framework floor (SQLite, ~5 min)",
    "results_scale": "results of 3,000 units × 120 tasks against a SQL aggregate (PostgreSQL, ~1 min)",
    "mixed_load": "100 simulated users on a 300-unit plan, gunicorn (PostgreSQL, ~7 min)",
    "upload_rush": "the deadline rush of evidence uploads against a raw WSGI app (PostgreSQL, gunicorn)",
}
DEFAULT = ["pages"]


def main(argv: list[str]) -> int:
    if argv and argv[0] in {"-h", "--help", "list"}:
        print(__doc__)
        for name, what in BENCHES.items():
            print(f"  {name:<14} {what}")
        return 0
    split = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, extra = argv[:split] or DEFAULT, argv[split:]
    if names == ["all"]:
        names = list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown bench: {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    if extra and len(names) != 1:
        print("options go to one bench at a time: bench/run.py NAME --option …", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== bench/{name}.py {' '.join(extra)}".rstrip(), flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
