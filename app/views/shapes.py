"""Page "Shapes": pick a topology and sizes, see the unrolled network and every real shape.

In presentation mode (the sidebar's Teach section, or ?present=1) the page is made for a
projector: the diagram comes first, drawn larger (app.draw.looks.PRESENT_SCALE), with a one-line
caption under it, and the explanation, the tables and the code are folded into one expander.
With "Predict the shape" (or ?quiz=1), one row's shape is hidden in the picture and asked for
under it (app.ui.quiz_box); the tables and the code, which would give it away, wait for the answer.
With "Play through time" (or ?play=1) the picture plays step by step in the browser (app.draw.play).
"""

import dataclasses

import streamlit as st

from app.diagram import draw
from app.draw.looks import PRESENT_SCALE
from app.draw.quiz import hidden_text
from app.serve.traces import cached_trace
from app.ui.compare_view import compare_view
from app.ui.controls import fix_button, open_link, sidebar, teaching_sidebar
from app.ui.copy_boxes import code_box
from app.ui.history import stop_page
from app.ui.inside_cell_view import chosen_cell_layer, inside_cell_section, open_clicked_cell
from app.ui.links import checked_config
from app.ui.literal import markdown_of
from app.ui.quiz_box import quiz_box
from app.ui.runnable import runnable_code
from app.ui.showing import page_look, show_diagram
from app.ui.slides import slide_name, slides
from app.ui.summary import show_summary
from topologies.catalogue import CATALOGUE
from topologies.config import Config, ConfigError
from topologies.records import Trace
from topologies.report import call_rows, input_summary, layer_rows, output_summary

CODE_OPEN = "keras_code_open"  # the code expander's key: whether it is open, kept for the session


def say_what_the_link_changed() -> None:
    """The link's refused values, said once, and what a topology switch had to change."""
    for warning in st.session_state.link_warnings:
        st.warning(warning)
    st.session_state.link_warnings = []  # said once, for the link as opened; then the sidebar is the truth
    if "adapted" in st.session_state:  # the topology just changed, and a size had to follow
        st.info(st.session_state.pop("adapted"))


def explain(topology_id: str) -> None:
    st.subheader(topology_id.replace("_", " "))
    # The concept's prose, without the worked example: the code expander below holds runnable code.
    st.markdown(CATALOGUE[topology_id].concept_markdown.split("```python")[0])


def caption(result: Trace) -> str:
    """One line under a projected diagram: the topology's summary and the measured input and output."""
    summary = CATALOGUE[result.topology].summary
    return f"**{result.topology}**: {summary} Input {input_summary(result)}, output {output_summary(result)}."


def any_length_note(result: Trace, config: Config) -> str:
    """For a model built with steps=None, what it accepts beside what this run fed it; "" otherwise."""
    if not config.any_length:
        return ""
    declared = layer_rows(result)[0]["as declared"]
    return (
        f"Built with steps=None: {result.layers[0].name} declares {declared}, any batch and any number of steps; "
        f"this run fed it {result.calls[0].input_shapes[0][1]} steps."
    )


def details(result: Trace, config: Config, dark: bool) -> None:
    """The measured numbers in full: metrics, the layer and call tables, the facts and the code
    (coloured for a dark page where `dark`)."""
    first_call = result.calls[0]
    show_summary(result, any_length_note(result, config))
    calls = call_rows(result)
    if calls:  # a plain table too, read in full (app.ui.summary)
        st.markdown("#### The calls, in order")
        st.table(calls, hide_index=True)
    if result.facts.stateful_vs_whole_max_abs_diff is not None:
        # Only a sequence fed in several pieces has a batch that continues another.
        continues = (
            " Batch k+1 really continues batch k." if len(result.calls) > 1 else " (One piece: nothing to continue.)"
        )
        st.success(
            f"Largest difference between the pieces fed to the stateful layer and the whole "
            f"sequences fed to a stateless twin: {result.facts.stateful_vs_whole_max_abs_diff:.2g}.{continues}"
        )
    for name in ("windows_shape", "targets_shape"):
        if getattr(result.facts, name) is not None:
            st.caption(f"{name.replace('_', ' ')}: {tuple(getattr(result.facts, name))}")

    # Made only once open, as the cell's step below: folded, the code would be written, coloured
    # and sent on every change of a size, and the browser would draw it where nobody sees it.
    with st.expander("Show the Keras 3 code that built this model", key=CODE_OPEN, on_change="rerun") as section:
        if section.open:
            integer_input = first_call.input_axes[0] == ("batch", "steps")
            code = runnable_code(result.topology, config, first_call.input_shapes[0], integer_input)
            code_box(code, "keras_code", dark)
    inside_cell_section(result)


if "link_warnings" not in st.session_state:
    # First run of this browser session: the widgets start from what the link asks for.
    open_link(dict(st.query_params))

topology_id, values = sidebar()
teaching = teaching_sidebar()
# A later call of set_page_config changes only what it names: Streamlit 1.67 folds or opens the
# sidebar when this changes, unless the user has folded or opened it by hand (then theirs stays).
st.set_page_config(initial_sidebar_state="collapsed" if teaching.present else "auto")

if not teaching.present:
    st.title("RNN shapes")
    say_what_the_link_changed()
    explain(topology_id)

try:
    config = checked_config(topology_id, values)
    with st.spinner("Building the Keras model and running it…"):
        result = cached_trace(topology_id, config)
except ConfigError as error:
    st.error(markdown_of(error))
    fix_button(error)
    st.caption("Or change a value in the sidebar: each field's help (?) gives its allowed range.")
    if teaching.present:
        say_what_the_link_changed()
    stop_page()

look = page_look(scale=PRESENT_SCALE if teaching.present else 1.0, palette=teaching.palette)
if teaching.present:
    # Streamlit leaves 6rem above the page for its header and 5rem each side; the top bar needs 4,
    # and a projector needs every pixel of its 1024 x 768 for the picture.
    st.html('<style>[data-testid="stMainBlockContainer"] {padding: 4rem 1rem 2rem}</style>')
if teaching.compare:  # this picture beside the same with one setting changed, instead of it alone
    compare_view(topology_id, config, result, teaching, look)
    if teaching.present:  # said here, under the pictures, as in presentation mode below
        say_what_the_link_changed()
    stop_page()
# The picture comes first on the page; the quiz under it decides whether a shape is hidden in it.
picture = st.container()
hidden = None
if teaching.quiz:
    row, hidden = quiz_box(result, slide_name(topology_id, config))
    teaching = dataclasses.replace(teaching, quiz_row=row)
teaching = dataclasses.replace(teaching, cell_layer=chosen_cell_layer(result))
with picture:
    name = slide_name(topology_id, config)
    figure = draw(result, look, hidden, played=teaching.play)
    show_diagram(figure, "diagram", filename=name, on_click=open_clicked_cell(result))
    if teaching.present:  # the caption belongs to the picture, above the quiz
        st.caption(caption(result) if hidden is None else hidden_text(caption(result), hidden))
if teaching.present:
    st.button("Leave presentation mode", on_click=st.session_state.update, kwargs={"present": False})
    say_what_the_link_changed()
if hidden is not None:  # the tables, the code and the explanation would give the answer away
    slides("diagram", topology_id, config, teaching)
elif teaching.present:
    with st.expander("The explanation, the tables and the code"):
        explain(topology_id)
        details(result, config, look.dark)
        slides("diagram", topology_id, config, teaching)
else:
    slides("diagram", topology_id, config, teaching)
    details(result, config, look.dark)
