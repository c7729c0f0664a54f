"""The boxes of one cell of the grid: what one row shows at one drawn step.

    cell = cell_at(Spot(grid, row_index=1, place=grid.places[1][0]))   # many_to_one, the row of h_t
    cell.box      # Box(role="state", label="h<sub>1</sub>", ...): the box arrows join
    cell.extras   # (Box(role="discarded", label="y<sub>1</sub>", ...),): the y_1 it dropped

Each kind of row has its own function, called at each of the row's places (app.draw.grid):
every step of a sequence, or the one place of a vector handed on once per sequence. Every
label and hover text is read from the Trace, that is, from the real run.
"""

from __future__ import annotations

import dataclasses
import math

from app.draw.grid import Grid, Place, Row, own_steps, own_timeline
from app.draw.plan import FONT_SIZE, LABEL_PAD, MIN_COLUMN, Box, Geometry, numbers_text, plotly_text, text_extent
from topologies.records import VALUE_WIDTH, CallRecord, LayerRecord, symbolic

BOX_WIDTH = 0.5  # data units: a box takes half its column, the rest is room for the arrows between steps
EXTRA_WIDTH = 0.45  # a box beside the one arrows join (a dropped y_t, a returned h_T): a little narrower


@dataclasses.dataclass(frozen=True)
class Cell:
    box: Box  # the box arrows join
    extras: tuple[Box, ...] = ()  # boxes no arrow joins, painted after it


@dataclasses.dataclass(frozen=True)
class Spot:
    """One cell being filled: its row, and the place (call, own step, t, x) it stands for."""

    grid: Grid
    row_index: int
    place: Place

    @property
    def row(self) -> Row:
        return self.grid.rows[self.row_index]

    @property
    def call(self) -> CallRecord:
        return self.grid.trace.calls[self.place.call]

    @property
    def step(self) -> int:
        return self.place.step

    @property
    def t(self) -> int:
        return self.place.t

    @property
    def last_step(self) -> bool:
        """The row's last own step in this call (its only one, for one vector per sequence)."""
        return self.place.step == own_steps(self.grid, self.row_index, self.place.call) - 1

    @property
    def last_place(self) -> bool:
        """The last place of the row in the whole picture."""
        return self.place == self.grid.places[self.row_index][-1]

    @property
    def batch(self) -> int:
        return self.call.input_shapes[0][0]

    def geometry(self, height: float, width: float = BOX_WIDTH, dx: float = 0.0, dy: float = 0.0) -> Geometry:
        """A box at this cell's centre, or moved by (dx, dy) for one that sits beside the main box."""
        return Geometry(self.place.x + dx, self.grid.y_of(self.row_index) + dy, width, height)

    def box(self, role: str, layer: str | None, shape, geometry: Geometry, label: str, hover: str, sample=None) -> Box:
        """A box in this cell; `sample` is sample 0's numbers its hover writes (a list, one number, or None)."""
        numbers = () if sample is None else tuple(sample) if isinstance(sample, list) else (sample,)
        return Box(
            role, layer, self.place.call, self.place.t, tuple(shape), geometry, label, hover, self.row_index, numbers
        )


def cell_at(spot: Spot) -> Cell:
    """The boxes at one drawn place of one row."""
    role = spot.row.role
    if role == "input":
        return _input_cell(spot)
    if role == "output":
        return _output_cell(spot)
    if role in ("recurrent", "forward", "backward"):
        return _state_cell(spot)
    if role == "cell":
        return _cell_call(spot)
    return _layer_cell(spot)


def _height(size: int) -> float:
    """Taller boxes for longer vectors, on a log scale so 512 units still fit a row."""
    return min(1.1, 0.45 + 0.12 * math.log2(max(size, 1)))


def _input_cell(spot: Spot) -> Cell:
    call, step, t, index = spot.call, spot.step, spot.t, spot.row.node
    shape, axes = call.input_shapes[index], call.input_axes[index]
    # The numbers fed: the x of the first layer this input feeds first.
    fed = next((item.values.get("x") for item in call.layers if item.fed_by[:1] == (spot.row.key,)), None)
    if axes[-1] == "steps":  # token ids: one integer per sequence at each step
        token = fed[step] if fed and step < len(fed) else None
        hover = _hover("<b>input token id</b> · model input", t, shape, axes, token, (spot.batch,))
        return Cell(spot.box("input", None, shape, spot.geometry(_height(1)), f"id<sub>{t}</sub>", hover, token))
    values = _step_values(fed, step, len(shape))
    hover = _hover("<b>input x</b> · model input", t, shape, axes, values, _one_step(shape, spot.batch))
    return Cell(spot.box("input", None, shape, spot.geometry(_height(shape[-1])), f"x<sub>{t}</sub>", hover, values))


