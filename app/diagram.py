"""Draw a Trace as an unrolled network: one column per time step, one row per layer.

    figure = draw(trace("many_to_one", Config()))
    figure.layout.meta["boxes"]   # one record per drawn box: role, layer, step, call, shape, x0..y1

Pure: a Trace in, a Plotly Figure out. It knows nothing of Streamlit or Keras, and every
number it writes comes from the Trace, that is, from a real run.

Reading the picture, bottom to top: red x_t boxes are the input at step t, green h_t boxes the
state a recurrent layer carries to the right, grey boxes other layers, pink y_t boxes what the
model hands on. Each box also carries its letter, so colour is never the only cue.
"""

from __future__ import annotations

import dataclasses
import math

import plotly.graph_objects as go

from topologies.records import symbolic

# The letter, colour and legend name of each role a box can have.
ROLES = {
    "input": ("x", "#e4572e", "x_t: input at step t"),
    "state": ("h", "#4caf50", "h_t: state carried to the next step"),
    "cell_state": ("c", "#1b5e20", "c_t: LSTM cell state"),
    "output": ("y", "#f48fb1", "y_t: what the model hands on"),
    "layer": ("", "#b0bec5", "another layer (Dense, Embedding, ...)"),
    "discarded": ("y", "#fce4ec", "discarded: computed, not handed on"),
}
MAX_COLUMNS = 12  # past this many steps, draw the first and last few around a gap
FIRST_COLUMNS = 6
COLUMN_WIDTH = 1.0
ROW_GAP = 1.5
FONT_SIZE = 15  # legible on a projector
SHEETS = 2  # sheets drawn behind each box: the other sequences of the batch


@dataclasses.dataclass(frozen=True)
class Column:
    """One drawn time step, or the gap standing for the steps left out."""

    call: int  # index into trace.calls
    step: int | None  # index within the call; None for the gap
    t: int | None  # time step since the last reset, from 1; None for the gap
    skipped: int = 0  # steps the gap stands for


@dataclasses.dataclass(frozen=True)
class Row:
    role: str  # input | recurrent | forward | backward | layer | output
    layer: str | None  # the layer's name; None for the model's input and output rows
    left: str  # the layer as code, or "input" / "output"


def draw(trace) -> go.Figure:
    """The unrolled network of `trace`, annotated with every shape the run produced."""
    columns = _columns(trace)
    rows = _rows(trace)
    canvas = _Canvas(trace, columns, rows)
    canvas.draw_dividers()
    for row_index, row in enumerate(rows):
        canvas.draw_row(row_index, row)
    canvas.draw_frames()
    return canvas.figure()


def _time_length(call) -> int:
    """Steps in one call: the longest steps axis among the tensors of that call."""
    lengths = [shape[1] for item in call.layers for shape in item.output_shapes + item.input_shapes if len(shape) == 3]
    lengths += [shape[1] for shape in call.input_shapes if len(shape) >= 2 and not _is_vector_input(call)]
    return max(lengths, default=1)


def _is_vector_input(call) -> bool:
    """(batch, features) floats, as fed to RepeatVector, rather than (batch, steps) token ids."""
    return len(call.input_shapes[0]) == 2 and call.input_axes[0][1] == "features"


def _columns(trace) -> list[Column]:
    everything = []
    t = 0
    for call_index, call in enumerate(trace.calls):
        if call.reset_before:
            t = 0
        for step in range(_time_length(call)):
            t += 1
            everything.append(Column(call_index, step, t))
    if len(everything) <= MAX_COLUMNS:
        return everything
    last = MAX_COLUMNS - FIRST_COLUMNS - 1
    skipped = len(everything) - FIRST_COLUMNS - last
    gap = Column(everything[FIRST_COLUMNS].call, None, None, skipped)
    return everything[:FIRST_COLUMNS] + [gap] + everything[-last:]


