"""Write requirements.lock: every package of the tree (requirements-dev.txt and what it pulls in) pinned with the
SHA-256 of the exact file pip installs here, so `make install` can run `pip install --require-hashes`.

Usage (after changing requirements*.txt):  .venv/bin/python tools/lock_requirements.py
It downloads the tree into a temporary folder with the project's pip (same indexes as `make install`).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME_VERSION = re.compile(r"^(?P<name>[A-Za-z0-9_.]+?)-(?P<version>[0-9][^-]*?)(-|\.tar\.gz$|\.zip$)")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "-r", str(ROOT / "requirements-dev.txt"), "-d", folder],
            check=True,
        )
        lines = []
        for path in sorted(Path(folder).iterdir(), key=lambda p: p.name.lower()):
            match = NAME_VERSION.match(path.name)
            if match is None:
                raise SystemExit(f"cannot read name and version of {path.name}")
            name = match["name"].replace("_", "-").lower()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{name}=={match['version']} \\\n    --hash=sha256:{digest}")
    header = (
        "# The whole dependency tree with hashes: `make install` installs exactly this (pip --require-hashes).\n"
        "# Generated from requirements-dev.txt by tools/lock_requirements.py; do not edit by hand.\n"
    )
    (ROOT / "requirements.lock").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"requirements.lock: {len(lines)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
