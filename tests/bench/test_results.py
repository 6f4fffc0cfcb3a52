import json
from pathlib import Path

from bench.results import BenchResult, rasa_mb
from tests.bench.samples import bench_result


def test_memory_of_several_rasa_instances_is_added_up() -> None:
    assert rasa_mb({"actions": 50.0, "rasa-1": 700.0, "rasa-2": 710.0, "proxy": 40.0}) == 1410.0
    assert rasa_mb({"actions": 50.0}) is None


def test_saturation_is_the_best_level_and_levels_are_found_by_concurrency() -> None:
    ours = bench_result(ours_throughput=200.0).server("ours")
    assert ours is not None
    assert ours.saturation == 200.0
    assert ours.level(10) is not None and ours.level(10).concurrency == 10
    assert ours.level(7) is None


def test_a_run_is_written_as_json(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "results.json"
    bench_result().write_json(path)
    written = json.loads(path.read_text())
    assert [server["key"] for server in written["servers"]] == ["stock", "ours", "ours-prod"]
    assert written["training"]["ours"]["full_s"] is None


def test_a_run_read_back_from_json_is_the_run_written(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    result = bench_result()
    result.notes.append("The production mode was not measured: Redis is not running.")
    result.write_json(path)
    assert BenchResult.read_json(path) == result
