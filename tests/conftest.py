"""Fixtures every test package may use without importing them: `database_url` (an empty
database on each backend) and `db` (sessions on it, migrated), from tests/db/databases.py."""

pytest_plugins = ["tests.db.databases"]
