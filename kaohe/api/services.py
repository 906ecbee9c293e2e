"""Writes of the exchange: API tokens (create, revoke, each use), trusted keys, signed exports and their import.

Tokens: the secret is ``kh_`` + 43 random characters, shown once; only its SHA-256 is stored (a secret of 256
random bits needs no slow hash). Every use of a token is an audit event (``api.token_use``), and so is every
refused use of a known token (revoked or expired).

Import of a signed file: the signer's key must be one the office registered (TrustedKey); the digest and the
Ed25519 signature must match; the content must have the export's shape. The same file again changes nothing; a
different version for the same plan is kept as a new version awaiting the office's confirmation, never
replacing the current one silently.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kaohe.access.exchange import require_office_of
from kaohe.accounts.models import User
from kaohe.api import payload, selectors, signing
from kaohe.api.models import ApiToken, ImportedResult, ImportStatus, ResultImport, Scope, TrustedKey
from kaohe.core import audit
from kaohe.core.text import clean_text
from kaohe.organisations.models import Organisation
from kaohe.plans.models import Plan

TOKEN_PREFIX = "kh_"  # noqa: S105 (a marker, not a secret)
MAX_TOKENS = 50


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_create(
    *, actor: User, organisation: Organisation, name: str, scopes: list[str], expires_on: dt.date | None = None
) -> NewToken:
    """A new token of ``organisation`` (its 考核办 only). The secret is in the result and nowhere else."""
    require_office_of(actor, organisation)
    name = clean_text(name, "名称", 100)
    wanted = sorted(set(scopes))
    if not wanted or any(s not in Scope.values for s in wanted):
        raise ValidationError("请至少选择一项权限范围")
    now = timezone.now()
    expires_at = None
    if expires_on is not None:
        if expires_on <= timezone.localdate():
            raise ValidationError("有效期须晚于今天")
        expires_at = dt.datetime.combine(expires_on, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True).count() >= MAX_TOKENS:
            raise ValidationError(f"本单位有效的接口令牌已达 {MAX_TOKENS} 个，请先吊销不用的令牌")
        token = ApiToken(
            organisation=organisation,
            name=name,
            scopes=wanted,
            prefix=secret[:10],
            secret_hash=hash_secret(secret),
            created_by=actor,
            created_at=now,
            expires_at=expires_at,
        )
        token.full_clean()
        token.save()
        audit.record(
            actor=actor,
            action="api.token_create",
            obj=token,
            organisation=organisation,
            after={"name": name, "scopes": token.scope_labels, "prefix": token.prefix, "expires_at": expires_at},
        )
    return NewToken(token, secret)


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke at once: the next request with it is refused (401)."""
    require_office_of(actor, token.organisation)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError("该令牌已吊销")
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.full_clean()
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=actor, action="api.token_revoke", obj=token, organisation=token.organisation, after={"prefix": token.prefix}
        )
    return token


def token_authenticate(*, secret: str, method: str, path: str) -> ApiToken | None:
    """The valid token with this secret, its use recorded; None (and, for a known token, a refusal recorded)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = selectors.token_by_hash(hash_secret(secret))
    if token is None:
        return None
    now = timezone.now()
    refused = "已吊销" if token.revoked_at is not None else "已过期" if token.expires_at and token.expires_at <= now else ""
    with transaction.atomic():
        if refused:
            audit.record(
                actor=None,
                action="api.token_refused",
                obj=token,
                organisation=token.organisation,
                after={"method": method, "path": path[:300], "reason": refused},
            )
            return None
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit.record(
            actor=None,
            action="api.token_use",
            obj=token,
            organisation=token.organisation,
            after={"method": method, "path": path[:300]},
        )
    token.last_used_at = now
    return token


# --- trusted keys -----------------------------------------------------------------------------------------


def trusted_key_add(*, actor: User, organisation: Organisation, name: str, public_key: str) -> TrustedKey:
    """Register another installation's public key (Base64 or PEM) as trusted for this office's imports."""
    require_office_of(actor, organisation)
    name = clean_text(name, "来源平台名称", 200)
    try:
        raw = signing.parse_public_key(public_key)
    except signing.SignedFileError as exc:
        raise ValidationError(str(exc)) from exc
    fingerprint = signing.fingerprint_of(raw)
    with transaction.atomic():
        if selectors.trusted_key_by_fingerprint(organisation, fingerprint) is not None:
            raise ValidationError("该公钥已登记")
        key = TrustedKey(
            organisation=organisation,
            name=name,
            public_key=base64.b64encode(raw).decode(),
            fingerprint=fingerprint,
            added_by=actor,
            added_at=timezone.now(),
        )
        key.full_clean()
        key.save()
        audit.record(
            actor=actor,
            action="api.key_trust",
            obj=key,
            organisation=organisation,
            after={"name": name, "fingerprint": fingerprint},
        )
    return key


# --- signed export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedExport:
    content: bytes
    digest: str
    filename: str


def results_export(*, actor: User | None, plan: Plan) -> SignedExport:
    """The signed file of the plan's published results. ``actor`` None: the management command (operator)."""
    if actor is not None:
        from kaohe import access

        access.require(actor, "results:publish", plan)
    results = selectors.published_results(plan)
    if results is None:
        raise ValidationError("考核结果尚未公布：只能导出已公布的考核结果")
    key = signing.own_public_key()
    region_path = selectors.region_paths([plan.organiser.region_id])[plan.organiser.region_id]
    content, digest = signing.pack(payload.build(results, fingerprint=key.fingerprint, region_path=region_path))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="api.results_export",
            obj=plan,
            plan_id=plan.pk,
            organisation=plan.organiser,
            after={"digest": digest, "snapshot_seq": results.snapshot_seq},
        )
    return SignedExport(content, digest, f"{plan.year}-{plan.title}-考核结果签名导出.zip")


