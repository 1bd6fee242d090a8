"""Amounts are grouped for the reader's locale on screens (¥12,345.60 in Chinese too); exports keep numbers."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from tests.factories import SKUFactory, order_through_services


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_and_numbers_are_grouped_in_both_languages(language):
    template = Template("{{ a|money }} {{ b|money }} {{ c|num }} {{ d|money }}|{{ e|money }}")
    with translation.override(language):
        out = template.render(
            Context({"a": Decimal("498437.6"), "b": -1234, "c": 12000, "d": "n/a", "e": None})
        )
    assert out == "498,437.60 -1,234.00 12,000 n/a|"


@pytest.mark.django_db
def test_the_order_page_shows_grouped_amounts_in_chinese(client_for, ops_user):
    ops_user.language = "zh-hans"
    ops_user.save()
    order = order_through_services(lines=[(SKUFactory(), 2, "6172.80")], shipped=False)
    page = client_for(ops_user).get(f"/orders/{order.pk}/").content.decode()
    assert "12,345.60" in page
    assert "12345.60" not in page
