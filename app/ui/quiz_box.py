"""The quiz on the Shapes page: which row, the answer box, and once answered, the verdict and why.

    hidden = quiz_box(result, answer_key)   # the shape to hide in the picture, or None once answered

The row is a box bound to the link (`quiz_row`), like the sidebar's widgets; its options are the
picture's own rows, so a row a link names that this picture lacks is refused in one sentence.
The answer is not part of the link: each student types their own. It is read by app.draw.quiz
(parsed, never evaluated), checked against the measured shape, and the shape is revealed with a
one-line reason, right or wrong.
"""

from __future__ import annotations

import streamlit as st

from app.draw.quiz import OUTPUT, parse_shape, questions, reason
from app.ui.controls import bound
from app.ui.literal import literal, markdown_of
from topologies.records import Shape, Trace
from topologies.refusal import Refusal, quoted


def quiz_box(result: Trace, answer_key: str) -> tuple[str, Shape | None]:
    """Draw the quiz; return the row asked about, and its shape while it is still to be guessed."""
    asked = questions(result)
    rows = list(asked)
    from_link = st.session_state.pop("quiz_row_from_link", None)
    if from_link is not None and from_link not in asked:
        st.warning(
            f"The link's {literal(quoted('quiz_row'))} was ignored: quiz_row is {literal(quoted(from_link))}, "
            f"but this picture's rows are {', '.join(rows)}."
        )
    if from_link in asked:
        st.session_state.quiz_row = from_link
    elif st.session_state.get("quiz_row", OUTPUT) not in asked:
        st.session_state.quiz_row = OUTPUT  # a row of the previous topology: ask about the output
    row = st.selectbox("Predict the shape of", rows, index=rows.index(OUTPUT), **bound("quiz_row"))
    question = asked[row]
    first_call = " in the first call" if len(result.calls) > 1 else ""
    answer = st.text_input(
        f"What shape does {'the model hand on' if row == OUTPUT else row + ' hand on'}{first_call}?",
        key=f"quiz_answer_{answer_key}_{row}",
        placeholder="(10, 4)",
    )
    if not answer.strip():
        st.caption("Type a shape, such as (10, 4) or 10, 4, and press Enter. The tables wait for your answer.")
        return row, question.shape
    try:
        guess = parse_shape(answer)
    except Refusal as refusal:
        st.error(markdown_of(refusal))
        return row, question.shape
    if guess == question.shape:
        st.success(f"Right. {reason(question)}")
    else:
        st.error(f"Not quite: you wrote {guess}, and the run measured {question.shape}. {reason(question)}")
    return row, None