# --- import -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    result_import: ResultImport
    created: bool


def result_import(*, actor: User, organisation: Organisation, data: bytes) -> ImportOutcome:
    """Check and store a signed file; the same file again changes nothing (``created`` False)."""
    require_office_of(actor, organisation)
    try:
        opened = signing.open_signed(data)
        key = selectors.trusted_key_by_fingerprint(organisation, opened.fingerprint)
        if key is None:
            raise signing.SignedFileError(
                f"签名公钥（指纹 {opened.fingerprint[:16]}…）未登记为受信任公钥，拒绝导入：请先核实对方平台的公钥并登记"
            )
        parsed = payload.parse(signing.verify(opened, base64.b64decode(key.public_key)))
        published_at = dt.datetime.fromisoformat(parsed.publication.published_at)
    except (signing.SignedFileError, payload.PayloadError) as exc:
        raise ValidationError(str(exc)) from exc
    except ValueError as exc:
        raise ValidationError("文件内容格式不正确（公布时间）") from exc
    if published_at.tzinfo is None:
        raise ValidationError("文件内容格式不正确（公布时间）")
    with transaction.atomic():
        # Two uploads of the same file or of versions of the same plan carry the same key (a plan's identity
        # starts with its signer's fingerprint): locking the key's row makes them take turns.
        TrustedKey.objects.select_for_update().filter(pk=key.pk).first()
        existing = selectors.import_by_digest(organisation, opened.digest)
        if existing is not None:
            return ImportOutcome(existing, False)
        version = selectors.latest_version(organisation, parsed.plan.uid) + 1
        now = timezone.now()
        record = ResultImport(
            organisation=organisation,
            key=key,
            source_plan=parsed.plan.uid,
            version=version,
            status=ImportStatus.CURRENT if version == 1 else ImportStatus.PENDING,
            digest=opened.digest,
            plan_title=parsed.plan.title,
            plan_year=parsed.plan.year,
            organiser_name=parsed.plan.organiser,
            region_path=parsed.plan.region_path,
            published_at=published_at,
            imported_by=actor,
            imported_at=now,
            confirmed_by=actor if version == 1 else None,
            confirmed_at=now if version == 1 else None,
        )
        record.full_clean()
        record.save()
        rows = [
            ImportedResult(
                result_import=record,
                position=position,
                category=category.name,
                organisation_name=unit.name,
                region_path=unit.region_path,
                final=unit.final,
                rank=unit.rank,
                grade=unit.grade or "",
            )
            for position, (category, unit) in enumerate(((c, u) for c in parsed.categories for u in c.units), start=1)
        ]
        ImportedResult.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="api.results_import",
            obj=record,
            organisation=organisation,
            after={
                "source_plan": record.source_plan,
                "version": version,
                "digest": record.digest,
                "units": len(rows),
                "status": record.status,
            },
        )
    return ImportOutcome(record, True)


def result_import_confirm(*, actor: User, result_import: ResultImport) -> ResultImport:
    """Make a pending version the current one; the former current version is kept, marked superseded."""
    require_office_of(actor, result_import.organisation)
    with transaction.atomic():
        record = ResultImport.objects.select_for_update().get(pk=result_import.pk)
        if record.status != ImportStatus.PENDING:
            raise ValidationError("只有待确认的新版本需要确认")
        current = (
            ResultImport.objects.select_for_update()
            .filter(organisation=record.organisation, source_plan=record.source_plan, status=ImportStatus.CURRENT)
            .first()
        )
        if current is not None:
            current.status = ImportStatus.SUPERSEDED
            current.save(update_fields=["status"])
        record.status = ImportStatus.CURRENT
        record.confirmed_by = actor
        record.confirmed_at = timezone.now()
        record.full_clean()
        record.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.record(
            actor=actor,
            action="api.import_confirm",
            obj=record,
            organisation=record.organisation,
            before={"current_version": current.version if current else None},
            after={"current_version": record.version},
        )
    return record
