import os

import pytest

from bench.usage import Reading, cpu_percent, cpu_ticks, rss_mb


def test_cpu_is_a_share_of_one_core_over_the_window() -> None:
    assert cpu_percent(Reading(10.0, 1000), Reading(12.0, 1100), ticks_per_second=100) == pytest.approx(50.0)
    assert cpu_percent(Reading(0.0, 0), Reading(1.0, 300), ticks_per_second=100) == pytest.approx(300.0)


def test_readings_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError):
        cpu_percent(Reading(5.0, 0), Reading(5.0, 10))


def test_a_process_gone_counts_nothing() -> None:
    gone = 2**22 + 1  # above the kernel's largest pid
    assert cpu_ticks(gone) == 0
    assert rss_mb(gone) == 0


def test_reads_this_process() -> None:
    assert cpu_ticks(os.getpid()) >= 0
    assert rss_mb(os.getpid()) > 1
