"""The unrolled picture: which boxes `app.diagram.draw` puts where, and what it writes on them.

Every expectation is derived here, from the drawing rules stated in the rules below and from
the shapes the Trace measured (the only thing taken from the code under test). The trace is
built once per (topology, Config) for this module.
"""

from __future__ import annotations

import collections
import functools
import re

import pytest

from app.diagram import draw
from tests.helpers import box_letters, drawn_words, fmt, long_steps, seed_config, traced
from topologies import CATALOGUE, Config

MAX_COLUMNS, FIRST, LAST = 12, 6, 5  # past 12 steps: the first 6, a gap, the last 5


@functools.cache
def drawn(topology_id: str, config: Config):
    result = traced(topology_id, config)
    return result, draw(result)


def boxes_of(figure) -> list[dict]:
    return list(figure.layout.meta["boxes"])


# ------------------------------------------------------------------ the rules, restated here


def steps_in(call) -> int:
    """A call's time axis: axis 1 of the 3-D tensors it recorded (1 if it has none)."""
    lengths = [shape[1] for shape in call.input_shapes if len(shape) == 3]
    lengths += [shape[1] for item in call.layers for shape in item.output_shapes if len(shape) == 3]
    return max(lengths, default=1)


def drawn_columns(result) -> list[tuple[int, int, int]]:
    """(call index, step within the call, t since the last reset), elided past 12 steps."""
    columns, t = [], 0
    for index, call in enumerate(result.calls):
        if call.reset_before:
            t = 0
        if len(call.input_shapes) > 1:  # several inputs: each one's steps, each from t = 1
            return inputs_columns(call)
        for step in range(steps_in(call)):
            t += 1
            columns.append((index, step, t))
    if len(columns) > MAX_COLUMNS:
        columns = columns[:FIRST] + columns[-LAST:]
    return columns


def inputs_columns(call) -> list[tuple[int, int, int]]:
    """A model with several inputs (a seq2seq), in one call: each input's own steps, t from 1 in
    each, up to 12 columns in all (beyond, tests below count the elided columns by hand)."""
    lengths = [shape[1] if len(shape) == 3 else 1 for shape in call.input_shapes]
    assert sum(lengths) <= MAX_COLUMNS, lengths
    return [(0, step, step + 1) for length in lengths for step in range(length)]


def is_vector_input(result, call) -> bool:
    """(batch, features) floats, fed once per call (RepeatVector), not (batch, steps) token ids."""
    return len(call.input_shapes[0]) == 2 and not any(layer.kind == "embedding" for layer in result.layers)


def expected_counts(result) -> collections.Counter:
    if len(result.calls[0].input_shapes) > 1 or any(layer.kind == "cell" for layer in result.layers):
        return graph_counts(result)
    counts = collections.Counter()
    drawn_layers = [layer for layer in result.layers if layer.kind != "model"]
    for call_index, step, _t in drawn_columns(result):
        call = result.calls[call_index]
        last = step == steps_in(call) - 1
        if not is_vector_input(result, call) or step == 0:
            counts["input"] += 1
        for layer in drawn_layers:
            out = call.activity(layer.name).output_shapes[0]
            if layer.kind == "recurrent":
                counts["state"] += 1
                if len(out) == 2 and not last:  # return_sequences=False drops y_t before the end
                    counts["discarded"] += 1
            elif layer.kind == "bidirectional":
                counts["state"] += 2  # a forward row and a backward row
            elif len(out) == 3 or last:
                counts["layer"] += 1
        if len(call.output_shapes[0]) == 3 or last:
            counts["output"] += 1
    # return_state: the final states come out of the model as tensors of their own.
    returned = len(result.calls[-1].output_shapes) - 1
    if returned:
        if result.config.cell == "LSTM":
            assert returned == 2, "an LSTM returns h and c"
            counts["state"] += 1
            counts["cell_state"] += 1
        else:
            assert returned == 1, "GRU and SimpleRNN return h only"
            counts["state"] += 1
    return counts


