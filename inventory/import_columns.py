"""Columns of the inventory imports (``manage.py import skus|suppliers|stock``): English key, Chinese header,
an example and what each takes. The importers accept either header; the templates are built from these."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.import_templates import TemplateColumn

SKU_COLUMNS = (
    TemplateColumn("code", "SKU编码", "SKU-0001", _("Unique SKU code"), True),
    TemplateColumn("product_code", "商品编码", "P-TEA", _("The product's code")),
    TemplateColumn("product_name", "商品名称", "龙井茶", _("Text")),
    TemplateColumn("category", "类目", "tea", _("Text")),
    TemplateColumn("name", "规格", "250g", _("Variant name")),
    TemplateColumn("barcode", "条码", "6900000000011", _("Digits of the barcode")),
    TemplateColumn("price", "售价", "59.90", _("An amount, e.g. 59.90")),
    TemplateColumn("weight_g", "重量(克)", 250, _("Whole grams")),
)
SUPPLIER_COLUMNS = (
    TemplateColumn("code", "供应商编码", "SUP-01", _("Unique supplier code"), True),
    TemplateColumn("name", "供应商名称", "宁波杯业", _("Text"), True),
    TemplateColumn("contact_name", "联系人", "王经理", _("Text")),
    TemplateColumn("phone", "电话", "13812345678", _("A phone number")),
    TemplateColumn("email", "邮箱", "sales@example.com", _("An e-mail address")),
)
STOCK_COLUMNS = (
    TemplateColumn("sku", "SKU编码", "SKU-0001", _("A SKU code of the catalogue"), True),
    TemplateColumn("warehouse", "仓库编码", "SH", _("A warehouse code"), True),
    TemplateColumn("counted", "盘点数量", 120, _("A whole number, 0 or more"), True),
    TemplateColumn("reference", "单据号", "COUNT-2026-11", _("Text")),
)
