# Lean indexes on orders and order lines: every order taken in writes an entry in each index of these tables.
# The single-column indexes of orders.customer, orderline.order and orderline.sku are served by composite
# indexes that start with the same column; reship_of, split_from, merged_into and created_by are NULL on
# most orders, so they are indexed only where set. Only the indexes change in the database: Django's own
# AlterField would drop and re-add each foreign key, checking every row of a large table again.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_merge_0003_notes_as_codes_0004_merge_20261203_1505"),
        ("orders", "0011_merge_20261203_1554"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="orders.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_orders",
                        to="orders.order",
                        verbose_name="merged into",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="reship_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reships",
                        to="orders.order",
                        verbose_name="reship of",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="split_from",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="splits",
                        to="orders.order",
                        verbose_name="split from",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="orders.order",
                        verbose_name="order",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="sku",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="inventory.sku",
                        verbose_name="SKU",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_created_by_id_d5f5e69c"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_order_created_by_id_d5f5e69c" ON "orders_order" ("created_by_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_customer_id_0b76f6a4"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_order_customer_id_0b76f6a4" ON "orders_order" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_merged_into_id_6ae73b15"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_order_merged_into_id_6ae73b15" ON "orders_order" ("merged_into_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_reship_of_id_65b062c0"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_order_reship_of_id_65b062c0" ON "orders_order" ("reship_of_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_order_split_from_id_ab3539c1"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_order_split_from_id_ab3539c1" ON "orders_order" ("split_from_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_orderline_order_id_17f8f3ef"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_orderline_order_id_17f8f3ef" ON "orders_orderline" ("order_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "orders_orderline_sku_id_0e23d12e"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "orders_orderline_sku_id_0e23d12e" ON "orders_orderline" ("sku_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("reship_of__isnull", False)),
                fields=["reship_of"],
                name="order_reship_of_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("split_from__isnull", False)),
                fields=["split_from"],
                name="order_split_from_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="order_merged_into_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="order_created_by_idx",
            ),
        ),
    ]
