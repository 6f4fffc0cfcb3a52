from pathlib import Path
from typing import Optional

import pytest

from bench import polling_report
from bench.polling_report import (
    ALONE,
    IDLE,
    PATIENTS,
    STAFF,
    PollFigures,
    PollingRun,
    Step,
    core_share,
    cpu_ms_per_request,
    hurt_threshold,
    noise,
)
from bench.results import LevelResult
from tests.bench.samples import MACHINE


def patients(p95: float) -> LevelResult:
    return LevelResult(2, 12.0, 400, 0, 33.0, p95 / 2, p95, p95 * 1.2)


def step(kind: str, clients: int, interval: float, cpu: float, rate: float, p95: Optional[float]) -> Step:
    polls = PollFigures(int(rate * 12), 0, rate, 10.0, 20.0) if clients else None
    return Step(kind, clients, interval, 12.0, polls, "Rasa server", cpu, 730.0, cpu,
                1.0 if clients else None, patients(p95) if p95 else None)  # fmt: skip


def sample_run() -> PollingRun:
    """5 ms of CPU per history request (20 requests a second cost 10% of a core over idle's 1%)."""
    run = PollingRun("python -m bench.polling", False, "2026-12-07 21:00 UTC", MACHINE, 2, 2, "the setup",
                     "1.00 2.00 3.00", 300.0)  # fmt: skip
    run.steps = [
        step(IDLE, 0, 0, 1.0, 0, None),
        step(ALONE, 80, 4, 11.0, 20.0, None),
        step(PATIENTS, 0, 0, 95.0, 0, 100.0),
        step(PATIENTS, 10, 4, 95.0, 2.5, 110.0),  # 1.25% of a core
        step(PATIENTS, 80, 4, 99.0, 20.0, 160.0),  # 10%: hurt
        step(PATIENTS, 0, 0, 95.0, 0, 110.0),
        step(PATIENTS, 10, 60, 95.0, 0.2, 200.0),  # above the threshold, at 0.1% of a core: noise
        step(PATIENTS, 80, 60, 95.0, 1.3, 120.0),
        step(PATIENTS, 0, 0, 95.0, 0, 90.0),
        Step(
            STAFF,
            20,
            5.0,
            12.0,
            PollFigures(48, 0, 4.0, 20.0, 36.0),
            "staff process",
            4.6,
            69.0,
            92.0,
            1.0,
            patients(95.0),
        ),  # fmt: skip
    ]
    return run


def test_noise_is_the_spread_of_repeated_runs_over_their_median() -> None:
    assert noise([90.0, 100.0, 110.0]) == pytest.approx(0.2)
    assert noise([100.0]) == 0.0


def test_a_level_hurts_patients_above_the_median_plus_the_larger_of_the_tolerance_and_the_noise() -> None:
    run = sample_run()  # baselines 100, 110, 90: median 100, spread 20% < 25%
    assert hurt_threshold(run) == pytest.approx(125.0)
    run.steps.append(step(PATIENTS, 0, 0, 95.0, 0, 150.0))  # median 105, spread 60 ms: 57%
    assert hurt_threshold(run) == pytest.approx(105.0 + 60.0)


def test_one_history_request_costs_the_cpu_of_widgets_alone_over_idle() -> None:
    assert cpu_ms_per_request(sample_run()) == pytest.approx(5.0)
    assert core_share(1000, 60.0, 5.0) == pytest.approx(1000 / 60 * 0.5)


def test_without_the_clean_measurement_there_is_no_cost_per_request() -> None:
    run = sample_run()
    run.steps = [s for s in run.steps if s.kind != ALONE]
    assert cpu_ms_per_request(run) is None


def test_the_conclusion_names_the_first_level_that_hurts_and_calls_a_cheap_one_noise() -> None:
    text = polling_report.render(sample_run())
    assert "a level counts as hurting patients when its p95 exceeds 125 ms" in text
    assert "- Every 4 s: patients are hurt from 80 open widgets (p95 160 ms, 20 history requests a second, " \
           "10.0% of a core)." in text  # fmt: skip
    assert "- Every 60 s: no measured level hurt patients (up to 80 open widgets). 10 widgets had p95 200 ms, " \
           "but their polls cost the server only 0.1% of a core" in text  # fmt: skip
    assert "One history request costs the Rasa server about 5.0 ms of CPU" in text
    assert "- The Rasa server never used more than 99% of one core" in text
    assert "Server-sent events would not be worth it now" in text
    assert "- 20 staff tabs asking every 5 s cost the staff process 4.6% of a core (12 ms a request)" in text


def test_server_sent_events_are_worth_it_when_the_common_case_costs_a_lot() -> None:
    run = sample_run()
    run.steps[1] = step(ALONE, 80, 4, 101.0, 20.0, None)  # 50 ms a request: 80 widgets at 60 s, 6.7%
    run.steps.append(step(PATIENTS, 200, 60, 99.0, 3.3, 100.0))  # 200 at 60 s: 16.7% of a core
    assert "Server-sent events would be worth it" in polling_report.render(run)


def test_states_the_machine_the_load_and_the_command() -> None:
    text = polling_report.render(sample_run())
    assert "Test CPU, 2 cores" in text
    assert "0.10 0.20 0.30 at the start, 1.00 2.00 3.00 at the end" in text
    assert "`python -m bench.polling`" in text
    assert "| 4 s | 80 | 20.0 | 10 / 20 | 0 | 99 | 730 | 1 | 33.0 | 80 / 160 |" in text
    assert "| no polling | 0 | — | — | — | 95 | 730 | — | 33.0 | 50 / 100 |" in text
    assert "| 20 every 5 s | 4.0 | 20 / 36 | 0 | 4.6 | 11.5 | 69 | 92 | 33.0 | 48 / 95 |" in text


def test_a_run_is_written_again_from_its_json(tmp_path: Path) -> None:
    run = sample_run()
    run.write_json(tmp_path / "results.json")
    assert PollingRun.read_json(tmp_path / "results.json") == run
    path = polling_report.write(run, tmp_path / "out")
    assert path.read_text() == polling_report.render(run)
    assert polling_report.main(["--results", str(tmp_path / "results.json"), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "polling.md").read_text() == path.read_text()