def _state_cell(spot: Spot) -> Cell:
    """h_t of a recurrent layer, or of one direction of a bidirectional one."""
    row, t = spot.row, spot.t
    activity = spot.grid.activity(spot.row_index, spot.place.call)
    shape, axes = activity.output_shapes[0], activity.output_axes[0]
    units = spot.grid.trace.layer(row.layer).settings["units"]  # each direction's own, whatever the merge
    key = {"recurrent": "h", "forward": "h_forward", "backward": "h_backward"}[row.role]
    values = _step_values(activity.values.get(key), spot.step, 3)
    hover = _hover(
        f"<b>state h ({row.role})</b> · {plotly_text(row.layer)}", t, shape, axes, values, (spot.batch, units)
    )
    geometry = spot.geometry(_height(units), **spot.grid.beside(spot.row_index))
    state = spot.box("state", row.layer, shape, geometry, f"h<sub>{t}</sub>", hover, values)
    if row.role != "recurrent" or len(shape) == 3 or spot.last_step:
        return Cell(state)
    # return_sequences=False: the layer computed y_t = h_t here, then dropped it.
    dropped = f"y<sub>{t}</sub> of {plotly_text(row.layer)}: computed but discarded (return_sequences=False)"
    above = spot.geometry(0.3, width=EXTRA_WIDTH, dx=geometry.x - spot.place.x, dy=geometry.height / 2 + 0.4)
    return Cell(state, (spot.box("discarded", row.layer, shape, above, f"y<sub>{t}</sub>", dropped),))


def _cell_call(spot: Spot) -> Cell:
    """One call of a cell called once per step: the h_t it returned (its output too)."""
    row, t = spot.row, spot.t
    activity = spot.call.activity(row.layer, spot.step)  # the cell's call at this step
    shape, axes = activity.output_shapes[0], activity.output_axes[0]
    values = activity.values.get("h_final", activity.values.get("y"))
    hover = _hover(
        f"<b>state h, call {spot.step + 1} of the cell</b> · {plotly_text(row.layer)}",
        t,
        shape,
        axes,
        values,
        tuple(shape),
    )
    geometry = spot.geometry(_height(shape[-1]))
    return Cell(spot.box("state", row.layer, shape, geometry, f"h<sub>{t}</sub>", hover, values))


def _layer_cell(spot: Spot) -> Cell:
    """Another layer: a box at every step if its output has steps, else only at the last."""
    activity = spot.grid.activity(spot.row_index, spot.place.call)
    shape, axes = activity.output_shapes[0], activity.output_axes[0]
    values = _step_values(activity.values.get("y"), spot.step, len(shape))
    record = spot.grid.trace.layer(spot.row.layer)
    step_shape = _one_step(shape, spot.batch)
    hover = _hover(
        f"<b>{plotly_text(record.code)}</b> · {plotly_text(record.name)}",
        spot.t,
        shape,
        axes,
        values,
        step_shape,
    )
    label = plotly_text(_short_name(record))
    if own_timeline(spot.grid, spot.row_index):
        label += f"<sub>{spot.t}</sub>"  # its own steps: the t under the column is the input's
    geometry = _fitted(label, _height(shape[-1]), spot)
    return Cell(spot.box("layer", record.name, shape, geometry, label, hover, values))


def _output_cell(spot: Spot) -> Cell:
    """y_t, what the model hands on; after the very last one, any returned states."""
    call, t = spot.call, spot.t
    shape, axes = call.output_shapes[0], call.output_axes[0]
    values = _step_values(call.layers[-1].values.get("y"), spot.step, len(shape))
    hover = _hover("<b>output y</b> · model output", t, shape, axes, values, _one_step(shape, shape[0]))
    output = spot.box("output", None, shape, spot.geometry(_height(shape[-1])), f"y<sub>{t}</sub>", hover, values)
    if len(call.output_shapes) > 1 and spot.last_place:
        return Cell(output, _returned_states(spot))
    return Cell(output)


