"""The lab pages' charts and tables: plain data in, a Plotly figure or a table out; nothing of Streamlit or Keras.

series_chart(series, window=3, look_back=5, target=targets[2])   # the series, window 3 shaded
windows_heatmap(inputs)                                          # X as a picture
windows_and_chunks(length=60, look_back=5)                       # the two ways to feed a series
forecast_chart(truth, predicted, known=30)                       # forecast against the truth
tank_table(tanks=3, hours=range(1, 3))                           # one batch of the seed's tanks
batch_rows([1, 1, 2, 2, 2])                                      # [[0, 1, 2, 3], [4]]: tables in rows
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.draw.palette import INPUT_FILL, LIGHT_STATE_FILL, OUTPUT_INK, STATE_FILL
from app.draw.plan import FONT_SIZE

FEATURE_NAMES = ("pressure", "temperature")
FONT = {"size": FONT_SIZE}  # the unrolled picture's words: legible on a projector
MARGIN = {"t": 10, "b": 10}  # pixels above and below a chart
NOTED_MARGIN = {"t": 30, "b": 10}  # room above for a note written at the plot's top (a window, known | future)
TABLE_COLUMNS = 10  # table columns in one row of tank tables: "PA1, TA1" fits at 1024 pixels wide


def series_chart(series: np.ndarray, window: int, look_back: int, target: np.ndarray) -> go.Figure:
    """The series (one line per feature), window `window` shaded, and the value it predicts."""
    count, features = series.shape
    start = window - 1
    figure = go.Figure()
    for feature in range(features):
        figure.add_trace(
            go.Scatter(
                x=np.arange(1, count + 1),
                y=series[:, feature],
                mode="lines+markers",
                name=FEATURE_NAMES[feature] if features > 1 else "series",
                marker={"size": 5},
            )
        )
    figure.add_vrect(
        x0=start + 0.5,
        x1=start + look_back + 0.5,
        fillcolor=INPUT_FILL,
        opacity=0.18,
        line_width=0,
        annotation_text=f"window {window}: X[{start}]",
        annotation_position="top left",
    )
    figure.add_trace(
        go.Scatter(
            x=[start + look_back + 1] * features,
            y=target,
            mode="markers",
            name=f"target y[{start}]",
            marker={"size": 14, "color": OUTPUT_INK, "symbol": "star"},
        )
    )
    figure.update_layout(height=330, margin=NOTED_MARGIN, font=FONT, xaxis_title="position in the series")
    return figure


def windows_heatmap(inputs: np.ndarray) -> go.Figure:
    """The windows' first feature as rows of a picture: (windows, steps)."""
    shown, look_back = inputs.shape[0], inputs.shape[1]
    heatmap = go.Figure(
        go.Heatmap(
            z=inputs[:, :, 0],
            x=[f"step {step}" for step in range(1, look_back + 1)],
            y=[f"window {number}" for number in range(1, shown + 1)],
            colorscale="RdBu",
            showscale=False,
        )
    )
    heatmap.update_yaxes(autorange="reversed")
    heatmap.update_layout(height=330, margin=MARGIN, font={"size": 13})
    return heatmap


def windows_and_chunks(length: int, look_back: int, lanes: int = 6) -> go.Figure:
    """The first few overlapping windows (each a step later) above consecutive chunks, on the
    positions they cover: the axis never runs past the series' `length` values."""
    samples, chunks = length - look_back, length // look_back  # windows, and chunks that do not overlap
    shown_windows, shown_chunks = min(samples, lanes), min(chunks, lanes)
    figure = go.Figure()
    for lane in range(shown_windows):
        figure.add_shape(
            type="rect",
            x0=lane + 0.5,
            x1=lane + look_back + 0.5,
            y0=-lane - 0.4,
            y1=-lane + 0.4,
            fillcolor=INPUT_FILL,
            opacity=0.7,
            line_width=1,
        )
    for chunk in range(shown_chunks):
        figure.add_shape(
            type="rect",
            x0=chunk * look_back + 0.5,
            x1=(chunk + 1) * look_back + 0.5,
            y0=-7.4,
            y1=-6.6,
            fillcolor=STATE_FILL if chunk % 2 == 0 else LIGHT_STATE_FILL,
            opacity=0.9,
            line_width=1,
        )
    windows_text = "windows: each starts one step later" if samples > 1 else "the only window"
    chunks_text = "chunks: each starts where the last ended" if chunks > 1 else "the only chunk"
    figure.add_annotation(x=0.5, y=0.8, text=windows_text, showarrow=False, xanchor="left")
    figure.add_annotation(x=0.5, y=-6.0, text=chunks_text, showarrow=False, xanchor="left")
    last = max(shown_windows - 1 + look_back, shown_chunks * look_back)  # the last position drawn, at most length
    figure.update_layout(
        height=300,
        margin=MARGIN,
        font=FONT,
        showlegend=False,
        plot_bgcolor="white",
        xaxis={"title": "position in the series", "range": [0.5, last + 0.5]},
        yaxis={"visible": False, "range": [-8, 1.3]},
    )
    return figure


def forecast_chart(truth: np.ndarray, predicted: list[float], known: int) -> go.Figure:
    """The true series and the forecast fed back, from step known + 1 on."""
    figure = go.Figure()
    figure.add_scatter(x=list(range(1, len(truth) + 1)), y=truth, name="true series", mode="lines")
    figure.add_scatter(
        x=list(range(known + 1, known + 1 + len(predicted))),
        y=predicted,
        name="forecast, fed back",
        mode="lines+markers",
    )
    figure.add_vline(x=known + 0.5, line_dash="dash", annotation_text="known | future")
    figure.update_layout(height=320, font=FONT, margin=NOTED_MARGIN, xaxis_title="step")
    return figure


def tank_table(tanks: int, hours: range) -> dict[str, list[str]]:
    """One batch of the seed's tanks: a row per tank, a column per hour, "PA1, TA1" (tank A's
    pressure and temperature at hour 1) in each cell."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:tanks]
    return {
        "tank": list(letters),
        **{f"step {hour}": [f"P{tank}{hour}, T{tank}{hour}" for tank in letters] for hour in hours},
    }


def batch_rows(sizes: list[int], columns: int = TABLE_COLUMNS) -> list[list[int]]:
    """The batches' tables (numbered from 0), in rows of at most `columns` table columns (a
    tank column and one per step each), in order: [1, 1, 2, 2, 2] -> [[0, 1, 2, 3], [4]]."""
    rows: list[list[int]] = [[]]
    width = 0
    for number, size in enumerate(sizes):
        if rows[-1] and width + 1 + size > columns:
            rows.append([])
            width = 0
        rows[-1].append(number)
        width += 1 + size
    return rows
