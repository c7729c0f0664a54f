"""Page "Stateful": what stateful=True carries from one batch to the next, and when it breaks."""

import numpy as np
import streamlit as st

from app.diagram import draw
from app.draw.charts import TABLE_COLUMNS, batch_rows, forecast_chart, tank_table
from app.serve.traces import cached_steps, cached_trace
from app.ui.controls import HELP
from app.ui.counted_button import counted_button, total_clicks
from app.ui.showing import page_look, show_diagram
from topologies.config import Config
from topologies.forecasting import LEARNING_RATE, forecast_series
from topologies.series import chunk_sizes

EXACT = 1e-5  # below this, two float32 runs agree up to rounding
# Lab settings outlive a visit to another page, and are this browser session's own: unlike the
# Shapes page's sidebar they are not written into the link.
KEPT = "session"


def chart(result, key: str) -> None:
    show_diagram(draw(result, page_look()), key, filename=f"rnn_shapes_{result.topology}")


st.title("Stateful: what stateful=True keeps between batches")
st.markdown(
    "Normally every batch holds **whole, new sequences**: the state h_t (and c_t) starts from zero for each. "
    "With `stateful=True` the state a batch ends with is where the next batch starts, **row by row**: "
    "sample i of batch 2 continues sample i of batch 1. So long sequences can be fed in pieces, and a "
    "model can be stopped after any step, given a new input, and continue."
)

# ----------------------------------------------------------------------------------- the tanks
st.header("1. Oil tanks, fed in consecutive batches")
sizes = st.columns(4)
tanks = sizes[0].slider("tanks (batch)", 2, 8, 3, key="stateful_tanks", help=HELP["batch"], persist_state=KEPT)
steps = sizes[1].slider("hours measured (steps)", 2, 8, 5, key="stateful_steps", help=HELP["steps"], persist_state=KEPT)
if steps > 2:
    # The slider ends at steps and keeps its value when steps change; a value past the new end would be
    # refused by the slider itself, so it comes down to the end first.
    if st.session_state.get("stateful_chunks", 2) > steps:
        st.session_state.stateful_chunks = steps
    chunks = sizes[2].slider(
        "batches per sequence (chunks)", 2, steps, key="stateful_chunks", help=HELP["chunks"], persist_state=KEPT
    )
else:  # a slider needs two ends: two steps split only one way
    chunks = 2
    sizes[2].markdown("batches per sequence (chunks): **2**")
units = sizes[3].slider("units", 1, 8, 4, key="stateful_units", help=HELP["units"], persist_state=KEPT)
split = chunk_sizes(steps, chunks)
st.markdown(
    f"Each tank has **{steps} hourly steps** of **2 features** (pressure P, temperature T): the data is "
    f"({tanks}, {steps}, 2). Fed in {chunks} batches of {' + '.join(map(str, split))} steps:"
)
first_hours = [1 + sum(split[:number]) for number in range(chunks)]  # the first step of each batch
for row in batch_rows(split):
    # Each table as wide as its columns (the tank and its steps), on one scale for every row.
    widths = [1 + split[number] for number in row]
    spare = [TABLE_COLUMNS - sum(widths)] if sum(widths) < TABLE_COLUMNS else []
    for grid, number in zip(st.columns(widths + spare), row):
        grid.markdown(f"**batch {number + 1}**: ({tanks}, {split[number]}, 2)")
        grid.table(tank_table(tanks, range(first_hours[number], first_hours[number] + split[number])))
st.caption("Row i of every batch is the same tank: that alignment is the whole contract.")

# ----------------------------------------------------------------------------------- for real
st.header("2. Run it for real")
config = Config(batch=tanks, steps=steps, features=2, units=units, chunks=chunks)
toggles = st.columns(2)
shuffle = toggles[0].toggle("Shuffle the samples between batches", key="stateful_shuffle", persist_state=KEPT)
reset = toggles[1].toggle("Reset the state between batches", key="stateful_reset", persist_state=KEPT)
with st.spinner("Running the stateful layer and its stateless twin…"):
    result = cached_trace("stateful_batches", config, shuffle=shuffle, reset_between=reset)
