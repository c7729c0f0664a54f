"""What forecast_stateful trains on and how fast it learns, as plain data: the engine trains with
them, and the Stateful page draws and states them, without loading Keras.

    forecast_series(Config(batch=1, steps=30, features=1, horizon=15))   # (1, 45, 1): 30 known, 15 ahead
    keras.optimizers.Adam(LEARNING_RATE)                                # topologies/catalogue/forecast_stateful.py
"""

from __future__ import annotations

import numpy as np

from topologies.config import Config
from topologies.series import sine_waves

# Adam's default step (0.001) is made for big data sets: on one short sine wave it needs thousands
# of epochs, and after sixty its fed-back forecast is still a flat line. At 0.03 a hundred epochs
# (about a second) learn the wave well enough that fifteen forecasts fed back in a row follow it;
# ten epochs do not, and the Stateful page's slider shows both.
LEARNING_RATE = 0.03


def forecast_series(config: Config) -> np.ndarray:
    """The whole series of a forecast run: (batch, steps + horizon, features). The first `steps`
    are known (trained on, then read by the prime call); the rest is the true continuation that
    the forecast is measured against."""
    return sine_waves(config.batch, config.steps + config.horizon, config.features)
