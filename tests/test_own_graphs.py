"""How a Functional graph is drawn: a layer called more than once, and a model with two inputs.

The models are made and saved here with Keras itself; what each drawn row must hold comes from
those models (their Input lengths, and each layer call's output shape as Keras computes it by
calling the same layer objects on arrays), never from app/ or topologies/.
"""

from __future__ import annotations

import pytest

from app.diagram import draw
from topologies import Config, Trace, trace
from topologies.own.keras_file import OwnKerasFile

BATCH = 3
ENCODER_STEPS, DECODER_STEPS, VOCAB, FEATURES, UNITS = 7, 4, 20, 3, 6


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """name -> (Keras model, its .keras bytes, {drawn layer name: [output shape of each call]})."""
    import keras
    from keras import layers

    made = {}
    # A seq2seq whose encoder and decoder share one Embedding; the encoder's h and c start the decoder.
    encoder_in = keras.Input((ENCODER_STEPS,), dtype="int32")
    decoder_in = keras.Input((DECODER_STEPS,), dtype="int32")
    embedding = layers.Embedding(VOCAB, FEATURES)
    encoder = layers.LSTM(UNITS, return_state=True)
    decoder = layers.LSTM(UNITS, return_sequences=True)
    _, h, c = encoder(embedding(encoder_in))
    made["shared_seq2seq"] = keras.Model(
        [encoder_in, decoder_in], layers.Dense(2)(decoder(embedding(decoder_in), initial_state=[h, c]))
    )
    # A GRU seq2seq handing on only h, whose decoder keeps only its last step.
    encoder_in, decoder_in = keras.Input((6, 2)), keras.Input((3, 2))
    _, h = layers.GRU(5, return_state=True)(encoder_in)
    made["gru_seq2seq"] = keras.Model([encoder_in, decoder_in], layers.GRU(5)(decoder_in, initial_state=h))
    # Two branches from one input, joined; and a branch longer than its sibling.
    x = keras.Input((5, 3))
    joined = layers.Concatenate()([layers.LSTM(4, return_sequences=True)(x), layers.GRU(4, return_sequences=True)(x)])
    made["branches"] = keras.Model(x, layers.Dense(1)(joined))
    x = keras.Input((5, 3))
    longer = layers.Dense(4)(layers.LSTM(4, return_sequences=True)(x))
    made["uneven_branches"] = keras.Model(x, layers.Add()([longer, layers.GRU(4, return_sequences=True)(x)]))
    # Attention: 4 query steps read 6 value steps.
    query, value = keras.Input((4, 3)), keras.Input((6, 3))
    attended = layers.Attention()(
        [layers.LSTM(4, return_sequences=True)(query), layers.LSTM(4, return_sequences=True)(value)]
    )
    made["attention"] = keras.Model([query, value], attended)
    # One Dense called twice in a chain.
    x = keras.Input((5, 3))
    twice = layers.Dense(3)
    made["shared_chain"] = keras.Model(x, layers.LSTM(2)(twice(twice(x))))

    folder = tmp_path_factory.mktemp("graphs")
    found = {}
    for name, model in made.items():
        path = folder / f"{name}.keras"
        model.save(path)
        calls = {}
        for layer in model.layers:  # each call's output shape, from Keras's own graph nodes
            for node in layer._inbound_nodes:
                shapes = [tuple(tensor.shape) for tensor in keras.tree.flatten(node.output_tensors)]
                calls.setdefault(layer.name, []).append((BATCH, *shapes[0][1:]))
        found[name] = (model, path.read_bytes(), calls)
    return found


def drawn(models, name: str):
    model, data, calls = models[name]
    result = trace(OwnKerasFile.from_bytes(data, f"{name}.keras"), Config(batch=BATCH))
    meta = draw(result).layout.meta
    return result, list(meta["boxes"]), list(meta["arrows"]), calls


def rows_by_height(boxes, layer: str, role: str | None = None) -> list[list[dict]]:
    """A layer's boxes (dropped y_t aside), one list per drawn row, bottom row first."""
    heights = sorted({box["y0"] for box in boxes if box["layer"] == layer and box["role"] != "discarded"})
    return [
        [box for box in boxes if box["layer"] == layer and box["y0"] == y and box["role"] != "discarded"]
        for y in heights
    ]


