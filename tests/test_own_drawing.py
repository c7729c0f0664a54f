"""How a user's own stack is drawn: layers that change the number of steps, read off the figure.

The expected steps and windows come from Keras itself, measured here by a different road than
the app's: the test makes the same layers with keras.layers, calls them on an array for the
number of steps, and finds which input steps each output step reads by nudging one input step
at a time and seeing which output steps move. The conv length rule (steps - kernel) // stride + 1
is written out too. Nothing expected is read from app/ or topologies/.
"""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest

from app.diagram import draw
from topologies import Config, trace
from topologies.own.model import OwnStack

BATCH, FEATURES = 2, 2


def keras_layers(text: str):
    """The stack's layers, made here by hand from keras.layers."""
    from keras import layers

    made = {
        "Conv1D(4, 3) | MaxPooling1D(2) | LSTM(5)": [layers.Conv1D(4, 3), layers.MaxPooling1D(2), layers.LSTM(5)],
        "Conv1D(4, 3, strides=2, padding='same') | AveragePooling1D(3, strides=1, padding='same') | GRU(3)": [
            layers.Conv1D(4, 3, strides=2, padding="same"),
            layers.AveragePooling1D(3, strides=1, padding="same"),
            layers.GRU(3),
        ],
        "Conv1D(2, 2, dilation_rate=2, padding='causal') | MaxPooling1D(3, strides=2) | SimpleRNN(2)": [
            layers.Conv1D(2, 2, dilation_rate=2, padding="causal"),
            layers.MaxPooling1D(3, strides=2),
            layers.SimpleRNN(2),
        ],
        "Conv1D(3, 2) | GlobalMaxPooling1D() | Dense(2)": [
            layers.Conv1D(3, 2),
            layers.GlobalMaxPooling1D(),
            layers.Dense(2),
        ],
        "LSTM(3, return_sequences=True) | Flatten() | Dense(1)": [
            layers.LSTM(3, return_sequences=True),
            layers.Flatten(),
            layers.Dense(1),
        ],
    }
    return made[text]


WINDOWED = [
    "Conv1D(4, 3) | MaxPooling1D(2) | LSTM(5)",
    "Conv1D(4, 3, strides=2, padding='same') | AveragePooling1D(3, strides=1, padding='same') | GRU(3)",
    "Conv1D(2, 2, dilation_rate=2, padding='causal') | MaxPooling1D(3, strides=2) | SimpleRNN(2)",
]
ONE_VECTOR = ["Conv1D(3, 2) | GlobalMaxPooling1D() | Dense(2)", "LSTM(3, return_sequences=True) | Flatten() | Dense(1)"]


def measured(text: str, steps: int) -> list[dict]:
    """Per layer, as Keras computes it: the steps it hands on (None for one vector per sequence),
    the steps it reads, and for each output step the set of input steps that move it."""
    x = np.random.default_rng(0).random((1, steps, FEATURES)).astype("float32")
    found = []
    for layer in keras_layers(text):
        y = np.asarray(layer(x))
        reads = []
        for step in range(y.shape[1] if y.ndim == 3 else 1) if x.ndim == 3 else ():
            moved = set()
            for nudged in range(x.shape[1]):
                other = x.copy()
                other[:, nudged, :] += 50.0  # big enough to win any max it takes part in
                changed = np.abs(np.asarray(layer(other)) - y) > 1e-4
                if (changed[:, step] if y.ndim == 3 else changed).any():
                    moved.add(nudged)
            reads.append(moved)
        reads_from = x.shape[1] if x.ndim == 3 else None
        found.append({"steps": y.shape[1] if y.ndim == 3 else None, "reads_from": reads_from, "reads": reads})
        x = y
    return found


def picture(text: str, steps: int):
    """(trace, meta["boxes"], meta["arrows"], per layer the indices of its boxes) of the stack drawn."""
    result = trace(OwnStack.from_text(text), Config(batch=BATCH, steps=steps, features=FEATURES))
    meta = draw(result).layout.meta
    boxes = list(meta["boxes"])
    return result, boxes, list(meta["arrows"]), rows_of(result, boxes)


def centre_x(box) -> float:
    return (box["x0"] + box["x1"]) / 2


def rows_of(result, boxes) -> list[list[int]]:
    """Per layer of the stack, the indices of its boxes (those arrows join, not dropped y_t)."""
    return [
        [index for index, box in enumerate(boxes) if box["layer"] == layer.name and box["role"] != "discarded"]
        for layer in result.layers
    ]


