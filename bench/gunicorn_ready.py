"""gunicorn settings of the benchmarks: each worker, once it has loaded ``oms.wsgi`` (imports and warm-up),
leaves a file named after its pid in ``$OMS_BENCH_READY_DIR``, so that a benchmark starts measuring only
when every worker is ready (``bench._common.http_wait``). A worker still importing when the load starts
takes CPU from those serving it."""

import os
from pathlib import Path


def post_worker_init(worker) -> None:
    directory = os.environ.get("OMS_BENCH_READY_DIR")
    if directory:
        (Path(directory) / str(worker.pid)).touch()
