import pytest

from bench import options


def test_parses_name_value_pairs() -> None:
    assert options.environment(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(ValueError):
        options.environment(["no-value"])


def test_parses_levels() -> None:
    assert options.levels("1,10,50") == [1, 10, 50]
    for bad in ("", "0,10", "a"):
        with pytest.raises(ValueError):
            options.levels(bad)
