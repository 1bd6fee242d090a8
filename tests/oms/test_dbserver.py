"""The embedded PostgreSQL stops when the last process using it exits, even after a killed run.

Each test runs its own embedded server under a temporary folder (socket in that folder, no TCP port),
so the machine's PostgreSQL on 5432 and a running demo are never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from oms.dbserver import forget_dead_processes, remove_stale_postmaster_pid

REPO = Path(__file__).resolve().parents[2]

# A process that attaches, proves the database answers, prints "ready <postmaster pid>", then either
# exits or waits for a line on stdin.
ATTACH = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import psycopg
    from oms.dbserver import embedded_database_url
    import pgserver.postgres_server as ps
    url = embedded_database_url(data_dir=Path(sys.argv[1]))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    server = ps.PostgresServer._instances[Path(sys.argv[1]).resolve()]
    print("ready", server.get_pid(), flush=True)
    if sys.argv[2] == "wait":
        sys.stdin.readline()
    """
)


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "pgdata"
    yield folder
    # Never leave a server behind, whatever the test did.
    pid_file = folder / "postmaster.pid"
    if pid_file.exists():
        with contextlib.suppress(psutil.Error, ValueError):
            process = psutil.Process(int(pid_file.read_text().split()[0]))
            if process.name() == "postgres":
                process.kill()


def _env(data_dir: Path) -> dict:
    return {**os.environ, "XDG_RUNTIME_DIR": str(data_dir.parent / "run"), "PYTHONPATH": str(REPO)}


def _attach(data_dir: Path, mode: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-c", ATTACH, str(data_dir), mode],
        env=_env(data_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().split()
    assert line[:1] == ["ready"], f"the embedded server did not start: {line}"
    return process, int(line[1])


def _wait_until(condition, *, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _handles(data_dir: Path) -> list[int]:
    return json.loads((data_dir / ".handle_pids.json").read_text())


def test_server_outlives_a_killed_process_only_until_the_last_live_one_exits(data_dir):
    first, postmaster = _attach(data_dir, "wait")
    second, same = _attach(data_dir, "exit")
    assert second.wait(timeout=30) == 0
    assert same == postmaster
    assert _running(postmaster), "one process still uses it"

    # The first one is killed: it cannot detach, yet the next one to exit stops the server.
    first.kill()
    first.wait(timeout=30)
    assert first.pid in _handles(data_dir)
    third, _ = _attach(data_dir, "exit")
    assert third.wait(timeout=30) == 0
    assert _wait_until(lambda: not _running(postmaster)), "the server kept running after the last process"
    assert _handles(data_dir) == []
    assert not (data_dir / "postmaster.pid").exists()


def test_sigterm_detaches_and_stops_the_server(data_dir):
    process, postmaster = _attach(data_dir, "wait")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert _wait_until(lambda: not _running(postmaster))
    assert _handles(data_dir) == []


def test_a_stale_pid_file_from_a_killed_server_does_not_block_the_next_start(data_dir):
    process, postmaster = _attach(data_dir, "exit")
    assert process.wait(timeout=30) == 0
    assert _wait_until(lambda: not _running(postmaster))
    # A killed server leaves postmaster.pid behind, and its pid now belongs to another program.
    # (A disposable one: were the file believed, pgserver would end that program at exit.)
    other = subprocess.Popen(["sleep", "300"])
    try:
        here = str(data_dir.resolve())
        stale = [str(other.pid), here, "1700000000", "5432", here, "", "0 0", "ready"]
        (data_dir / "postmaster.pid").write_text("\n".join(stale) + "\n")
        (data_dir / ".s.PGSQL.5432.lock").write_text(f"{other.pid}\n")

        again, new_postmaster = _attach(data_dir, "exit")
        assert again.wait(timeout=30) == 0
        assert new_postmaster != other.pid
        assert _wait_until(lambda: not _running(new_postmaster))
        assert other.poll() is None, "the unrelated program was left alone"
    finally:
        other.kill()
        other.wait(timeout=30)


def test_forgetting_keeps_live_processes_and_a_running_servers_pid_file(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    (tmp_path / ".handle_pids.json").write_text(json.dumps([os.getpid(), dead_pid]))
    assert forget_dead_processes(tmp_path) == [dead_pid]
    assert _handles(tmp_path) == [os.getpid()]
    assert forget_dead_processes(tmp_path) == []
    # No pid file: nothing to do.
    assert remove_stale_postmaster_pid(tmp_path) is False
