"""Compare two settings: a configuration beside the same with one setting changed, the shapes and
parameter counts that differ marked, and a link that carries both.

The expected shapes and weight counts are written here from the documented rules (the shape a
recurrent layer hands on with and without return_sequences, the textbook weight counts of each
cell), never read from the code under test.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ui.compare import choices, comparison, differences, summary
from app.ui.teaching import teaching_from_query
from tests.helpers import assert_no_exception, open_app, seed_config, shown_links, traced
from topologies import CATALOGUE
from topologies.refusal import Refusal

CELLS = ("LSTM", "GRU", "SimpleRNN")
# Topologies that are one another with a single setting changed (the README's catalogue table).
RETURN_SEQUENCES = {"many_to_one": "False", "many_to_many": "True"}
STATEFUL = {"one_to_many_stateful": "True", "cell_loop": "False"}


def weights(cell: str, units: int, inputs: int) -> int:
    """Textbook weights of one recurrent layer. Keras 3's GRU has reset_after=True by default:
    two bias vectors per gate, so 3 x units x (inputs + units + 2)."""
    gates = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}[cell]
    biases = 2 if cell == "GRU" else 1
    return gates * units * (inputs + units + biases)


def rows_by_layer(left, right) -> dict:
    return {row.layer: row for row in differences(left, right)}


def traced_pair(topology_id: str, setting: str, value: str = "", **changes):
    pair = comparison(topology_id, seed_config(topology_id, **changes), setting, value)
    return pair, traced(pair.left.topology_id, pair.left.config), traced(pair.right.topology_id, pair.right.config)


# ----------------------------------------------------------------------------- what each topology can compare


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_each_topology_offers_the_settings_it_can_change_and_their_other_values(topology_id):
    config = CATALOGUE[topology_id].default_config()
    expected = {"cell": tuple(cell for cell in CELLS[1:] + CELLS[:1] if cell != config.cell)}
    if topology_id in RETURN_SEQUENCES:
        expected["return_sequences"] = tuple(v for t, v in RETURN_SEQUENCES.items() if t != topology_id)
    if topology_id in STATEFUL:
        expected["stateful"] = tuple(v for t, v in STATEFUL.items() if t != topology_id)
    if "merge_mode" in CATALOGUE[topology_id].extras:  # concat by default: the other three, in order
        expected["merge_mode"] = ("sum", "mul", "ave")
    if "depth" in CATALOGUE[topology_id].extras:  # depth 2 by default: 3, 4, then 1 (depth is 1 to 4)
        expected["depth"] = ("3", "4", "1")
    assert choices(topology_id, config.to_dict()) == expected


@pytest.mark.parametrize(
    ("topology_id", "setting", "value", "sentence"),
    [
        (
            "many_to_one",
            "merge_mode",
            "",
            "compare is 'merge_mode', but many_to_one can compare only return_sequences or cell.",
        ),
        (
            "many_to_one",
            "tea",
            "",
            "compare is 'tea', but it must be one of return_sequences, cell, merge_mode, stateful, depth.",
        ),
        ("many_to_one", "cell", "LSTM", "compare_with is 'LSTM', but with compare=cell it must be GRU or SimpleRNN."),
        (
            "bidirectional",
            "merge_mode",
            "[x](y)",
            "compare_with is '[x](y)', but with compare=merge_mode it must be sum, mul or ave.",
        ),
        ("stacked", "depth", "9", "compare_with is '9', but with compare=depth it must be 3, 4 or 1."),
    ],
)
def test_a_comparison_that_does_not_apply_is_refused_in_one_sentence(topology_id, setting, value, sentence):
    with pytest.raises(Refusal) as refused:
        comparison(topology_id, CATALOGUE[topology_id].default_config(), setting, value)
    assert str(refused.value) == sentence


DOCUMENTED_SETTINGS = ("off", "return_sequences", "cell", "merge_mode", "stateful", "depth")


@settings(max_examples=200, deadline=None, database=None)
@given(raw=st.one_of(st.sampled_from(DOCUMENTED_SETTINGS), st.text(max_size=20)), case=st.booleans())
def test_a_link_s_compare_is_a_documented_setting_in_any_case_or_one_warning(raw, case):
    written = raw.upper() if case else f" {raw} "
    values, warnings = teaching_from_query({"compare": written})
    if written.strip().lower() in DOCUMENTED_SETTINGS:
        assert values == {"compare": written.strip().lower()} and warnings == []
    else:
        assert values == {} and len(warnings) == 1
        assert warnings[0].startswith("The link's `'compare'` was ignored: compare is ")


# ----------------------------------------------------------------------------- differences of two real runs


def test_return_sequences_on_hands_on_every_step_with_the_same_weights():
    pair, left, right = traced_pair("many_to_one", "return_sequences")
    config = pair.left.config
    batch, steps, units = config.batch, config.steps, config.units
    assert (pair.left.topology_id, pair.right.topology_id) == ("many_to_one", "many_to_many")
    rnn = rows_by_layer(left, right)["rnn"]
    assert rnn.left_shape == str((batch, units))  # (batch, units): only the last step
    assert rnn.right_shape == str((batch, steps, units))  # (batch, steps, units): every step
    assert rnn.left_params == rnn.right_params == weights("LSTM", units, config.features)
    assert rnn.differs == "shape"
    assert summary(pair, left, right) == (
        f"return_sequences=True (instead of return_sequences=False) hands on all {steps} steps: "
        f"{(batch, steps, units)} instead of {(batch, units)}, with the same {rnn.left_params} parameters."
    )


@pytest.mark.parametrize(("left_cell", "right_cell"), [("LSTM", "GRU"), ("GRU", "SimpleRNN"), ("SimpleRNN", "LSTM")])
def test_another_cell_keeps_the_shapes_and_changes_the_weights(left_cell, right_cell):
    pair, left, right = traced_pair("many_to_one", "cell", right_cell, cell=left_cell, units=6)
    features, units = pair.left.config.features, 6
    rows = rows_by_layer(left, right)
    assert rows["rnn"].left_shape == rows["rnn"].right_shape == str((pair.left.config.batch, units))
    assert (rows["rnn"].left_params, rows["rnn"].right_params) == (
        weights(left_cell, units, features),
        weights(right_cell, units, features),
    )
    assert rows["rnn"].differs == "parameters"
    assert rows["output"].differs == "" and rows["input"].differs == ""
    assert (rows["all layers"].left_params, rows["all layers"].right_params) == (left.params, right.params)


def test_one_more_layer_makes_the_layer_below_return_sequences():
    pair, left, right = traced_pair("stacked", "depth", "3")
    config = pair.left.config
    batch, steps, features, units = config.batch, config.steps, config.features, config.units
    rows = rows_by_layer(left, right)
    assert rows["rnn_2"].left_shape == str((batch, units))  # the top of two: its last step
    assert rows["rnn_2"].right_shape == str((batch, steps, units))  # below a third: every step
    assert rows["rnn_3"].left_shape is None and rows["rnn_3"].differs == "only on the right"
    first, above = weights("LSTM", units, features), weights("LSTM", units, units)
    assert (rows["all layers"].left_params, rows["all layers"].right_params) == (first + above, first + 2 * above)


def test_a_merge_mode_that_adds_the_directions_halves_the_last_axis():
    pair, left, right = traced_pair("bidirectional", "merge_mode", "sum")
    config = pair.left.config
    row = rows_by_layer(left, right)["bidirectional"]
    assert row.left_shape == str((config.batch, config.steps, 2 * config.units))  # concat: side by side
    assert row.right_shape == str((config.batch, config.steps, config.units))  # sum: number by number
    assert row.left_params == row.right_params == 2 * weights("LSTM", config.units, config.features)


def test_stateful_calls_and_one_graph_write_the_same_loop_with_the_same_weights():
    pair, left, right = traced_pair("one_to_many_stateful", "stateful")
    config = pair.left.config
    rows = rows_by_layer(left, right)
    assert rows["output"].left_shape == f"{(config.batch, 1, config.units)} in each of {config.steps} calls"
    assert rows["output"].right_shape == str((config.batch, config.steps, config.units))
    assert rows["rnn"].differs == "only on the left" and rows["cell"].differs == "only on the right"
    assert left.params == right.params == weights("LSTM", config.units, config.features)


# ----------------------------------------------------------------------------- the page and its link


def charts(at) -> int:
    return len(at.get("plotly_chart"))


def differing(at) -> dict[str, str]:
    """The comparison table's "differs" column, by layer."""
    (table,) = at.table
    frame = table.value
    return dict(zip(frame["layer"], frame["differs"]))