def test_a_shared_layer_is_drawn_once_per_call(models):
    result, boxes, _, calls = drawn(models, "shared_seq2seq")
    embedding = next(layer.name for layer in result.layers if layer.class_name == "Embedding")
    rows = rows_by_height(boxes, embedding)
    assert [len(row) for row in rows] == [ENCODER_STEPS, DECODER_STEPS]
    assert [tuple(row[0]["shape"]) for row in rows] == calls[embedding]
    assert [[box["step"] for box in row] for row in rows] == [
        list(range(1, ENCODER_STEPS + 1)),
        list(range(1, DECODER_STEPS + 1)),
    ]


def test_the_encoders_last_state_starts_the_decoder(models):
    result, boxes, arrows, calls = drawn(models, "shared_seq2seq")
    encoder, decoder = (layer.name for layer in result.layers if layer.kind == "recurrent")
    (encoder_row,), (decoder_row,) = rows_by_height(boxes, encoder), rows_by_height(boxes, decoder)
    assert len(encoder_row) == ENCODER_STEPS and len(decoder_row) == DECODER_STEPS
    (state,) = [arrow for arrow in arrows if arrow["kind"] == "state"]
    assert boxes[state["source"]] == encoder_row[-1] and boxes[state["source"]]["step"] == ENCODER_STEPS
    assert boxes[state["target"]] == decoder_row[0] and boxes[state["target"]]["step"] == 1
    # The decoder's steps are its own columns, right of the encoder's.
    assert min(box["x0"] for box in decoder_row) > max(box["x1"] for box in encoder_row)
    outputs = [box for box in boxes if box["role"] == "output"]
    assert len(outputs) == models["shared_seq2seq"][0].output_shape[1] == DECODER_STEPS
    assert all(min(box["x0"] for box in decoder_row) <= box["x0"] for box in outputs)
    # No arrow fans the encoder's state out to every decoder step: only the one into its first.
    assert not [arrow for arrow in arrows if boxes[arrow["source"]] in encoder_row and arrow["kind"] == "fan_out"]


def test_a_gru_hands_on_only_h_and_its_decoder_keeps_its_last_step(models):
    result, boxes, arrows, _ = drawn(models, "gru_seq2seq")
    encoder, decoder = (layer.name for layer in result.layers if layer.kind == "recurrent")
    (encoder_row,), (decoder_row,) = rows_by_height(boxes, encoder), rows_by_height(boxes, decoder)
    assert (len(encoder_row), len(decoder_row)) == (6, 3)
    (state,) = [arrow for arrow in arrows if arrow["kind"] == "state"]
    assert (boxes[state["source"]], boxes[state["target"]]) == (encoder_row[-1], decoder_row[0])
    assert len([box for box in boxes if box["role"] == "output"]) == 1  # GRU(5): the last step only


def test_a_layer_called_twice_in_a_chain_has_a_row_per_call(models):
    result, boxes, arrows, calls = drawn(models, "shared_chain")
    dense = next(layer.name for layer in result.layers if layer.class_name == "Dense")
    first, second = rows_by_height(boxes, dense)
    assert [tuple(row[0]["shape"]) for row in (first, second)] == calls[dense]
    # The second call reads the first at every step.
    feeds = {
        (boxes[arrow["source"]]["step"], boxes[arrow["target"]]["step"])
        for arrow in arrows
        if boxes[arrow["source"]] in first and boxes[arrow["target"]] in second
    }
    assert feeds == {(step, step) for step in range(1, 6)}


def test_a_graph_trace_reads_back_from_json(models):
    result, *_ = drawn(models, "shared_seq2seq")
    assert Trace.from_dict(result.to_dict()) == result
    assert sorted(activity.node for activity in result.calls[0].layers) == [0, 0, 0, 0, 1]


def test_a_decoder_that_keeps_its_last_step_shows_the_h_t_its_initial_state_led_to(models):
    """The hovered h_t of a decoder handing on only its last step are recomputed from its cell:
    from the encoder's state, they end at the very output Keras gave (not at a run from zeros)."""
    import numpy as np

    result, *_ = drawn(models, "gru_seq2seq")
    decoder = [layer.name for layer in result.layers if layer.kind == "recurrent"][1]
    activity = result.calls[0].activity(decoder)
    assert np.allclose(activity.values["h"][-1], activity.values["y"], atol=1e-3)


