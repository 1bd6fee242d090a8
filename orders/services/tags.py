"""Tags put on orders by hand (the bulk bar's "Tag"): logged on the order's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.audit import log_changes
from oms.exceptions import DomainError
from oms.notes import note
from orders.models import Tag
from orders.services._common import _locked


@transaction.atomic
def order_tag_add(*, order_id: int, tag_id: int, by=None) -> bool:
    """Put ``tag`` on the order; False when it already had it (nothing logged then)."""
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise DomainError(_("No such tag."))
    order = _locked(order_id)
    if order.tags.filter(pk=tag.pk).exists():
        return False
    order.tags.add(tag)
    log_changes(instance=order, before={}, by=by, action="tag", note=note("orders.tag_added", tag=tag.name))
    return True
