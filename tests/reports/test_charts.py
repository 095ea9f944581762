"""Charts as inline SVG: parsed for real, and drawn once through WeasyPrint."""

import io
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eoi.reports.charts import PLOT_WIDTH, PLOT_X, Bar, Series, bar_chart, grouped_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def texts_of(root: ET.Element) -> list[str]:
    """What each text element draws (its own text, not its tooltip title)."""
    return [(text.find(f"{SVG}title").tail if text.find(f"{SVG}title") is not None
             else text.text) for text in root.iter(f"{SVG}text")]


def chart(bars, **kwargs):
    kwargs = {"description": "Young people by borough.", "chart_id": "reach"} | kwargs
    return bar_chart("Young people reached", bars, **kwargs)


def test_is_an_accessible_image_labelled_by_its_title_and_description():
    root = parse(chart([Bar("Camden", 12, "12")]))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby").split() == ["reach-title", "reach-desc"]
    assert root.find(f"{SVG}title[@id='reach-title']").text == "Young people reached"
    assert root.find(f"{SVG}desc[@id='reach-desc']").text == "Young people by borough."
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter(f"{SVG}foreignObject"))


def test_height_grows_with_the_number_of_bars():
    def height(count):
        svg = chart([Bar(f"Borough {n}", n, str(n)) for n in range(count)])
        return float(parse(svg).get("viewBox").split()[3])

    assert height(1) < height(2) < height(10)


def test_one_bar_per_figure_in_proportion_and_none_for_a_suppressed_one():
    root = parse(chart([
        Bar("Camden", 40, "40"),
        Bar("Barnet", None, "fewer than 5"),
        Bar("Brent", 10, "10"),
        Bar("Bexley", 0, "0"),
    ]))

    widths = [float(rect.get("width")) for rect in bars_of(root)]
    assert len(widths) == 3
    assert widths[0] == PLOT_WIDTH  # the largest value sets the scale
    assert widths[1] == pytest.approx(widths[0] / 4)
    assert widths[2] == 0
    assert {"40", "10", "0", "fewer than 5"} <= set(texts_of(root))
    suppressed = [t for t in root.iter(f"{SVG}text") if t.text == "fewer than 5"]
    assert suppressed[0].get("font-style") == "italic"
    zero = [t for t in root.iter(f"{SVG}text") if t.text == "0"]
    assert zero[0].get("font-style") is None


def test_max_value_sets_the_scale_and_no_bar_passes_the_end():
    root = parse(chart([Bar("Camden", 50, "50%"), Bar("Brent", 150, "150%")], max_value=100))

    assert [float(rect.get("width")) for rect in bars_of(root)] == [PLOT_WIDTH / 2, PLOT_WIDTH]


def test_text_is_escaped_and_long_labels_are_cut_short_with_the_full_text_kept():
    long = "The Royal Borough of Kensington and Chelsea"
    svg = chart(
        [Bar("Hammersmith & Fulham <test>", 3, "fewer than 5"), Bar(long, 9, "£9 \"net\"")],
        description='Figures for "boroughs" & <others>',
    )
    root = parse(svg)

    texts = texts_of(root)
    assert "Hammersmith & Fulham <test>" in texts  # 27 characters: fits without cutting
    assert '£9 "net"' in texts
    assert root.find(f"{SVG}desc").text == 'Figures for "boroughs" & <others>'
    cut = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert cut.find(f"{SVG}title").text == long
    assert cut.find(f"{SVG}title").tail.endswith("…")
    assert long.startswith(cut.find(f"{SVG}title").tail[:-1])


@pytest.mark.parametrize("chart_id", ["", "Reach", "1st", "reach chart", 'x"y', "a_b", "é"])
def test_chart_id_must_be_a_safe_identifier(chart_id):
    with pytest.raises(ValueError):
        chart([Bar("Camden", 1, "1")], chart_id=chart_id)
    with pytest.raises(ValueError):
        grouped_bar_chart("t", ["a"], [Series("s", [1])], description="d", chart_id=chart_id)


def test_negative_values_are_refused():
    with pytest.raises(ValueError):
        chart([Bar("Camden", -1, "-1")])


def test_no_bars_gives_a_small_valid_chart_saying_so():
    root = parse(chart([]))

    assert root.get("role") == "img"
    assert "No figures yet" in texts_of(root)
    assert not bars_of(root)
    grouped = parse(grouped_bar_chart("t", [], [], description="d", chart_id="money"))
    assert "No figures yet" in texts_of(grouped)