def _rows(trace) -> list[Row]:
    rows = [Row("input", None, "input")]
    for layer in trace.layers:
        if layer.kind == "model":
            continue
        if layer.kind == "recurrent":
            rows.append(Row("recurrent", layer.name, layer.code))
        elif layer.kind == "bidirectional":
            rows.append(Row("forward", layer.name, f"{layer.code}: forward"))
            rows.append(Row("backward", layer.name, "backward copy, reads t = T..1"))
        else:
            rows.append(Row("layer", layer.name, layer.code))
    rows.append(Row("output", None, "output"))
    return rows


def _height(size: int) -> float:
    """Taller boxes for longer vectors, on a log scale so 512 units still fit a row."""
    return min(1.1, 0.45 + 0.12 * math.log2(max(size, 1)))


class _Canvas:
    """Collects rectangles, arrows, labels and hover points, then makes one Figure."""

    def __init__(self, trace, columns: list[Column], rows: list[Row]):
        self.trace = trace
        self.columns = columns
        self.rows = rows
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.boxes: list[dict] = []
        self.hover_x: list[float] = []
        self.hover_y: list[float] = []
        self.hover_text: list[str] = []
        # For each row, the boxes its arrows start from in the row below, by column.
        self.rows_below: dict[int, dict[int, dict]] = {}

    # ------------------------------------------------------------ geometry

    def x_of(self, column_index: int) -> float:
        """Column centres; a block of calls is set apart from the next by a little space."""
        column = self.columns[column_index]
        return column_index * COLUMN_WIDTH + 0.4 * column.call

    def y_of(self, row_index: int) -> float:
        return row_index * ROW_GAP

    # ------------------------------------------------------------ boxes

    def box(
        self,
        role: str,
        layer: str | None,
        column_index: int,
        row_index: int,
        shape,
        size: int,
        label: str,
        hover: str,
        dy: float = 0.0,
        height: float | None = None,
        width: float = 0.5,
        dx: float = 0.0,
    ) -> dict:
        column = self.columns[column_index]
        x, y = self.x_of(column_index) + dx, self.y_of(row_index) + dy
        half_h = (height or _height(size)) / 2
        x0, x1, y0, y1 = x - width / 2, x + width / 2, y - half_h, y + half_h
        letter, colour, _ = ROLES[role]
        faded = role == "discarded"
        if not faded:
            for sheet in range(SHEETS, 0, -1):  # the other sequences of the batch, behind
                offset = 0.06 * sheet
                self.shapes.append(_rectangle(x0 + offset, y0 + offset, x1 + offset, y1 + offset, colour, 0.25))
        self.shapes.append(_rectangle(x0, y0, x1, y1, colour, 1.0, dashed=faded))
        self.annotations.append(
            dict(
                x=x,
                y=y,
                text=label,
                showarrow=False,
                font=dict(size=FONT_SIZE, color={"discarded": "#9e9e9e", "cell_state": "white"}.get(role, "#111")),
            )
        )
        self.hover_x.append(x)
        self.hover_y.append(y)
        self.hover_text.append(hover)
        record = dict(
            role=role,
            layer=layer,
            step=column.t if column.step is not None else None,
            call=column.call,
            shape=list(shape),
            x0=x0,
            y0=y0,
            x1=x1,
            y1=y1,
        )
        self.boxes.append(record)
        return record

    def arrow(
        self, start: tuple[float, float], end: tuple[float, float], colour: str = "#333", dashed: bool = False
    ) -> None:
        self.annotations.append(
            dict(
                x=end[0],
                y=end[1],
                ax=start[0],
                ay=start[1],
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                text="",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.2,
                arrowwidth=1.6,
                arrowcolor=colour,
                opacity=0.5 if dashed else 1.0,
            )
        )

    def text(
        self, x: float, y: float, text: str, anchor: str = "center", colour: str = "#263238", size: int = FONT_SIZE
    ) -> None:
        self.annotations.append(
            dict(x=x, y=y, text=text, showarrow=False, xanchor=anchor, align=anchor, font=dict(size=size, color=colour))
        )

    # ------------------------------------------------------------ rows

    def draw_row(self, row_index: int, row: Row) -> None:
        drawn: dict[int, dict] = {}
        for column_index, column in enumerate(self.columns):
            if column.step is None:
                if row_index == 0:
                    self.text(
                        self.x_of(column_index),
                        self.y_of(len(self.rows) - 1) / 2,
                        f"…<br>{column.skipped}<br>more<br>steps<br>…",
                        colour="#616161",
                    )
                continue
            record = self.draw_cell(row_index, row, column_index, column)
            if record is not None:
                drawn[column_index] = record
        self.connect(row_index, row, drawn)
        self.label_row(row_index, row)

    def draw_cell(self, row_index: int, row: Row, column_index: int, column: Column) -> dict | None:
        call = self.trace.calls[column.call]
        t, step = column.t, column.step
        last_step = step == _time_length(call) - 1
        batch = call.input_shapes[0][0]
        if row.role == "input":
            shape, axes = call.input_shapes[0], call.input_axes[0]
            if _is_vector_input(call) and step > 0:
                return None
            fed = call.layers[0].values.get("x")
            if axes[-1] == "steps":  # token ids: one integer per sequence at each step
                token = fed[step] if fed and step < len(fed) else None
                hover = _hover("input token id", "model input", t, shape, axes, token, batch, per_step=(batch,))
                return self.box("input", None, column_index, row_index, shape, 1, f"id<sub>{t}</sub>", hover)
            values = _step_values(fed, step, len(shape))
            hover = _hover("input x", "model input", t, shape, axes, values, batch)
            return self.box("input", None, column_index, row_index, shape, shape[-1], f"x<sub>{t}</sub>", hover)
        if row.role == "output":
            return self.draw_output(row_index, call, column_index, column, last_step)

        activity = call.activity(row.layer)
        shape, axes = activity.output_shapes[0], activity.output_axes[0]
        if row.role in ("recurrent", "forward", "backward"):
            units = shape[-1] // (2 if row.role != "recurrent" else 1)
            key = {"recurrent": "h", "forward": "h_forward", "backward": "h_backward"}[row.role]
            values = _step_values(activity.values.get(key), step, 3)
            state_shape = (batch, units)
            record = self.box(
                "state",
                row.layer,
                column_index,
                row_index,
                shape,
                units,
                f"h<sub>{t}</sub>",
                _hover(f"state h ({row.role})", row.layer, t, shape, axes, values, batch, per_step=state_shape),
            )
            sequence = len(shape) == 3
            if row.role == "recurrent" and not sequence and not last_step:
                # return_sequences=False: the layer computed y_t = h_t here, then dropped it.
                self.box(
                    "discarded",
                    row.layer,
                    column_index,
                    row_index,
                    shape,
                    1,
                    f"y<sub>{t}</sub>",
                    f"y<sub>{t}</sub> of {row.layer}: computed but discarded (return_sequences=False)",
                    dy=0.72,
                    height=0.3,
                    width=0.4,
                )
            return record
        # Another layer: a box at every step if its output has steps, else only at the last.
        if len(shape) == 2 and not last_step:
            return None
        values = _step_values(activity.values.get("y"), step, len(shape))
        layer_record = self.trace.layer(row.layer)
        return self.box(
            "layer",
            row.layer,
            column_index,
            row_index,
            shape,
            shape[-1],
            _short_name(layer_record.class_name),
            _hover(layer_record.code, row.layer, t, shape, axes, values, batch),
        )

    def draw_output(self, row_index: int, call, column_index: int, column: Column, last_step: bool) -> dict | None:
        shape, axes = call.output_shapes[0], call.output_axes[0]
        batch = shape[0]
        if len(shape) == 2 and not last_step:
            return None
        t = column.t
        last_layer = call.layers[-1]
        values = _step_values(last_layer.values.get("y"), column.step, len(shape))
        record = self.box(
            "output",
            None,
            column_index,
            row_index,
            shape,
            shape[-1],
            f"y<sub>{t}</sub>",
            _hover("output y", "model output", t, shape, axes, values, batch),
        )
        if last_step and len(call.output_shapes) > 1 and column_index == len(self.columns) - 1:
            self.draw_returned_states(row_index, call, column_index)
        return record

    def draw_returned_states(self, row_index: int, call, column_index: int) -> None:
        """return_state=True: the final h (and c) come out as tensors of their own."""
        layer = call.layers[-1]
        for offset, (role_letter, shape, axes) in enumerate(
            zip(layer.output_roles[1:], layer.output_shapes[1:], layer.output_axes[1:]), start=1
        ):
            role = "cell_state" if role_letter == "c" else "state"
            values = layer.values.get(f"{role_letter}_final")
            hover = _hover(f"returned state {role_letter}", layer.layer, None, shape, axes, values, shape[0])
            # Beside the last y, to its right: a tensor of its own, not a step.
            self.box(
                role,
                layer.layer,
                column_index,
                row_index,
                shape,
                shape[-1],
                f"{role_letter}<sub>T</sub>",
                hover,
                width=0.45,
                dx=0.75 * offset,
            )

    # ------------------------------------------------------------ arrows and labels

    def connect(self, row_index: int, row: Row, drawn: dict[int, dict]) -> None:
        """Arrows up from the row below, and along the row for carried state."""
        below = self.rows_below.get(row_index)
        for column_index, record in drawn.items():
            centre = (record["x0"] + record["x1"]) / 2
            if below is not None and column_index in below:
                source = below[column_index]
                self.arrow(((source["x0"] + source["x1"]) / 2, source["y1"]), (centre, record["y0"]))
        if row.role in ("recurrent", "forward", "backward"):
            ordered = sorted(drawn)
            for left, right in zip(ordered, ordered[1:]):
                if self.columns[right].step is None or right - left != 1:
                    continue
                crossing = self.columns[right].call != self.columns[left].call
                if crossing and self.trace.calls[self.columns[right].call].reset_before:
                    continue  # a reset: the state does not carry over
                a, b = drawn[left], drawn[right]
                y = (a["y0"] + a["y1"]) / 2
                if row.role == "backward":
                    self.arrow((b["x0"], y), (a["x1"], y), colour="#2e7d32")
                else:
                    self.arrow((a["x1"], y), (b["x0"], y), colour="#2e7d32")
        self.rows_below[row_index + 1] = self._fan_in_source(row, drawn)

    def _fan_in_source(self, row: Row, drawn: dict[int, dict]) -> dict[int, dict]:
        """What the next row up draws its arrows from: a lone box fans out to every column."""
        if len(drawn) == 1 and len(self.columns) > 1:
            only = next(iter(drawn.values()))
            if row.role == "input":  # RepeatVector's single input feeds every step
                return {index: only for index, column in enumerate(self.columns) if column.step is not None}
        return drawn

    def label_row(self, row_index: int, row: Row) -> None:
        y = self.y_of(row_index)
        first_call = self.trace.calls[0]
        batch = first_call.input_shapes[0][0]
        if row.role == "input":
            left = f"<b>input</b>  × {batch} sequence{'s' if batch > 1 else ''}"
            right = "<br>then ".join(
                dict.fromkeys(symbolic(c.input_shapes[0], c.input_axes[0]) for c in self.trace.calls)
            )
            colour = ROLES["input"][1]
        elif row.role == "output":
            left = "<b>output</b>"
            right = "<br>then ".join(
                dict.fromkeys(symbolic(c.output_shapes[0], c.output_axes[0]) for c in self.trace.calls)
            )
            last = self.trace.calls[-1]
            for role, shape, axes in zip(
                last.layers[-1].output_roles[1:], last.output_shapes[1:], last.output_axes[1:]
            ):
                right += f"<br>{role}<sub>T</sub>: {symbolic(shape, axes)}"
            colour = "#ad1457"
        else:
            activity = first_call.activity(row.layer)
            left = f"<b>{row.left}</b>"
            shapes = dict.fromkeys(
                symbolic(c.activity(row.layer).output_shapes[0], c.activity(row.layer).output_axes[0])
                for c in self.trace.calls
            )
            right = "<br>then ".join(shapes)
            if row.role in ("forward", "backward"):
                units = activity.output_shapes[0][-1] // 2
                right = f"h each step: ({batch}, {units}) = (batch, units)" + (
                    f"<br>joined: {right}" if row.role == "backward" else ""
                )
            elif row.role == "recurrent" and len(activity.output_shapes[0]) == 2:
                right = f"h each step: ({batch}, {activity.output_shapes[0][-1]})<br>hands on only the last: {right}"
                left += "<br>return_sequences=False"
            colour = "#1b5e20" if row.role != "layer" else "#37474f"
            layer_record = self.trace.layer(row.layer)
            if layer_record.kind == "time_distributed":
                left += "<br>same weights at every step"
        right = "<br>".join(_shorten(line) for line in right.split("<br>")[:4])
        self.text(-0.7, y, left, anchor="right")
        self.text(self.right_edge + 0.5, y, right, anchor="left", colour=colour)

    @property
    def right_edge(self) -> float:
        extra = 1.6 if len(self.trace.calls[-1].output_shapes) > 1 else 0.0
        return self.x_of(len(self.columns) - 1) + 0.4 + extra

    def draw_dividers(self) -> None:
        """Multi-call topologies: a labelled line between calls; a reset is marked on it."""
        top = self.y_of(len(self.rows) - 1) + 0.9
        if len(self.trace.calls) == 1:
            return
        seen = set()
        for column_index, column in enumerate(self.columns):
            if column.call in seen or column.step is None:
                continue
            seen.add(column.call)
            call = self.trace.calls[column.call]
            x = self.x_of(column_index) - 0.55 if column_index else self.x_of(0)
            if column_index:
                self.shapes.append(
                    dict(type="line", x0=x, x1=x, y0=-0.8, y1=top, line=dict(color="#9e9e9e", dash="dash", width=1.5))
                )
            label = f"<b>{call.label}</b><br>{tuple(call.input_shapes[0])}"
            self.text(x + (0.55 if column_index else 0), top + 0.45, label, size=FONT_SIZE - 1)
            if call.reset_before:
                self.text(x, -0.8, "⟲ reset", colour="#c62828", size=FONT_SIZE - 1)
        self.draw_feedback()

    def draw_feedback(self) -> None:
        """Where a call's input is the previous call's output (measured: the numbers match),
        an arrow runs from that y back down to the next x."""
        output_row = len(self.rows) - 1
        positions = {}
        for column_index, column in enumerate(self.columns):
            if column.step is not None:
                positions.setdefault(column.call, []).append(column_index)
        for call_index in range(1, len(self.trace.calls)):
            previous, current = self.trace.calls[call_index - 1], self.trace.calls[call_index]
            if call_index not in positions or call_index - 1 not in positions:
                continue
            fed = current.layers[0].values.get("x")
            handed_on = previous.layers[-1].values.get("y")
            if fed is None or handed_on is None or _last_step(handed_on) != _last_step(fed):
                continue
            start = (self.x_of(positions[call_index - 1][-1]) + 0.25, self.y_of(output_row) - 0.3)
            end = (self.x_of(positions[call_index][0]) - 0.25, self.y_of(0) + 0.3)
            self.arrow(start, end, colour="#ad1457")

    def draw_frames(self) -> None:
        """Nested models: a named frame around the rows of their layers."""
        for layer in self.trace.layers:
            if layer.kind != "model":
                continue
            indices = [
                i for i, row in enumerate(self.rows) if row.layer and self.trace.layer(row.layer).parent == layer.name
            ]
            if not indices:
                continue
            y0, y1 = self.y_of(min(indices)) - 0.65, self.y_of(max(indices)) + 0.65
            x0, x1 = -0.55, self.x_of(len(self.columns) - 1) + 0.55
            self.shapes.append(
                dict(
                    type="rect",
                    x0=x0,
                    x1=x1,
                    y0=y0,
                    y1=y1,
                    line=dict(color="#5c6bc0", dash="dot", width=2),
                    fillcolor="rgba(0,0,0,0)",
                    layer="below",
                )
            )
            self.text(
                x0 + 0.05,
                y1 - 0.12,
                f"<b>{layer.name}</b> (a Model)",
                anchor="left",
                colour="#3949ab",
                size=FONT_SIZE - 1,
            )

    # ------------------------------------------------------------ figure

    def figure(self) -> go.Figure:
        config = self.trace.config
        traces = [
            dict(
                type="scatter",
                x=self.hover_x,
                y=self.hover_y,
                mode="markers",
                hovertext=self.hover_text,
                hoverinfo="text",
                marker=dict(size=28, opacity=0),
                showlegend=False,
                name="boxes",
            )
        ]
        used = {box["role"] for box in self.boxes}
        for role, (_, colour, name) in ROLES.items():
            if role in used:
                traces.append(
                    dict(
                        type="scatter",
                        x=[None],
                        y=[None],
                        mode="markers",
                        name=name,
                        marker=dict(size=14, color=colour, symbol="square", line=dict(color="#333", width=1)),
                    )
                )
        top = self.y_of(len(self.rows) - 1) + (1.6 if len(self.trace.calls) > 1 else 0.9)
        bottom = -1.3
        for column_index, column in enumerate(self.columns):
            if column.step is not None:
                self.text(
                    self.x_of(column_index), bottom + 0.25, f"t = {column.t}", colour="#616161", size=FONT_SIZE - 1
                )
        title = (
            f"{self.trace.topology} · {config.cell} · batch {config.batch} · steps {config.steps} · "
            f"features {config.features} · units {config.units}"
        )
        layout = dict(
            title=dict(text=title, font=dict(size=FONT_SIZE + 3)),
            shapes=self.shapes,
            annotations=self.annotations,
            xaxis=dict(visible=False, range=[-6.2, self.right_edge + 5.2], fixedrange=True),
            yaxis=dict(visible=False, range=[bottom, top + 0.4], fixedrange=True),
            plot_bgcolor="white",
            paper_bgcolor="white",
            height=int(170 + 115 * (len(self.rows) + (1 if len(self.trace.calls) > 1 else 0))),
            margin=dict(l=10, r=10, t=60, b=10),
            font=dict(size=FONT_SIZE),
            legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
            hoverlabel=dict(font=dict(size=FONT_SIZE)),
            meta=dict(boxes=self.boxes),
        )
        # Plotly checks every property of every shape and annotation as it is set: four fifths of
        # draw()'s time for a few hundred boxes. These come from the fixed recipes above, so the
        # figure is made unchecked (as Plotly Express does); the tests render and read it.
        return go.Figure(data=traces, layout=layout, _validate=False)


