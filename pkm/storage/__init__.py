"""The store: SQLite on the stdlib driver, schema owned by Alembic migrations."""
