"""The content of a signed export (``results.json``): built from a plan's published results, checked on import.

Pure data: ``build`` turns ``selectors.PublishedResults`` into plain JSON; ``parse`` validates what another
installation sent (types, lengths, counts) with pydantic before anything is stored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kaohe.api.selectors import PublishedResults

FORMAT = "kaohe.published-results"
FORMAT_VERSION = 1
MAX_UNITS = 5000


def plan_uid(fingerprint: str, plan_id: int) -> str:
    """A plan's identity across installations: the exporting installation's key fingerprint and the plan's id."""
    return f"{fingerprint[:16]}:{plan_id}"


def build(results: PublishedResults, *, fingerprint: str, region_path: str) -> dict[str, Any]:
    plan = results.plan
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "source": {"fingerprint": fingerprint},
        "plan": {
            "uid": plan_uid(fingerprint, plan.pk),
            "title": plan.title,
            "year": plan.year,
            "doc_number": plan.doc_number,
            "organiser": plan.organiser.name,
            "region_path": region_path,
        },
        "publication": {
            "published_at": results.publication.published_at.isoformat(),
            "snapshot_seq": results.snapshot_seq,
            "inputs_digest": results.inputs_digest,
        },
        "categories": [
            {
                "name": c.name,
                "full_score": c.full_score,
                "units": [
                    {"name": u.name, "region_path": u.region_path, "final": u.final, "rank": u.rank, "grade": u.grade}
                    for u in c.units
                ],
            }
            for c in results.categories
        ],
    }


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceIn(_Strict):
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")


class PlanIn(_Strict):
    uid: str = Field(max_length=120, pattern=r"^[0-9a-f]{16}:[0-9]{1,12}$")
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100)
    doc_number: str = Field(max_length=100)
    organiser: str = Field(min_length=1, max_length=200)
    region_path: str = Field(max_length=500)


class PublicationIn(_Strict):
    published_at: str = Field(max_length=40)
    snapshot_seq: int = Field(ge=1)
    inputs_digest: str = Field(max_length=64)


class UnitIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    region_path: str = Field(max_length=500)
    final: Decimal | None = Field(default=None, ge=-1000, le=10000, max_digits=9, decimal_places=2)
    rank: int | None = Field(default=None, ge=1, le=100000)
    grade: str | None = Field(default=None, max_length=20)


class CategoryIn(_Strict):
    name: str = Field(min_length=1, max_length=100)
    full_score: str = Field(max_length=20)
    units: list[UnitIn] = Field(max_length=MAX_UNITS)


class ExportIn(_Strict):
    format: Literal["kaohe.published-results"]
    format_version: Literal[1]
    source: SourceIn
    plan: PlanIn
    publication: PublicationIn
    categories: list[CategoryIn] = Field(max_length=100)


class PayloadError(ValueError):
    """The payload does not have the shape of a signed export; the message is Chinese."""


def parse(value: Any) -> ExportIn:
    try:
        parsed = ExportIn.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PayloadError(f"文件内容格式不正确（{where}）") from exc
    if not parsed.plan.uid.startswith(parsed.source.fingerprint[:16] + ":"):
        raise PayloadError("文件中的方案标识与签名平台不一致")
    if sum(len(c.units) for c in parsed.categories) > MAX_UNITS:
        raise PayloadError("文件中的考核对象过多")
    return parsed