def _rectangle(x0: float, y0: float, x1: float, y1: float, colour: str, opacity: float, dashed: bool = False) -> dict:
    return dict(
        type="rect",
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        fillcolor=colour,
        opacity=opacity,
        line=dict(color="#bdbdbd" if dashed else "#333", width=1.2, dash="dash" if dashed else "solid"),
    )


def _short_name(class_name: str) -> str:
    return {"TimeDistributed": "Dense", "RepeatVector": "copy", "Embedding": "emb", "Activation": "soft"}.get(
        class_name, class_name
    )


def _step_values(values, step: int, rank: int):
    """Sample 0's numbers at one step: a sequence has a row per step, a vector is one row."""
    if values is None:
        return None
    if rank == 3 and isinstance(values, list) and values and isinstance(values[0], list):
        return values[step] if step < len(values) else None
    return values


def _last_step(values):
    return values[-1] if values and isinstance(values[0], list) else values


def _hover(role: str, layer: str, t, shape, axes, values, batch: int, per_step=None) -> str:
    step_shape = per_step or ((batch, shape[-1]) if len(shape) == 3 else tuple(shape))
    lines = [
        f"<b>{role}</b> · {layer}" + (f" · t = {t}" if t is not None else ""),
        f"this step: {tuple(step_shape)} = "
        + ("one token id per sequence" if len(step_shape) == 1 else f"one ({step_shape[-1]},) vector per sequence"),
        f"whole tensor: {symbolic(shape, axes)}",
    ]
    if values is not None:
        shown = ", ".join(
            f"{value:.3g}" if isinstance(value, float) else str(value)
            for value in (values if isinstance(values, list) else [values])[:8]
        )
        lines.append(f"sample 0: [{shown}{', …' if isinstance(values, list) and len(values) >= 8 else ''}]")
    return "<br>".join(lines)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
