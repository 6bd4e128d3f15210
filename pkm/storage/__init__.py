"""The store: SQLite on the stdlib driver, schema owned by Alembic migrations.

The only package of pkm that speaks SQL or imports the driver (tests/test_layers.py
checks it); nothing outside it meets a ``sqlite3.Error`` (see :mod:`pkm.storage.db`).
"""
