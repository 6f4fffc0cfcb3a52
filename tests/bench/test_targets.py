from bench import targets
from tests.bench.samples import bench_result


def test_a_fast_assistant_meets_the_serving_targets_with_their_margins() -> None:
    checks = targets.for_server(bench_result(ours_scale=0.5, ours_throughput=200.0), "ours")
    assert [check.met for check in checks] == [True, True, True, True, True]
    assert "5.00 × stock" in checks[0].detail
    assert checks[1].detail == "70 ms: 80 ms under"  # p95 at 10 of 140 × 0.5


def test_a_slow_assistant_misses_and_says_by_how_much() -> None:
    checks = targets.for_server(bench_result(ours_scale=10.0, ours_throughput=60.0), "ours-prod")
    throughput, p95, p99, cold, memory = checks
    assert throughput.met is False and "short by 100.0 msg/s" in throughput.detail
    assert p95.met is False and p95.detail == "1400 ms: 1250 ms over (9.3 × the limit)"
    assert p99.met is False and p99.detail.startswith("9000 ms")
    assert cold.met is True
    assert memory.met is False and "500 MB over" in memory.detail


def test_a_level_not_run_is_not_measured_rather_than_met() -> None:
    result = bench_result()
    ours = result.servers[1]
    ours.levels[:] = [lv for lv in ours.levels if lv.concurrency != 50]
    p99 = targets.for_server(result, "ours")[2]
    assert p99.met is None and "not measured" in p99.detail


def test_without_the_stock_assistant_only_its_comparisons_are_not_measured() -> None:
    result = bench_result(ours_scale=0.5)
    result.servers = [server for server in result.servers if server.key != "stock"]
    throughput, p95, p99, cold, memory = targets.for_server(result, "ours")
    assert throughput.met is None and memory.met is None and "--ours-only" in memory.detail
    assert (p95.met, p99.met, cold.met) == (True, True, True)


def test_retraining_checks_the_time_and_that_nothing_was_trained_again() -> None:
    timing, fingerprint = targets.for_training(bench_result())
    assert timing.met is True and fingerprint.met is True
    _, fingerprint = targets.for_training(bench_result(retrained=("DIETClassifier",)))
    assert fingerprint.met is False and "DIETClassifier" in fingerprint.detail