def test_a_target_is_a_line_in_proportion_explained_in_the_key_and_description():
    root = parse(chart([Bar("Camden", 100, "100", target=50), Bar("Brent", 80, "80")]))

    lines = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]
    assert len(lines) == 1
    assert float(lines[0].get("x1")) == pytest.approx(PLOT_X + PLOT_WIDTH / 2)
    assert "Target" in texts_of(root)
    assert "target" in root.find(f"{SVG}desc").text
    assert root.find(f"{SVG}desc").text.startswith("Young people by borough.")


def test_targets_count_towards_the_default_scale():
    root = parse(chart([Bar("Camden", 50, "50", target=200)]))

    assert float(bars_of(root)[0].get("width")) == pytest.approx(PLOT_WIDTH / 4)


def test_no_target_no_key():
    root = parse(chart([Bar("Camden", 100, "100")]))

    assert "Target" not in texts_of(root)
    assert root.find(f"{SVG}desc").text == "Young people by borough."


def money_chart(**kwargs):
    return grouped_bar_chart(
        "Money by grant",
        ["Grant one", "Hammersmith & Fulham <g>"],
        [
            Series("Award", [40000, 20000]),
            Series("Paid", [20000, None]),
            Series("Spend", [10000, 0]),
        ],
        description="Award, paid and spend for each grant.",
        chart_id="money",
        value_format=lambda pounds: f"£{pounds:,}",
        **kwargs,
    )


def test_grouped_chart_has_a_key_entry_per_series_and_a_bar_per_figure():
    root = parse(money_chart())

    keys = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "key"]
    assert len(keys) == 3
    assert {"Award", "Paid", "Spend"} <= set(texts_of(root))
    fills = {key.get("fill") for key in keys}
    assert len(fills) == 3  # each series looks different
    widths = [float(rect.get("width")) for rect in bars_of(root)]
    assert len(widths) == 5
    assert widths[:3] == [PLOT_WIDTH, PLOT_WIDTH / 2, PLOT_WIDTH / 4]
    texts = texts_of(root)
    assert {"£40,000", "£20,000", "£0", "not shown", "Hammersmith & Fulham <g>"} <= set(texts)


def test_grouped_chart_patterns_are_internal_and_named_after_the_chart():
    svg = money_chart()
    root = parse(svg)

    pattern_ids = [pattern.get("id") for pattern in root.iter(f"{SVG}pattern")]
    assert pattern_ids and all(id_.startswith("money-") for id_ in pattern_ids)
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_grouped_chart_checks_its_series():
    with pytest.raises(ValueError):
        grouped_bar_chart("t", ["a", "b"], [Series("s", [1])], description="d", chart_id="x")
    with pytest.raises(ValueError):
        grouped_bar_chart(
            "t", ["a"], [Series(str(n), [1]) for n in range(9)], description="d", chart_id="x"
        )


bar_strategy = st.builds(
    Bar,
    label=st.text(max_size=60),
    value=st.none() | st.integers(0, 10**7),
    shown=st.text(max_size=20),
    target=st.none() | st.integers(0, 10**7),
)


@settings(max_examples=200, deadline=None)
@given(bars=st.lists(bar_strategy, max_size=12), max_value=st.none() | st.integers(1, 10**7))
def test_any_bars_give_valid_svg_with_every_bar_inside_the_plot(bars, max_value):
    root = parse(chart(bars, max_value=max_value, description="d"))

    drawn = bars_of(root)
    assert len(drawn) == sum(bar.value is not None for bar in bars)
    for rect in drawn:
        assert 0 <= float(rect.get("width")) <= PLOT_WIDTH
    for line in root.iter(f"{SVG}line"):
        assert float(line.get("x1")) <= PLOT_X + PLOT_WIDTH


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.lists(st.none() | st.integers(0, 10**7), min_size=3, max_size=3),
                    min_size=1, max_size=4),
)
def test_any_grouped_figures_give_valid_svg(values):
    series = [Series(f"Series {n}", column) for n, column in enumerate(values)]
    root = parse(grouped_bar_chart("t", ["a", "b", "c"], series, description="d",
                                   chart_id="g"))

    drawn = bars_of(root)
    assert len(drawn) == sum(value is not None for column in values for value in column)
    assert all(0 <= float(rect.get("width")) <= PLOT_WIDTH for rect in drawn)


def test_weasyprint_draws_the_charts_with_their_text_as_text():
    weasyprint = pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    svg = chart([Bar("Hammersmith & Fulham", None, "fewer than 5"), Bar("Camden", 12, "12",
                                                                         target=20)])

    pdf = weasyprint.HTML(
        string=f"<html><body>{svg}{money_chart()}</body></html>"
    ).write_pdf()

    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "fewer than 5" in text
    assert "Hammersmith & Fulham" in text
    assert "£40,000" in text
