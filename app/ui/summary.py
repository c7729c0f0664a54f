"""What a run measured, in a row of numbers and a table: the same under every unrolled picture.

    show_summary(result)                 # Input shape | Output shape | Parameters, then every layer
    show_summary(result, note="Built with steps=None: ...")   # a caption between the two

The Shapes page and the Your-model page both show it under their diagram, so a learner reads
the same three numbers and the same columns whichever way the model was made.
"""

from __future__ import annotations

import streamlit as st

from topologies.records import Trace
from topologies.report import input_summary, layer_rows, output_summary


def show_summary(result: Trace, note: str = "") -> None:
    """The measured input and output shapes and the parameter count side by side, then a table of
    every layer as measured; `note`, if any, is a caption between them."""
    input_metric, output_metric, params_metric = st.columns(3)
    input_metric.metric("Input shape", input_summary(result))
    output_metric.metric("Output shape", output_summary(result))
    params_metric.metric("Parameters", f"{result.params:,}")
    if note:
        st.caption(note)
    # A plain table, not st.dataframe: every cell is read in full, on a projector too, and the
    # browser paints the picture above it about 0.3 s sooner (bench/browser.py).
    st.markdown("#### Every layer, as measured")
    st.table(layer_rows(result), hide_index=True)