def test_a_compare_link_shows_two_pictures_the_table_and_keeps_the_link():
    at = open_app(topology="many_to_one", compare="return_sequences")
    assert_no_exception(at)
    assert not at.warning and not at.error
    assert charts(at) == 2
    assert differing(at) == {"input": "", "rnn": "shape", "output": "shape", "all layers": ""}
    sentence = "return_sequences=True (instead of return_sequences=False) hands on all 5 steps"
    assert any(markdown.value.startswith(f"**{sentence}") for markdown in at.markdown)
    assert at.query_params["compare"] == "return_sequences"
    # The link to copy says what the address bar says: the first choice is left out of both.
    assert shown_links(at) == ["?compare=return_sequences"]
    at.run()  # the address bar keeps it on the next run too
    assert at.query_params["compare"] == "return_sequences" and charts(at) == 2


@pytest.mark.parametrize(
    ("topology_id", "setting", "other"),
    [
        ("many_to_one", "cell", "SimpleRNN"),
        ("many_to_many", "return_sequences", "False"),
        ("bidirectional", "merge_mode", "ave"),
        ("stacked", "depth", "1"),
        ("cell_loop", "stateful", "True"),
    ],
)
def test_the_sidebar_boxes_choose_the_comparison_and_write_the_link(topology_id, setting, other):
    at = open_app(topology=topology_id)
    assert charts(at) == 1
    at.sidebar.selectbox(key="compare").set_value(setting).run()
    assert_no_exception(at)
    assert charts(at) == 2 and at.query_params["compare"] == setting
    at.sidebar.selectbox(key="compare_with").set_value(other).run()
    assert_no_exception(at)
    assert charts(at) == 2
    first_choice = choices(topology_id, CATALOGUE[topology_id].default_config().to_dict())[setting][0]
    # A value equal to the box's first choice is left out of the link, as every default is.
    assert at.query_params.get("compare_with") == (None if other == first_choice else other)
    assert any(f"{setting}={other} (instead of" in markdown.value for markdown in at.markdown)
    at.sidebar.selectbox(key="compare").set_value("off").run()
    assert charts(at) == 1 and "compare" not in at.query_params


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            {"compare": "<b>tea</b>"},
            "The link's `'compare'` was ignored: compare is `'<b>tea</b>'`, but it must be off or one of "
            "return_sequences, cell, merge_mode, stateful, depth.",
        ),
        (
            {"compare": "merge_mode"},
            "compare is `'merge_mode'`, but many_to_one can compare only return_sequences or cell.",
        ),
        (
            {"compare": "cell", "compare_with": "LSTM"},
            "compare_with is `'LSTM'`, but with compare=cell it must be GRU or SimpleRNN.",
        ),
        (
            {"compare": "cell", "compare_with": "[GRU](https://example.com)"},
            "compare_with is `'[GRU](https://example.com)'`, but with compare=cell it must be GRU or SimpleRNN.",
        ),
    ],
    ids=["unknown", "not-here", "same-value", "hostile"],
)
def test_a_bad_compare_value_is_one_sentence_and_no_traceback(query, sentence):
    at = open_app(**query)
    assert_no_exception(at)
    assert [warning.value for warning in at.warning] == [sentence]
    assert sentence.count(". ") == 0
    # A setting that applies stays, with its first other value; one that does not leaves the link.
    assert charts(at) == (2 if query["compare"] == "cell" else 1)
    assert at.query_params.get("compare") == ("cell" if query["compare"] == "cell" else None)


