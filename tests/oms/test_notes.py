"""Notes stored as codes with parameters read in the reader's language; old plain text stays as it was."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from oms.notes import choice_param, money_param, note, note_param, register_notes, render_note

register_notes(
    {
        "tests.held": _("Held: %(reason)s"),
        "tests.amount": _("Amount %(amount)s above the limit"),
        "tests.state": _("Was %(state)s"),
        "tests.plain": _("Cancelled"),
    }
)


def test_a_note_is_rendered_in_the_readers_language():
    stored = note("tests.plain")
    with translation.override("en"):
        assert render_note(stored) == "Cancelled"
    with translation.override("zh-hans"):
        assert render_note(stored) == "已取消"


def test_parameters_are_rendered_too_nested_choices_and_money():
    stored = note(
        "tests.held",
        reason=note_param("tests.amount", amount=money_param(Decimal("12345.60"))),
    )
    with translation.override("en"):
        assert render_note(stored) == "Held: Amount 12,345.60 above the limit"
    state = note("tests.state", state=choice_param("orders.Order.status", "cancelled"))
    with translation.override("en"):
        assert render_note(state) == "Was Cancelled"
    with translation.override("zh-hans"):
        assert render_note(state) == "Was 已取消"  # the test's own text has no translation; the label has


def test_plain_text_and_unknown_codes_are_shown_as_they_are():
    assert render_note("Buyer called, keep it") == "Buyer called, keep it"
    assert render_note("") == ""
    assert render_note(None) == ""
    assert render_note('{"n":"tests.never","p":{}}') == "tests.never"
    with pytest.raises(KeyError):
        note("tests.never")


def test_the_template_filter_needs_no_load():
    out = Template("{{ v|note }}").render(Context({"v": note("tests.plain")}))
    assert out == "Cancelled"


def test_a_note_kept_for_its_plain_values_is_the_text_encoded_afresh():
    from decimal import Decimal

    from oms import notes

    for params in (
        {"code": "SH", "n": 1},
        {"code": "SH", "n": True},
        {"n": 1, "code": "SH"},
        {"x": Decimal("2.50")},
    ):
        first, again = (
            note("inventory.nothing_anywhere", **params),
            note("inventory.nothing_anywhere", **params),
        )
        assert first == again == notes._encoded("inventory.nothing_anywhere", params)
    # 1 and True hash alike but are stored apart; the keyword order is kept
    assert note("inventory.nothing_anywhere", n=1) != note("inventory.nothing_anywhere", n=True)
    assert (
        note("inventory.nothing_anywhere", a=1, b=2) == '{"n":"inventory.nothing_anywhere","p":{"a":1,"b":2}}'
    )
    # nested parameters are encoded each time, as before
    nested = {"items": [{"n": "orders.short_item", "p": {"sku": "A"}}]}
    assert note("inventory.nothing_anywhere", **nested) == notes._encoded(
        "inventory.nothing_anywhere", nested
    )
