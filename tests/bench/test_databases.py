from sqlalchemy import create_engine, inspect, text

from bench import databases
from bench.assistants import free_port
from bench.databases import POSTGRES_URL
from tests.db.databases import require_postgres


def test_says_why_the_production_mode_cannot_run() -> None:
    closed = f"redis://127.0.0.1:{free_port()}/14"
    assert "Redis is not reachable" in databases.unreachable(POSTGRES_URL, closed)


def test_a_fresh_schema_holds_both_stores_and_is_dropped_afterwards() -> None:
    require_postgres()
    with databases.fresh_schema(POSTGRES_URL) as url:
        schema = url.rsplit("%3D", 1)[1]
        engine = create_engine(url, future=True)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"events", "handoffs"} <= tables
    admin = create_engine(POSTGRES_URL, future=True)
    try:
        with admin.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
    finally:
        admin.dispose()
    assert found is None
