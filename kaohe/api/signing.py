"""The signed file of a plan's published results: the installation's Ed25519 key pair, packing and checking.

The file is a zip holding ``results.json`` (the payload, canonical JSON) and ``signature.json`` (algorithm, the
signer's public key and fingerprint, the payload's SHA-256 and the Ed25519 signature of the payload's bytes).
The zip is built with fixed timestamps and Ed25519 signatures are deterministic, so exporting the same
publication twice gives the same bytes: importing it again changes nothing.

The private key lives in ``settings.KAOHE_EXCHANGE_KEY_FILE`` (under KAOHE_VAR_DIR by default), made on first use
with mode 0600; only its public key leaves the server.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"
PAYLOAD_NAME = "results.json"
SIGNATURE_NAME = "signature.json"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_MEMBER_BYTES = 20 * 1024 * 1024
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class SignedFileError(ValueError):
    """The file is not a signed export this installation can accept; the message says why, in Chinese."""


def _key_path() -> Path:
    return Path(settings.KAOHE_EXCHANGE_KEY_FILE)


def private_key() -> Ed25519PrivateKey:
    """The installation's signing key, made (0600) on first use."""
    path = _key_path()
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} does not hold an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(raw: bytes) -> str:
    """The SHA-256 of the raw 32-byte public key, in hex: how a key is named and compared."""
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class PublicKeyInfo:
    base64: str
    fingerprint: str
    pem: str


def own_public_key() -> PublicKeyInfo:
    public = private_key().public_key()
    raw = raw_public(public)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return PublicKeyInfo(base64.b64encode(raw).decode(), fingerprint_of(raw), pem)


def parse_public_key(text: str) -> bytes:
    """The raw 32 bytes of an Ed25519 public key given as Base64 (as shown on the page) or as a PEM block."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise SignedFileError("不是 Ed25519 公钥")
            return raw_public(key)
        raw = base64.b64decode(text, validate=True)
    except SignedFileError:
        raise
    except ValueError as exc:
        raise SignedFileError("公钥格式不正确：请粘贴对方平台显示的 Base64 公钥或 PEM 公钥文件的内容") from exc
    if len(raw) != 32:
        raise SignedFileError("公钥格式不正确：Ed25519 公钥应为 32 字节")
    return raw


def canonical(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def pack(payload: Any) -> tuple[bytes, str]:
    """The signed zip of ``payload`` and the payload's SHA-256."""
    body = canonical(payload)
    key = private_key()
    raw = raw_public(key.public_key())
    digest = hashlib.sha256(body).hexdigest()
    signature = {
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw).decode(),
        "fingerprint": fingerprint_of(raw),
        "sha256": digest,
        "signature": base64.b64encode(key.sign(body)).decode(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in ((PAYLOAD_NAME, body), (SIGNATURE_NAME, canonical(signature))):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), digest


@dataclass(frozen=True)
class Opened:
    """What a signed file says before its key is looked up: check ``verify`` against a trusted key next."""

    body: bytes
    digest: str
    public_key: bytes
    fingerprint: str
    signature: bytes
    claimed_digest: str


def open_signed(data: bytes) -> Opened:
    """Read the two members of a signed zip; raises SignedFileError (Chinese) on anything malformed."""
    if len(data) > MAX_FILE_BYTES:
        raise SignedFileError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB），不是考核结果导出文件")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {i.filename: i for i in archive.infolist()}
            if set(infos) != {PAYLOAD_NAME, SIGNATURE_NAME}:
                raise SignedFileError("文件内容不完整：应只包含 results.json 和 signature.json")
            if any(i.file_size > MAX_MEMBER_BYTES for i in infos.values()):
                raise SignedFileError("文件内容过大，拒绝导入")
            body = archive.read(PAYLOAD_NAME)
            meta = json.loads(archive.read(SIGNATURE_NAME))
    except SignedFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise SignedFileError("文件不是有效的签名导出文件（应为本平台导出的 .zip 文件）") from exc
    if not isinstance(meta, dict) or meta.get("algorithm") != ALGORITHM:
        raise SignedFileError("签名信息不完整或签名算法不是 Ed25519")
    try:
        public = base64.b64decode(str(meta["public_key"]), validate=True)
        signature = base64.b64decode(str(meta["signature"]), validate=True)
        claimed = str(meta["sha256"])
    except (KeyError, ValueError) as exc:
        raise SignedFileError("签名信息不完整或格式不正确") from exc
    if len(public) != 32 or len(signature) != 64:
        raise SignedFileError("签名信息格式不正确")
    return Opened(body, hashlib.sha256(body).hexdigest(), public, fingerprint_of(public), signature, claimed)


def verify(opened: Opened, trusted_raw: bytes) -> Any:
    """Check digest and signature against the trusted key's raw bytes; the parsed payload."""
    if opened.public_key != trusted_raw:
        raise SignedFileError("签名公钥与登记的受信任公钥不一致，拒绝导入")
    if opened.digest != opened.claimed_digest:
        raise SignedFileError("文件内容与签名中的摘要不一致：文件可能被改动，拒绝导入")
    try:
        Ed25519PublicKey.from_public_bytes(trusted_raw).verify(opened.signature, opened.body)
    except InvalidSignature as exc:
        raise SignedFileError("签名验证未通过：文件可能被改动，拒绝导入") from exc
    try:
        return json.loads(opened.body)
    except ValueError as exc:
        raise SignedFileError("文件内容不是有效的 JSON") from exc
