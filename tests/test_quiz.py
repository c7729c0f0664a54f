"""Predict the shape: a row's measured shape is hidden and asked for; an answer written as
`(10, 4)`, `10,4` or `[10, 4]` is read (never evaluated), checked, and the shape revealed with a
one-line reason.

The accepted answers are written here from the measured shape in the trace, in each of the
forms the issue lists; the rows that can be asked about are the model's top-level layers and its
output, read from the trace's first call.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.diagram import draw
from app.draw.quiz import parse_shape, questions
from tests.helpers import assert_clean, fmt, metrics, open_app, seed_config, traced
from topologies import CATALOGUE
from topologies.refusal import Refusal


def written_forms(shape: tuple[int, ...]) -> list[str]:
    """The ways the issue says a student may write a shape, and a few spaces more."""
    numbers = [str(size) for size in shape]
    forms = [f"({', '.join(numbers)})", ",".join(numbers), f"[{', '.join(numbers)}]", f" ( {' , '.join(numbers)} ) "]
    if len(shape) == 1:
        forms.append(f"({numbers[0]},)")  # Python's one-number tuple
    return forms


def asked_rows(result) -> dict[str, tuple[int, ...]]:
    """Each top-level layer's first output in the first call, then the model's first output."""
    first = result.calls[0]
    rows = {
        activity.layer: tuple(activity.output_shapes[0])
        for activity in first.layers
        if result.layer(activity.layer).parent is None
    }
    return {**rows, "output": tuple(first.output_shapes[0])}


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_every_row_can_be_asked_and_every_written_form_of_its_shape_is_accepted(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    asked = questions(result)
    assert {row: question.shape for row, question in asked.items()} == asked_rows(result)
    assert list(asked)[-1] == "output"
    for row, shape in asked_rows(result).items():
        for form in written_forms(shape):
            assert parse_shape(form) == shape, (row, form)


@pytest.mark.parametrize(
    "answer",
    ["ten by four", "(10, 4", "10; 4", "1e3", "", "10.5, 4", "-10, 4", "__import__('os')", "9" * 5000, "(10,,4)"],
)
def test_an_answer_that_is_not_a_shape_is_refused_in_one_sentence_quoting_it(answer):
    with pytest.raises(Refusal) as refused:
        parse_shape(answer)
    message = str(refused.value)
    assert message.startswith("Your answer ") and message.endswith("such as (10, 4).")
    assert message.count(". ") == 0  # one sentence


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_the_asked_shape_is_written_nowhere_in_the_hidden_picture(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    for row, shape in asked_rows(result).items():
        text = json.dumps(draw(result, hidden=shape).to_plotly_json())
        assert fmt(shape) not in text, (row, fmt(shape))
        assert "(?)" in text
        assert fmt(shape) in json.dumps(draw(result).to_plotly_json())  # it was there before


def chart_text(at) -> str:
    return at.get("plotly_chart")[0].proto.spec


def test_a_quiz_link_hides_the_output_and_answering_it_reveals_it_with_a_reason():
    at = open_app(quiz="1")
    assert_clean(at)
    assert at.sidebar.toggle(key="quiz").value is True
    measured = traced("many_to_one", seed_config("many_to_one")).calls[0].output_shapes[0]  # (10, 4)
    assert fmt(measured) not in chart_text(at)
    assert not at.table and not metrics(at), "the tables and metrics would give the answer away"
    (question,) = at.text_input
    assert question.label == "What shape does the model hand on?"
    question.input("[10, 4]").run()
    assert_clean(at)
    (verdict,) = at.success
    assert verdict.value.startswith("Right.") and fmt(measured) in verdict.value
    assert fmt(measured) in chart_text(at) and at.table  # revealed: the picture and the tables


def test_a_wrong_answer_is_told_the_measured_shape_and_why():
    at = open_app(quiz="true", quiz_row="rnn_2", topology="stacked")
    assert_clean(at)
    assert at.selectbox(key="quiz_row").value == "rnn_2"
    at.text_input[0].input("10, 5, 4").run()
    (verdict,) = at.error
    assert verdict.value.startswith("Not quite: you wrote (10, 5, 4), and the run measured (10, 4).")
    assert "return_sequences=False" in verdict.value  # the one-line reason says what dropped the steps


def test_an_answer_that_is_not_a_shape_keeps_the_shape_hidden():
    at = open_app(quiz="1")
    at.text_input[0].input("ten by four").run()
    assert not at.exception
    assert [error.value for error in at.error] == [
        "Your answer `'ten by four'` is not a shape: write whole numbers split by commas, such as (10, 4)."
    ]
    assert "(10, 4)" not in chart_text(at)


def test_the_toggle_and_the_row_box_choose_what_is_asked():
    at = open_app(topology="stacked")
    assert "(10, 5, 4)" in chart_text(at)
    at.sidebar.toggle(key="quiz").set_value(True).run()
    at.selectbox(key="quiz_row").set_value("rnn_1").run()
    assert_clean(at)
    assert at.selectbox(key="quiz_row").options == ["rnn_1", "rnn_2", "output"]
    assert "(10, 5, 4)" not in chart_text(at) and "(10, 4)" in chart_text(at)
    at.sidebar.toggle(key="quiz").set_value(False).run()
    assert "(10, 5, 4)" in chart_text(at) and at.table


@pytest.mark.parametrize(
    ("row", "allowed"),
    [
        ("rnn_9", "but this picture's rows are rnn_1, rnn_2, output."),
        ("<b>x</b>", "but it must be output or a layer's name: letters, digits, _."),
    ],
    ids=["absent", "hostile"],
)
def test_a_quiz_row_the_picture_lacks_is_refused_in_one_sentence(row, allowed):
    at = open_app(quiz="1", quiz_row=row, topology="stacked")
    assert_clean(at)
    assert [warning.value for warning in at.warning] == [
        f"The link's `'quiz_row'` was ignored: quiz_row is `{row!r}`, {allowed}"
    ]
    assert at.selectbox(key="quiz_row").value == "output"


def test_a_projected_quiz_hides_the_shape_in_the_caption_too():
    at = open_app(quiz="1", present="1")
    assert_clean(at)
    (caption,) = [caption.value for caption in at.caption if caption.value.startswith("**many_to_one**")]
    assert "(10, 4)" not in caption and "(?)" in caption and "(10, 5, 2)" in caption


@pytest.mark.slow  # 300 answers, half of them drawn from a regular expression: about 7 s
@settings(max_examples=300, deadline=None, database=None)
@given(answer=st.one_of(st.text(max_size=40), st.from_regex(r"[\[(]?\s*\d{1,4}(\s*,\s*\d{1,4}){0,4}\s*,?\s*[\])]?")))
def test_any_typed_answer_is_a_shape_of_its_own_numbers_or_one_refusal(answer):
    """Documented: optional matching brackets, whole numbers (ASCII digits) split by commas."""
    try:
        shape = parse_shape(answer)
    except Refusal as refused:
        assert str(refused).startswith("Your answer ")
        return
    body = answer.strip()
    if body[:1] + body[-1:] in ("()", "[]"):
        body = body[1:-1]
    numbers = [part.strip() for part in body.split(",")]
    numbers = numbers[:-1] if len(numbers) > 1 and numbers[-1] == "" else numbers
    assert all(number.isascii() and number.isdigit() for number in numbers)
    assert shape == tuple(int(number) for number in numbers)
