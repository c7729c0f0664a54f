"""Your own model: stacks typed as Keras code and .keras files, traced, against Keras itself.

Expected shapes come from Keras's own output: the test builds the same layers itself and calls
them one after another on an array (no observer model, no engine). Refusals are one sentence,
nothing is built for them, and hostile text or bytes never raise anything else.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import app_test, assert_no_exception, documented_work, open_page
from tests.syllabus import DOCUMENTED_WORK_BUDGET
from topologies import Config, ConfigError, trace
from topologies.own.keras_file import ModelFileError, OwnKerasFile
from topologies.own.model import OwnStack
from topologies.own.stack import StackError, parse_stack
from topologies.refusal import Refusal

BATCH, STEPS, FEATURES = 3, 6, 2


def keras_layers(text: str):
    """The layers of a stack, made here by hand from keras.layers (the test's own reading)."""
    from keras import layers

    made = {
        "LSTM(8, return_sequences=True) | TimeDistributed(Dense(2))": [
            layers.LSTM(8, return_sequences=True),
            layers.TimeDistributed(layers.Dense(2)),
        ],
        "Embedding(100, 16) | Bidirectional(GRU(8, return_sequences=True)) | LSTM(4) | Dense(1)": [
            layers.Embedding(100, 16),
            layers.Bidirectional(layers.GRU(8, return_sequences=True)),
            layers.LSTM(4),
            layers.Dense(1),
        ],
        "Conv1D(8, 3, activation='relu') | MaxPooling1D(2) | LSTM(5) | Dense(1, activation='sigmoid')": [
            layers.Conv1D(8, 3, activation="relu"),
            layers.MaxPooling1D(2),
            layers.LSTM(5),
            layers.Dense(1, activation="sigmoid"),
        ],
        "RNN(LSTMCell(4), return_sequences=True) | LayerNormalization() | Dropout(0.2) | GRU(3, go_backwards=True)": [
            layers.RNN(layers.LSTMCell(4), return_sequences=True),
            layers.LayerNormalization(),
            layers.Dropout(0.2),
            layers.GRU(3, go_backwards=True),
        ],
        "LSTM(4) | RepeatVector(3) | SimpleRNN(5, return_sequences=True) | Flatten() | Dense(2)": [
            layers.LSTM(4),
            layers.RepeatVector(3),
            layers.SimpleRNN(5, return_sequences=True),
            layers.Flatten(),
            layers.Dense(2),
        ],
        "Masking() | LSTM(6, return_sequences=True) | GlobalAveragePooling1D() | Reshape((2, 3))": [
            layers.Masking(),
            layers.LSTM(6, return_sequences=True),
            layers.GlobalAveragePooling1D(),
            layers.Reshape((2, 3)),
        ],
        "Bidirectional(LSTM(3, return_sequences=True), merge_mode='ave') | BatchNormalization() | GRU(2)": [
            layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="ave"),
            layers.BatchNormalization(),
            layers.GRU(2),
        ],
    }
    return made[text]


STACKS = [
    "LSTM(8, return_sequences=True) | TimeDistributed(Dense(2))",
    "Embedding(100, 16) | Bidirectional(GRU(8, return_sequences=True)) | LSTM(4) | Dense(1)",
    "Conv1D(8, 3, activation='relu') | MaxPooling1D(2) | LSTM(5) | Dense(1, activation='sigmoid')",
    "RNN(LSTMCell(4), return_sequences=True) | LayerNormalization() | Dropout(0.2) | GRU(3, go_backwards=True)",
    "LSTM(4) | RepeatVector(3) | SimpleRNN(5, return_sequences=True) | Flatten() | Dense(2)",
    "Masking() | LSTM(6, return_sequences=True) | GlobalAveragePooling1D() | Reshape((2, 3))",
    "Bidirectional(LSTM(3, return_sequences=True), merge_mode='ave') | BatchNormalization() | GRU(2)",
]