def test_the_encoders_row_says_whose_initial_state_its_last_h_and_c_are(models):
    from app.draw.layout import layout
    from app.draw.plan import Text

    model, data, _ = models["shared_seq2seq"]
    result = trace(OwnKerasFile.from_bytes(data, "shared_seq2seq.keras"), Config(batch=BATCH))
    plan = layout(result)
    encoder, decoder = (layer.name for layer in result.layers if layer.kind == "recurrent")
    row_y = next(box.geometry.y for box in plan.boxes if box.layer == encoder)
    (shapes,) = [mark for mark in plan.marks if isinstance(mark, Text) and mark.anchor == "left" and mark.y == row_y]
    assert "last h, c" in shapes.text and decoder in shapes.text  # an LSTM hands on both of its states


def crossed_boxes(plan) -> list[tuple[str, str]]:
    """(arrow kind, box label) for every box an arrow's line runs through, its own two aside:
    points along each drawn segment, tested against each box shrunk by a hair."""
    crossed = []
    boxes = plan.boxes
    for arrow in plan.arrows:
        points = [arrow.start, arrow.via, arrow.end] if arrow.via else [arrow.start, arrow.end]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for step in range(1, 40):
                x, y = x0 + (x1 - x0) * step / 40, y0 + (y1 - y0) * step / 40
                for index, box in enumerate(boxes):
                    area = box.geometry
                    inside = area.x0 + 0.01 < x < area.x1 - 0.01 and area.y0 + 0.01 < y < area.y1 - 0.01
                    if inside and index not in (arrow.source, arrow.target):
                        crossed.append((arrow.kind, box.label))
    return sorted(set(crossed))


@pytest.mark.parametrize(
    "name", ["shared_seq2seq", "gru_seq2seq", "branches", "uneven_branches", "shared_chain", "attention"]
)
def test_no_arrow_runs_through_a_box_it_does_not_join(models, name):
    """Two branches from one input stand side by side, so that x_t's arrow into the second does
    not pass through the first (which would read as the one feeding the other)."""
    from app.draw.layout import layout

    _, data, _ = models[name]
    plan = layout(trace(OwnKerasFile.from_bytes(data, f"{name}.keras"), Config(batch=BATCH)))
    assert crossed_boxes(plan) == []


@pytest.mark.parametrize("steps", [5, pytest.param(40, marks=pytest.mark.slow)])  # 40 steps: every picture again
def test_no_arrow_runs_through_a_box_in_any_stack_or_catalogue_picture(traced, steps):
    from app.draw.layout import layout
    from tests.helpers import long_steps, seed_config
    from tests.test_own_drawing import EVERY_KIND, WINDOWED
    from topologies import CATALOGUE
    from topologies.own.model import OwnStack

    for text in EVERY_KIND + WINDOWED:
        plan = layout(trace(OwnStack.from_text(text), Config(batch=BATCH, steps=steps, features=2)))
        assert crossed_boxes(plan) == [], text
    for topology_id in CATALOGUE:
        changes = {} if topology_id == "one_to_many_stateful" else {"steps": long_steps(topology_id, steps)}
        assert crossed_boxes(layout(traced(topology_id, seed_config(topology_id, **changes)))) == [], topology_id


def test_each_input_has_as_many_columns_as_its_steps(models):
    """Attention's query (4 steps) and value (6 steps): 4 + 6 columns, each under its t, and every
    query step reads all 6 value steps."""
    from app.draw.layout import layout
    from app.draw.plan import Text

    model, data, _ = models["attention"]
    plan = layout(trace(OwnKerasFile.from_bytes(data, "attention.keras"), Config(batch=BATCH)))
    steps = [tensor.shape[1] for tensor in model.inputs]
    labels = [mark.text for mark in plan.marks if isinstance(mark, Text) and mark.text.startswith("t = ")]
    assert labels == [f"t = {t}" for length in steps for t in range(1, length + 1)]
    attention = next(box for box in plan.boxes if box.role == "layer")
    reads = [arrow for arrow in plan.arrows if plan.boxes.index(attention) == arrow.target]
    assert len(reads) == 1 + steps[1]  # its own query step, and every value step
