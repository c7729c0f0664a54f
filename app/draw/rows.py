"""The picture's rows, bottom to top: the inputs, each call of each layer, the output.

    rows_of(trace("many_to_one", Config()))[1]   # Row(role="recurrent", layer="rnn", left="LSTM(4)")

Rows are the inputs, then each call of each layer in the order Keras ran them (a cell called
once per step in the graph: one row, its calls side by side as steps; a bidirectional layer:
a forward row and a backward row), then the output.
"""

from __future__ import annotations

import dataclasses

from app.draw.columns import parts_of
from app.draw.plan import plotly_text
from topologies.records import Trace, input_names


@dataclasses.dataclass(frozen=True)
class Row:
    role: str  # input | recurrent | forward | backward | cell | layer | output
    layer: str | None  # the layer's name; None for the model's input and output rows
    left: str  # the layer as code, or "input" / "output"
    node: int = 0  # which call of the layer (a shared layer has a row per call); an input row: which input
    part: int = 0  # which model input's columns the row is drawn over

    @property
    def key(self) -> str:
        """How the trace's fed_by names what this row hands on: "lstm", "embedding#2", "input 2"."""
        if self.role == "input":
            return self.left
        return self.layer if self.node == 0 else f"{self.layer}#{self.node + 1}"


def rows_of(trace: Trace) -> list[Row]:
    """Bottom to top: the inputs, each call of each drawn layer in the order they ran (a
    bidirectional one twice), the output. A layer called more than once has a row per call."""
    first_call = trace.calls[0]
    names = input_names(len(first_call.input_shapes))
    rows = [Row("input", None, name, node=index, part=index) for index, name in enumerate(names)]
    parts = parts_of(first_call)
    for activity in first_call.layers:
        layer = trace.layer(activity.layer)
        if layer.kind == "model" or (layer.kind == "cell" and activity.node):
            continue  # a nested model is drawn as a frame around its layers' rows; a cell's calls on its row
        code = plotly_text(layer.code) + (f", call {activity.node + 1}" if activity.node else "")
        place = dict(node=activity.node, part=parts[activity.key])
        if layer.kind == "cell":
            rows.append(Row("cell", layer.name, f"{code}, once per step", **place))
        elif layer.kind == "recurrent":
            rows.append(Row("recurrent", layer.name, code, **place))
        elif layer.kind == "bidirectional":
            rows.append(Row("forward", layer.name, f"{code}: forward", **place))
            rows.append(Row("backward", layer.name, "backward copy, reads t = T..1", **place))
        else:
            rows.append(Row("layer", layer.name, code, **place))
    rows.append(Row("output", None, "output", part=rows[-1].part))
    return rows
