"""One cell, called once per step: a loop written out in a Functional graph.

A recurrent layer is a cell and a loop: `LSTM(4)` is `RNN(LSTMCell(4))`, and the RNN wrapper
calls the cell at every step, handing it x_t and the state it returned the step before. That
loop can also be written by hand. The cell is called once per step, in plain Python, and each
call hands back its output and its new state: h_t for GRUCell and SimpleRNNCell, [h_t, c_t] for
LSTMCell. Here the output goes back in as the next step's input as well as the state, so the
sequence grows from one vector: the one-to-many loop of one_to_many_stateful, written as one
graph instead of a stateful layer called once per step, as a reader of the seed's thread
suggests. That
only fits when the output has as many numbers as the input: units must equal features. It is
one cell, so one set of weights, however many steps; the steps' outputs are joined into
(batch, steps, units) at the end. The state starts at zeros, made for a fixed batch.

    cell = layers.LSTMCell(2)
    state = cell.get_initial_state(batch_size=10)  # [h_0, c_0]: (10, 2) each, zeros
    y = x                                          # (10, 2): the first input
    for t in range(5):
        y, state = cell(y, state)                  # y: (10, 2); state: [h_t, c_t]

Reference: https://keras.io/api/layers/recurrent_layers/lstm_cell/
"""

import keras
from keras import layers

from topologies.config import check_fed_back
from topologies.cost import Cost, call, data, fed, recurrent
from topologies.layer_kinds import GATES

# Each step is one more call of the cell in the graph: one more node Keras builds, and then runs
# on its own. Measured here, that is 0.05 to 0.1 s per step, whatever the sizes, so twelve steps
# (a picture with no gap) keep a run near a second.
MAX_STEPS = 12


def check(config) -> None:
    check_fed_back(config, MAX_STEPS, per_step="calls its cell once per step in the graph")


def cost(config) -> Cost:
    """The first input; per step one call of the cell (its output and its states), each a layer
    call made in Python with the cell's weights; the steps joined, then reshaped; one model call."""
    batch, steps, features, units = config.batch, config.steps, config.features, config.units
    in_python = Cost(unrolled_steps=1, unrolled_weights=GATES[config.cell] * units * (units + features))
    one_step = recurrent(config.cell, batch, 1, features, units) + data(batch, 2, units) + in_python
    return fed(batch, 1, features) + one_step * steps + data(batch, steps, units) * 2 + call()


# The reshape gives each step its own vector of the cell's units.
LAST_AXIS = {"to_steps": "units"}


def build(config) -> keras.Model:
    Cell = getattr(layers, f"{config.cell}Cell")  # layers.LSTMCell, layers.GRUCell or layers.SimpleRNNCell
    cell = Cell(config.units, name="cell")
    # get_initial_state makes zeros for a known batch, so the batch is fixed.
    x = keras.Input(batch_shape=(config.batch, config.features), name="x")  # (batch, features)
    state = cell.get_initial_state(batch_size=config.batch)  # [h_0] or [h_0, c_0]: (batch, units) each
    y = x
    outputs = []
    for _ in range(config.steps):
        y, state = cell(y, state)  # y: (batch, units), the next step's input; state: [h_t] or [h_t, c_t]
        outputs.append(y)
    joined = layers.Concatenate(name="join")(outputs)  # (batch, steps x units)
    sequence = layers.Reshape((config.steps, config.units), name="to_steps")(joined)  # (batch, steps, units)
    return keras.Model(x, sequence, name="cell_loop")
