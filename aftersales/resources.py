"""Export of after-sales cases (CSV / XLSX) through django-import-export."""

from import_export import fields, resources

from aftersales.models import AftersalesCase


class CaseResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="case")
    case_type = fields.Field(column_name="type")
    status = fields.Field(column_name="status")
    order = fields.Field(attribute="order__number", column_name="order")
    channel = fields.Field(attribute="channel__name", column_name="store")
    reason = fields.Field(attribute="reason__name", column_name="reason")
    supplier = fields.Field(attribute="supplier__name", column_name="supplier")
    handler = fields.Field(attribute="handler__username", column_name="handler")
    lines = fields.Field(column_name="lines")
    registered_on = fields.Field(attribute="registered_on", column_name="registered_on")
    supplier_share = fields.Field(attribute="supplier_share", column_name="supplier_share")
    platform_share = fields.Field(attribute="platform_share", column_name="platform_share")
    compensation_total = fields.Field(attribute="compensation_total", column_name="compensation_total")
    return_tracking_number = fields.Field(attribute="return_tracking_number", column_name="return_tracking")

    class Meta:
        model = AftersalesCase
        fields = (
            "number",
            "case_type",
            "status",
            "order",
            "channel",
            "reason",
            "supplier",
            "handler",
            "lines",
            "registered_on",
            "supplier_share",
            "platform_share",
            "compensation_total",
            "return_tracking_number",
        )
        export_order = fields

    def dehydrate_case_type(self, case):
        return str(case.get_case_type_display())

    def dehydrate_status(self, case):
        return str(case.get_status_display())

    def dehydrate_lines(self, case):
        return "; ".join(f"{line.quantity} × {line.sku.code}" for line in case.lines.all())