@pytest.mark.parametrize("text", WINDOWED)
def test_a_layer_that_changes_the_steps_draws_its_own_steps_reading_its_window(text):
    result, boxes, arrows, rows = picture(text, 11)
    keras_says = measured(text, 11)
    input_boxes = [index for index, box in enumerate(boxes) if box["role"] == "input"]
    below = input_boxes
    for layer_index, (row, want) in enumerate(zip(rows, keras_says)):
        # A recurrent layer has an h_t at each step it reads; a Conv1D or pooling one at each it makes.
        expected_steps = want["steps"] if layer_index < 2 else want["reads_from"]
        assert len(row) == expected_steps, (result.layers[layer_index].code, len(row))
        assert [boxes[index]["step"] for index in row] == list(range(1, expected_steps + 1))
        if layer_index < 2:
            into = collections.defaultdict(set)
            for arrow in arrows:
                if arrow["target"] in row and arrow["kind"] == "window":
                    into[arrow["target"]].add(below.index(arrow["source"]))
            for own_step, index in enumerate(row):
                assert into[index] == want["reads"][own_step], (result.layers[layer_index].code, own_step + 1)
                read_x = [centre_x(boxes[below[read]]) for read in into[index]]
                assert centre_x(boxes[index]) == pytest.approx((min(read_x) + max(read_x)) / 2)
        below = row
    # The recurrent row above the pooling carries h_t along its own steps, one arrow between neighbours.
    carries = [arrow for arrow in arrows if arrow["kind"] == "carry"]
    assert len(carries) == len(rows[2]) - 1
    assert all(arrow["source"] in rows[2] and arrow["target"] in rows[2] for arrow in carries)


def test_the_valid_conv_length_is_the_textbook_formula():
    steps, kernel, stride = 11, 3, 1
    *_, rows = picture("Conv1D(4, 3) | MaxPooling1D(2) | LSTM(5)", steps)
    conv_steps = (steps - kernel) // stride + 1
    assert len(rows[0]) == conv_steps
    assert len(rows[1]) == (conv_steps - 2) // 2 + 1  # pooling: the same rule, window 2, stride 2


@pytest.mark.parametrize("text", ONE_VECTOR)
def test_global_pooling_and_flatten_are_one_box_reading_every_step(text):
    result, boxes, arrows, rows = picture(text, 7)
    keras_says = measured(text, 7)
    assert keras_says[1]["steps"] is None and len(rows[1]) == 1
    (pooled,) = rows[1]
    sources = sorted(arrow["source"] for arrow in arrows if arrow["target"] == pooled)
    assert all(arrow["kind"] == "window" for arrow in arrows if arrow["target"] == pooled)
    assert sources == rows[0]  # every step of the row below, each once
    assert keras_says[1]["reads"][0] == set(range(keras_says[1]["reads_from"]))


@pytest.mark.slow  # 40 steps through Keras and the drawing for each stack: 7-30 s each
@pytest.mark.parametrize("text", WINDOWED)
def test_past_twelve_steps_every_row_is_drawn_and_each_window_arrow_is_one_keras_reads(text):
    """40 steps: the input's middle steps are left out; each windowed row still shows its first and
    last steps, and every window arrow drawn joins a step to one its window reads in Keras."""
    steps = 40
    result, boxes, arrows, rows = picture(text, steps)
    keras_says = measured(text, steps)
    below = [index for index, box in enumerate(boxes) if box["role"] == "input"]
    for row, want in zip(rows[:2], keras_says):
        assert 0 < len(row) < want["steps"]
        assert boxes[row[0]]["step"] == 1 and boxes[row[-1]]["step"] == want["steps"]
        for arrow in arrows:
            if arrow["target"] in row:
                assert arrow["kind"] == "window"
                source, target = boxes[arrow["source"]], boxes[arrow["target"]]
                assert arrow["source"] in below and source["step"] - 1 in want["reads"][target["step"] - 1]
        below = row
    assert len(rows[2]) > 0  # the recurrent row above the windows is drawn too


# ----------------------------------------------------------------------------- dropout and masks

MARKED = [
    # (stack, position of the marked layer, words its row must carry, each written from the stack)
    ("Dropout(0.5) | LSTM(3)", 0, ["training only", "50%"]),
    ("SpatialDropout1D(0.25) | GRU(2)", 0, ["training only", "25%", "features", "every step"]),
    ("LSTM(6, dropout=0.2, recurrent_dropout=0.3) | Dense(1)", 0, ["training only", "20% of x", "30% of h"]),
    ("GRU(4, recurrent_dropout=0.1)", 0, ["training only", "10% of h"]),
    ("Masking(mask_value=-1.0) | LSTM(3)", 0, ["mask", "-1"]),
    ("Embedding(30, 4, mask_zero=True) | LSTM(3)", 0, ["mask", "id 0"]),
]