def graph_counts(result) -> collections.Counter:
    """A Functional graph run in one call (several inputs, a cell called once per step), up to 12
    columns: a box per step of each input (one for a vector); a recurrent layer an h_t per step it
    reads, and a pale y_t at each but the last where it hands on only its last step; a cell an
    h_t per call; any other layer a box per step of its output (one for a vector); the output the same."""
    (call,) = result.calls
    counts = collections.Counter()
    for shape in call.input_shapes:
        counts["input"] += shape[1] if len(shape) == 3 else 1
    for activity in call.layers:
        kind, out = result.layer(activity.layer).kind, activity.output_shapes[0]
        if kind == "recurrent":
            read = activity.input_shapes[0][1]
            counts["state"] += read
            counts["discarded"] += read - 1 if len(out) == 2 else 0
        elif kind == "cell":
            counts["state"] += 1
        else:
            counts["layer"] += out[1] if len(out) == 3 else 1
    out = call.output_shapes[0]
    counts["output"] += out[1] if len(out) == 3 else 1
    return +counts  # without the zero counts


# Worked out by hand for the seed (batch 10, steps 5, features 2, units 4; chunks 2, horizon 3,
# depth 2): the counts the rules above must also give.
SEED_COUNTS = {
    "many_to_many": dict(input=5, state=5, output=5),
    "many_to_one": dict(input=5, state=5, output=1, discarded=4),
    "one_to_many_repeat": dict(input=1, layer=5, state=5, output=5),  # RepeatVector: 5 copies
    "one_to_many_stateful": dict(input=5, state=5, output=5),  # 5 calls of one step
    "stateful_batches": dict(input=5, state=5, output=5),  # steps 2 + 3 over two calls
    "forecast_stateful": dict(input=7, state=7, layer=7, output=7),  # prime 5, then 2 steps
    # 10 windows of 5 steps as one batch: many to one, then Dense at the last step
    "sliding_windows": dict(input=5, state=5, discarded=4, layer=1, output=1),
    "stacked": dict(input=5, state=10, output=1, discarded=4),
    "autoencoder": dict(input=5, state=20, discarded=4, layer=5, output=5),
    "time_distributed": dict(input=5, state=5, layer=5, output=5),
    "text_generator": dict(input=5, layer=15, state=10, output=5),  # embedding, dense, softmax
    "return_state": dict(input=5, state=6, cell_state=1, output=5),
    "bidirectional": dict(input=5, state=10, output=5),
    # 5 source steps into the encoder (4 pale y_t), 3 target steps into the decoder, Dense, y
    "seq2seq": dict(input=8, state=8, discarded=4, layer=3, output=3),
    # one x, the cell's 5 calls, the join (one box), the reshape's 5 steps, 5 y
    "cell_loop": dict(input=1, state=5, layer=6, output=5),
}

IDS = list(CATALOGUE)


def test_the_hand_worked_table_covers_the_whole_catalogue():
    assert len(CATALOGUE) == 15
    assert set(SEED_COUNTS) == set(CATALOGUE)


@pytest.mark.parametrize("topology_id", IDS)
def test_box_counts_by_role_match_the_rules(topology_id):
    result, figure = drawn(topology_id, seed_config(topology_id))
    counts = collections.Counter(box["role"] for box in boxes_of(figure))
    assert counts == expected_counts(result)
    assert counts == collections.Counter(SEED_COUNTS[topology_id])


VARIANTS = [
    pytest.param("return_state", dict(cell="GRU"), id="return_state-GRU"),
    pytest.param("return_state", dict(cell="SimpleRNN"), id="return_state-SimpleRNN"),
    pytest.param("stacked", dict(depth=3), id="stacked-depth3"),
    pytest.param("bidirectional", dict(cell="GRU", steps=3), id="bidirectional-GRU-3steps"),
    pytest.param("many_to_many", dict(steps=12), id="many_to_many-12steps"),
    pytest.param("many_to_one", dict(steps=13), id="many_to_one-13steps"),
    pytest.param("stateful_batches", dict(steps=20, chunks=3), id="stateful_batches-20steps-3chunks"),
    pytest.param("forecast_stateful", dict(horizon=10), id="forecast_stateful-horizon10"),
    pytest.param("one_to_many_repeat", dict(steps=15), id="one_to_many_repeat-15steps"),
]


