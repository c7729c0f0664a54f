"""Colours for everyone: ?palette=colorblind and the sidebar's Colours box paint the boxes in
Okabe-Ito's colours; the default stays the seed's red x, green h and pink y. And every figure
names itself in one sentence, written from the trace, for a screen reader.

The colours are restated here from their sources: the seed's from the README's picture (red,
green, pink), Okabe-Ito's from Okabe and Ito, "Color Universal Design" (2002).
"""

from __future__ import annotations

import json
import re

import pytest

from app.diagram import draw
from app.draw.looks import Look
from tests.helpers import assert_clean, box_letters, fmt, open_app, seed_config, traced
from topologies import CATALOGUE

SEED = {"input": "#e4572e", "state": "#4caf50", "cell_state": "#1b5e20", "output": "#f48fb1"}
OKABE_ITO = {"vermillion": "#D55E00", "sky blue": "#56B4E9", "blue": "#0072B2", "reddish purple": "#CC79A7"}
COLOURBLIND = {
    "input": OKABE_ITO["vermillion"],
    "state": OKABE_ITO["sky blue"],
    "cell_state": OKABE_ITO["blue"],
    "output": OKABE_ITO["reddish purple"],
}


def box_colours(figure: dict) -> dict[str, set[str]]:
    """Each role's fill colours, read from the rectangle drawn exactly where meta says the box is."""
    layout = figure["layout"]
    drawn = {
        (shape["x0"], shape["y0"], shape["x1"], shape["y1"]): shape["fillcolor"]
        for shape in layout["shapes"]
        if shape["type"] == "rect" and shape.get("opacity") == 1.0
    }
    colours: dict[str, set[str]] = {}
    for box in layout["meta"]["boxes"]:
        colours.setdefault(box["role"], set()).add(drawn[(box["x0"], box["y0"], box["x1"], box["y1"])])
    return colours


def legend_colours(figure: dict) -> dict[str, str]:
    """The legend's entries: the name (which starts with the role's letter) and its square's colour."""
    return {entry["name"]: entry["marker"]["color"] for entry in figure["data"] if entry.get("name") not in NOT_LEGEND}


NOT_LEGEND = ("boxes", "words", "letters")  # the hover points, the words and the letters on the boxes


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_the_colorblind_palette_paints_every_role_in_its_okabe_ito_colour(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    seed = box_colours(draw(result).to_plotly_json())
    colourblind_figure = draw(result, Look(palette="colorblind")).to_plotly_json()
    colourblind = box_colours(colourblind_figure)
    for role, colour in SEED.items():
        if role in seed:
            assert seed[role] == {colour}, (role, seed[role])  # the default stays the seed's
            assert colourblind[role] == {COLOURBLIND[role]}, (role, colourblind[role])
    # No seed colour of a role is left anywhere in the figure: boxes, sheets, legend, labels.
    text = json.dumps(colourblind_figure).lower()
    assert not [colour for colour in SEED.values() if colour in text]
    for name, colour in legend_colours(colourblind_figure).items():
        letter = name[0]  # "x_t: input at step t" -> x
        if letter in "xhc" and not name.startswith("discarded"):
            role = {"x": "input", "h": "state", "c": "cell_state"}[letter]
            assert colour == COLOURBLIND[role], name
        if name.startswith("y_t"):
            assert colour == COLOURBLIND["output"], name


def test_the_letters_stay_on_the_boxes_in_either_palette():
    result = traced("many_to_one", seed_config("many_to_one"))
    for look in (Look(), Look(palette="colorblind")):
        figure = draw(result, look).to_plotly_json()
        boxes = figure["layout"]["meta"]["boxes"]
        centres = {((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2) for box in boxes}
        letters = box_letters(figure)
        assert {(x, y) for x, y, *_ in letters} == centres
        labels = [text for _, _, text, *_ in letters]
        steps = result.config.steps
        assert all(f"{letter}<sub>{t}</sub>" in labels for letter in "xh" for t in range(1, steps + 1))


def sent_figure(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("written", ["colorblind", "Colorblind", " COLORBLIND "])
def test_a_link_with_palette_colorblind_paints_okabe_ito(written):
    at = open_app(palette=written)
    assert_clean(at)
    assert at.sidebar.selectbox(key="palette").value == "colorblind"
    colours = box_colours(sent_figure(at))
    assert colours["input"] == {COLOURBLIND["input"]} and colours["state"] == {COLOURBLIND["state"]}
    assert at.query_params["palette"] == "colorblind"  # the link is written the way the box reads it


def test_the_colours_box_switches_the_palette_and_the_link():
    at = open_app()
    assert box_colours(sent_figure(at))["input"] == {SEED["input"]}
    assert "palette" not in at.query_params
    at.sidebar.selectbox(key="palette").set_value("colorblind").run()
    assert_clean(at)
    assert box_colours(sent_figure(at))["output"] == {COLOURBLIND["output"]}
    at.sidebar.selectbox(key="palette").set_value("seed").run()
    assert box_colours(sent_figure(at))["output"] == {SEED["output"]}


@pytest.mark.parametrize("written", ["rainbow", "<b>red</b>", "seed!"])
def test_a_palette_no_box_offers_is_refused_in_one_sentence(written):
    at = open_app(palette=written)
    assert_clean(at)
    expected = f"The link's `'palette'` was ignored: palette is `{written!r}`, but it must be seed or colorblind."
    assert [warning.value for warning in at.warning] == [expected]
    assert at.sidebar.selectbox(key="palette").value == "seed"
    assert "palette" not in at.query_params


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_every_figure_describes_itself_in_one_sentence_of_measured_shapes(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    description = draw(result).layout.meta["description"]
    # One sentence: a capital first, one full stop at the end and none followed by a space inside.
    assert description[0].isupper() and description.endswith(".") and not re.search(r"\.\s", description[:-1])
    first = result.calls[0]
    measured = [fmt(first.input_shapes[0]), *(fmt(shape) for call in result.calls for shape in call.output_shapes)]
    measured += [
        fmt(activity.output_shapes[0]) for activity in first.layers if result.layer(activity.layer).parent is None
    ]
    assert all(shape in description for shape in measured), (measured, description)
    assert topology_id in description


def test_the_page_hands_the_description_to_the_chart_as_its_accessible_name():
    at = open_app(topology="stacked")
    assert_clean(at)
    alt = at.get("plotly_chart")[0].proto.alt
    assert alt.startswith("The unrolled stacked network") and "(10, 5, 2)" in alt and "(10, 4)" in alt
