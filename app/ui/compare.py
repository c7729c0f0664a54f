"""Compare two settings: a configuration beside the same one with a single setting changed.

    choices("many_to_one", {"cell": "LSTM"})   # {"return_sequences": ("True",), "cell": ("GRU", "SimpleRNN")}
    pair = comparison("many_to_one", Config(), "cell", "GRU")
    pair.left.says, pair.right.says            # "cell=LSTM", "cell=GRU"
    rows = differences(left_trace, right_trace)  # one Row per layer, marking what differs

A setting is changed in one of two ways. A Config field (cell, merge_mode, depth) is changed in
place, on the same topology. A setting that is no field of Config is the one thing that tells two
catalogue topologies apart: many_to_one is many_to_many with return_sequences=False, and
one_to_many_stateful's stateful layer called once per step writes the same loop as cell_loop's
single graph. A comparison that does not apply is refused in one sentence naming the parameter,
the value and what is allowed (topologies.refusal). Plain data in and out: no Streamlit, no Keras.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from topologies.catalogue import CATALOGUE
from topologies.config import CHOICES, LIMITS, Config, parse_field
from topologies.records import Trace
from topologies.refusal import Refusal, quoted
from topologies.report import output_summary

SETTINGS = ("return_sequences", "cell", "merge_mode", "stateful", "depth")  # what ?compare= may name
OFF = "off"  # what the sidebar's "Compare with…" box shows, and a link may say, for no comparison
# Pairs of topologies that differ in one setting only, and that setting's value in each.
TWINS: dict[str, dict[str, str]] = {
    "return_sequences": {"many_to_one": "False", "many_to_many": "True"},
    "stateful": {"one_to_many_stateful": "True", "cell_loop": "False"},
}


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a comparison: what is built, and the changed setting's value in words."""

    topology_id: str
    config: Config
    says: str  # "cell=LSTM", "return_sequences=False"


@dataclasses.dataclass(frozen=True)
class Comparison:
    setting: str  # one of SETTINGS
    left: Side  # the configuration the sidebar shows
    right: Side  # the same with `setting` changed


@dataclasses.dataclass(frozen=True)
class Row:
    """One layer on both sides, as measured in the first call; None where a side lacks the layer."""

    layer: str
    left_shape: str | None
    right_shape: str | None
    left_params: int | None
    right_params: int | None

    @property
    def differs(self) -> str:
        """What differs, in words ("shape", "parameters", "only on the right"); "" when nothing does."""
        if self.left_shape is None or self.right_shape is None:
            return "only on the right" if self.left_shape is None else "only on the left"
        changed = [
            name
            for name, left, right in (
                ("shape", self.left_shape, self.right_shape),
                ("parameters", self.left_params, self.right_params),
            )
            if left != right
        ]
        return " and ".join(changed)


