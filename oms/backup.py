"""Backups: a consistent PostgreSQL dump (pg_dump custom format) with retention, and restore into an empty database."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from oms.exceptions import DomainError

BACKUP_NAME = re.compile(r"^oms-\d{8}-\d{6}\.dump$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    sha256: str


def backup_dir() -> Path:
    return Path(settings.OMS_BACKUP_DIR)


def pg_tool(name: str) -> str:
    """The pg_dump / pg_restore to use: same major version as the server if installed, else the bundled one."""
    major = connection.cursor().connection.info.server_version // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # pragma: no cover - pgserver is a locked dependency
        pass
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.exists() and _tool_major(candidate) >= major:
            return str(candidate)
    raise DomainError(f"No {name} for PostgreSQL {major} found; install postgresql-client-{major}.")


def _tool_major(path: Path) -> int:
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else 0


def libpq_env(database: str | None = None) -> dict[str, str]:
    """Environment for libpq tools pointing at the configured database (or ``database`` on the same server)."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for key, value in {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": database or db["NAME"],
    }.items():
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


def database_backup(*, directory: Path | None = None, keep: int | None = None) -> BackupFile:
    """Dump the database (one consistent snapshot) into ``directory``; keep the newest ``keep`` dumps."""
    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"oms-{timezone.now():%Y%m%d-%H%M%S}.dump"
    target = directory / name
    partial = directory / f".{name}.partial"
    result = subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
        env=libpq_env(connection.settings_dict["NAME"]),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise DomainError(f"pg_dump failed: {result.stderr.strip()}")
    partial.rename(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    (directory / f"{name}.sha256").write_text(f"{digest}  {name}\n")
    prune_backups(directory=directory, keep=keep if keep is not None else settings.OMS_BACKUP_KEEP)
    return BackupFile(path=target, size=target.stat().st_size, sha256=digest)


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    dumps = sorted((p for p in directory.iterdir() if BACKUP_NAME.match(p.name)), key=lambda p: p.name)
    removed = dumps[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
        Path(f"{path}.sha256").unlink(missing_ok=True)
    return removed


def database_restore(*, file: Path, database: str) -> None:
    """Restore ``file`` into ``database``, which must exist and be empty; all or nothing."""
    if not file.exists():
        raise DomainError(f"Backup file {file} does not exist.")
    checksum = Path(f"{file}.sha256")
    if checksum.exists():
        expected = checksum.read_text().split()[0]
        if hashlib.sha256(file.read_bytes()).hexdigest() != expected:
            raise DomainError(f"{file.name} does not match its checksum: the file is damaged.")
    env = libpq_env(database)
    tables = subprocess.run(
        [pg_tool("psql"), "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        env=env,
        capture_output=True,
        text=True,
    )
    if tables.returncode != 0:
        raise DomainError(f"Cannot connect to database {database!r}: {tables.stderr.strip()}")
    if tables.stdout.strip() != "0":
        raise DomainError(
            f"Database {database!r} is not empty ({tables.stdout.strip()} tables). "
            "Restore into a new, empty database (createdb NAME), then point DATABASE_URL at it."
        )
    result = subprocess.run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database}",
            str(file),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise DomainError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")
