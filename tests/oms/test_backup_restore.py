"""Backup and restore drill: seed, back up, restore into a fresh database, compare everything."""

import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from oms.backup import libpq_env, prune_backups

pytestmark = pytest.mark.django_db(transaction=True)


def fingerprint(conn) -> dict[str, tuple]:
    """Row count and the sum of every numeric column, per table: counts, money sums and stock all compared."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND data_type IN ('integer', 'bigint', 'smallint', 'numeric') ORDER BY table_name, column_name"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    tables = [
        t
        for (t,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    result = {}
    for table in tables:
        sums = ", ".join(f'COALESCE(SUM("{c}"), 0)' for c in columns.get(table, [])) or "0"
        result[table] = tuple(conn.execute(f'SELECT COUNT(*), {sums} FROM "{table}"').fetchone())  # noqa: S608
    return result


def connect(database: str):
    env = libpq_env(database)
    return psycopg.connect(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=database,
        autocommit=True,
    )


@pytest.fixture
def fresh_database():
    name = f"oms_restore_{uuid.uuid4().hex[:10]}"
    with connect("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore_drill(tmp_path, fresh_database, capsys):
    call_command("seed_demo", verbosity=0)
    call_command("backup", dir=tmp_path)
    dumps = sorted(tmp_path.glob("oms-*.dump"))
    assert len(dumps) == 1
    assert (tmp_path / f"{dumps[0].name}.sha256").exists()

    call_command("restore", str(dumps[0]), database=fresh_database)

    with connect(connection.settings_dict["NAME"]) as source, connect(fresh_database) as restored:
        before, after = fingerprint(source), fingerprint(restored)
    assert before == after
    assert before["oms_user"][0] >= 5  # the seeded users are really in the comparison
    if "inventory_stocklevel" in after:
        with connect(fresh_database) as restored:
            drift = restored.execute(
                "SELECT COUNT(*) FROM inventory_stocklevel s WHERE s.on_hand <> COALESCE((SELECT SUM(m.quantity) "
                "FROM inventory_stockmovement m WHERE m.sku_id = s.sku_id AND m.warehouse_id = s.warehouse_id "
                "AND m.bucket = 'sellable'), 0) OR s.reserved > s.on_hand"
            ).fetchone()[0]
        assert drift == 0


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    call_command("backup", dir=tmp_path)
    dump = next(tmp_path.glob("oms-*.dump"))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(dump), database=connection.settings_dict["NAME"])


def test_restore_refuses_a_damaged_file(tmp_path, fresh_database):
    call_command("backup", dir=tmp_path)
    dump = next(tmp_path.glob("oms-*.dump"))
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(dump), database=fresh_database)
    with connect(fresh_database) as restored:
        assert (
            restored.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
        )


def test_retention_keeps_the_newest(tmp_path):
    for stamp in ["20261101-020000", "20261102-020000", "20261103-020000"]:
        (tmp_path / f"oms-{stamp}.dump").write_bytes(b"x")
        (tmp_path / f"oms-{stamp}.dump.sha256").write_text("x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = prune_backups(directory=tmp_path, keep=2)
    assert [p.name for p in removed] == ["oms-20261101-020000.dump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "oms-20261102-020000.dump",
        "oms-20261102-020000.dump.sha256",
        "oms-20261103-020000.dump",
        "oms-20261103-020000.dump.sha256",
    ]