@pytest.mark.parametrize("text", STACKS)
def test_every_layer_of_a_stack_has_the_shape_keras_itself_gives(text):
    result = trace(OwnStack.from_text(text), Config(batch=BATCH, steps=STEPS, features=FEATURES))
    tokens = text.startswith("Embedding")
    x = (
        np.random.randint(0, 100, (BATCH, STEPS))
        if tokens
        else np.random.rand(BATCH, STEPS, FEATURES).astype("float32")
    )
    want = []
    for layer in keras_layers(text):
        x = layer(x)
        want.append(tuple(x.shape))
    got = [activity.output_shapes[0] for activity in result.calls[0].layers]
    assert got == want
    assert result.topology == "stack" and result.source == parse_stack(text).text
    assert result.calls[0].input_shapes == (((BATCH, STEPS) if tokens else (BATCH, STEPS, FEATURES)),)


def test_an_input_sets_the_steps_features_and_a_fixed_batch():
    result = trace(OwnStack.from_text("Input(7, 3, batch_size=4) | LSTM(5, stateful=True)"), Config())
    assert result.calls[0].input_shapes == ((4, 7, 3),)
    assert result.output_shapes == ((4, 5),)
    steps_none = trace(OwnStack.from_text("Input(None, 3) | GRU(2, return_sequences=True)"), Config(steps=9))
    assert steps_none.output_shapes == ((10, 9, 2),)
    assert steps_none.layers[0].declared_shapes == ((None, None, 2),)  # any batch, any length


@pytest.mark.parametrize(
    ("text", "written", "note"),
    [
        ("LSTM(8, input_shape=(5, 3)) | Dense(1)", "Input(5, 3) | LSTM(8) | Dense(1)", "keras.Input(shape=(5, 3))"),
        (
            "LSTM(4, batch_input_shape=(2, 5, 3), stateful=True)",
            "Input(5, 3, batch_size=2) | LSTM(4, stateful=True)",
            "batch_shape=(2, 5, 3)",
        ),
        ("keras.layers.recurrent.LSTM(4)", "LSTM(4)", "keras.layers.LSTM"),
        (
            "Embedding(50, 4, input_length=6) | GRU(2)",
            "Input(6) | Embedding(50, 4) | GRU(2)",
            "keras.Input(shape=(steps,))",
        ),
    ],
)
def test_keras_2_habits_are_translated_with_a_note(text, written, note):
    stack = parse_stack(text)
    assert stack.text == written
    assert len(stack.notes) >= 1 and any(note in line for line in stack.notes), stack.notes


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("LSTM(8) | LSTM(4)", ["Layer 2", "give layer 1 return_sequences=True", "ndim=3, found ndim=2"]),
        ("LSTM(8, return_state=True) | Dense(1)", ["Layer 2", "return_state=True", "a list"]),
        ("Input(5, 3) | Embedding(10, 4) | LSTM(4)", ["Layer 2", "Embedding reads token ids"]),
        ("LSTM(4, stateful=True)", ["Layer 1", "fixed batch", "batch_size"]),
        ("LSTM(8) | TimeDistributed(Dense(2))", ["Layer 2", "TimeDistributed", "no steps"]),
        ("LSTM(100000)", ["weights", "layer 1"]),
        ("Input(1000, 256, batch_size=1024) | LSTM(500)", ["multiply-adds", "layer 1"]),
        ("Dense(input_dim=3, units=2)", ["input_dim", "Input(...)"]),
        ("LSTM(8, frobnicate=True)", ["no argument", "frobnicate"]),
        ("LSTM(8) | Lambda(lambda x: x)", ["Lambda", "does not draw"]),
        ("__import__('os').system('true')", ["not a layer call"]),
        ("os.system('true')", ["not a Keras layer"]),
        ("LSTM(units=10**100)", ["plain values"]),
        ("LSTMCell(3)", ["RNN(LSTMCell"]),
        ("Bidirectional(Dense(3))", ["wraps a recurrent layer"]),
    ],
)
def test_a_refusal_is_one_sentence_naming_the_layer(text, fragments):
    with pytest.raises(StackError) as caught:
        trace(OwnStack.from_text(text), Config())
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".")
    for fragment in fragments:
        assert fragment in message, message


