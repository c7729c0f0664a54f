"""Predict the shape: hide one row's measured shape, ask for it, check the answer, say why.

    asked = questions(trace)["output"]        # Question(row="output", shape=(10, 4), ...)
    parse_shape("[10, 4]")                    # (10, 4); "(10, 4)" and "10,4" read the same
    parse_shape("ten by four")                # Refusal: one sentence, the answer shown as code
    hide(plan, asked.shape)                   # the picture with (10, 4) written "(?)" everywhere

An answer is read, never evaluated: brackets around it are optional, the numbers are whole and
split by commas. The question is about the model's first call (several calls may differ). The
shape is hidden wherever it is written, in every row, with the axes' meaning beside it: the
same numbers elsewhere in the picture would give the answer away, and "= (batch, units)" would
say how many numbers to give.
"""

from __future__ import annotations

import dataclasses
import re

from app.draw.plan import Box, Plan, Text
from topologies.records import Axes, Shape, Trace, symbolic
from topologies.refusal import Refusal, quoted

HIDDEN = "(?)"
OUTPUT = "output"  # the question about what the model hands on; the others are named by their layer
_BRACKETS = {"(": ")", "[": "]"}


@dataclasses.dataclass(frozen=True)
class Question:
    """One row's measured shape in the first call, and what made it."""

    row: str  # OUTPUT, or a top-level layer's name
    shape: Shape
    axes: Axes
    made_by: str  # the layer as Keras code, or "the model"
    settings: dict  # the layer's settings (return_sequences, ...); empty for the output


def questions(trace: Trace) -> dict[str, Question]:
    """Every row that can be asked about, bottom to top: each top-level layer, then the output."""
    first = trace.calls[0]
    asked = {}
    for activity in first.layers:
        layer = trace.layer(activity.layer)
        if layer.parent is None:
            asked[layer.name] = Question(
                layer.name, activity.output_shapes[0], activity.output_axes[0], layer.code, layer.settings
            )
    asked[OUTPUT] = Question(OUTPUT, first.output_shapes[0], first.output_axes[0], "the model", {})
    return asked


def parse_shape(answer: str) -> Shape:
    """The shape an answer names: "(10, 4)", "10,4", "[10, 4]", "(10,)"; or a Refusal saying how to write one."""
    text = answer.strip()
    if text[:1] in _BRACKETS and text[-1:] == _BRACKETS[text[:1]]:
        text = text[1:-1]
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # Python's one-number tuple: (10,)
    # At most 8 numbers of at most 12 digits: no shape here is bigger, and int() of a huge one is slow.
    if not all(part.isascii() and part.isdigit() and len(part) <= 12 for part in parts) or len(parts) > 8:
        raise Refusal(
            "Your answer ", quoted(answer), " is not a shape: write whole numbers split by commas, such as (10, 4)."
        )
    return tuple(int(part) for part in parts)


def reason(question: Question) -> str:
    """Why the row has its shape, in one line: what made it, what each number counts, and, for a
    recurrent layer, what return_sequences kept."""
    shape = symbolic(question.shape, question.axes)
    if question.row == OUTPUT:
        line = f"The model hands on what its last layer gives: {shape}"
    else:
        line = f"{question.made_by} gives {shape}"
    if question.settings.get("return_sequences") is False:
        line += "; return_sequences=False hands on only the last step, so there is no steps axis"
    elif question.settings.get("return_sequences") is True:
        line += "; return_sequences=True hands on every step"
    return line + "."


def hidden_text(text: str, shape: Shape) -> str:
    """`text` with `shape` written "(?)", and the axes' meaning after it taken away."""
    written = re.escape("(" + ", ".join(str(size) for size in shape) + ")")
    return re.sub(written + r"(\s*=\s*(<br>)?\s*\([^()]*\))?", HIDDEN, text)


def hide(plan: Plan, shape: Shape) -> Plan:
    """The plan with `shape` hidden in every word and every hover."""
    marks = []
    for mark in plan.marks:
        if isinstance(mark, Text):
            mark = dataclasses.replace(mark, text=hidden_text(mark.text, shape))
        elif isinstance(mark, Box):
            mark = dataclasses.replace(mark, hover=hidden_text(mark.hover, shape))
        marks.append(mark)
    return dataclasses.replace(plan, marks=tuple(marks))
