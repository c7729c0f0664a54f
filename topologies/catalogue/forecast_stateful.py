"""Forecasting: learn the next step, then generate the future one step at a time.

The model is trained to predict each step from the ones before it: the input is the known
sequence without its last step, the target is the same sequence shifted one step ahead. To
forecast, it first reads the whole known sequence (the "prime" call), which leaves its state
at the end of what is known; the last output is the first future step. That prediction is fed
back in as the next input, again and again, without resetting the state in between.

The series is `forecasting.forecast_series`, sine waves (`series.sine_waves`): sequence i has
phase pi * i / (batch - 1) (0 for a batch of one), feature j has frequency 0.3 + 0.1 j, so
sample 0's first feature is sin(0.3 t) for t = 0, 1, 2, ... The Stateful page trains LSTM(8)
on 30 known steps for 100 epochs; its 15 fed-back forecasts then miss the true continuation by
about 0.01 on average, against a spread (standard deviation) of 0.5.

A Dense layer brings the output back to `features` numbers, so it can be fed back whatever
the number of units (the alternative is units = features, as in one_to_many_stateful).

    inputs = keras.Input(batch_shape=(1, None, 1))
    hidden = layers.LSTM(4, stateful=True, return_sequences=True)(inputs)   # (1, steps, 4)
    outputs = layers.Dense(1)(hidden)                                       # (1, steps, 1)

Reference: https://keras.io/guides/working_with_rnns/#crossbatch-statefulness
"""

import keras
import numpy as np
from keras import layers

from topologies.config import ConfigError
from topologies.contract import Event
from topologies.cost import Cost, call, fed, per_step, recurrent, training
from topologies.forecasting import LEARNING_RATE, forecast_series
from topologies.records import Facts

EPOCHS = 5
# Training compiles a function once (about a second here); for short sequences running each
# epoch eagerly is cheaper, as long as epochs x steps stays small.
EAGER_TRAINING_STEPS = 60


# Training takes a compiled pass per epoch over every step: long series are kept out.
MAX_STEPS = 200


def check(config) -> None:
    if config.steps > MAX_STEPS:
        raise ConfigError(
            f"steps is {config.steps}, but this topology trains on the whole series before "
            f"forecasting, so steps must be at most {MAX_STEPS}.",
            fix={"steps": MAX_STEPS},
        )
    if config.steps < 2:
        raise ConfigError(
            f"steps is {config.steps}, but forecasting trains on pairs of consecutive steps, "
            "so steps must be at least 2.",
            fix={"steps": 2},
        )


# The Dense layer brings each output back to `features` numbers, so it can be fed back in.
LAST_AXIS = {"to_features": "features"}


def cost(config) -> Cost:
    """Training (EPOCHS steps over steps - 1), the prime over the known steps, then one call of one
    step per forecast fed back."""
    batch, steps, features, units = config.batch, config.steps, config.features, config.units

    def forward(length: int) -> Cost:
        layer = recurrent(config.cell, batch, length, features, units)
        return fed(batch, length, features) + layer + per_step(batch, length, units, features)

    return training(forward(steps - 1), EPOCHS) + forward(steps) + call() + (forward(1) + call()) * (config.horizon - 1)


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(batch_shape=(config.batch, None, config.features), name="x")  # any length
    hidden = Recurrent(config.units, stateful=True, return_sequences=True, name="rnn")(inputs)  # (batch, steps, units)
    outputs = layers.Dense(config.features, name="to_features")(hidden)  # (batch, steps, features)
    return keras.Model(inputs, outputs, name="forecast_stateful")


def event_count(config, epochs: int = EPOCHS, **options) -> int:
    return epochs + config.horizon  # an epoch each, the prime, then horizon - 1 steps fed back


def what_ran(trace) -> str:
    batch = trace.calls[0].input_shapes[0][0]
    fed_back = len(trace.calls) - 1
    return f"batch {batch} · trained, primed on {trace.config.steps} steps, then {fed_back} fed back one at a time"


def calls(model, config, runner, epochs: int = EPOCHS, learning_rate: float = LEARNING_RATE):
    """Train for `epochs` with Adam at `learning_rate`, prime on the known steps, then generate
    `horizon` future steps.

    Yields an "epoch" Event (with its loss) after each epoch of training and a "call" Event
    after each model call, so a page can draw the loss and the picture as they happen."""
    series = forecast_series(config)  # (batch, steps + horizon, features)
    known = series[:, : config.steps]
    inputs, targets = known[:, :-1], known[:, 1:]  # the target is one step ahead of the input
    eager = epochs * config.steps <= EAGER_TRAINING_STEPS
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", run_eagerly=eager)
    losses = []
    for epoch in range(1, epochs + 1):
        runner.reset()  # each epoch reads the sequences from their start
        losses.append(float(model.train_on_batch(inputs, targets)))
        yield Event("epoch", f"epoch {epoch}", loss=losses[-1])

    runner.reset()
    (predicted,) = runner.call("prime", known)  # (batch, steps, features)
    yield Event("call", "prime")
    next_input = predicted[:, -1:]  # the forecast of step steps + 1
    forecast = [next_input]
    for step in range(config.steps + 1, config.steps + config.horizon):
        (next_input,) = runner.call(f"step {step}", next_input, fed_back=True)  # (batch, 1, features)
        forecast.append(next_input)
        yield Event("call", f"step {step}")
    runner.reset()
    return Facts(
        training_loss=losses,
        forecast_sample_0=np.concatenate(forecast, axis=1)[0].astype("float64").round(4).tolist(),
        truth_sample_0=series[0, config.steps :].astype("float64").round(4).tolist(),
    )
