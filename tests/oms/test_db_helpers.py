"""oms.db's helpers for hot paths: hand-written reads into model instances, and bound statements whose
placeholder conversion is cached however long their text."""

from __future__ import annotations

import pytest
from django.db import connection

from oms import db
from oms.db import ModelColumns, fetch_rows, server_side_binding
from orders.models import Channel, ChannelToken, Customer
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_hand_written_reads_give_the_instances_the_orm_gives():
    keeper = Customer.objects.create(name="王五", phone="13900000001", email="w@example.com")
    merged = Customer.objects.create(
        name="王五 (重复)", phone="13900000002", email="W@example.com", merged_into=keeper
    )
    columns = ModelColumns(Customer)
    rows = fetch_rows(
        f"SELECT {columns.sql('c')}, {columns.sql('m')} FROM orders_customer c "  # noqa: S608 - test SQL
        "JOIN orders_customer m ON m.id = c.merged_into_id WHERE c.id = %s",
        [merged.pk],
    )
    found = columns.take(rows[0])
    columns.relate(found, "merged_into", columns.take(rows[0], columns.width))
    orm = Customer.objects.get(pk=merged.pk)
    assert {f.attname: getattr(found, f.attname) for f in Customer._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in Customer._meta.concrete_fields
    }
    assert found._state.adding is False
    with django_assert_no_queries():
        assert found.merged_into.name == "王五"  # cached as select_related would


def test_json_fields_come_back_decoded():
    from inventory.models import Warehouse
    from tests.factories import WarehouseFactory

    warehouse = WarehouseFactory(code="SH", regions=["上海", "江苏"])
    columns = ModelColumns(Warehouse)
    (row,) = fetch_rows(
        f"SELECT {columns.sql('w')} FROM inventory_warehouse w WHERE w.id = %s", [warehouse.pk]
    )  # noqa: S608
    assert columns.take(row).regions == ["上海", "江苏"]


def test_a_token_is_read_with_its_channel_and_refused_once_revoked():
    channel = ChannelFactory(code="jd")
    token = ChannelToken.objects.create(channel=channel, name="ERP", prefix="abc", key_hash="f" * 64)
    from orders.api_auth import token_by_hash

    found = token_by_hash("f" * 64)
    assert found.pk == token.pk
    assert isinstance(found.channel, Channel) and found.channel.code == "jd"
    ChannelToken.objects.filter(pk=token.pk).update(revoked_at="2026-12-01T00:00:00Z")
    assert token_by_hash("f" * 64) is None  # a revoked token no longer authenticates


def test_a_long_bound_statement_is_converted_once():
    values = ", ".join(["(%s::int)"] * 500)  # > 4 kB and > 50 parameters: psycopg itself would not cache it
    sql = f"SELECT sum(v) FROM (VALUES {values}) AS t(v)"  # noqa: S608 - test SQL
    assert len(sql) > 4096
    before = db._convert_cached.cache_info()
    with server_side_binding(), connection.cursor() as cursor:
        for k in range(3):
            cursor.execute(sql, list(range(k, k + 500)))
            assert cursor.fetchone()[0] == sum(range(k, k + 500))
    after = db._convert_cached.cache_info()
    assert after.misses - before.misses <= 1
    assert after.hits - before.hits >= 2


def django_assert_no_queries():
    from django.test.utils import CaptureQueriesContext

    class _NoQueries(CaptureQueriesContext):
        def __exit__(self, *exc):
            super().__exit__(*exc)
            assert self.captured_queries == []

    return _NoQueries(connection)
