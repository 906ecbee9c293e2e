from decimal import Decimal

import pytest

from kaohe.core.templatetags.kaohe import cn_ordinal, pts


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("2.50"), "2.5"), (Decimal("1.00"), "1"), (Decimal("0.25"), "0.25"), (Decimal("100"), "100"), (None, ""), (0, "0")],
)
def test_points_are_shown_as_written(value, shown):
    assert pts(value) == shown


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (4, "四"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_chinese_ordinals(n, text):
    assert cn_ordinal(n) == text