def _returned_states(spot: Spot) -> tuple[Box, ...]:
    """return_state=True: the final h (and c) come out as tensors of their own."""
    layer = spot.call.layers[-1]
    boxes = []
    for offset, (letter, shape, axes) in enumerate(
        zip(layer.output_roles[1:], layer.output_shapes[1:], layer.output_axes[1:]), start=1
    ):
        role = "cell_state" if letter == "c" else "state"
        values = layer.values.get(f"{letter}_final")
        heading = f"<b>returned state {letter}</b> · {plotly_text(layer.layer)}"
        hover = _hover(heading, None, shape, axes, values, _one_step(shape, shape[0]))
        # Beside the last y, to its right: a tensor of its own, not a step.
        beside = spot.geometry(_height(shape[-1]), width=EXTRA_WIDTH, dx=0.75 * offset)
        boxes.append(spot.box(role, layer.layer, shape, beside, f"{letter}<sub>T</sub>", hover, values))
    return tuple(boxes)


# What a layer's box says, at most five letters, so it fits a box of one step; the row's name
# on the left gives the layer's code in full.
SHORT_NAMES = {
    "Dense": "Dense",
    "TimeDistributed": "Dense",  # every allowed TimeDistributed wraps a Dense
    "RepeatVector": "rep",
    "Embedding": "emb",
    "Conv1D": "conv",
    "MaxPooling1D": "max",
    "AveragePooling1D": "avg",
    "GlobalMaxPooling1D": "max",
    "GlobalAveragePooling1D": "avg",
    "Flatten": "flat",
    "Reshape": "shape",
    "Dropout": "drop",
    "SpatialDropout1D": "drop",
    "Masking": "mask",
    "LayerNormalization": "norm",
    "BatchNormalization": "norm",
    "Concatenate": "join",
    "Add": "add",
    "Multiply": "mul",
    "Average": "avg",
    "Attention": "attn",
    "AdditiveAttention": "attn",
}
# A box whose label needs more than the usual half column, in data units: in a row with a box at
# every step, at most this, to leave a gap to the next step's box; alone in its row, up to LONE_BOX.
WIDE_BOX = 0.8
LONE_BOX = 1.4


def _short_name(record: LayerRecord) -> str:
    """The word on a layer's box: its short name, an activation's function (relu, tanh, soft for
    softmax), or the first four letters of a class this table does not know."""
    if record.class_name == "Activation":
        return record.settings["activation"][:4]
    return SHORT_NAMES.get(record.class_name, record.class_name[:4].lower())


def _fitted(label: str, height: float, spot: Spot) -> Geometry:
    """A box wide enough for its label at the narrowest column, or as near as its row allows
    (the figure's scale then grows until the label fits: app.draw.layout)."""
    beside = spot.grid.beside(spot.row_index)
    if beside:  # side by side with a sibling branch's boxes: as wide as the share it has
        return spot.geometry(height, **beside)
    needed = (text_extent(label, FONT_SIZE)[0] + 2 * LABEL_PAD) / MIN_COLUMN
    widest = LONE_BOX if len(spot.grid.places[spot.row_index]) == 1 else WIDE_BOX
    return spot.geometry(height, width=min(max(needed, BOX_WIDTH), widest))


def _step_values(values, step: int, rank: int):
    """Sample 0's numbers at one step: a sequence has a row per step, a vector is one row."""
    if values is None:
        return None
    if rank == 3 and isinstance(values, list) and values and isinstance(values[0], list):
        return values[step] if step < len(values) else None
    return values


def _one_step(shape, batch: int) -> tuple:
    """What one step of a tensor holds: (batch, size) of a sequence; a vector is its own step."""
    return (batch, shape[-1]) if len(shape) == 3 else tuple(shape)


def _hover(heading: str, t: int | None, shape, axes, values, step_shape: tuple) -> str:
    lines = [
        heading + (f" · t = {t}" if t is not None else ""),
        f"this step: {tuple(step_shape)} = "
        + ("one token id per sequence" if len(step_shape) == 1 else f"one ({step_shape[-1]},) vector per sequence"),
        f"whole tensor: {symbolic(shape, axes)}",
    ]
    if values is not None:
        # A hover writes every number the trace keeps of a vector: as many kept means there may be more.
        cut = isinstance(values, list) and len(values) >= VALUE_WIDTH
        lines.append("sample 0: " + numbers_text(values if isinstance(values, list) else [values], VALUE_WIDTH, cut))
    return "<br>".join(lines)