def choices(topology_id: str, values: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    """The settings this topology can compare, each with the values its right side may take (the
    first is what a link that names no value gets). `values` are the sidebar's, possibly unchecked."""
    offered: dict[str, tuple[str, ...]] = {}
    for setting in SETTINGS:
        if setting in TWINS:
            twins = TWINS[setting]
            if topology_id in twins:
                offered[setting] = tuple(value for twin, value in twins.items() if twin != topology_id)
        elif setting == "cell" or setting in CATALOGUE[topology_id].extras:
            offered[setting] = _others(setting, values.get(setting, getattr(Config(), setting)))
    return offered


def _others(field: str, current: object) -> tuple[str, ...]:
    """Every value of `field` but the current one, starting after it: LSTM -> GRU, SimpleRNN."""
    if field in CHOICES:
        every = list(CHOICES[field])
    else:
        low, high = LIMITS[field]
        every = [str(number) for number in range(low, high + 1)]
    current = str(current)
    if current not in every:
        return tuple(every)
    start = every.index(current)
    return tuple(every[start + 1 :] + every[:start])


def right_value(topology_id: str, values: Mapping[str, object], setting: str, value: str = "") -> str:
    """The value `setting` takes on the right side ("" asks for the first this topology offers),
    as the sidebar's box writes it ("gru" is GRU); or a Refusal in one sentence when it cannot."""
    offered = choices(topology_id, values)
    if setting not in offered:
        allowed = f"it must be one of {', '.join(SETTINGS)}"
        if setting in SETTINGS:
            allowed = f"{topology_id} can compare only {either(offered)}"
        raise Refusal("compare is ", quoted(setting), f", but {allowed}.")
    allowed_values = offered[setting]
    if not value.strip():
        return allowed_values[0]
    chosen = next((option for option in allowed_values if option.lower() == value.strip().lower()), None)
    if chosen is None:
        raise Refusal(
            "compare_with is ", quoted(value), f", but with compare={setting} it must be {either(allowed_values)}."
        )
    return chosen


def comparison(topology_id: str, config: Config, setting: str, value: str = "") -> Comparison:
    """The two sides of comparing `setting` (right_value gives the right side's value), or a
    Refusal in one sentence when this topology cannot compare it so."""
    chosen = right_value(topology_id, dataclasses.asdict(config), setting, value)
    if setting in TWINS:
        twins = TWINS[setting]
        twin = next(other for other, shown in twins.items() if shown == chosen)
        left = Side(topology_id, config, f"{setting}={twins[topology_id]}")
        return Comparison(setting, left, Side(twin, config, f"{setting}={chosen}"))
    left = Side(topology_id, config, f"{setting}={getattr(config, setting)}")
    # A Config is checked as it is made: a changed field that is out of range raises ConfigError here.
    changed = dataclasses.replace(config, **{setting: parse_field(setting, chosen)})
    return Comparison(setting, left, Side(topology_id, changed, f"{setting}={chosen}"))


def either(values) -> str:
    """GRU or SimpleRNN; sum, mul or ave."""
    values = list(values)
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _shapes(trace: Trace, layer: str) -> str:
    """A layer's outputs in the first call: "(10, 4)", or "y (10, 5, 4), h (10, 4)" for several."""
    activity = trace.calls[0].activity(layer)
    shapes = [str(tuple(shape)) for shape in activity.output_shapes]
    if len(shapes) == 1:
        return shapes[0]
    return ", ".join(f"{role} {shape}" for role, shape in zip(activity.output_roles, shapes))


def differences(left: Trace, right: Trace) -> list[Row]:
    """The two traces row by row: the input, each layer (the left's in order, then those only the
    right has), the output (over every call) and all the parameters. Layers are matched by name."""
    left_layers = {layer.name: layer for layer in left.layers}
    right_layers = {layer.name: layer for layer in right.layers}
    names = list(left_layers) + [name for name in right_layers if name not in left_layers]
    rows = [Row("input", _inputs(left), _inputs(right), None, None)]
    for name in names:
        on_left, on_right = left_layers.get(name), right_layers.get(name)
        nested = (on_left or on_right).parent is not None
        rows.append(
            Row(
                ("↳ " if nested else "") + name,
                _shapes(left, name) if on_left else None,
                _shapes(right, name) if on_right else None,
                on_left.params if on_left else None,
                on_right.params if on_right else None,
            )
        )
    rows.append(Row("output", output_summary(left), output_summary(right), None, None))
    rows.append(Row("all layers", "", "", left.params, right.params))
    return rows


def _inputs(trace: Trace) -> str:
    return " ".join(str(tuple(shape)) for shape in trace.calls[0].input_shapes)


def summary(pair: Comparison, left: Trace, right: Trace) -> str:
    """What changed, in one sentence written from the two runs:
    "return_sequences=True (instead of return_sequences=False) hands on all 5 steps: (10, 5, 4)
    instead of (10, 4), with the same 112 parameters." """
    left_output, right_output = output_summary(left), output_summary(right)
    left_axes, right_axes = left.calls[0].output_axes[0], right.calls[0].output_axes[0]
    if left_output == right_output:
        hands_on = f"the same {left_output}"
    elif "steps" in right_axes and "steps" not in left_axes:
        steps = right.calls[0].output_shapes[0][right_axes.index("steps")]
        hands_on = f"all {steps} steps: {right_output} instead of {left_output}"
    elif "steps" in left_axes and "steps" not in right_axes:
        hands_on = f"only the last step: {right_output} instead of {left_output}"
    else:
        hands_on = f"{right_output} instead of {left_output}"
    if left.params == right.params:
        weights = f"the same {left.params:,} parameters"
    else:
        weights = f"{right.params:,} parameters instead of {left.params:,}"
    return f"{pair.right.says} (instead of {pair.left.says}) hands on {hands_on}, with {weights}."
