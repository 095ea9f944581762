"""Horizontal bar charts drawn server-side as inline SVG, for web pages and WeasyPrint PDFs.

A chart is never the only way to get the figures: the page always shows the same figures in
a table next to it. The chart is still accessible on its own: `role="img"`, labelled by its
`<title>` and `<desc>`, and every figure is printed as text at the end of its bar.

The SVG is plain on purpose so that WeasyPrint draws it the same as a browser: presentation
attributes only (no CSS, no `foreignObject`), no scripts, nothing fetched. Every piece of
text is XML-escaped, so the result can go into a template with `|safe`.
"""

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

FONT = 'font-family="Arial, sans-serif" font-size="14"'
TEXT_COLOUR = "#0b0c0c"  # GOV.UK black: the only colour used for text
BAR_COLOUR = "#1d70b8"  # GOV.UK blue, 5.2:1 against white
AXIS_COLOUR = "#0b0c0c"

# Fixed geometry in viewBox units; the SVG scales to its container with width="100%".
WIDTH = 680
LABEL_RIGHT = 232  # labels are right-aligned to here
PLOT_X = 240  # bars start here...
PLOT_WIDTH = 300  # ...and are never longer than this; the rest is room for the figures
VALUE_GAP = 6
LABEL_CHARS = 27  # fits the label column even in a fallback font wider than Arial
ROW = 32
BAR = 20
GROUP_BAR = 18
GROUP_BAR_GAP = 4
GROUP_GAP = 16
KEY_ROW = 24
PAD = 8

# Series styles for grouped charts: each colour is at least 3:1 against white, and every
# other series is striped so that neighbouring series differ without colour too.
SERIES_STYLES = [
    ("#1d70b8", False),  # blue
    ("#003078", True),  # dark blue, striped
    ("#28a197", False),  # turquoise
    ("#4c2c92", True),  # purple, striped
]

CHART_ID = re.compile(r"[a-z][a-z0-9-]*")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None when the figure is suppressed or unknown: no bar is drawn
    shown: str  # the text printed at the end of the bar: "12", "fewer than 5", "£12,500"
    target: int | None = None  # drawn as a dark vertical line across the bar


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | None]  # one per category; None when suppressed or unknown


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    description: str,
    max_value: int | None = None,
    chart_id: str,
) -> str:
    """A horizontal bar chart, one row per bar, as an SVG string.

    The scale runs from 0 to `max_value`, by default the largest value or target. A bar
    with no value prints its `shown` text in italics instead of a bar.
    """
    _check(chart_id, [bar.value for bar in bars] + [bar.target for bar in bars])
    if max_value is not None and max_value < 1:
        raise ValueError("max_value must be at least 1")
    if not bars:
        return _empty(title, description, chart_id)
    has_targets = any(bar.target is not None for bar in bars)
    if has_targets:
        description = f"{description} A dark vertical line across a bar marks its target."
    scale = _scale(max_value, [bar.value for bar in bars] + [bar.target for bar in bars])

    parts = []
    for row, bar in enumerate(bars):
        y: float = PAD + row * ROW  # whole for the bars, half-way down the key below
        parts.append(_label(bar.label, y + BAR / 2))
        # the figure goes after the bar and after its target marker, whichever is further
        clear = 0 if bar.target is None else scale(bar.target) + 2
        parts.append(_bar(bar.value, bar.shown, y, BAR, scale, f'fill="{BAR_COLOUR}"', clear))
        if bar.target is not None:
            x = PLOT_X + scale(bar.target)
            parts.append(
                f'<line class="target" x1="{_n(x)}" y1="{y - 4}" x2="{_n(x)}" y2="{y + BAR + 4}"'
                f' stroke="{TEXT_COLOUR}" stroke-width="3"/>'
            )
    bottom = PAD + len(bars) * ROW - (ROW - BAR)
    parts.append(_axis(PAD - 4, bottom + 4))
    height = bottom + PAD
    if has_targets:
        y = bottom + PAD + KEY_ROW / 2
        parts.append(
            f'<line class="key" x1="{PLOT_X + 8}" y1="{_n(y - 8)}" x2="{PLOT_X + 8}"'
            f' y2="{_n(y + 8)}" stroke="{TEXT_COLOUR}" stroke-width="3"/>'
        )
        parts.append(_text(PLOT_X + 18, y, "Target"))
        height += KEY_ROW + PAD
    return _svg(title, description, chart_id, height, "", parts)