difference = result.facts.stateful_vs_whole_max_abs_diff
st.markdown(
    "The batches go through an LSTM with `stateful=True`; the whole sequences go, in one call, through "
    "a stateless twin with **the same weights**. If batch 2 really continues batch 1, the outputs agree."
)
st.metric("Largest difference, pieces vs whole", f"{difference:.2g}")
if difference < EXACT:
    st.success(
        "The outputs agree up to rounding: each tank's state at the end of batch 1 was its starting state in batch 2."
    )
else:
    reasons = []
    if shuffle:
        reasons.append(
            "the samples were shuffled: row i of batch 2 now holds the next tank's steps, so tank A's state "
            "continues tank B's measurements. That is why stateful training needs `shuffle=False`"
        )
    if reset:
        reasons.append(
            "the state was reset between batches, so batch 2 started from zero as if its steps began a new "
            "sequence. Reset only where sequences really end"
        )
    st.error("The outputs differ: " + "; and ".join(reasons) + ".")
chart(result, "tanks_diagram")

# ----------------------------------------------------------------------------------- fixed batch
st.header("3. The batch size is fixed")
st.markdown(
    "A stateful layer keeps one state row per sample, so it is built for a fixed batch: "
    f"`keras.Input(batch_shape=({tanks}, None, 2))`. What if batch 2 has one tank fewer?"
)
if st.button("Feed batch 2 with one tank fewer", key="uneven"):
    refused = cached_trace("stateful_batches", config, uneven_batch=True)
    st.warning(f"Keras refuses: {refused.facts.keras_error}")
    st.markdown(
        f"There are {tanks} saved states and {tanks - 1} samples: Keras cannot tell which state goes with "
        "which sample, so every batch of a stateful model must have the same number of samples."
    )

# ----------------------------------------------------------------------------------- feedback
st.header("4. One to many: each output becomes the next input")
st.markdown(
    "Call the stateful model with **one step**, take its output y_t and feed it back as x_(t+1). "
    "The state carries the sequence between calls. The output must fit where the input was, "
    "so **units must equal features**: here both are 2."
)
feedback_config = Config(batch=tanks, steps=12, features=2, units=2)


def start_feedback(config: Config, set_aside: tuple[int, int] | None = None) -> None:
    """New sequences; `set_aside` is (tanks, calls) of earlier ones the tanks slider replaced, to be said."""
    st.session_state.feedback_config = config
    st.session_state.feedback_base = total_clicks("feedback_next")  # the clicks before these sequences
    st.session_state.feedback_calls = 0
    st.session_state.feedback_set_aside = set_aside


def calls_asked(name: str, most: int) -> int:
    """The calls asked for so far: one per click on "{name}_next" since the sequences started
    (app/ui/counted_button.py counts every click), or all `most` after "Run to the end".

    A number, not a model: the run itself is made and kept in a worker (app.serve.traces.cached_steps),
    so two runs of one session that overlap (the newer one starts before the older one stops)
    ask for the same Trace, and each call is made exactly once."""
    if st.session_state.get(f"{name}_to_end"):
        return most
    return min(total_clicks(f"{name}_next") - st.session_state[f"{name}_base"], most)


if st.session_state.get("feedback_config") != feedback_config:
    # New sequences for the batch the tanks slider shows: never the old batch drawn under the new slider.
    earlier_calls = st.session_state.get("feedback_calls", 0)
    if earlier_calls:
        start_feedback(feedback_config, (st.session_state.feedback_config.batch, earlier_calls))
    else:
        start_feedback(feedback_config, st.session_state.get("feedback_set_aside"))
# one_to_many_stateful's protocol is one event per call, feedback_config.steps of them.
feedback_calls = st.session_state.feedback_calls = calls_asked("feedback", feedback_config.steps)
if st.session_state.feedback_set_aside and not feedback_calls:
    earlier_tanks, earlier_calls = st.session_state.feedback_set_aside
    st.caption(
        f"The tanks slider moved, so new sequences were started for {tanks} tanks: the {earlier_calls} calls "
        f"made for {earlier_tanks} tanks were set aside."
    )
buttons = st.columns(3)
buttons[0].button(
    "Start new sequences",
    key="feedback_start",
    on_click=start_feedback,
    args=(feedback_config,),
    disabled=not feedback_calls,
)
# Drawn after the calls are counted: disabled exactly when the last one has run.
counted_button(buttons[1], "Next step", key="feedback_next", disabled=feedback_calls == feedback_config.steps)
buttons[2].markdown(f"calls made: **{feedback_calls}** of {feedback_config.steps}")
if feedback_calls:
    chart(cached_steps("one_to_many_stateful", feedback_config, feedback_calls), "feedback_diagram")
