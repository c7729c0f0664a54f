"""One sentence that says what a diagram shows, for whoever cannot see it: `describe(trace)`.

    describe(trace("many_to_one", Config()))
    # "The unrolled many_to_one network: the input (10, 5, 2) = (batch, steps, features), then
    #  LSTM(4) giving (10, 4) = (batch, units); the model hands on (10, 4)."

Written from the Trace alone, so every number in it was measured, as in the picture: the first
call's input, each layer of that call with the shape it gave (a nested model as one layer), what
the model hands on, and, for a topology that calls its model several times, how many calls.
draw() writes it into the figure's meta, and app.ui.showing hands it to st.plotly_chart as `alt`:
a screen reader reads it as the chart's name.
"""

from __future__ import annotations

from topologies.records import Trace, symbolic
from topologies.report import output_summary


def describe(trace: Trace) -> str:
    """The diagram of `trace` in one sentence: input, each layer's measured shape, output, calls."""
    first = trace.calls[0]
    layers = ", then ".join(
        f"{trace.layer(activity.layer).code} giving {symbolic(activity.output_shapes[0], activity.output_axes[0])}"
        for activity in first.layers
        if trace.layer(activity.layer).parent is None  # a nested model's own layers are inside it
    )
    calls = "" if len(trace.calls) == 1 else f", over {len(trace.calls)} calls of the model"
    return (
        f"The unrolled {trace.topology} network: the input {symbolic(first.input_shapes[0], first.input_axes[0])}, "
        f"then {layers}; the model hands on {output_summary(trace)}{calls}."
    )
