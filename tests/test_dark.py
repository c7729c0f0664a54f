"""Streamlit's dark theme: the figure follows the page. Its paper is the page's dark grey, its
words, arrows and lines are light, the boxes keep their role colours and their letters stay
readable on them, in either palette.

Readable is measured with WCAG 2's contrast ratio, restated here from the standard
(https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio): at least 4.5 for words, 3 for the lines
and arrows that carry meaning. The figure is read as Plotly's JSON, not from app.draw.looks.
"""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st
from streamlit.runtime.context import ContextProxy, StreamlitTheme

from app.diagram import draw
from app.draw.looks import Look
from tests.helpers import assert_clean, box_letters, drawn_arrows, drawn_words, open_app, traced
from topologies import CATALOGUE, Config, trace
from topologies.own.model import OwnStack

WORDS = 4.5  # WCAG AA for text
LINES = 3.0  # WCAG 2.1 for graphical objects
NAMED = {"white": "#ffffff", "black": "#000000"}


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour written #rgb or #rrggbb (or white, black)."""
    digits = NAMED.get(colour, colour).lstrip("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    darker, lighter = sorted((luminance(first), luminance(second)))
    return (lighter + 0.05) / (darker + 0.05)


def read(figure: dict) -> dict:
    """The parts of a figure whose colours matter: paper, Plotly's own words, box fills and
    letters, the other words, arrows and outlines."""
    layout = figure["layout"]
    boxes = layout["meta"]["boxes"]
    centres = {((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2): box for box in boxes}
    fills = {
        (shape["x0"], shape["y0"], shape["x1"], shape["y1"]): shape
        for shape in layout["shapes"]
        if shape["type"] == "rect" and shape.get("opacity") == 1.0
    }
    letters, words = [], []
    for x, y, text, colour, _ in box_letters(figure):
        box = centres[(x, y)]  # every letter stands at the centre of a box
        letters.append((box["role"], text, colour, fills[(box["x0"], box["y0"], box["x1"], box["y1"])]["fillcolor"]))
    assert len(letters) == len(boxes)
    arrows = [colour for *_, colour in drawn_arrows(figure)]
    assert not any(note.get("showarrow") for note in layout.get("annotations", []))  # the arrows are paths
    for word in drawn_words(figure):
        words.append((word["text"], word["colour"]))
        # A part of the words in a colour of its own: <span style="color:#...">
        words += [(word["text"], colour) for colour in re.findall(r"color:(#[0-9a-fA-F]+)", word["text"])]
    return dict(
        paper=layout["paper_bgcolor"],
        plot=layout["plot_bgcolor"],
        font=layout["font"].get("color"),
        letters=letters,
        words=words,
        arrows=arrows,
        outlines={shape["line"]["color"] for shape in layout["shapes"]},  # boxes, sheets, stems, dividers
        roles={box["role"]: fills[(box["x0"], box["y0"], box["x1"], box["y1"])]["fillcolor"] for box in boxes},
    )


@pytest.mark.parametrize("palette", ["seed", "colorblind"])
@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_a_dark_look_paints_dark_paper_light_inks_and_readable_letters(topology_id, palette):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    light = draw(result, Look(palette=palette)).to_plotly_json()
    dark = draw(result, Look(palette=palette, background="dark")).to_plotly_json()
    seen = read(dark)
    assert seen["paper"] == seen["plot"] and luminance(seen["paper"]) < 0.02, seen["paper"]
    assert contrast(seen["font"], seen["paper"]) >= WORDS  # the title and the legend
    assert all(contrast(colour, seen["paper"]) >= WORDS for _, colour in seen["words"]), seen["words"]
    assert all(contrast(colour, seen["paper"]) >= LINES for colour in seen["arrows"]), set(seen["arrows"])
    assert all(contrast(colour, seen["paper"]) >= LINES for colour in seen["outlines"]), seen["outlines"]
    for role, letter, ink, fill in seen["letters"]:
        assert contrast(ink, fill) >= WORDS, (role, letter, ink, fill)
    # Every role keeps a colour of its own, and every box but a dropped y_t stands out of the page.
    assert len(set(seen["roles"].values())) == len(seen["roles"]), seen["roles"]
    for role, fill in seen["roles"].items():
        if role != "discarded":
            assert contrast(fill, seen["paper"]) >= 2.0, (role, fill)
    # The same picture: every box where it was, the figure the same size, the same words.
    assert dark["layout"]["meta"] == light["layout"]["meta"]
    assert (dark["layout"]["width"], dark["layout"]["height"]) == (light["layout"]["width"], light["layout"]["height"])
    assert [word["text"] for word in drawn_words(dark)] == [word["text"] for word in drawn_words(light)]


def test_a_row_s_note_in_a_colour_of_its_own_is_light_on_a_dark_page():
    """Dropout's note is written in purple inside the row's name."""
    result = trace(OwnStack.from_text("Dropout(0.5) | LSTM(3)"), Config(batch=2, steps=3, features=2))
    seen = read(draw(result, Look(background="dark")).to_plotly_json())
    assert any("training only" in text and "color:" in text for text, _ in seen["words"])
    assert all(contrast(colour, seen["paper"]) >= WORDS for _, colour in seen["words"]), seen["words"]


def test_a_light_look_paints_white_paper_and_dark_words_of_its_own():
    """Plotly's own words (title, legend) are dark whatever Streamlit's theme would make them:
    on a session's first run a dark page may show a white figure, which must stay readable."""
    seen = read(draw(traced("many_to_one", CATALOGUE["many_to_one"].default_config())).to_plotly_json())
    assert seen["paper"] == seen["plot"] == "white"
    assert contrast(seen["font"], "#ffffff") >= WORDS
    assert "#333" in seen["outlines"]


def test_a_background_no_theme_has_is_refused():
    with pytest.raises(ValueError, match="background is 'sepia'"):
        Look(background="sepia")


def sent_paper(at) -> str:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["paper_bgcolor"]


def dark_theme(monkeypatch) -> None:
    """What Streamlit reports when the browser shows its dark theme.

    ContextProxy is Streamlit's private class behind st.context: st.context.theme is what the
    browser reports, and AppTest has no public way to act as a browser with a theme (it takes
    query parameters, secrets and session state, never a theme). Patching the property is the
    one way a headless test can see the page a dark browser gets."""
    monkeypatch.setattr(ContextProxy, "theme", property(lambda self: StreamlitTheme({"type": "dark"})))


def test_the_shapes_page_draws_for_a_dark_theme_when_streamlit_reports_one(monkeypatch):
    at = open_app(units="6")
    assert_clean(at)
    assert sent_paper(at) == "white"  # AppTest's page, like a first run, reports no theme
    dark_theme(monkeypatch)
    at.run()
    assert_clean(at)
    assert luminance(sent_paper(at)) < 0.02


@pytest.mark.parametrize("present", ["0", "1"])
def test_a_dark_theme_keeps_the_teaching_settings(monkeypatch, present):
    dark_theme(monkeypatch)
    at = open_app(present=present, palette="colorblind")
    assert_clean(at)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    seen = read(figure)
    assert luminance(seen["paper"]) < 0.02
    assert seen["roles"]["input"] == "#D55E00"  # Okabe-Ito's vermillion, on the dark page too


def test_on_a_session_s_first_run_the_server_s_theme_is_believed(monkeypatch):
    """Streamlit reports "light" on a session's first run, whatever the browser shows; a server
    started with --theme.base dark shows dark pages, so its first picture is drawn dark."""
    # No public way sets a server's theme for AppTest: st.set_option refuses theme options ("cannot
    # be set on the fly"), and AppTest takes no config options. So st.get_option answers "dark"
    # for theme.base alone, and st.context.theme (the private ContextProxy, as in dark_theme)
    # reports "light", as Streamlit does on a first run.
    configured = st.get_option
    monkeypatch.setattr(st, "get_option", lambda name: "dark" if name == "theme.base" else configured(name))
    monkeypatch.setattr(ContextProxy, "theme", property(lambda self: StreamlitTheme({"type": "light"})))
    at = open_app()
    assert_clean(at)
    assert luminance(sent_paper(at)) < 0.02
    at.run()  # from the second run on, what the browser reports: here, that the user chose light
    assert sent_paper(at) == "white"
