"""Benchmark: a 1,000-line pick list PDF against the SAME layout built the obvious way, each in its own process.

Run: .venv/bin/python bench/picklist_pdf.py [--lines 1000] [--repeat 3] [--pages-to DIR]

Like for like: "obvious" prints what the pick list prints — the header with the wave's barcode, warehouse,
carrier, parcel and unit counts, then every line with its number, bin, SKU, quantity, tick box, item name
and the SKU's Code128 barcode, 10 mm a row — built the way one writes it first: one HTML table over all
pages (repeated header row) and one inline SVG barcode (python-barcode) per row. "picklist" is the shipped
renderer (fulfillment.pdf: monospaced rows in blocks, one barcode image per block). A bare table without
barcodes or header ("bare") and the sort list are timed for information. ``--pages-to`` writes page 1 of
both as PNG (pdftoppm) so the two layouts can be compared by eye.
Prints render time (best of --repeat, median too), peak RSS of each child, pages, ratios, load average.
Aims: pick list < 5 s, < 300 MB, faster than the obvious build of the same layout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = ["纯棉T恤 红色 L码", "保温杯 500ml 白色", "蓝牙耳机 降噪版", "儿童雨靴 24码", "不锈钢锅 28cm"]

BARE_TEMPLATE = """{% extends "pdf/base.html" %}{% block body %}<table><thead><tr><th>#</th><th>Bin</th>
<th>SKU</th><th>Item</th><th class="num">Qty</th></tr></thead><tbody>{% for row in rows %}<tr><td>{{ row.n }}</td>
<td>{{ row.location }}</td><td>{{ row.sku }}</td><td>{{ row.name }}</td><td class="num">{{ row.quantity }}</td></tr>
{% endfor %}</tbody></table>{% endblock %}"""


# The pick list's layout (templates/fulfillment/pdf/picklist.html) written the obvious way.
OBVIOUS_TEMPLATE = """{% extends "pdf/base.html" %}{% load i18n %}{% block style %}
@page { @top-left { content: "{% translate 'Pick list' %} {{ wave.number }}"; font-size: 8pt; color: #555; } }
.top { position: relative; min-height: 18mm; } .top .wbc { position: absolute; right: 0; top: 0; }
.wbc svg { height: 10mm; width: auto; } td.bcell svg { height: 6mm; width: auto; display: block; }
td { height: 7.6mm; font-size: 10.5pt; } td.q { text-align: right; font-weight: bold; }
{% endblock %}{% block body %}<div class="top"><h1>{% translate "Pick list" %} {{ wave.number }}</h1>
<div class="wbc">{{ wave_barcode }}</div>
<div>{% translate "Warehouse" %}: {{ wave.warehouse }} · {% translate "Carrier" %}: {{ wave.carrier }}</div>
<div class="muted">{{ wave.parcels }} · {{ wave.units }} · {% translate "Printed" %} {{ printed_at|date:"Y-m-d H:i" }}</div>
</div><h2>{% translate "Consolidated pick: walk the bins in this order" %}</h2>
<table><thead><tr><th>#</th><th>{% translate "Bin" %}</th><th>{% translate "SKU" %}</th>
<th class="num">{% translate "Qty" %}</th><th>✓</th><th>{% translate "Item" %}</th><th></th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.n }}</td><td><b>{{ row.location }}</b></td><td>{{ row.sku }}</td>
<td class="q">{{ row.quantity }}</td><td>[  ]</td><td>{{ row.name }}</td><td class="bcell">{{ row.barcode }}</td></tr>
{% endfor %}</tbody></table>{% endblock %}"""


def render_obvious(wave: dict, pick_rows: list[dict]) -> bytes:
    from django.template import engines
    from django.utils import timezone
    from weasyprint import HTML

    from oms.pdf import PDF_FONT_STACK, barcode_svg

    rows = [
        {**r, "n": n, "name": r["name"][:30], "barcode": barcode_svg(r["sku"], module_height=6.0)}
        for n, r in enumerate(pick_rows, 1)
    ]
    html = (
        engines["django"]
        .from_string(OBVIOUS_TEMPLATE)
        .render(
            {
                "rows": rows,
                "wave": wave,
                "wave_barcode": barcode_svg(wave["number"], module_height=10.0),
                "printed_at": timezone.localtime(),
                "pdf_font_stack": PDF_FONT_STACK,
            }
        )
    )
    return HTML(string=html).write_pdf()


def synthetic(lines: int) -> tuple[dict, list[dict], list[dict]]:
    """``lines`` pick lines over distinct SKUs in bin order, split into parcels of 1–4 lines."""
    pick_rows = [
        {
            "location": f"A{i // 200 + 1:02d}-{(i // 10) % 20 + 1:02d}-{i % 10 + 1:02d}",
            "sku": f"SKU-{100000 + i}",
            "name": f"{NAMES[i % len(NAMES)]} #{i}",
            "quantity": i % 3 + 1,
        }
        for i in range(lines)
    ]
    parcels, i, n = [], 0, 0
    while i < lines:
        size = n % 4 + 1
        parcels.append(
            {
                "number": f"SHP-{n + 1:06d}",
                "orders": f"SO{20261121000 + n}",
                "lines": pick_rows[i : i + size],
            }
        )
        i += size
        n += 1
    wave = {
        "number": "W-000042",
        "warehouse": "SH1 上海一号仓",
        "carrier": "中通快递",
        "cutoff": None,
        "parcels": len(parcels),
        "units": sum(r["quantity"] for r in pick_rows),
    }
    return wave, pick_rows, parcels


def child(kind: str, lines: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    # No database is touched; a URL keeps settings from starting the embedded PostgreSQL.
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oms")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its per-page INFO lines would be timed too
    from django.template import engines
    from django.utils import translation
    from weasyprint import HTML

    from fulfillment.pdf import render_picklist, render_sortlist
    from oms.pdf import PDF_FONT_STACK

    wave, pick_rows, parcels = synthetic(lines)
    translation.activate("zh-hans")
    started = time.perf_counter()
    if kind == "picklist":
        pdf = render_picklist(wave=wave, pick_rows=pick_rows)
    elif kind == "obvious":
        pdf = render_obvious(wave, pick_rows)
    elif kind == "sortlist":
        pdf = render_sortlist(wave=wave, parcels=parcels)
    else:
        rows = [{**r, "n": n} for n, r in enumerate(pick_rows, 1)]
        html = (
            engines["django"]
            .from_string(BARE_TEMPLATE)
            .render({"rows": rows, "pdf_font_stack": PDF_FONT_STACK})
        )
        pdf = HTML(string=html).write_pdf()
    seconds = time.perf_counter() - started
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    if os.environ.get("BENCH_PAGES_TO"):
        out = Path(os.environ["BENCH_PAGES_TO"]) / f"bench-{kind}.pdf"
        out.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", out, out.with_suffix("")], check=False)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "pages": pages, "bytes": len(pdf)}))


def run(kind: str, lines: int, pages_to: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--lines", str(lines)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "BENCH_PAGES_TO": pages_to},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["picklist", "obvious", "sortlist", "bare"])
    parser.add_argument("--pages-to", default="", help="write page 1 of each document as PNG here")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.lines)
        return
    results: dict[str, list[dict]] = {"obvious": [], "picklist": [], "bare": [], "sortlist": []}
    load_before = os.getloadavg()
    for k in range(args.repeat):
        for kind in results:  # interleaved so machine noise hits all alike
            results[kind].append(run(kind, args.lines, args.pages_to if k == 0 else ""))
    load_after = os.getloadavg()
    print(f"{args.lines} lines, {args.repeat} runs each, one process per run")
    summary = {}
    for kind, runs in results.items():
        times = [r["seconds"] for r in runs]
        summary[kind] = min(times)
        print(
            f"{kind:9s} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s  "
            f"peak RSS {max(r['peak_mb'] for r in runs):6.0f} MB  pages {runs[0]['pages']}  "
            f"size {runs[0]['bytes'] / 1024:.0f} KiB"
        )
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min; {os.cpu_count()} CPUs)"
    )
    ratio = summary["picklist"] / summary["obvious"]
    peak = max(r["peak_mb"] for r in results["picklist"])
    obvious_peak = max(r["peak_mb"] for r in results["obvious"])
    print(
        f"pick list / same layout built the obvious way: {ratio:.2f}× time, "
        f"{peak / obvious_peak:.2f}× peak memory"
    )
    print(
        f"pick list / bare table without barcodes (information): {summary['picklist'] / summary['bare']:.2f}×"
    )
    ok = summary["picklist"] < 5 and peak < 300 and ratio < 1
    print("aims (< 5 s, < 300 MB, faster than the obvious build):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
