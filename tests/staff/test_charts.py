"""Server-drawn SVG charts: scaled to the largest value, labels escaped, no inline style."""

from bot.staff.charts import bars, columns


def test_columns_scale_to_the_largest_and_name_each_point():
    svg = columns("Per day", [("1 Mar", 2), ("2 Mar", 4)], width=200, height=120)
    assert 'height="100.0"' in svg and 'height="50.0"' in svg  # the plot is 100 px high
    assert "<title>2 Mar: 4</title>" in svg and 'aria-label="Per day, highest 4"' in svg


def test_labels_are_escaped_and_nothing_is_inline_styled():
    svg = str(bars("<b>", [("<script>alert(1)</script>", 0.5, "1 · 50%")]) + columns("t", [("<i>", 1)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg and "<i>" not in svg
    assert "style=" not in svg


def test_bars_are_clamped_and_empty_charts_still_draw():
    svg = bars("Kinds", [("a", 2.0, "x"), ("b", -1.0, "y")], width=400)
    assert 'width="150.0"' in svg and 'width="0.0"' in svg  # 400 - 180 (labels) - 70 (values)
    assert str(columns("Nothing", [])).startswith("<svg")
