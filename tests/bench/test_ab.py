from bench import ab
from tests.bench.samples import server


def test_every_variant_gets_the_base_settings() -> None:
    args = ab.parse_args(
        ["--base", "A=1", "--variant", "tf1", "TF_INTRA_OP_PARALLELISM_THREADS=1", "--variant", "a2", "A=2"]
    )
    assert ab.variants(args) == [
        ("default", {"A": "1"}),
        ("tf1", {"A": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}),
        ("a2", {"A": "2"}),
    ]


def test_the_table_shows_the_mean_of_each_figure_over_the_rounds() -> None:
    measured = {
        "default": [server("ours", "ours", 1.0, 700.0, 10.0, 40.0), server("ours", "ours", 3.0, 900.0, 12.0, 60.0)],
    }
    lines = ab.table(measured, [10]).splitlines()
    assert (
        lines[0] == "| variant | errors | cold start s | Rasa MB | 10: p50 ms | 10: p95 ms | 10: p99 ms | 10: msg/s |"
    )
    assert lines[2] == "| default | 0 | 11.0 | 800 | 200 | 280 | 400 | 50.0 |"