def test_a_right_side_its_topology_refuses_is_said_and_the_left_is_shown_alone():
    # cell_loop calls its cell at most 12 times; one_to_many_stateful allows 20 steps.
    at = open_app(topology="one_to_many_stateful", steps="20", compare="stateful")
    assert_no_exception(at)
    (warning,) = at.warning
    refused = "The comparison's right side is refused, so this picture is shown alone: steps is 20"
    assert warning.value.startswith(refused)
    assert charts(at) == 1
    assert at.query_params["compare"] == "stateful"


def test_choosing_another_setting_starts_it_from_its_first_value():
    at = open_app(topology="stacked", compare="cell", compare_with="SimpleRNN")
    assert at.query_params["compare_with"] == "SimpleRNN"
    at.sidebar.selectbox(key="compare").set_value("depth").run()
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="compare_with").value == "3"  # depth 2 by default: 3 first
    assert "compare_with" not in at.query_params


def test_comparing_pauses_the_quiz_and_keeps_presentation_mode_s_way_out():
    at = open_app(compare="cell", quiz="1")
    assert_no_exception(at)
    assert charts(at) == 2 and not at.text_input  # no question while the table shows every shape
    assert any(caption.value.startswith("Predict the shape waits") for caption in at.caption)
    at = open_app(compare="cell", present="1")
    assert_no_exception(at)
    assert charts(at) == 2 and not at.title
    (leave,) = [button for button in at.button if button.label == "Leave presentation mode"]
    leave.click().run()
    assert_no_exception(at)
    assert charts(at) == 2 and [title.value for title in at.title] == ["RNN shapes"]