@pytest.mark.parametrize(("topology_id", "changes"), VARIANTS)
def test_box_counts_follow_the_rules_beyond_the_seed(topology_id, changes):
    result, figure = drawn(topology_id, seed_config(topology_id, **changes))
    counts = collections.Counter(box["role"] for box in boxes_of(figure))
    assert counts == expected_counts(result)


def test_variant_counts_worked_by_hand():
    """A few of the variants above, counted by hand rather than by the rules."""

    def counts(topology_id, **changes):
        _, figure = drawn(topology_id, seed_config(topology_id, **changes))
        return dict(collections.Counter(box["role"] for box in boxes_of(figure)))

    assert counts("return_state", cell="GRU") == dict(input=5, state=6, output=5)
    assert counts("stacked", depth=3) == dict(input=5, state=15, discarded=4, output=1)
    # 13 steps: columns t = 1..6 and 9..13; y is kept only at t = 13
    assert counts("many_to_one", steps=13) == dict(input=11, state=11, discarded=10, output=1)
    # 15 steps, one vector in: a single x box although the steps are elided
    assert counts("one_to_many_repeat", steps=15) == dict(input=1, layer=11, state=11, output=11)


@pytest.mark.parametrize(
    ("changes", "encoder_steps", "decoder_steps"),
    [
        # 26 steps: 6 columns each; the encoder's first 3, a gap, its last 2
        (dict(steps=20, target_steps=6, cell="GRU"), [1, 2, 3, 19, 20], [1, 2, 3, 4, 5, 6]),
        # 43 steps: the encoder's 3 leave 9 columns to the decoder: its first 4, a gap, its last 4
        (dict(steps=3, target_steps=40), [1, 2, 3], [1, 2, 3, 4, 37, 38, 39, 40]),
    ],
    ids=["long-source", "long-target"],
)
def test_a_long_seq2seq_keeps_the_steps_on_either_side_of_the_handed_state(changes, encoder_steps, decoder_steps):
    """Each input shares the 12 columns, so the encoder's last step and the decoder's first,
    which the state arrow joins, are both drawn however long either sequence is."""
    result, figure = drawn("seq2seq", seed_config("seq2seq", **changes))
    boxes = boxes_of(figure)
    inputs = [box["step"] for box in boxes if box["role"] == "input"]
    assert inputs == encoder_steps + decoder_steps
    (state,) = [arrow for arrow in figure.layout.meta["arrows"] if arrow["kind"] == "state"]
    source, target = boxes[state["source"]], boxes[state["target"]]
    assert (source["layer"], source["step"]) == ("encoder", changes["steps"])
    assert (target["layer"], target["step"]) == ("decoder", 1)


@pytest.mark.parametrize("topology_id", IDS)
def test_input_boxes_sit_at_the_drawn_columns(topology_id):
    result, figure = drawn(topology_id, seed_config(topology_id))
    got = [(box["call"], box["step"]) for box in boxes_of(figure) if box["role"] == "input"]
    want = [
        (call, t)
        for call, step, t in drawn_columns(result)
        if not is_vector_input(result, result.calls[call]) or step == 0
    ]
    assert got == want


@pytest.mark.parametrize(
    ("topology_id", "calls_and_steps"),
    [
        ("stateful_batches", [(0, 1), (0, 2), (1, 3), (1, 4), (1, 5)]),  # no reset between batches
        ("one_to_many_stateful", [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]),
        ("forecast_stateful", [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 6), (2, 7)]),
        ("many_to_many", [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]),
    ],
)
def test_time_steps_count_on_across_calls_until_a_reset(topology_id, calls_and_steps):
    _, figure = drawn(topology_id, seed_config(topology_id))
    got = [(box["call"], box["step"]) for box in boxes_of(figure) if box["role"] == "input"]
    assert got == calls_and_steps


