"""Inside a cell, on the Shapes page: one step of a recurrent layer's cell, for this run's batch.

    layer = chosen_cell_layer(result)   # before the link is written: the layer, "" for the first
    inside_cell_section(result)         # the box, the weights, one step's values, units vs cells

The step is computed in a worker (app.serve.traces.cached_cell_step, topologies.engine.inside_cell): the
topology's model, built as for the picture, runs up to its first call, and the layer's own cell
runs one step on what the layer received there. Every shape shown is an array's shape from that
step; the equations beside them explain, they do not compute. This answers "units vs cells": a
layer is one cell called at every step, and units is how wide that cell's state is.

The box is bound to the link's `cell_layer`, like the sidebar's widgets; a value that is not a
cell of this picture is refused in one sentence, as the quiz's row is. The step itself is made
only once asked for: its expander opens when the box is changed, a box of the picture is
clicked, or a link names a cell_layer. Closed, it costs no worker run and no tables to paint.
"""

from __future__ import annotations

import streamlit as st

from app.serve.traces import cached_cell_step
from app.ui.controls import bound
from app.ui.literal import literal, markdown_of
from topologies.cell_records import CellStep, cell_layers
from topologies.records import Axes, Shape, Trace
from topologies.refusal import Refusal, quoted

HELP = (
    "A recurrent layer is one cell called once per step. This shows the cell's weights and what "
    "its first step computes, for every sample of the batch. A click on one of the layer's boxes "
    "in the picture opens it too."
)
# The session-state key of the expander that holds the step: True while it is open.
OPEN = "inside_cell_open"


def chosen_cell_layer(result: Trace) -> str:
    """The layer whose cell the page opens, as the link writes it: "" for the picture's first.

    A link's value is checked here, against this picture's layers; a refusal is said by the
    section (inside_cell_section), in its place under the tables."""
    layers = cell_layers(result)
    from_link = st.session_state.pop("cell_layer_from_link", None)
    if from_link is not None and from_link not in layers:
        allowed = f"this picture's cells are in {', '.join(layers)}" if layers else "this picture has no cell"
        st.session_state.cell_layer_refused = (
            f"The link's {literal(quoted('cell_layer'))} was ignored: cell_layer is {literal(quoted(from_link))}, "
            f"but {allowed}."
        )
    if from_link in layers:
        st.session_state.cell_layer = from_link
        st.session_state[OPEN] = True  # a link that names a cell is asking to see it
    elif layers and st.session_state.get("cell_layer") not in layers:
        st.session_state.cell_layer = layers[0]  # a layer of the previous topology: open this one's first
    chosen = st.session_state.get("cell_layer", "")
    return "" if not layers or chosen == layers[0] else chosen


def open_clicked_cell(result: Trace):
    """What a click on a box of the picture does: open its layer's cell, if it has one."""
    layers = cell_layers(result)

    def open_cell(box: dict) -> None:
        if box["layer"] in layers:
            st.session_state.cell_layer = box["layer"]
            st.session_state[OPEN] = True

    return open_cell


def inside_cell_section(result: Trace) -> None:
    """The section: which layer, and in an expander made only once open, the step (the_step)."""
    st.markdown("#### Inside a cell")
    refused = st.session_state.pop("cell_layer_refused", None)
    if refused:
        st.warning(refused)
    layers = cell_layers(result)
    if not layers:
        st.caption("No layer of this picture has a recurrent cell to open.")
        return
    layer = st.selectbox("Open the cell of", layers, help=HELP, on_change=open_the_step, **bound("cell_layer"))
    with st.expander("Its weights and one step, for the whole batch", key=OPEN, on_change="rerun") as section:
        if section.open:
            the_step(result, layer)


def open_the_step() -> None:
    """Choosing a layer is asking to see its cell."""
    st.session_state[OPEN] = True


