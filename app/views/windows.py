"""Page "Windows": how one long series becomes (samples, steps, features)."""

import numpy as np
import streamlit as st

from app.draw.charts import FEATURE_NAMES, series_chart, windows_and_chunks, windows_heatmap
from app.serve.traces import cached_trace
from app.ui.history import stop_page
from app.ui.literal import markdown_of
from app.ui.series import SeriesError, check_look_back, parse_series, side_by_side
from topologies.config import Config
from topologies.series import noisy_sine, windows

# Lab settings, pasted text included, outlive a visit to another page or to the other source, and
# are this browser session's own: unlike the Shapes page's sidebar they are not written into the link.
KEPT = "session"


def plural(count: int, word: str) -> str:
    """1 window, 2 windows."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


st.title("Windows: from one long series to (samples, steps, features)")
st.markdown(
    "A recurrent layer reads a batch of **sequences**, each a list of **steps**, each step a "
    "vector of **features**. A single long series has to be cut into sequences first. The "
    "classic way is a sliding window: every run of `look_back` consecutive values becomes one "
    "sequence, and the value right after it is the target to predict."
)

source_column, size_column = st.columns(2)
source = source_column.radio(
    "Series", ["Synthetic: sine plus noise", "Paste numbers"], key="source", persist_state=KEPT
)
two_series = source_column.checkbox(
    "A second series beside it: 2 features per step",
    help="Like the seed's pressure and temperature: two numbers measured at every step.",
    key="two_series",
    persist_state=KEPT,
)
if source != "Paste numbers":
    length = size_column.slider("Length N", 10, 400, 60, key="length", persist_state=KEPT)
look_back = size_column.slider("look_back (= steps per window)", 1, 50, 5, key="look_back", persist_state=KEPT)


def pasted(number: int, example: str) -> np.ndarray:
    """Series `number` as pasted in its box (the box starts with `example`), read as numbers."""
    text = source_column.text_area(
        f"Series {number}",
        example,
        key=f"pasted_{number}",
        help="Separate values with commas, spaces or new lines (1.5, 2.5), or with semicolons (1,5; 2,5).",
        persist_state=KEPT,
    )
    return parse_series(text, f"series {number}")


try:
    if source == "Paste numbers":
        first = pasted(1, "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12")
        second = pasted(2, "2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24") if two_series else None
        series = side_by_side(first, second)
    else:
        series = noisy_sine(length, 2 if two_series else 1, np.random.default_rng(0))
    check_look_back(series, look_back)
except SeriesError as error:
    st.error(markdown_of(error))
    stop_page()

inputs, targets = windows(series, look_back)  # (samples, look_back, features), (samples, features)
count, features = len(series), series.shape[1]
samples = len(inputs)

st.info(
    f"**{count} values** with **look_back = {look_back}** give "
    f"**{count} − {look_back} = {plural(samples, 'window')}**. "
    f"X is **{inputs.shape}** = (samples, steps, features) and y is **{targets.shape}** = (samples, features)."
)
st.caption(
    f"The seed's `create_dataset` loops over `range(len(dataset) - look_back - 1)` and so makes "
    f"{plural(samples - 1, 'window')}: it leaves out the last one, whose target is the final value. "
    "Nothing requires that; it is an off-by-one."
)

# A slider needs two ends: with a single window there is nothing to walk. The slider keeps its value
# when the number of windows changes; a value past the new end would be refused, so it comes down first.
if st.session_state.get("window", 1) > samples:
    st.session_state.window = samples
window = st.slider("Window k", 1, samples, key="window", persist_state=KEPT) if samples > 1 else 1
start = window - 1
st.plotly_chart(series_chart(series, window, look_back, targets[start]), width="stretch")

table_column, picture_column = st.columns(2)
with table_column:
    st.markdown(f"**X[{start}]**: shape {inputs[start].shape} = (steps, features)")
    st.dataframe(
        {
            "step": list(range(1, look_back + 1)),
            **{
                (FEATURE_NAMES[feature] if features > 1 else "value"): inputs[start, :, feature].round(3).tolist()
                for feature in range(features)
            },
        },
        hide_index=True,
    )
    st.markdown(f"**y[{start}]** = {targets[start].astype(float).round(3).tolist()}: the value after the window")
with picture_column:
    shown = min(samples, 30)
    which = f"the first {shown} of {samples} windows" if shown < samples else f"all {samples} windows"
    which = "the only window" if samples == 1 else which
    st.markdown(f"**X** as a picture: {which}, feature 1")
    st.plotly_chart(windows_heatmap(inputs[:shown]), width="stretch")
    st.caption("Each row is the one above shifted left by one step: the windows overlap.")

st.markdown("### Two ways to feed the same series")
chunks = count // look_back
overlap_column, stateful_column = st.columns(2)
with overlap_column:
    st.markdown(
        f"**Overlapping windows, stateless.** {plural(samples, 'sequence')} of {plural(look_back, 'step')}, "
        "shuffled freely. Each window is an independent sequence: the state starts from zero every time, so "
        f"nothing longer than {plural(look_back, 'step')} can be learned. A pattern that repeats every 100 days "
        "needs look_back of at least 100."
    )
with stateful_column:
    st.markdown(
        f"**Consecutive chunks, stateful.** The series cut into {plural(chunks, 'piece')} of "
        f"{plural(look_back, 'step')} that do not overlap, fed in order as batches of shape "
        f"(1, {look_back}, {features}) to a layer with `stateful=True`. The state carries from one chunk to "
        "the next, so the layer sees one long sequence and can keep what it needs across chunk borders (its "
        "gradients still stop at each border). Order matters: `shuffle=False`, and reset the state when the "
        "series ends."
    )
st.plotly_chart(windows_and_chunks(count, look_back), width="stretch")

st.markdown("### What goes wrong with the seed's stateful recipe")
recipe = cached_trace(
    "sliding_windows", Config(batch=min(samples, 20), steps=look_back, features=features), stateful_recipe=True
)
drift = recipe.facts.stateful_recipe_max_abs_diff
after_the_first = (
    f"but from window 2 on the predictions drift, by up to {max(drift[1:]):.2g}: the state window k + 1 starts "
    "from has already read the steps it reads again, since the windows overlap. Overlapping windows are "
    "independent sequences; only chunks that do not overlap continue one another."
    if len(drift) > 1
    else "and with one window there is nothing to carry into another."
)
st.markdown(
    "The seed trains on these overlapping windows with `stateful=True` and a batch of one window, without a "
    "reset between windows. Run for real on a series of the same shape, with the same weights: window 1 comes "
    f"out as it does among independent sequences (difference {drift[0]:.2g}), {after_the_first}"
)
st.markdown(
    f"See the windowed model's shapes: [sliding_windows with steps {look_back} and features {features}]"
    f"(/?topology=sliding_windows&steps={look_back}&features={features})."
)
