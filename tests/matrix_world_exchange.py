"""Objects of the matrix world for 数据交换 (kaohe/api): a token of the office and an import of its own signed file.

``add_exchange(world, plan, office)`` is called with one line at the end of ``matrix_world.build_world``, once the
results are published. The office trusts its own installation's key here only so that the world holds an import.
"""

from __future__ import annotations

from typing import Any


def add_exchange(world: Any, plan: Any, office: Any) -> None:
    from kaohe.api import services, signing
    from kaohe.api.models import Scope

    organisation = plan.organiser
    made = services.token_create(actor=office, organisation=organisation, name="省平台汇总", scopes=[Scope.PLANS_READ])
    world.ids["token_id"] = made.token
    key = signing.own_public_key()
    services.trusted_key_add(actor=office, organisation=organisation, name="本平台（矩阵测试）", public_key=key.base64)
    signed = services.results_export(actor=office, plan=plan)
    world.ids["result_import_id"] = services.result_import(
        actor=office, organisation=organisation, data=signed.content
    ).result_import
