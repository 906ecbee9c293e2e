"""The initial-password sheet of a bulk creation: shown once as a page and once as .xlsx, then gone.

The passwords are never stored in clear: the database keeps their hashes only (``User.password``). For the one
showing they travel in the administrator's own session (the session table is in the database), sealed with
AES-GCM under a key derived from ``SECRET_KEY`` for this purpose only and bound to the administrator's id, and
for at most ``TTL`` after the creation. Opening the page takes the page's part, downloading the .xlsx the
download's part; when both are taken (or the time is up, or the administrator says 已发放) the sealed list is
dropped and only the count and the time remain, so a second visit says the passwords were already handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils import timezone

SESSION_KEY = "kaohe_password_sheet"
TTL = dt.timedelta(minutes=30)
PAGE, XLSX = "page", "xlsx"
_CONTEXT = b"kaohe.accounts.password_sheet.v1"


@dataclass(frozen=True)
class Issued:
    """One created account and its initial password, for the sheet only."""

    organisation: str
    display_name: str
    username: str
    password: str

    def as_row(self) -> tuple[str, str, str, str]:
        return (self.organisation, self.display_name, self.username, self.password)


@dataclass(frozen=True)
class SheetState:
    count: int
    created_at: dt.datetime
    source: str
    available: set[str]  # parts not yet taken (page, xlsx); empty: handed out


def _key() -> bytes:
    return hmac.new(str(settings.SECRET_KEY).encode("utf-8"), _CONTEXT, hashlib.sha256).digest()


def _aad(owner_id: int) -> bytes:
    return f"{owner_id}".encode("ascii") + b"|" + _CONTEXT


def _seal(entries: list[Issued], owner_id: int) -> str:
    nonce = secrets.token_bytes(12)
    plain = json.dumps([e.as_row() for e in entries], ensure_ascii=False).encode("utf-8")
    return urlsafe_b64encode(nonce + AESGCM(_key()).encrypt(nonce, plain, _aad(owner_id))).decode("ascii")


def _open(token: str, owner_id: int) -> list[Issued] | None:
    try:
        raw = urlsafe_b64decode(token.encode("ascii"))
        plain = AESGCM(_key()).decrypt(raw[:12], raw[12:], _aad(owner_id))
    except (InvalidTag, ValueError):
        return None
    return [Issued(*row) for row in json.loads(plain)]


def store(session: Any, *, owner_id: int, entries: list[Issued], source: str) -> None:
    """Put a new sheet in the session (replacing an older one, whose passwords are then lost: reset them)."""
    session[SESSION_KEY] = {
        "sealed": _seal(entries, owner_id) if entries else "",
        "owner": owner_id,
        "count": len(entries),
        "created_at": timezone.now().isoformat(),
        "source": source,
        "available": [PAGE, XLSX] if entries else [],
    }


def state(session: Any, *, owner_id: int) -> SheetState | None:
    data = session.get(SESSION_KEY)
    if not data or data.get("owner") != owner_id:
        return None
    created_at = dt.datetime.fromisoformat(data["created_at"])
    available = set(data.get("available", []))
    if timezone.now() - created_at > TTL and data.get("sealed"):  # too late: drop the passwords now
        session[SESSION_KEY] = {**data, "sealed": "", "available": []}
        available = set()
    return SheetState(count=int(data["count"]), created_at=created_at, source=str(data.get("source", "")), available=available)


def take(session: Any, *, owner_id: int, part: str) -> list[Issued] | None:
    """The entries for this showing (``page`` or ``xlsx``), once; None when already taken, expired or absent."""
    current = state(session, owner_id=owner_id)
    data = session.get(SESSION_KEY)
    if current is None or part not in current.available or not data:
        return None
    entries = _open(data["sealed"], owner_id)
    remaining = sorted(current.available - {part})
    data = {**data, "available": remaining}
    if not remaining or entries is None:
        data.update(sealed="", available=[])
    session[SESSION_KEY] = data
    return entries


def drop(session: Any, *, owner_id: int) -> bool:
    """已发放: forget the sealed passwords now. Returns whether anything was still there."""
    data = session.get(SESSION_KEY)
    if not data or data.get("owner") != owner_id or not data.get("sealed"):
        return False
    session[SESSION_KEY] = {**data, "sealed": "", "available": []}
    return True
