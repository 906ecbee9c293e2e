"""The shipped nginx file hides the software's versions and passes the client address the app reads."""

from __future__ import annotations

import re
from pathlib import Path

NGINX = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "kaohe.conf"


def _server_blocks(text: str) -> list[str]:
    return re.split(r"\n(?=server \{)", text)[1:]


def test_every_server_block_hides_versions_and_the_app_servers_header():
    text = re.sub(r"#.*", "", NGINX.read_text(encoding="utf-8"))
    blocks = _server_blocks(text)
    assert len(blocks) == 2  # port 80 (redirect) and 443
    for block in blocks:
        assert re.search(r"^\s*server_tokens off;", block, re.M)
    tls = blocks[1]
    assert re.search(r"^\s*proxy_hide_header Server;", tls, re.M)
    assert re.search(r"^\s*proxy_hide_header X-Powered-By;", tls, re.M)
    # kaohe/core/clientip.py takes the client from the right end of X-Forwarded-For: nginx must append to it.
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", tls, re.M)
    assert re.search(r"^\s*proxy_set_header X-Forwarded-Proto \$scheme;", tls, re.M)
