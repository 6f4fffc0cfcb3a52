from pathlib import Path

from bench import report
from tests.bench.samples import REPORT_ROWS, bench_result


def test_writes_the_report_and_the_plot(tmp_path: Path) -> None:
    findings = tmp_path / "findings.md"
    findings.write_text("## What we changed and what it gave\n\nA change, measured.\n")
    path = report.write(bench_result(), tmp_path / "out", findings)
    text = path.read_text()
    assert path.name == "performance.md"
    assert (tmp_path / "out" / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for row in REPORT_ROWS:
        assert f"| {row} |" in text, row
    assert text.rstrip().endswith("A change, measured.")


def test_states_the_machine_and_the_command() -> None:
    text = report.render(bench_result(), "")
    assert "Test CPU, 2 cores" in text
    assert "`python -m bench --quick`" in text
    assert "0.10 0.20 0.30" in text


def test_gives_ours_over_stock_for_each_figure() -> None:
    text = report.render(bench_result(ours_scale=0.5), "")
    # p50 at 10: stock 100 ms, ours 50 ms, for both of our setups.
    assert "| 10 concurrent: p50 (ms) | 100 | 50 | 0.50 | 50 | 0.50 |" in text
    assert "| cold start: process start to first answer (s) | 40.0 | 10.0 | 0.25 | 12.0 | 0.30 |" in text
    # The stock assistant has no action server and ours has no full training in a quick run.
    assert "| action server memory after warm-up (MB RSS) | — | 60 | — | 60 | — |" in text
    assert "| full training (s) | 100.0 | — | — |" in text


def test_says_whether_each_target_was_met() -> None:
    text = report.render(bench_result(ours_scale=10.0, ours_throughput=60.0), "")
    assert "| throughput at saturation ≥ 4 × the stock assistant's | **missed**:" in text
    assert "| cold start ≤ 30 s | **met**: 10.0 s: 20.0 s under | **met**: 12.0 s: 18.0 s under |" in text


def test_names_what_was_skipped() -> None:
    result = bench_result()
    result.notes.append("The production mode was not measured: Redis is not reachable")
    assert "- The production mode was not measured: Redis is not reachable" in report.render(result, "")


def test_the_report_of_a_past_run_is_written_again_from_its_results(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    bench_result().write_json(results)
    out = tmp_path / "docs"
    assert report.main(["--results", str(results), "--out", str(out)]) == 0
    text = (out / report.REPORT_NAME).read_text()
    assert text == report.render(bench_result(), report.FINDINGS.read_text())
    assert (out / report.PLOT_NAME).stat().st_size > 0


def test_a_run_of_ours_alone_keeps_every_row_and_leaves_the_stock_columns_empty() -> None:
    result = bench_result(ours_scale=0.5)
    result.servers = [server for server in result.servers if server.key != "stock"]
    del result.training["stock"]
    text = report.render(result, "")
    for row in REPORT_ROWS:
        assert f"| {row} |" in text, row
    assert "| 10 concurrent: p50 (ms) | — | 50 | — | 50 | — |" in text
    assert "| after changing one response text (s) | — | 11.0 | — |" in text
    assert "measured ours alone (`--ours-only`)" in text
    assert "| cold start ≤ 30 s | **met**: 10.0 s: 20.0 s under |" in text
    assert "| throughput at saturation ≥ 4 × the stock assistant's | not measured: this run left the stock" in text
