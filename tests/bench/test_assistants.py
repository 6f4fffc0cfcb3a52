from pathlib import Path

from bench import assistants


def test_ours_runs_on_its_own_ports_and_databases(tmp_path: Path) -> None:
    settings = assistants.ours_settings(tmp_path / "var")
    assert len({settings.rasa_port, settings.action_port, settings.staff_port}) == 3
    assert 5005 not in (settings.rasa_port, settings.action_port)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    assert settings.redis_url == "" and settings.smtp_host == ""


def test_ours_embedded_is_make_runs_servers_with_extra_env_for_rasa_only(tmp_path: Path) -> None:
    assistant = assistants.ours(assistants.ours_settings(tmp_path), {"TF_INTRA_OP_PARALLELISM_THREADS": "1"})
    actions, rasa = assistant.processes
    assert (actions.name, rasa.name) == ("actions", "rasa")
    assert rasa.cmd[rasa.cmd.index("--endpoints") + 1] == "endpoints.yml"
    assert rasa.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert actions.env.get("TF_INTRA_OP_PARALLELISM_THREADS") != "1"
    assert rasa.env["RASA_TELEMETRY_ENABLED"] == "false"
    assert "TF_INTRA_OP_PARALLELISM_THREADS=1" in assistant.setup
    assert rasa.ready.kind == "message" and actions.ready.kind == "health"


def test_ours_production_runs_sanic_workers_on_redis_locks_and_postgresql(tmp_path: Path) -> None:
    settings = assistants.ours_settings(tmp_path, "postgresql://u@127.0.0.1:5432/test", "redis://127.0.0.1:6379/14")
    rasa = assistants.ours_prod(settings, 2).processes[1]
    assert rasa.cmd[rasa.cmd.index("--endpoints") + 1] == "endpoints.prod.yml"
    assert rasa.env["SANIC_WORKERS"] == "2"
    assert rasa.env["REDIS_URL"] == "redis://127.0.0.1:6379/14"
    assert rasa.env["TRACKER_STORE_URL"] == "postgresql://u@127.0.0.1:5432/test"
    assert assistants.ours_prod(settings, 2, {"SANIC_WORKERS": "3"}).processes[1].env["SANIC_WORKERS"] == "3"


def test_stock_is_rasa_run_in_its_project(tmp_path: Path) -> None:
    model = tmp_path / "models" / "m.tar.gz"
    (rasa,) = assistants.stock(tmp_path, model).processes
    assert rasa.cwd == tmp_path
    assert rasa.cmd[rasa.cmd.index("--model") + 1] == str(model)
    assert "--enable-api" not in rasa.cmd


def test_ours_instances_is_the_launchers_prod_topology_behind_the_proxy(tmp_path: Path) -> None:
    settings = assistants.ours_settings(tmp_path, "postgresql://u@127.0.0.1:5432/test", "redis://127.0.0.1:6379/14")
    assistant = assistants.ours_instances(settings, 2)
    names = [process.name for process in assistant.processes]
    assert names == ["actions", "rasa-1", "rasa-2", "proxy"]
    rasa_ports = [p.cmd[p.cmd.index("--port") + 1] for p in assistant.processes[1:3]]
    proxy = assistant.processes[3]
    assert all(f"http://127.0.0.1:{port}" in proxy.cmd for port in rasa_ports)
    assert assistant.base_url == f"http://127.0.0.1:{settings.rasa_port}"
