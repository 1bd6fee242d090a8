"""Celery tasks of the orders app: batch allocation, backorders when stock arrives, unpaid cancellation,
completion of delivered orders.

Import rule (no cycle): tasks import the services, never the reverse. A service that sets off one of these
tasks names it: ``oms.dispatch.task_send_on_commit("orders.tasks.<name>", ...)``.
"""

from celery import shared_task

from orders import services


@shared_task(name="orders.tasks.allocate_order_task")
def allocate_order_task(*, order_id: int) -> str:
    """Allocate one approved order (sent after approval commits); safe to run twice."""
    return services._allocate_one(order_id)


@shared_task(name="orders.tasks.allocate_orders_task")
def allocate_orders_task(*, limit: int = 500) -> dict[str, int]:
    """Beat: allocate approved orders in priority order."""
    return services.orders_allocate_pending(limit=limit)


@shared_task(name="orders.tasks.allocate_backorders_task")
def allocate_backorders_task(sku_ids: list[int]) -> dict[str, int]:
    """Sent by name by inventory when stock arrives for ``sku_ids``."""
    return services.orders_allocate_backorders(sku_ids=[int(s) for s in sku_ids])


@shared_task(name="orders.tasks.cancel_unpaid_orders_task")
def cancel_unpaid_orders_task() -> int:
    """Beat: cancel orders left unpaid longer than OMS_UNPAID_CANCEL_MINUTES."""
    return services.orders_cancel_unpaid()


@shared_task(name="orders.tasks.complete_delivered_orders_task")
def complete_delivered_orders_task(*, limit: int = 500) -> dict[str, int]:
    """Beat (hourly): complete delivered orders whose after-sales window has closed and no case is open."""
    return services.orders_complete_due(limit=limit)


@shared_task(name="orders.tasks.orders_sla_review_task")
def orders_sla_review_task(*, limit: int = 500) -> dict[str, int]:
    """Beat (every 10 minutes): late orders move up the queue (SLA rule) and operations get one e-mail."""
    return services.orders_sla_review(limit=limit)