def test_a_users_model_is_held_to_the_documented_work_budget():
    """A user's model states no cost estimate of its own: its sizes are held to the documented
    budget on batch x steps x units x (units + features), and the fix offered is the largest
    batch within it, which is accepted."""
    own = OwnStack.from_text("LSTM(4)")
    sizes = dict(steps=1000, features=10, units=20)
    largest = DOCUMENTED_WORK_BUDGET // documented_work(batch=1, **sizes)  # 833
    own.check(Config(batch=largest, **sizes))
    with pytest.raises(ConfigError) as refused:
        own.check(Config(batch=largest + 1, **sizes))
    message = str(refused.value)
    assert f"{DOCUMENTED_WORK_BUDGET:,}" in message and "shrink batch, steps or units" in message, message
    assert refused.value.fix == {"batch": largest}


# ----------------------------------------------------------------------------- hostile text, no build


@pytest.fixture
def no_model_built(monkeypatch):
    """Fails the test if anything asks Keras to make a model."""
    import keras

    built = []
    monkeypatch.setattr(keras, "Model", lambda *args, **kwargs: built.append(args) or pytest.fail("a model was built"))
    return built


names = st.sampled_from(["LSTM", "GRU", "Dense", "Lambda", "__import__", "eval", "os.system", "keras.layers.LSTM", "x"])
near_misses = st.builds(
    lambda name, inner, tail: f"{name}({inner}){tail}",
    names,
    st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.sampled_from(["8, return_sequences=True", "f'{1}'", "lambda x: x", "[1, 2]", "{'a': 1}", "*args", "10**9"]),
        st.text(max_size=20),
    ),
    st.sampled_from(["", " | Dense(1)", ".attr", "(1)", " + 1", "\nDense(1)", " |"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.text(max_size=200), near_misses, st.just("LSTM(8) | " * 500), st.just("(" * 200)))
@example(text="LSTM(8) | " * 40)
@example(text="Dense(" * 30 + ")" * 30)
def test_any_text_parses_or_is_refused_in_one_sentence_and_builds_nothing(text, no_model_built):
    try:
        parse_stack(text)
    except StackError as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
    assert not no_model_built


# ----------------------------------------------------------------------------- .keras files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Models saved here with Keras itself: name -> (bytes, the model)."""
    import keras
    from keras import layers

    folder = tmp_path_factory.mktemp("models")
    models = {}
    models["sequential"] = keras.Sequential(
        [keras.Input((5, 3)), layers.LSTM(8, return_sequences=True), layers.GRU(4), layers.Dense(1)]
    )
    encoder_in, decoder_in = keras.Input((7, 3)), keras.Input((4, 2))
    _, h, c = layers.LSTM(6, return_state=True)(encoder_in)
    decoded = layers.LSTM(6, return_sequences=True)(decoder_in, initial_state=[h, c])
    models["seq2seq"] = keras.Model([encoder_in, decoder_in], layers.Dense(2)(decoded))
    x = keras.Input((5, 3))
    models["lambda"] = keras.Model(x, layers.LSTM(2)(layers.Lambda(lambda t: t * 2)(x)))
    files = {}
    for name, model in models.items():
        path = folder / f"{name}.keras"
        model.save(path)
        files[name] = (path.read_bytes(), model)
    return files


@pytest.mark.parametrize("name", ["sequential", "seq2seq"])
def test_a_saved_model_is_rebuilt_from_its_config_with_keras_own_shapes(name, saved):
    data, model = saved[name]
    result = trace(OwnKerasFile.from_bytes(data, f"{name}.keras"), Config(batch=4))
    inputs = [np.random.rand(4, *tensor.shape[1:]).astype("float32") for tensor in model.inputs]
    import keras

    want = [tuple(tensor.shape) for tensor in keras.tree.flatten(model(inputs if len(inputs) > 1 else inputs[0]))]
    assert [tuple(shape) for shape in result.output_shapes] == want
    assert result.topology == "model" and result.source == f"{name}.keras"
    assert result.params == model.count_params()


def test_seq2seq_records_which_layers_feed_which(saved):
    result = trace(OwnKerasFile.from_bytes(saved["seq2seq"][0], "seq2seq.keras"), Config(batch=4))
    fed_by = {activity.layer: activity.fed_by for activity in result.calls[0].layers}
    encoder, decoder, dense = (activity.layer for activity in result.calls[0].layers)
    assert fed_by[encoder] == ("input 1",)
    assert fed_by[decoder] == ("input 2", encoder)  # its own input, and the encoder's h and c
    assert fed_by[dense] == (decoder,)