@pytest.mark.parametrize("topology_id", IDS)
def test_every_box_shape_is_a_shape_the_run_recorded(topology_id):
    result, figure = drawn(topology_id, seed_config(topology_id))
    boxes = boxes_of(figure)
    assert boxes
    for box in boxes:
        call = result.calls[box["call"]]
        shape = tuple(box["shape"])
        if box["role"] == "input":
            assert box["layer"] is None
            assert shape in call.input_shapes, box
        elif box["role"] == "output":
            assert box["layer"] is None
            assert shape in call.output_shapes, box
        else:
            assert box["layer"] is not None, box
            assert shape in call.activity(box["layer"]).output_shapes, box
        assert box["x0"] < box["x1"] and box["y0"] < box["y1"], box


@pytest.mark.parametrize("topology_id", IDS)
def test_boxes_of_one_row_do_not_overlap(topology_id):
    _, figure = drawn(topology_id, seed_config(topology_id))
    boxes = boxes_of(figure)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            overlap_y = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            assert not (overlap_x > 1e-9 and overlap_y > 1e-9), (a, b)


def annotation_texts(figure) -> list[str]:
    """Every text on the picture, each read as one line: a long label is wrapped to fit beside
    the plot (after a ", " of code or a " = " of shapes), and its words are the same."""
    return [word["text"].replace("<br>", " ") for word in drawn_words(figure.to_plotly_json())]


@pytest.mark.parametrize("topology_id", IDS)
def test_labels_carry_the_measured_shapes(topology_id):
    result, figure = drawn(topology_id, seed_config(topology_id))
    text = "\n".join(annotation_texts(figure))
    first = result.calls[0]
    for shape in first.output_shapes + first.input_shapes:
        assert fmt(shape) in text, fmt(shape)
    for layer in result.layers:
        if layer.kind != "model":
            assert fmt(first.activity(layer.name).output_shapes[0]) in text, layer.name
    # the output row names each axis of the model's output
    shape, axes = first.output_shapes[0], first.output_axes[0]
    assert f"{fmt(shape)} = ({', '.join(axes)})" in text


@pytest.mark.slow  # every topology traced and drawn at 40 steps: about 8 s
@pytest.mark.parametrize("topology_id", IDS)
def test_no_word_is_smaller_than_14_px_and_the_figure_keeps_its_size(topology_id):
    """Legible on a projector: the picture grows to make room for its words, never shrinks them."""
    _, figure = drawn(topology_id, seed_config(topology_id, steps=long_steps(topology_id, 40)))
    sizes = [word["size"] for word in drawn_words(figure.to_plotly_json())]
    sizes += [size for *_, size in box_letters(figure.to_plotly_json())]
    sizes += [figure.layout.title.font.size, figure.layout.legend.font.size]
    assert min(sizes) >= 14, sizes
    assert figure.layout.width > 0 and figure.layout.height > 0 and figure.layout.autosize is False