def the_step(result: Trace, layer: str) -> None:
    """The layer's weights, one step's values with their equations, and the answer to units vs cells."""
    try:
        step = cached_cell_step(result.topology, result.config, layer)
    except Refusal as error:  # the server was busy, or the worker stopped: one sentence
        st.warning(markdown_of(error))
        return
    st.markdown(introduction(step, result))
    st.markdown(f"##### Its weights, as Keras holds them in `{step.runs}.weights`")
    st.table(weight_rows(step), hide_index=True)
    st.markdown(f"##### Step {step.step}, for all {batch_of(step)} samples at once")
    st.table(value_rows(step), hide_index=True)
    st.caption(
        "`*` multiplies number by number; `x W` is a matrix product. Each shape is the shape of the array "
        f"this step computed; h_t computed from the weights above matches {step.cell_class}'s own call on the "
        f"same input {agreement(step.cell_difference)}. Sample 0's first numbers are in the last column."
    )
    # In a frame of its own, not a st.info: the page's info box is where it says what a topology switch changed.
    st.container(border=True).markdown(units_versus_cells(step, result))


def agreement(difference: float) -> str:
    return "exactly" if difference == 0 else f"to within {difference:.1g}"


def batch_of(step: CellStep) -> int:
    return step.value("x_t").shape[0]


def both_directions(step: CellStep, result: Trace) -> bool:
    """A Bidirectional layer: two copies of a recurrent layer, a cell each; the step shown is the forward one's."""
    return result.layer(step.layer).kind == "bidirectional"


def introduction(step: CellStep, result: Trace) -> str:
    """What ran, in one or two sentences: the layer's code, the copy of it, where the state came from."""
    code = result.layer(step.layer).code
    where = "this run" if len(result.calls) == 1 else "the run's first call"
    cell = f"`{step.cell_class}`"
    cells = f"two copies of {cell}, one per direction, each" if both_directions(step, result) else f"one {cell},"
    text = (
        f"`{step.layer}` is `{code}`: {cells} called once per step, {times(step.steps)} in {where}. "
        f"Its step {step.step} reads x_t and h_(t-1) and makes h_t; h_(t-1) is {step.state_from}."
    )
    return f"{text} {step.note}" if step.note else text


# A table shares its width out by content, and would break "h_(t-1)" at its hyphen and a shape
# at its spaces: in a table's short cells these are written with their no-break twins.
NO_BREAK = str.maketrans({" ": "\u00a0", "-": "\u2011"})


def unbroken(text: str) -> str:
    """`text` kept on one line in a table: no-break spaces and hyphens, which look the same."""
    return text.translate(NO_BREAK)


def written(shape: Shape, axes: Axes) -> str:
    """A shape as Python prints it, beside what its axes mean: (16,) = (4 x units,), (10, 4) = (batch, units)."""
    names = ", ".join(axes) + ("," if len(axes) == 1 else "")
    return unbroken(f"{tuple(shape)} = ({names})")


def weight_rows(step: CellStep) -> list[dict[str, str]]:
    return [
        {"weight": weight.name, "shape": written(weight.shape, weight.axes), "what it does": weight.role}
        for weight in step.weights
    ]


def value_rows(step: CellStep) -> list[dict[str, str]]:
    return [
        {
            "value": unbroken(value.name),
            "shape": written(value.shape, value.axes),
            "equation": value.equation,
            "what it is": value.meaning,
            "sample 0": first_numbers(value.sample),
        }
        for value in step.values
    ]


def first_numbers(sample: tuple[float, ...], shown: int = 4) -> str:
    """Sample 0's first numbers, as a row of a table can hold them: "0.120, -0.031, …"."""
    return ", ".join(f"{number:.3g}" for number in sample[:shown]) + (", …" if len(sample) > shown else "")


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def each_step(steps: int) -> str:
    return "the one step" if steps == 1 else f"each of the {steps} steps"


def units_versus_cells(step: CellStep, result: Trace) -> str:
    """The answer to "units vs cells", in the run's own numbers."""
    batch = batch_of(step)
    calls = len(result.calls)
    others = "the other call" if calls == 2 else f"the other {calls - 1} calls"
    again = f" of the first call and at every step of {others}" if calls > 1 else ""
    both = both_directions(step, result)
    cells = "two cells, one per direction," if both else "one cell,"
    each = "Each" if both else "The same"
    return (
        f"**Units vs cells:** `{step.layer}` has {cells} not one per step and not one per unit. {each} "
        f"{step.cell_class}, with its same weights, runs at {each_step(step.steps)}{again}; "
        f"units = {step.units} is how wide its state and each gate are: ({batch}, {step.units}) = (batch, units)."
    )
