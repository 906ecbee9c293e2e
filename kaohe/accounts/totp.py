"""Time-based one-time passwords (RFC 6238, via pyotp): secrets, their encryption at rest, codes and QR codes.

Secrets are encrypted with AES-256-GCM before they reach the database (等保: 鉴别信息 are protected in
storage). The key is derived from ``KAOHE_TOTP_ENCRYPTION_KEY`` when set, else from ``SECRET_KEY``;
``KAOHE_TOTP_ENCRYPTION_KEY_FALLBACKS`` / ``SECRET_KEY_FALLBACKS`` are tried when reading, so a key can
be rotated. A row's user id is bound into the ciphertext, so a secret copied to another row does not open.
If no key opens a secret, the device is unusable and the security administrator resets it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import time

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PREFIX = "v1:"
_CONTEXT = b"kaohe.accounts.totp.v1"
CODE_DIGITS = 6
VALID_WINDOW = 1  # accept the previous and the next 30-second step (clock drift)


class SecretUnreadable(Exception):
    """No configured key opens the stored secret (the key was changed without a fallback)."""


def now() -> float:
    """The clock codes are checked against (tests replace it to stay within one 30-second step)."""
    return time.time()


def _key_material() -> list[str]:
    own = str(getattr(settings, "KAOHE_TOTP_ENCRYPTION_KEY", "") or "")
    if own:
        return [own, *[str(k) for k in getattr(settings, "KAOHE_TOTP_ENCRYPTION_KEY_FALLBACKS", []) or []]]
    return [str(settings.SECRET_KEY), *[str(k) for k in getattr(settings, "SECRET_KEY_FALLBACKS", []) or []]]


def _keys() -> list[bytes]:
    return [hmac.new(material.encode("utf-8"), _CONTEXT, hashlib.sha256).digest() for material in _key_material()]


def _aad(user_id: int) -> bytes:
    return f"kaohe-totp:{user_id}".encode()


def encrypt(secret: str, *, user_id: int) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_keys()[0]).encrypt(nonce, secret.encode("ascii"), _aad(user_id))
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, user_id: int) -> str:
    if not token.startswith(_PREFIX):
        raise SecretUnreadable("unknown format")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :].encode("ascii"))
    nonce, sealed = raw[:12], raw[12:]
    for key in _keys():
        try:
            return AESGCM(key).decrypt(nonce, sealed, _aad(user_id)).decode("ascii")
        except InvalidTag:
            continue
    raise SecretUnreadable("no configured key opens this secret")


def new_secret() -> str:
    """160 random bits in base32 (what authenticator apps expect)."""
    return pyotp.random_base32(length=32)


def normalise_code(code: str) -> str:
    return "".join(code.split())


def matching_step(secret: str, code: str, *, last_step: int | None) -> int | None:
    """The time step the code belongs to, or None if it is wrong, expired, or was already used."""
    code = normalise_code(code)
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    try:
        step = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now(), valid_window=VALID_WINDOW)
    except pyotp.OTPVerificationError:
        return None
    if last_step is not None and step <= last_step:
        return None  # replay: this code (or an older one) has been accepted before
    return int(step)


def code_at(secret: str, step_offset: int = 0) -> str:
    """The code for the current step (plus an offset); used by tests and nothing else."""
    generator = pyotp.TOTP(secret)
    return generator.generate_otp(generator.timecode(now()) + step_offset)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as an SVG QR code in a data: URI (the CSP allows data: images, not inline scripts)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