else:
    st.caption("Press Next step: the first call reads the starting input x_1.")

# ----------------------------------------------------------------------------------- forecast
st.header("5. Forecast: learn the next step, then feed forecasts back")
forecast_config = Config(batch=1, steps=30, features=1, units=8, horizon=15)
# A hundred epochs learn the wave (about a second of training on 2 cores); ten leave a forecast that
# drifts away from it, so the slider shows both.
epochs = st.slider("epochs", 10, 200, 100, step=10, key="stateful_epochs", persist_state=KEPT)
st.markdown(
    f"A sine wave of {forecast_config.steps} known steps. The model learns to predict each step from the ones "
    "before (input: steps 1 to 29, target: steps 2 to 30, the state reset every epoch), with Adam at a "
    f"learning rate of {LEARNING_RATE} (its default, 0.001, is made for far more data than one short wave). "
    "Then it reads the known steps once (prime), and each forecast is fed back as the next input, with no reset."
)


def show_forecast_error(place, future: np.ndarray, predicted: list[float]) -> None:
    """How far the forecast so far is from the true continuation, against how much that continuation moves."""
    error = float(np.mean(np.abs(np.array(predicted) - future[: len(predicted)])))
    spread = float(np.std(future))  # the standard deviation of the whole true continuation
    flat = float(np.mean(np.abs(future - future.mean())))  # a flat line through its middle
    last = forecast_config.steps + len(predicted)
    place.metric(
        "mean absolute error",
        f"{error:.3f}",
        help="The forecast's error: the mean of |forecast - true value| over the steps forecast so far.",
    )
    place.markdown(
        f"Over steps {forecast_config.steps + 1} to {last}: **{error / spread:.2f} x** the spread of the true "
        f"continuation (its standard deviation, {spread:.2f}). A flat line at its average would score "
        f"{flat / spread:.2f} x."
    )


just_trained = st.button("Train", key="forecast_train")
if just_trained:
    st.session_state.forecast_epochs = epochs
    st.session_state.forecast_base = total_clicks("forecast_next")
    st.session_state.forecast_to_end = False
if "forecast_epochs" in st.session_state:
    trained = st.session_state.forecast_epochs
    horizon = forecast_config.horizon
    # The protocol: an event per epoch, the prime, then horizon - 1 forecasts fed back. The whole run,
    # made once in a worker, holds the losses (its Facts); the calls made so far are drawn from the
    # same run, kept there (app/serve/steps.py).
    with st.spinner(f"Training for {trained} epochs, then forecasting…"):
        whole = cached_steps("forecast_stateful", forecast_config, trained + horizon, epochs=trained)
    losses = whole.facts.training_loss
    if just_trained:  # the training ran in one go: its bar stands full, with the last epoch's loss
        st.progress(1.0, text=f"epoch {trained} of {trained}: loss {losses[-1]:.4f}")
    st.line_chart({"loss": losses}, height=200)
    forecast_calls = calls_asked("forecast", horizon)
    if trained != epochs:
        st.caption(f"This model was trained for {trained} epochs: press Train to train it for {epochs}.")
    controls = st.columns(3)
    counted_button(controls[0], "Next step", key="forecast_next", disabled=forecast_calls == horizon)
    controls[1].button(
        "Run to the end",
        key="forecast_end",
        on_click=st.session_state.update,
        args=({"forecast_to_end": True},),
        disabled=forecast_calls == horizon,
    )
    controls[2].markdown(f"calls made: **{forecast_calls}** of {horizon}")
    if forecast_calls:
        so_far = cached_steps("forecast_stateful", forecast_config, trained + forecast_calls, epochs=trained)
        # Sample 0's last output of each call: prime predicts step 31, each later call the next.
        predicted = [call.layers[-1].values["y"][-1][0] for call in so_far.calls]
        # The series the run trained on and forecast, known part and true continuation: sample 0.
        truth = forecast_series(forecast_config)[0, :, 0]
        figure = forecast_chart(truth, predicted, known=forecast_config.steps)
        plot, score = st.columns([3, 1])
        plot.plotly_chart(figure, width="stretch")
        show_forecast_error(score, truth[forecast_config.steps :], predicted)
        chart(so_far, "forecast_diagram")
else:
    st.caption("Press Train to start.")