def zipped(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_hostile_files_are_refused_in_one_sentence(saved):
    sequential = json.loads(zipfile.ZipFile(io.BytesIO(saved["sequential"][0])).read("config.json"))
    foreign = json.loads(json.dumps(sequential))
    foreign["config"]["layers"][1]["module"] = "os"
    custom = json.loads(json.dumps(sequential))
    custom["config"]["layers"][1]["registered_name"] = "mine>Twice"
    huge = json.loads(json.dumps(sequential))
    huge["config"]["layers"][1]["config"]["units"] = 10**7
    cases = {
        "lambda": (saved["lambda"][0], "Lambda"),
        "h5": (b"\x89HDF\r\n\x1a\n" + b"\0" * 100, "model.save("),
        "random bytes": (bytes(range(256)) * 4, "not a .keras file"),
        "truncated": (saved["sequential"][0][:300], "not a .keras file"),
        "dot-dot": (zipped({"../evil.txt": "x", "config.json": json.dumps(sequential)}), "outside the archive"),
        "no config": (zipped({"metadata.json": "{}"}), "no config.json"),
        "big config": (zipped({"config.json": " " * (2 * 1024 * 1024)}), "at most"),
        "foreign module": (zipped({"config.json": json.dumps(foreign)}), "not Keras's own"),
        "custom object": (zipped({"config.json": json.dumps(custom)}), "custom object"),
        "huge units": (zipped({"config.json": json.dumps(huge)}), "units"),
        "not json": (zipped({"config.json": "{not json"}), "JSON"),
    }
    for label, (data, fragment) in cases.items():
        with pytest.raises(ModelFileError) as caught:
            OwnKerasFile.from_bytes(data, f"{label}.h5" if label == "h5" else f"{label}.keras")
        message = str(caught.value)
        assert "\n" not in message and fragment in message, (label, message)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.one_of(
        st.binary(max_size=2000), st.builds(lambda text: zipped({"config.json": text}), st.text(max_size=300))
    )
)
def test_any_bytes_are_read_or_refused_in_one_sentence(data):
    try:
        OwnKerasFile.from_bytes(data, "upload.keras")
    except ModelFileError as error:
        assert "\n" not in str(error)


# ----------------------------------------------------------------------------- CLI and page


def test_the_cli_traces_a_stack_and_refuses_in_one_line(capsys):
    from topologies.__main__ import main

    assert main(["trace", "--stack", "GRU(3, return_sequences=True) | Dense(1)", "--batch", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["topology"], data["output_shapes"]) == ("stack", [[2, 5, 1]])
    assert main(["trace", "--stack", "LSTM(8) | LSTM(4)"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1


def test_the_cli_traces_a_saved_model(saved, tmp_path, capsys):
    from topologies.__main__ import main

    path = tmp_path / "sequential.keras"
    path.write_bytes(saved["sequential"][0])
    assert main(["trace", "--model", str(path), "--batch", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output_shapes"] == [[3, 1]]


def test_the_page_draws_a_typed_stack_an_example_and_explains_a_refusal():
    at = open_page("own_model")
    assert len(at.get("plotly_chart")) == 1
    at.button(key="example Conv1D, then LSTM").click().run()
    assert_no_exception(at)
    assert {metric.label: metric.value for metric in at.metric}["Output shape"] == "(10, 1)"
    at.text_area(key="stack").set_value("LSTM(8) | LSTM(4)").run()
    assert_no_exception(at)
    assert len(at.error) == 1 and "return_sequences=True" in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # the part Keras accepted: layer 1


def test_a_link_carries_the_stack():
    at = app_test()
    at.query_params["stack"] = "Input(4, 3) | GRU(7)"
    at.switch_page("views/own_model.py").run()
    assert_no_exception(at)
    assert {metric.label: metric.value for metric in at.metric}["Output shape"] == "(10, 7)"


def test_refusals_are_refusals():
    assert issubclass(StackError, Refusal) and issubclass(ModelFileError, Refusal)
