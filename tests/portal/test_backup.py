"""bin/backup and bin/restore on the real PostgreSQL: a restored backup has the same rows."""

from __future__ import annotations

import datetime
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ResidentFactory
from tests.portal.test_worker import _database_url

BIN = Path(settings.BASE_DIR) / "bin"


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@pytest.fixture
def scratch_database_url():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    base = _database_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [str(BIN / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_the_same_rows(
    tmp_path, scratch_database_url
):
    ResidentFactory.create_batch(3, name="备份居民")
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    (media / "reports" / "r.pdf").write_bytes(b"%PDF-1.7 test")
    backups = tmp_path / "backups"
    # An old archive is pruned; today's stays. Its age is absolute, not taken from the test's
    # clock: bin/backup's `find -mtime` runs on the machine's clock, which the suite may have
    # moved (PORTAL_TEST_MOMENT).
    backups.mkdir()
    old = backups / "portal-20000101-023000.tar.gz"
    old.write_bytes(b"old")
    long_ago = datetime.datetime(2000, 1, 1, 2, 30, tzinfo=datetime.UTC).timestamp()
    os.utime(old, (long_ago, long_ago))

    made = _run(
        "backup",
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(backups),
        BACKUP_KEEP_DAYS="14",
    )
    assert made.returncode == 0, made.stderr
    (archive,) = backups.glob("portal-*.tar.gz")
    assert archive != old

    restored_media = tmp_path / "restored-media"
    restored = _run(
        "restore", str(archive), DATABASE_URL=scratch_database_url, MEDIA_ROOT=str(restored_media)
    )
    assert restored.returncode == 0, restored.stderr

    source = _counts(_database_url())
    copy = _counts(scratch_database_url)
    assert source["communities_resident"] == 3
    assert copy == source
    assert (restored_media / "reports" / "r.pdf").read_bytes() == b"%PDF-1.7 test"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = _run("restore", str(bogus), DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