def grouped_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    description: str,
    chart_id: str,
    value_format: Callable[[int], str] = str,
    missing: str = "not shown",
) -> str:
    """Horizontal bars in groups, one group per category and one bar per series, with a key.

    A value of None prints `missing` in italics instead of a bar.
    """
    values = [value for one in series for value in one.values]
    _check(chart_id, values)
    if len(series) > len(SERIES_STYLES):
        raise ValueError(f"at most {len(SERIES_STYLES)} series can be told apart")
    if any(len(one.values) != len(categories) for one in series):
        raise ValueError("every series needs one value per category")
    if not categories or not series:
        return _empty(title, description, chart_id)
    scale = _scale(None, values)

    defs, fills = [], []
    for index, (colour, striped) in enumerate(SERIES_STYLES[: len(series)]):
        if striped:
            pattern = f"{chart_id}-stripes-{index}"
            defs.append(
                f'<pattern id="{pattern}" width="8" height="8" patternUnits="userSpaceOnUse"'
                f' patternTransform="rotate(45)"><rect width="8" height="8" fill="{colour}"/>'
                f'<rect width="3" height="8" fill="#ffffff"/></pattern>'
            )
            fills.append(f'fill="url(#{pattern})" stroke="{colour}" stroke-width="1"')
        else:
            fills.append(f'fill="{colour}"')

    parts = []
    for index, one in enumerate(series):  # the key comes first: it is read first
        y = PAD + index * KEY_ROW
        parts.append(f'<rect class="key" x="0" y="{y}" width="16" height="16" {fills[index]}/>')
        parts.append(_text(24, y + 8, one.name))
    top = PAD + len(series) * KEY_ROW + PAD
    group = len(series) * (GROUP_BAR + GROUP_BAR_GAP) - GROUP_BAR_GAP
    for row, category in enumerate(categories):
        y = top + row * (group + GROUP_GAP)
        parts.append(_label(category, y + group / 2))
        for index, one in enumerate(series):
            value = one.values[row]
            shown = missing if value is None else value_format(value)
            bar_y = y + index * (GROUP_BAR + GROUP_BAR_GAP)
            parts.append(_bar(value, shown, bar_y, GROUP_BAR, scale, fills[index]))
    bottom = top + len(categories) * (group + GROUP_GAP) - GROUP_GAP
    parts.append(_axis(top - 4, bottom + 4))
    defs_markup = f"<defs>{''.join(defs)}</defs>" if defs else ""
    return _svg(title, description, chart_id, bottom + PAD, defs_markup, parts)


def _check(chart_id: str, values: Sequence[int | None]) -> None:
    if not CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be lower-case letters, digits and hyphens: {chart_id!r}")
    if any(value is not None and value < 0 for value in values):
        raise ValueError("bar charts start at 0: values and targets must not be negative")


def _scale(max_value: int | None, values: Sequence[int | None]) -> Callable[[int], float]:
    """Turn a value into a length along the plot, never past its end."""
    top = max_value or max([value for value in values if value is not None] + [1])
    return lambda value: min(value, top) / top * PLOT_WIDTH


def _bar(value, shown, y, height, scale, fill, clear=0.0) -> str:
    """A bar with its figure printed after it, or the figure alone in italics."""
    middle = y + height / 2
    if value is None:
        return _text(PLOT_X + clear + VALUE_GAP, middle, shown, italic=True)
    width = scale(value)
    return (
        f'<rect class="bar" x="{PLOT_X}" y="{y}" width="{_n(width)}" height="{height}" {fill}/>'
        + _text(PLOT_X + max(width, clear) + VALUE_GAP, middle, shown)
    )


def _label(label: str, middle: float) -> str:
    """A category label, cut short to fit its column; the full text stays in a title."""
    if len(label) <= LABEL_CHARS:
        return _text(LABEL_RIGHT, middle, label, anchor="end")
    short = label[: LABEL_CHARS - 1].rstrip() + "…"
    return _text(LABEL_RIGHT, middle, short, anchor="end", title=label)


def _axis(y1: float, y2: float) -> str:
    return (
        f'<line x1="{PLOT_X}" y1="{_n(y1)}" x2="{PLOT_X}" y2="{_n(y2)}"'
        f' stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )


def _text(x, middle, content, *, anchor="start", italic=False, title=None) -> str:
    style = ' font-style="italic"' if italic else ""
    tooltip = f"<title>{_esc(title)}</title>" if title else ""
    return (  # a baseline 5 below the middle centres 14-unit text on it
        f'<text x="{_n(x)}" y="{_n(middle + 5)}" {FONT} fill="{TEXT_COLOUR}"'
        f' text-anchor="{anchor}"{style}>{tooltip}{_esc(content)}</text>'
    )


def _empty(title: str, description: str, chart_id: str) -> str:
    return _svg(title, description, chart_id, 40, "", [_text(0, 20, "No figures yet")])


def _svg(title, description, chart_id, height, defs, parts) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="eoi-chart" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false"'
        f' viewBox="0 0 {WIDTH} {_n(height)}" width="100%">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(description)}</desc>'
        f"{defs}{''.join(parts)}</svg>"
    )


def _esc(text: str) -> str:
    return html.escape(NOT_XML.sub("", text), quote=True)


def _n(number: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")
