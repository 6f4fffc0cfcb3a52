from tests.db.databases import database_url  # noqa: F401  (fixture)
