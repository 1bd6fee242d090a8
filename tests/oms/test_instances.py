"""``oms.instances.new_instance`` builds the same unsaved instance as ``Model(**values)``, for every model the
intake builds that way, with the values the intake gives."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models.expressions import DatabaseDefault
from django.db.models.signals import post_init
from django.utils import timezone
from django_fsm_log.models import StateLog

from inventory.models import Reservation
from oms.instances import new_instance
from oms.models import ChangeLog, OutboxMessage
from orders.models import Address, Order, OrderLine, OrderLineAllocation, Payment
from tests.factories import ChannelFactory, CustomerFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _same(model, **values):
    """The two instances' attributes are equal (a default made per instance, such as now(), of the same type
    and within a second), and both are unsaved instances of the model."""
    fast, slow = new_instance(model, **values), model(**values)
    assert type(fast) is model
    assert fast._state.adding is slow._state.adding is True
    assert fast._state.db == slow._state.db  # set by a related object read from the database
    assert fast._state.fields_cache.keys() == slow._state.fields_cache.keys()
    fast_attrs = {k: v for k, v in fast.__dict__.items() if k != "_state"}
    slow_attrs = {k: v for k, v in slow.__dict__.items() if k != "_state"}
    assert fast_attrs.keys() == slow_attrs.keys()
    for name, value in slow_attrs.items():
        if isinstance(value, datetime.datetime) and name not in values:
            assert isinstance(fast_attrs[name], datetime.datetime)
            assert abs(fast_attrs[name] - value) < datetime.timedelta(seconds=1), name
        elif isinstance(value, DatabaseDefault):
            assert isinstance(fast_attrs[name], DatabaseDefault), name
        else:
            assert (fast_attrs[name], type(fast_attrs[name])) == (value, type(value)), name
    return fast


def test_the_intakes_instances_are_the_same_as_the_models_own(ops_user):
    sku = SKUFactory()
    channel = ChannelFactory()
    customer = CustomerFactory()
    address = {"name": "张三", "phone": "13800000000", "province": "浙江省", "city": "杭州市"}
    order = _same(
        Order,
        number="SO-1",
        channel=channel,
        external_id="TB-1",
        source="api",
        reship_of=None,
        customer=customer,
        contact_phone="13800000000",
        address_key="abc",
        province="浙江省",
        placed_at=timezone.now(),
        currency="CNY",
        subtotal=Decimal("59.90"),
        total=Decimal("59.90"),
        is_urgent=False,
        note="",
        created_by=ops_user,
        intake_digest={"lines": "x"},
    )
    # related objects are cached as the descriptors cache them, and the state machine's field is guarded
    assert order.channel is channel and order.customer is customer and order.created_by_id == ops_user.pk
    assert order.status == "pending_payment"
    with pytest.raises(AttributeError):
        order.status = "shipped"
    order.pk = 41
    _same(Address, customer=customer, **address)
    line = _same(
        OrderLine,
        order=order,
        line_no=1,
        sku=sku,
        sku_code=sku.code,
        name="茶",
        quantity=2,
        unit_price=Decimal("1"),
    )
    line.pk = 7
    _same(
        Payment, order=order, method="alipay", amount=Decimal("59.90"), status="paid", paid_at=timezone.now()
    )
    _same(Reservation, sku_id=sku.pk, warehouse_id=3, quantity=2, demand_ref="order-line:7")
    _same(
        OrderLineAllocation,
        line=line,
        warehouse_id=3,
        quantity=2,
        reservation_id=5,
        demand_ref="order-line:7",
    )
    _same(
        StateLog,
        content_type_id=ContentType.objects.get_for_model(Order).pk,
        object_id=41,
        by_id=None,
        state="paid",
        source_state="pending_payment",
        transition="pay",
        description=None,
    )
    _same(ChangeLog, by=None, object_id=41, object_repr="SO-1", action="create", changes={}, note="n")
    _same(OutboxMessage, channel="sms", recipient="13800000000", subject="s", body="b", language="zh-hans")
    _same(OutboxMessage, channel="sms", recipient="1", body="b", status="sent", dedupe_key=None)


def test_an_unknown_keyword_is_refused_as_the_model_refuses_it():
    with pytest.raises(TypeError, match="unexpected keyword"):
        Reservation(quantity=1, colour="red")
    with pytest.raises(TypeError, match="unexpected keyword"):
        new_instance(Reservation, quantity=1, colour="red")


def test_a_model_with_a_post_init_receiver_is_built_by_its_own_init():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Reservation)
    try:
        made = new_instance(Reservation, quantity=3, demand_ref="x")
    finally:
        post_init.disconnect(receiver, sender=Reservation)
    assert seen == [made] and made.quantity == 3
