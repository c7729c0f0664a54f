"""The Shapes page comparing two settings: this picture beside the same with one setting changed.

    ?topology=many_to_one&compare=return_sequences      many_to_one beside many_to_many
    ?compare=cell&compare_with=SimpleRNN                the LSTM beside a SimpleRNN

The two pictures sit in one row when the page is wide enough for both at their own widths, and
one above the other when it is not: the row wraps in the browser, which alone knows the page's
width, and each picture keeps its width and scrolls sideways rather than being squeezed
(app.ui.showing). Under them, one sentence says what changed, and a table puts each layer's
measured shape and parameters side by side, the cells that differ marked by a column of words
and a background. What differs is computed from the two Traces alone (app.ui.compare).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.diagram import draw
from app.draw.looks import Look
from app.serve.traces import cached_trace
from app.ui.compare import Row, Side, comparison, differences, summary
from app.ui.copy_boxes import link_box
from app.ui.literal import markdown_of
from app.ui.showing import show_diagram
from app.ui.slides import share_link, slide_name
from app.ui.teaching import Teaching
from topologies.catalogue import CATALOGUE
from topologies.config import Config, ConfigError
from topologies.records import Trace
from topologies.refusal import Refusal

DIFFERS = "background-color: #fde68a; color: #1f2937; font-weight: 600"  # amber, dark text: legible on either theme


def compare_view(topology_id: str, config: Config, left: Trace, teaching: Teaching, look: Look) -> None:
    """Both pictures, the sentence, the table, the parameter totals and the link; or, when the
    right side is refused, that refusal in one sentence and the left picture alone."""
    try:
        pair = comparison(topology_id, config, teaching.compare, teaching.compare_with)
        right_side = pair.right
        CATALOGUE[right_side.topology_id].check(right_side.config)
        with st.spinner("Building the second model and running it…"):
            right = cached_trace(right_side.topology_id, right_side.config)
    except (Refusal, ConfigError) as refusal:
        st.warning(f"The comparison's right side is refused, so this picture is shown alone: {markdown_of(refusal)}")
        show_diagram(draw(left, look), "compare_left", filename=slide_name(topology_id, config))
        return
    if teaching.quiz:
        st.caption("Predict the shape waits while two settings are compared: the table would give the answer away.")
    # On a projector the headings and the sentence are read from the back row, as the pictures are.
    emphasis = ("#### ", "") if teaching.present else ("**", "**")
    pictures(((pair.left, left, "left"), (right_side, right, "right")), look, emphasis)
    st.markdown(f"{emphasis[0]}{summary(pair, left, right)}{emphasis[1]}")
    # A static table: every shape written out in full, at any width (a data frame would cut them).
    st.table(table(differences(left, right)), hide_index=True)
    first_calls = " (first call)" if len(left.calls) > 1 or len(right.calls) > 1 else ""
    st.caption(f"Each layer's outputs{first_calls}, matched by name; the column at the right says what differs.")
    left_total, right_total = st.columns(2)
    left_total.metric(f"Parameters, {pair.left.says}", f"{left.params:,}")
    change = f"{right.params - left.params:+,}" if right.params != left.params else None
    right_total.metric(f"Parameters, {right_side.says}", f"{right.params:,}", delta=change, delta_color="off")
    link_box(share_link(topology_id, config, teaching), "A link to exactly this comparison", "compare_link")
    if teaching.present:  # the sidebar is folded: the page has its own way out
        st.button("Leave presentation mode", on_click=st.session_state.update, kwargs={"present": False})


def pictures(sides: tuple[tuple[Side, Trace, str], ...], look: Look, emphasis: tuple[str, str]) -> None:
    """The pictures in one row that wraps: side by side where both fit, else one above the other."""
    with st.container(horizontal=True, gap="medium", key="compare_pictures"):
        for side, trace, place in sides:
            figure = draw(trace, look)
            key = f"compare_{place}"
            # A side is as wide as its picture, and never wider than the page: there it scrolls.
            st.html(f"<style>.st-key-{key}_side {{max-width: 100%}}</style>")
            with st.container(width=int(figure.layout.width), key=f"{key}_side"):
                st.markdown(f"{emphasis[0]}{place.capitalize()}: {side.topology_id}, {side.says}{emphasis[1]}")
                show_diagram(figure, key, filename=slide_name(side.topology_id, side.config))


def table(rows: list[Row]) -> pd.io.formats.style.Styler:
    """The rows as a table, each cell that differs from its twin on the other side highlighted."""
    frame = pd.DataFrame(
        {
            "layer": [row.layer for row in rows],
            "left shape": [_shown(row.left_shape) for row in rows],
            "right shape": [_shown(row.right_shape) for row in rows],
            "left parameters": [_shown(row.left_params) for row in rows],
            "right parameters": [_shown(row.right_params) for row in rows],
            "differs": [row.differs for row in rows],
        }
    )

    def marks(data: pd.DataFrame) -> pd.DataFrame:
        style = pd.DataFrame("", index=data.index, columns=data.columns)
        for index, row in enumerate(rows):
            shapes_differ = row.left_shape != row.right_shape
            params_differ = row.left_params != row.right_params
            for side in ("left", "right"):
                style.loc[index, f"{side} shape"] = DIFFERS if shapes_differ else ""
                style.loc[index, f"{side} parameters"] = DIFFERS if params_differ else ""
        return style

    return frame.style.apply(marks, axis=None)


def _shown(value: object) -> str:
    """A cell's text: "—" where a side has no such layer or no such number, 1,234 for a count."""
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else str(value)
