"""Plans' section of the home page: the person's plans and their to-do list (``todos.py``).

Registered in ``PlansConfig.ready()`` through ``core.home.register_home_section``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaohe import access
from kaohe.plans import selectors
from kaohe.plans.todos import todos_for_user


def home_section(request: HttpRequest) -> dict[str, Any]:
    cards = selectors.plan_cards_for_user(request.user)
    return {
        "plan_cards": cards,
        "todos": todos_for_user(request.user, [card.plan for card in cards]),
        "can_create_plan": access.can(request.user, "plan:create"),
    }
