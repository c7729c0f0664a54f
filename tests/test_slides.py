"""Slides: the diagram downloads as SVG and as PNG at 2x, each file named after the topology and
its sizes, and the page shows a link to exactly this picture.

The file names are written out here from the rule the README gives (topology, cell, each size
as name and number); the link is read back through the page's own link reader, and checked for
the values the test set.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.ui.links import config_from_query
from app.ui.slides import slide_name
from app.ui.teaching import teaching_from_query
from tests.helpers import assert_clean, open_app, shown_links
from topologies import CATALOGUE, Config


@pytest.mark.parametrize(
    ("topology_id", "config", "expected"),
    [
        ("many_to_one", Config(), "rnn_shapes_many_to_one_LSTM_batch10_steps5_features2_units4"),
        (
            "stacked",
            Config(units=6, depth=3, cell="GRU"),
            "rnn_shapes_stacked_GRU_batch10_steps5_features2_units6_depth3",
        ),
        (
            "bidirectional",
            Config(merge_mode="sum", any_length=True, batch=3),
            "rnn_shapes_bidirectional_LSTM_batch3_steps5_features2_units4_sum_any_length",
        ),
        (
            "stateful_batches",
            Config(chunks=3),
            "rnn_shapes_stateful_batches_LSTM_batch10_steps5_features2_units4_chunks3",
        ),
    ],
    ids=["seed", "stacked", "bidirectional", "chunks"],
)
def test_a_slide_file_is_named_after_the_topology_and_its_sizes(topology_id, config, expected):
    assert slide_name(topology_id, config) == expected


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_every_slide_name_is_a_safe_file_name_that_says_the_topology(topology_id):
    name = slide_name(topology_id, CATALOGUE[topology_id].default_config())
    assert name.startswith(f"rnn_shapes_{topology_id}_")
    assert all(char.isalnum() or char in "_-" for char in name)
    assert "batch10" in name and "steps5" in name and "features2" in name


def chart_config(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.config)


def test_the_camera_downloads_a_png_at_twice_the_size_named_after_the_picture():
    at = open_app(topology="stacked", units="6")
    assert_clean(at)
    options = chart_config(at)["toImageButtonOptions"]
    assert options == {
        "format": "png",
        "scale": 2,
        "filename": "rnn_shapes_stacked_LSTM_batch10_steps5_features2_units6_depth2",
    }


def test_the_page_offers_both_downloads_for_its_chart_under_the_same_name():
    at = open_app(topology="stacked", units="6")
    (downloads,) = [
        element for element in at.get("bidi_component") if element.proto.component_name == "rnn_shapes_slides"
    ]
    assert json.loads(downloads.proto.json) == {
        "chart": "diagram",  # the key of the container the chart is shown in (app.ui.showing)
        "filename": "rnn_shapes_stacked_LSTM_batch10_steps5_features2_units6_depth2",
    }
    # Both formats are offered, made by the chart's own exporter in the browser.
    assert '["svg", "Download SVG"]' in downloads.proto.js_content
    assert '["png", "Download PNG (2x)"]' in downloads.proto.js_content


def shown_link(at) -> str:
    """The page's one link to copy (AppTest has no address: it starts with "?")."""
    (link,) = shown_links(at)
    return link


def test_the_copy_link_reads_back_as_the_picture_on_screen():
    at = open_app(topology="bidirectional", units="6", merge_mode="sum")
    at.sidebar.selectbox(key="palette").set_value("colorblind").run()
    assert_clean(at)
    link = shown_link(at)
    query = dict(parse_qsl(urlsplit(link).query))
    assert query == {"topology": "bidirectional", "units": "6", "merge_mode": "sum", "palette": "colorblind"}
    topology_id, values, warnings = config_from_query(query)
    teaching, teaching_warnings = teaching_from_query(query)
    assert (topology_id, values, teaching, warnings, teaching_warnings) == (
        "bidirectional",
        {"units": 6, "merge_mode": "sum"},
        {"palette": "colorblind"},
        [],
        [],
    )


def test_the_link_of_the_default_picture_has_no_query_and_presentation_mode_is_in_it():
    at = open_app()
    assert shown_link(at) == ""  # AppTest has no address: the page's own address, nothing added
    at = open_app(present="1", units="5")
    assert dict(parse_qsl(urlsplit(shown_link(at)).query)) == {"units": "5", "present": "true"}
