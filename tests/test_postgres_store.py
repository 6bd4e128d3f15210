"""Opening a team store on a real PostgreSQL server: migrations, and every way it fails."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from conftest import RunCli
from httpserver import free_port

from pkm.errors import NotAStoreError, StoreError
from pkm.storage import postgres
from pkm.storage.db import HEAD_REVISION

OPEN = """
import sys
from pkm.storage import postgres
from pkm.storage.db import HEAD_REVISION
postgres.open_store(sys.argv[1], HEAD_REVISION).close()
print("opened")
"""


def _with(url: str, **changes: object) -> str:
    parts = urlsplit(url)
    user = changes.get("user", parts.username)
    password = changes.get("password", parts.password)
    port = changes.get("port", parts.port)
    host = changes.get("host", parts.hostname)
    netloc = f"{user}:{password}@{host}:{port}" if password else f"{user}@{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc, path=str(changes.get("path", parts.path))))


def test_an_empty_database_becomes_a_store_at_head(postgres_db: str) -> None:
    conn = postgres.open_store(postgres_db, HEAD_REVISION)
    try:
        assert postgres.schema_version(conn, "test") == HEAD_REVISION
        row = conn.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = 'pkm'").fetchone()
        assert row == ("pkm",)
    finally:
        conn.close()
    # Opening again finds it ready and changes nothing.
    postgres.open_store(postgres_db, HEAD_REVISION).close()


def test_two_pkm_opening_a_new_store_at_once_migrate_it_once(postgres_db: str) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, postgres_db],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    with psycopg.connect(postgres_db) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_an_unreachable_server_is_one_line_without_the_password(postgres_db: str) -> None:
    url = _with(postgres_db, port=free_port())
    with pytest.raises(StoreError) as caught:
        postgres.open_store(url, HEAD_REVISION)
    message = str(caught.value)
    assert "connection refused" in message and "\n" not in message
    assert "pkm-test" not in message and urlsplit(url).password not in message


def test_an_unknown_host_is_named(postgres_db: str) -> None:
    with pytest.raises(StoreError, match="host not found"):
        postgres.open_store(_with(postgres_db, host="no-such-host.invalid"), HEAD_REVISION)


def test_a_wrong_password_says_so(postgres_db: str) -> None:
    url = _with(postgres_db, password="not-the-password")
    with pytest.raises(StoreError, match="wrong password") as caught:
        postgres.open_store(url, HEAD_REVISION)
    assert "not-the-password" not in str(caught.value)


def test_a_missing_database_says_so(postgres_db: str) -> None:
    with pytest.raises(StoreError, match="no such database"):
        postgres.open_store(_with(postgres_db, path="/pkm_no_such_db"), HEAD_REVISION)


def test_a_database_of_another_app_is_refused_untouched(postgres_db: str) -> None:
    with psycopg.connect(postgres_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    with pytest.raises(NotAStoreError, match="tables pkm did not make"):
        postgres.open_store(postgres_db, HEAD_REVISION)
    with psycopg.connect(postgres_db) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert tables == [("notes",)]
        assert conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


def test_a_store_of_a_newer_pkm_is_refused(postgres_db: str) -> None:
    postgres.open_store(postgres_db, HEAD_REVISION).close()
    with psycopg.connect(postgres_db, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer pkm"):
        postgres.open_store(postgres_db, HEAD_REVISION)


def test_a_server_older_than_14_is_refused() -> None:
    # No such server is at hand: the check is on the version number the server reports.
    with pytest.raises(StoreError, match="version 13; pkm needs 14 or newer"):
        postgres.check_server_version(130012, "pkm@db:5432/pkm")
    postgres.check_server_version(140000, "pkm@db:5432/pkm")


def test_a_user_who_may_not_add_unaccent_is_told_what_to_run(postgres_db: str) -> None:
    name = urlsplit(postgres_db).path.lstrip("/")
    with psycopg.connect(postgres_db, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS pkm_reader")
        admin.execute("CREATE ROLE pkm_reader LOGIN PASSWORD 'reader-pw'")
        admin.execute(f"REVOKE CREATE ON DATABASE {name} FROM PUBLIC")
        admin.execute("GRANT USAGE, CREATE ON SCHEMA public TO pkm_reader")
    try:
        url = _with(postgres_db, user="pkm_reader", password="reader-pw")
        with pytest.raises(StoreError) as caught:
            postgres.open_store(url, HEAD_REVISION)
        message = str(caught.value)
        assert "CREATE EXTENSION unaccent;" in message and name in message
        assert "reader-pw" not in message
    finally:
        with psycopg.connect(postgres_db, autocommit=True) as admin:
            admin.execute("DROP OWNED BY pkm_reader")
            admin.execute("DROP ROLE pkm_reader")


@pytest.mark.parametrize(
    ("sqlite", "pyformat"),
    [
        (
            "SELECT id FROM t WHERE a = ? AND b IN (?, ?)",
            "SELECT id FROM t WHERE a = %s AND b IN (%s, %s)",
        ),
        ("UPDATE t SET a = :title WHERE id = :id", "UPDATE t SET a = %(title)s WHERE id = %(id)s"),
        (
            "SELECT '?', ':x', 'it''s ?' FROM t WHERE a LIKE ?",
            "SELECT '?', ':x', 'it''s ?' FROM t WHERE a LIKE %s",
        ),
        (
            "SELECT a FROM t WHERE b LIKE '%x' AND c = ?",
            "SELECT a FROM t WHERE b LIKE '%%x' AND c = %s",
        ),
        ('SELECT "odd?name" FROM t', 'SELECT "odd?name" FROM t'),
        ("SELECT a::text FROM t", "SELECT a::text FROM t"),
    ],
)
def test_storage_sql_is_given_to_psycopg_with_its_placeholders(sqlite: str, pyformat: str) -> None:
    assert postgres.to_pyformat(sqlite) == pyformat


def test_the_connection_runs_storage_sql_and_names_the_server_on_errors(postgres_db: str) -> None:
    conn = postgres.PostgresConnection(postgres.connect(postgres_db), "test-server")
    try:
        conn.execute("CREATE TABLE t (id integer PRIMARY KEY, a text)")
        conn.execute("BEGIN IMMEDIATE")
        assert conn.in_transaction
        conn.executemany("INSERT INTO t (id, a) VALUES (?, ?)", [(1, "50% off?"), (2, "it's")])
        conn.execute("UPDATE t SET a = a || :tail WHERE id = :id", {"tail": "!", "id": 2})
        conn.execute("COMMIT")
        assert not conn.in_transaction
        rows = conn.execute("SELECT id, a FROM t WHERE a LIKE '%' || ? ORDER BY id", ("!",))
        assert rows.fetchall() == [(2, "it's!")]
        assert conn.execute("SELECT a FROM t WHERE id = ?", (1,)).fetchone() == ("50% off?",)
        with pytest.raises(StoreError, match="store error on test-server: .*duplicate key"):
            conn.execute("INSERT INTO t (id, a) VALUES (?, ?)", (1, "again"))
    finally:
        conn.close()


def test_a_store_copied_from_the_template_is_at_head(postgres_store: str) -> None:
    with psycopg.connect(postgres_store) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            HEAD_REVISION,
        )
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (0,)
    postgres.open_store(postgres_store, HEAD_REVISION).close()


def test_write_transactions_take_turns_as_on_sqlite(postgres_db: str) -> None:
    writer = postgres.PostgresConnection(postgres.connect(postgres_db), "writer")
    other = postgres.PostgresConnection(postgres.connect(postgres_db), "other")
    try:
        writer.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN")
        taken = "SELECT pg_try_advisory_xact_lock(?)"
        assert other.execute(taken, (postgres.WRITE_LOCK,)).fetchone() == (False,)
        assert other.execute("SELECT 1").fetchone() == (1,)  # reading does not wait
        writer.execute("COMMIT")
        assert other.execute(taken, (postgres.WRITE_LOCK,)).fetchone() == (True,)
        other.execute("COMMIT")
    finally:
        writer.close()
        other.close()


def test_without_the_driver_a_server_store_says_what_to_install(cli: RunCli) -> None:
    probe = "import sys\nsys.modules['psycopg'] = None\nfrom pkm.cli import main\nmain()\n"
    done = subprocess.run(
        [sys.executable, "-c", probe, "--db", "postgresql://pkm:secret@127.0.0.1:1/pkm", "tags"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "pkm: error: the store pkm@127.0.0.1:1/pkm is on a PostgreSQL server, and pkm needs"
        " its driver for that: pip install 'pkm[postgres]'\n"
    )
