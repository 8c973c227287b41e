"""Bar charts drawn on the server as SVG: no JavaScript, no chart library.

Each chart is an image with a title and a description for assistive technology, and every bar
carries its number as text, so neither colour nor length alone carries the figure. The page
puts a data table with the same numbers next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# USWDS system colours, each at least 3:1 against white (WCAG 1.4.11, non-text contrast).
COLOURS = ("#005ea2", "#162e51", "#c05600", "#538200")

WIDTH = 720
LABEL_WIDTH = 150
VALUE_ROOM = 60
BAR_HEIGHT = 16
ROW_GAP = 4
GROUP_HEADING = 22
GROUP_GAP = 14
TOP = 30


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | float]]],
) -> SafeString:
    """A horizontal bar chart: one group per category, one labelled bar per series in each.

    `series` is [(name, values)], each values list in the order of `categories`. Every piece
    of text is escaped here, so the result is safe to put in a page as it is.
    """
    scale_max = max([value for _, values in series for value in values] + [0]) or 1
    bar_room = WIDTH - LABEL_WIDTH - VALUE_ROOM - 10
    group_height = GROUP_HEADING + len(series) * (BAR_HEIGHT + ROW_GAP) + GROUP_GAP
    height = TOP + max(len(categories), 1) * group_height
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" class="eo-chart" '
        f'font-family="Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif" font-size="13">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    # The legend names the series in their colours, in the order the bars come in each group.
    x = 0
    for index, (name, _) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" fill="#1b1b1b">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    if not categories:
        parts.append(f'<text x="0" y="{TOP + 16}" fill="#1b1b1b">No data yet.</text>')
    y = TOP
    for position, category in enumerate(categories):
        parts.append(
            f'<text x="0" y="{y + 15}" font-weight="bold" fill="#1b1b1b">{escape(_truncate(str(category), 90))}</text>'
        )
        y += GROUP_HEADING
        for index, (name, values) in enumerate(series):
            value = values[position]
            colour = COLOURS[index % len(COLOURS)]
            length = round(bar_room * value / scale_max, 1)
            parts.append(
                f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" fill="#1b1b1b">'
                f"{escape(name)}</text>"
            )
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{colour}"/>')
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR_HEIGHT - 4}" fill="#1b1b1b">{escape(value)}</text>'
            )
            y += BAR_HEIGHT + ROW_GAP
        y += GROUP_GAP
    parts.append("</svg>")
    # Every interpolated string above went through escape(); numbers and colours are ours.
    return mark_safe("".join(parts))  # noqa: S308


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int | float | None]],
    missing_text: str = "no figure",
    label_width: int = 220,
) -> SafeString:
    """A horizontal bar chart of one series: a row per (label, value).

    A value of None is a figure that may not be shown (the transparency page's small-number
    rule): its row has no bar, only `missing_text`, so its length cannot be measured either.
    """
    shown = [value for _, value in bars if value is not None]
    scale_max = max([*shown, 0]) or 1
    bar_room = WIDTH - label_width - VALUE_ROOM - 40
    height = 8 + max(len(bars), 1) * (BAR_HEIGHT + ROW_GAP * 2)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" class="eo-chart" '
        f'font-family="Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif" font-size="13">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    if not bars:
        parts.append('<text x="0" y="20" fill="#1b1b1b">No data yet.</text>')
    y = 4
    for label, value in bars:
        parts.append(
            f'<text x="{label_width - 6}" y="{y + BAR_HEIGHT - 4}" text-anchor="end" fill="#1b1b1b">'
            f"{escape(_truncate(str(label), 34))}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{label_width}" y="{y + BAR_HEIGHT - 4}" font-style="italic" fill="#1b1b1b">'
                f"{escape(missing_text)}</text>"
            )
        else:
            length = round(bar_room * value / scale_max, 1)
            parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{COLOURS[0]}"/>')
            parts.append(
                f'<text x="{label_width + length + 6}" y="{y + BAR_HEIGHT - 4}" fill="#1b1b1b">{escape(f"{value:,}")}</text>'
            )
        y += BAR_HEIGHT + ROW_GAP * 2
    parts.append("</svg>")
    # Every interpolated string above went through escape(); numbers and colours are ours.
    return mark_safe("".join(parts))  # noqa: S308
