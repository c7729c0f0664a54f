"""For slides: the diagram as an SVG or a PNG at twice its size, named after what it shows, and
a link to exactly this picture.

    slide_name("many_to_one", Config())   # "rnn_shapes_many_to_one_LSTM_batch10_steps5_features2_units4"

The files are made in the browser by Plotly's own exporter, the one behind the chart's camera
icon: no browser runs on the server. Plotly offers one format per chart (its
toImageButtonOptions), so the two buttons here set the chart's options for one click of that
camera and put them back. The link is the page's address with the query a widget change would
write (app.ui.links.query_from_config, and the Teach settings that differ from their defaults),
in a read-only field with a Copy button (app.ui.copy_boxes.link_box).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

import streamlit as st

from app.ui.controls import SIZES
from app.ui.copy_boxes import link_box
from app.ui.counted_button import BUTTON_STYLE
from app.ui.links import query_from_config
from app.ui.teaching import Teaching, teaching_query
from topologies.catalogue import CATALOGUE
from topologies.config import Config

_SCRIPT = """
function download(row, format) {
  const chart = document.querySelector(`.st-key-${row.data.chart} .js-plotly-plot`);
  const camera = chart && chart.querySelector('.modebar-btn[data-title^="Download plot"]');
  if (!camera) return;
  const saved = chart._context.toImageButtonOptions;
  chart._context.toImageButtonOptions = { format, filename: row.data.filename, scale: format === "png" ? 2 : 1 };
  camera.click();  // Plotly reads the options as the click starts: they can go back at once
  chart._context.toImageButtonOptions = saved;
}

export default function ({ data, parentElement }) {
  let row = parentElement.querySelector("div.slides");
  if (row === null) {
    row = document.createElement("div");
    row.className = "slides";
    for (const [format, label] of [["svg", "Download SVG"], ["png", "Download PNG (2x)"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.dataset.format = format;
      button.addEventListener("click", () => download(row, format));
      row.append(button);
    }
    parentElement.append(row);
  }
  row.data = data;
}
"""

_component = st.components.v2.component(
    "rnn_shapes_slides", js=_SCRIPT, css=BUTTON_STYLE + ".slides { display: flex; gap: 0.5rem; }"
)


def slide_name(topology_id: str, config: Config) -> str:
    """A file name that says the topology, the cell and every size this topology reads."""
    parts = [topology_id, config.cell]
    for name in (*SIZES, *CATALOGUE[topology_id].extras):
        value = getattr(config, name)
        if isinstance(value, bool):
            parts += [name] if value else []
        elif isinstance(value, str):
            parts.append(value)  # a choice says itself: sum, concat
        else:
            parts.append(f"{name}{value}")
    return re.sub(r"[^A-Za-z0-9_-]", "-", "_".join(["rnn_shapes", *parts]))


def share_link(topology_id: str, config: Config, teaching: Teaching) -> str:
    """The page's own address with this picture's query: what a widget change writes into the URL."""
    query = {**query_from_config(topology_id, config), **teaching_query(teaching)}
    base = st.context.url or ""
    if base and not urlsplit(base).path:
        base += "/"  # the app's root: http://host:8501/?topology=...
    return f"{base}?{urlencode(query)}" if query else base


def slides(chart_key: str, topology_id: str, config: Config, teaching: Teaching) -> None:
    """The two download buttons for the chart shown under `chart_key`, and the link to copy."""
    _component(key=f"{chart_key}_slides", data={"chart": chart_key, "filename": slide_name(topology_id, config)})
    link_box(share_link(topology_id, config, teaching), "A link to exactly this picture", f"{chart_key}_link")
