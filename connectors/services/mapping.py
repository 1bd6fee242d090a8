"""A shop's own order file format: which file header holds each column of the order import."""

from __future__ import annotations

from django.utils.translation import gettext as _

from connectors.models import ColumnMapping
from oms.exceptions import DomainError

REQUIRED = ("external_id", "sku", "quantity", "unit_price")


def column_mapping_save(*, connection_id: int, columns: dict[str, str], by=None) -> ColumnMapping:
    columns = {k: (v or "").strip() for k, v in columns.items() if (v or "").strip()}
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise DomainError(
            _("Choose the file's column for: %(cols)s") % {"cols": ", ".join(missing)},
            field_errors={k: [_("This field is required.")] for k in missing},
        )
    mapping, _created = ColumnMapping.objects.update_or_create(
        connection_id=connection_id, defaults={"columns": columns}
    )
    return mapping
