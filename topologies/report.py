"""A Trace as words and tables: the title, the layer table and the calls table.

One place for both readers: the CLI prints them as text (`format_table`), the Shapes page shows
the same rows as data frames. Plain data in, plain data out; no Keras.
"""

from __future__ import annotations

from topologies.records import Trace, symbolic


def title(trace: Trace) -> str:
    """many_to_one · LSTM · batch 10 · steps 5 · features 2 · units 4: the sizes of the run."""
    if trace.source:  # a user's own model: its own layers say the rest
        return f"your {trace.topology} · {trace.ran}"
    config = trace.config
    return f"{trace.topology} · {config.cell} · {trace.ran} · features {config.features} · units {config.units}"


def over_calls(shown: list[str]) -> str:
    """One call's shapes after another, repeats counted: "(10, 2, 2) then (10, 3, 2)",
    "(10, 1, 2) in each of 5 calls", "(10, 5, 2) then (10, 1, 2) in each of 2 calls"."""
    runs: list[list] = []
    for item in shown:
        if runs and runs[-1][0] == item:
            runs[-1][1] += 1
        else:
            runs.append([item, 1])
    return " then ".join(item + (f" in each of {count} calls" if count > 1 else "") for item, count in runs)


def input_summary(trace: Trace) -> str:
    """The input shape of every call: what the Shapes page's metric says."""
    return over_calls([str(tuple(call.input_shapes[0])) for call in trace.calls])


def output_summary(trace: Trace) -> str:
    """Every output of every call (return_state's h_T and c_T beside the sequence)."""
    return over_calls([" ".join(str(tuple(shape)) for shape in call.output_shapes) for call in trace.calls])


def layer_rows(trace: Trace) -> list[dict[str, object]]:
    """One row per layer (nested ones marked), as measured in the first call."""
    first_call = trace.calls[0]
    rows = []
    for layer in trace.layers:
        activity = first_call.activity(layer.name)
        outputs = "; ".join(
            f"{role}: {symbolic(shape, axes)}"
            for role, shape, axes in zip(activity.output_roles, activity.output_shapes, activity.output_axes)
        )
        rows.append(
            {
                "layer": ("↳ " if layer.parent else "") + layer.name,
                "as code": layer.code,
                "output shapes": outputs,
                "as declared": " ".join(_declared(shape) for shape in layer.declared_shapes),
                "parameters": layer.params,
                "how many": layer.formula,
            }
        )
    return rows


def _declared(shape: tuple) -> str:
    """(None, None, 4): a shape as the model declares it, None where a run chooses."""
    return (
        "("
        + ", ".join("None" if size is None else str(size) for size in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def call_rows(trace: Trace) -> list[dict[str, str]]:
    """One row per call, in order; empty for a single-call topology."""
    if len(trace.calls) == 1:
        return []
    return [
        {
            "call": call.label,
            "reset before": "yes" if call.reset_before else "",
            "input": " ".join(str(tuple(shape)) for shape in call.input_shapes),
            "output": " ".join(str(tuple(shape)) for shape in call.output_shapes),
        }
        for call in trace.calls
    ]


def format_table(trace: Trace) -> str:
    """A model.summary()-like text with the real batch, every output and the weight formulas."""
    first_call = trace.calls[0]
    inputs = "   ".join(symbolic(shape, axes) for shape, axes in zip(trace.input_shapes, first_call.input_axes))
    lines = [title(trace), "", f"input    {inputs}", ""]
    columns = ("layer", "as code", "output shapes", "as declared", "parameters", "how many")
    rows = [columns] + [tuple(str(row[column]) for column in columns) for row in layer_rows(trace)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(columns) - 1)]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
    lines += ["", f"total params: {trace.params}"]
    calls = call_rows(trace)
    if calls:
        lines += ["", "calls, in order (the state carries over unless reset):"]
        for call in calls:
            reset = "reset, then " if call["reset before"] else ""
            lines.append(f"  {reset}{call['call']}: {call['input']} -> {call['output']}")
        if trace.reset_after:
            lines.append("  reset")
    for name, value in trace.facts.items():
        lines.append(f"{name}: {value}")
    return "\n".join(lines)