def row_name(text: str, steps: int, position: int) -> str:
    """The words left of a layer's row (its code and any note), markup taken out."""
    from app.draw.layout import layout
    from app.draw.plan import Text

    result = trace(OwnStack.from_text(text), Config(batch=BATCH, steps=steps, features=FEATURES))
    plan = layout(result)
    name = result.layers[position].name
    row_y = next(box.geometry.y for box in plan.boxes if box.layer == name and box.role != "discarded")
    (words,) = [mark for mark in plan.marks if isinstance(mark, Text) and mark.anchor == "right" and mark.y == row_y]
    assert words.size >= 14
    return re.sub(r"<[^>]+>", "", words.text.replace("<br>", " "))


@pytest.mark.parametrize(("text", "position", "words"), MARKED)
def test_dropout_and_masks_are_marked_on_their_row(text, position, words):
    name = row_name(text, 5, position)
    assert all(word in name for word in words), name


@pytest.mark.parametrize("text", ["LSTM(3) | Dense(1)", "Embedding(30, 4) | GRU(2)", "Conv1D(2, 2) | LSTM(3)"])
def test_a_row_without_dropout_or_mask_has_no_such_mark(text):
    name = row_name(text, 5, 0)
    assert "training only" not in name and "mask" not in name, name


@pytest.mark.parametrize("text", ["Masking() | LSTM(3)", "Embedding(30, 4, mask_zero=True) | LSTM(3) | Dense(1)"])
def test_a_mask_is_not_a_second_input(text):
    """Keras hands a mask to the next layer beside the tensor; the stack is still a chain."""
    result = trace(OwnStack.from_text(text), Config(batch=BATCH, steps=5, features=FEATURES))
    feeders = ["input"] + [layer.name for layer in result.layers]
    assert [activity.fed_by for activity in result.calls[0].layers] == [(name,) for name in feeders[:-1]]


# ----------------------------------------------------------------------------- labels fit their boxes

EVERY_KIND = [
    "Conv1D(4, 3, padding='same') | MaxPooling1D(2) | AveragePooling1D(2, padding='same') | LSTM(3)",
    "LayerNormalization() | BatchNormalization() | SpatialDropout1D(0.1) | Dropout(0.1) | GRU(2)",
    "Masking() | SimpleRNN(3, return_sequences=True) | GlobalAveragePooling1D() | Reshape((3, 1))",
    "LSTM(3, return_sequences=True) | GlobalMaxPooling1D() | Dense(2) | Activation('softmax')",
    "Embedding(20, 4) | Bidirectional(GRU(3, return_sequences=True)) | TimeDistributed(Dense(2))",
    "LSTM(3) | RepeatVector(4) | GRU(2, return_sequences=True) | Flatten() | Activation('sigmoid')",
]


def pixels_per_unit(plan) -> float:
    """Across, as the figure is painted: the plot's pixels (the width less the margins) over its data units."""
    left, right, _, _ = plan.margin
    return (plan.width - left - right) / (plan.x_range[1] - plan.x_range[0])


def assert_labels_fit(plan) -> None:
    from app.draw.plan import text_extent

    across = pixels_per_unit(plan)
    for box in plan.boxes:
        label_width = text_extent(box.label, 15)[0]
        assert label_width <= box.geometry.width * across, (
            box.label,
            box.layer,
            label_width,
            box.geometry.width * across,
        )


@pytest.mark.parametrize("text", EVERY_KIND)
@pytest.mark.parametrize("steps", [5, 12])
def test_every_box_label_fits_its_box(text, steps):
    from app.draw.layout import layout

    plan = layout(trace(OwnStack.from_text(text), Config(batch=BATCH, steps=steps, features=FEATURES)))
    assert_labels_fit(plan)
    layer_words = [re.sub(r"<[^>]+>.*", "", box.label) for box in plan.boxes if box.role == "layer"]
    assert all(len(word) <= 5 for word in layer_words), layer_words  # a word, not a class name


@pytest.mark.parametrize("steps", [5, 12])
def test_every_catalogue_box_label_fits_its_box(traced, steps):
    from app.draw.layout import layout
    from tests.helpers import seed_config
    from topologies import CATALOGUE

    for topology_id in CATALOGUE:
        changes = {} if topology_id == "one_to_many_stateful" else {"steps": steps}
        assert_labels_fit(layout(traced(topology_id, seed_config(topology_id, **changes))))
