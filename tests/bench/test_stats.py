import pytest

from bench.stats import percentile


def test_interpolates_between_closest_ranks_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0


def test_order_of_the_samples_does_not_matter() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_one_sample_is_every_percentile() -> None:
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_refuses_what_has_no_percentile(values: list, q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)