@pytest.mark.parametrize("steps", [5, pytest.param(40, marks=pytest.mark.slow)])  # 40: every topology traced again
@pytest.mark.parametrize("topology_id", IDS)
def test_every_word_of_the_words_trace_stands_within_the_axes_ranges(topology_id, steps):
    """A text trace's point outside the axes' ranges is not drawn at all (Plotly hides it, even
    where cliponaxis is off): a row's name and shapes stand at the plot's very edges, inside."""
    _, figure = drawn(topology_id, seed_config(topology_id, steps=long_steps(topology_id, steps)))
    layout = figure.to_plotly_json()["layout"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    (words,) = [trace for trace in figure.to_plotly_json()["data"] if trace.get("name") == "words"]
    assert words["x"]
    for x, y, text in zip(words["x"], words["y"], words["text"]):
        assert x0 <= x <= x1 and y0 <= y <= y1, (text, x, y, (x0, x1), (y0, y1))


def test_many_to_one_output_label_reads_batch_by_units():
    _, figure = drawn("many_to_one", seed_config("many_to_one"))
    assert "(10, 4) = (batch, units)" in annotation_texts(figure)
    assert any("(10, 5, 2) = (batch, steps, features)" in text for text in annotation_texts(figure))


def test_seed_output_shapes_as_printed():
    """The seed's output shapes, worked out by hand, appear on the picture."""
    want = {
        "many_to_one": ["(10, 4)"],
        "many_to_many": ["(10, 5, 4)"],
        "bidirectional": ["(10, 5, 8)"],
        "return_state": ["(10, 5, 4)", "(10, 4)"],
        "text_generator": ["(10, 5, 50)"],
        "time_distributed": ["(10, 5, 3)"],
        "sliding_windows": ["(10, 2)"],  # one prediction per window
        "one_to_many_stateful": ["(10, 1, 2)"],
    }
    for topology_id, shapes in want.items():
        text = "\n".join(annotation_texts(drawn(topology_id, seed_config(topology_id))[1]))
        for shape in shapes:
            assert shape in text, (topology_id, shape)


@pytest.mark.parametrize("topology_id", IDS)
def test_every_box_has_a_hover_text_at_its_centre(topology_id):
    _, figure = drawn(topology_id, seed_config(topology_id))
    boxes = boxes_of(figure)
    hover = figure.data[0]
    assert len(hover.hovertext) == len(boxes)
    assert len(hover.x) == len(boxes) and len(hover.y) == len(boxes)
    for box, text, x, y in zip(boxes, hover.hovertext, hover.x, hover.y):
        assert isinstance(text, str) and text.strip(), box
        assert x == pytest.approx((box["x0"] + box["x1"]) / 2)
        assert y == pytest.approx((box["y0"] + box["y1"]) / 2)
        if box["role"] == "discarded":  # a faded y_t that never left the layer
            assert f"y<sub>{box['step']}</sub>" in text and "discarded" in text, (box, text)
            continue
        assert f"whole tensor: {fmt(box['shape'])}" in text, (box, text)
        if box["role"] in ("input", "layer", "output"):
            assert re.search(rf"t = {box['step']}\b", text), (box, text)


def _step_shape(input_shape) -> tuple:
    """One step of the model input: the steps axis removed; a lone vector is its own step."""
    if len(input_shape) == 3:
        return (input_shape[0], input_shape[2])  # (batch, steps, features) -> (batch, features)
    return tuple(input_shape)  # (batch, features), read once (RepeatVector)


@pytest.mark.parametrize("topology_id", IDS)
def test_input_hover_gives_the_shape_of_one_step(topology_id):
    result, figure = drawn(topology_id, seed_config(topology_id))
    pairs = [(box, text) for box, text in zip(boxes_of(figure), figure.data[0].hovertext) if box["role"] == "input"]
    assert pairs
    for box, text in pairs:
        shape = result.calls[box["call"]].input_shapes[0]
        if len(shape) == 2 and any(layer.kind == "embedding" for layer in result.layers):
            want = (shape[0],)  # token ids: one id per sequence at each step
        else:
            want = _step_shape(shape)
        match = re.search(r"this step: (\([0-9, ]*\))", text)
        assert match, text
        assert match.group(1) == fmt(want), text


# ------------------------------------------------------------------ long sequences


LONG = Config(batch=2, steps=1000, features=2, units=4)


@pytest.mark.parametrize("topology_id", ["many_to_many", "many_to_one"])
def test_a_thousand_steps_draw_a_few_columns_and_a_small_figure(topology_id):
    result, figure = drawn(topology_id, LONG)
    boxes = boxes_of(figure)
    centres = {round((box["x0"] + box["x1"]) / 2, 6) for box in boxes}
    assert len(centres) <= 16
    steps = sorted({box["step"] for box in boxes if box["role"] == "input"})
    assert steps == [1, 2, 3, 4, 5, 6, 996, 997, 998, 999, 1000]
    assert len(figure.to_json()) < 300_000
    # the gap says how many steps it stands for: 1000 - 6 - 5
    assert any("989" in text for text in annotation_texts(figure))
    assert collections.Counter(box["role"] for box in boxes) == expected_counts(result)


def test_twelve_steps_are_all_drawn_thirteen_are_elided():
    _, twelve = drawn("many_to_many", seed_config("many_to_many", steps=12))
    _, thirteen = drawn("many_to_many", seed_config("many_to_many", steps=13))
    assert [b["step"] for b in boxes_of(twelve) if b["role"] == "input"] == list(range(1, 13))
    assert [b["step"] for b in boxes_of(thirteen) if b["role"] == "input"] == [1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13]
