import pytest

from bench.load import Exchange
from bench.polling import Planned, intervals, plan, summarize_polls
from bench.polling_report import ALONE, IDLE, PATIENTS, STAFF


def test_reads_intervals_in_seconds() -> None:
    assert intervals("4,15, 60") == [4.0, 15.0, 60.0]
    assert intervals("0.5") == [0.5]


@pytest.mark.parametrize("text", ["", "4,0", "-1"])
def test_refuses_intervals_that_are_not_positive(text: str) -> None:
    with pytest.raises(ValueError):
        intervals(text)


def test_plans_the_clean_cost_then_each_interval_between_runs_without_polling() -> None:
    steps = plan([500, 100], [4.0, 60.0], tabs=20, tab_interval_s=5.0)
    assert steps == [
        Planned(IDLE, 0, 0.0),
        Planned(ALONE, 500, 4.0),
        Planned(PATIENTS, 0, 0.0),
        Planned(PATIENTS, 100, 4.0),
        Planned(PATIENTS, 500, 4.0),
        Planned(PATIENTS, 0, 0.0),
        Planned(PATIENTS, 100, 60.0),
        Planned(PATIENTS, 500, 60.0),
        Planned(PATIENTS, 0, 0.0),
        Planned(STAFF, 20, 5.0),
    ]


def test_leaves_the_staff_console_out_without_tabs() -> None:
    assert all(step.kind != STAFF for step in plan([10], [4.0], tabs=0, tab_interval_s=5.0))


def test_counts_only_the_polls_that_finished_inside_the_window() -> None:
    log = [
        Exchange(9.0, 9.5, True),  # before the window
        Exchange(10.0, 10.01, True),
        Exchange(10.5, 10.53, True),
        Exchange(11.0, 11.02, False),
        Exchange(19.9, 20.5, True),  # after it
    ]
    figures = summarize_polls(log, 10.0, 20.0)
    assert figures is not None
    assert (figures.answered, figures.errors) == (2, 1)
    assert figures.rate == pytest.approx(0.2)
    assert figures.p50_ms == pytest.approx(20.0)
    assert figures.p95_ms == pytest.approx(29.0)


def test_a_window_in_which_no_poll_finished_has_no_figures() -> None:
    assert summarize_polls([Exchange(0.0, 1.0, True)], 5.0, 6.0) is None


def test_a_window_of_failed_polls_counts_them_as_errors() -> None:
    figures = summarize_polls([Exchange(0.0, 1.0, False)], 0.0, 2.0)
    assert figures is not None and (figures.answered, figures.errors, figures.rate) == (0, 1, 0.0)
