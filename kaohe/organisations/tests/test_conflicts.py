"""回避: the one rule of who may not score which unit, on the small city's organisation line (市司法局 and its sections)."""

from __future__ import annotations

from kaohe.organisations import conflicts
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.roles import Role


def org(name: str) -> Organisation:
    return Organisation.objects.select_related("parent").get(name=name)


def section(name: str) -> Organisation:
    """Another section (内设科室) of 市司法局, as a plan import makes it (kind 内设科室)."""
    from tests import factories as f

    sfj = org("市司法局")
    f.OrganisationFactory(name=name, region=sfj.region, kind=Organisation.Kind.SECTION, parent=sfj)
    return org(name)


def test_the_whole_organisation_line_of_a_department_is_in_conflict(db, plan):
    sfj, yfxz, zcfg = org("市司法局"), org("市司法局依法行政指导科"), section("市司法局政策法规科")
    czj, wugang = org("市财政局"), org("舞钢市人民政府")
    # the unit itself, a section of it, the parent of a section, two sections of one department
    assert conflicts.organisation_conflict(sfj, sfj) == "回避：市司法局就是被评价单位，不能评价本单位（市司法局）"
    assert (
        conflicts.organisation_conflict(yfxz, sfj)
        == "回避：市司法局依法行政指导科是市司法局的内设科室，不能评价本单位（市司法局）"
    )
    assert conflicts.conflicts_with(sfj, yfxz)
    assert "同属市司法局" in conflicts.organisation_conflict(zcfg, section("市司法局法律援助科"))
    # other departments and governments are not
    assert not conflicts.conflicts_with(czj, sfj)
    assert not conflicts.conflicts_with(yfxz, wugang)
    assert not conflicts.conflicts_with(sfj, czj)
    assert not conflicts.conflicts_with(czj, org("市发改委"))


def test_a_person_is_in_conflict_through_any_membership_held_now(personas, plan):
    sfj, czj = org("市司法局"), org("市财政局")
    # reviewer_b (市公安局) has no tie to 市司法局 — until they gain a membership there.
    assert conflicts.person_conflict(personas.reviewer2, sfj) == ""
    assert not conflicts.conflicts_with(personas.reviewer2, sfj)
    Membership.objects.create(user=personas.reviewer2, organisation=section("市司法局法律援助科"), role=Role.VIEWER)
    message = conflicts.person_conflict(personas.reviewer2, sfj)
    assert message.startswith(f"回避：{personas.reviewer2.display_name}在市司法局法律援助科任职")
    assert message.endswith("不能评价本单位（市司法局）")
    assert conflicts.conflicts_with(personas.reviewer2, sfj)
    # the organisation a person was drawn from counts too; an organisation judged separately is ignored
    assert conflicts.person_conflict(personas.field2, czj) != ""
    assert conflicts.person_conflict(personas.field2, czj, ignore=[czj.pk]) == ""
    assert conflicts.person_conflict(personas.field2, sfj, also=[section("市司法局政策法规科")]) != ""
