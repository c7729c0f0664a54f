"""Presentation mode: ?present=1 and the sidebar's toggle put the diagram first, its words at
20 px or more, and fold the explanation, the tables and the code away.

The 20 px is the issue's own rule for a projector, restated here; the figure is read from the
chart the page sends, not from app.draw.looks.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.diagram import draw
from app.draw.looks import PRESENT_SCALE, Look
from app.ui.teaching import teaching_from_query
from tests.helpers import assert_clean, drawn_words, metrics, open_app, open_expander, shown_code, traced
from topologies import CATALOGUE

PROJECTOR_TEXT = 20  # pixels: the smallest text the issue allows on a projected figure
SCREEN_TEXT = 14  # pixels: the smallest text the README promises on a screen


def font_sizes(figure: dict) -> list[float]:
    """Every size text is drawn at: the words, the title, the legend, hover labels."""
    layout = figure["layout"]
    sizes = [word["size"] for word in drawn_words(figure)]
    sizes += [layout["title"]["font"]["size"], layout["legend"]["font"]["size"], layout["hoverlabel"]["font"]["size"]]
    return sizes


def sent_figure(at) -> dict:
    """The figure the page sent to the browser, as Plotly's JSON."""
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_a_projected_figure_draws_every_word_at_20_px_or_more(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    screen, projected = draw(result), draw(result, Look(scale=PRESENT_SCALE))
    assert min(font_sizes(screen.to_plotly_json())) >= SCREEN_TEXT
    assert min(font_sizes(projected.to_plotly_json())) >= PROJECTOR_TEXT
    # The same picture, larger: every box where it was (in data units), the figure in proportion.
    assert projected.layout.meta == screen.layout.meta
    assert projected.layout.width / screen.layout.width == pytest.approx(PRESENT_SCALE, abs=0.01)
    assert projected.layout.height / screen.layout.height == pytest.approx(PRESENT_SCALE, abs=0.01)


@pytest.mark.parametrize("written", ["1", "true", "TRUE", " yes"])
def test_a_link_with_present_opens_the_diagram_first_and_large(written):
    at = open_app(present=written)
    assert_clean(at)
    assert at.sidebar.toggle(key="present").value is True
    assert not at.title, "no title above the projected diagram"
    assert min(font_sizes(sent_figure(at))) >= PROJECTOR_TEXT
    # A one-line caption with the measured shapes of the seed's many_to_one: (10, 5, 2) in, (10, 4) out.
    assert any("(10, 5, 2)" in caption.value and "(10, 4)" in caption.value for caption in at.caption)
    # Tables and metrics still exist, folded into the one expander; the code is made once its own is open.
    at = open_expander(at, "keras_code_open")
    folded = at.expander[0]
    assert folded.label == "The explanation, the tables and the code"
    assert folded.table and len(folded.table) == len(at.table)
    assert len(shown_code(folded)) == len(shown_code(at)) == 1  # the Keras code; the link sits in its own box
    assert metrics(at)["Output shape"] == "(10, 4)"
    assert at.query_params["present"] == "true"  # the address bar keeps it, as the toggle writes it


def test_without_present_the_title_leads_and_the_tables_are_open():
    at = open_app()
    assert_clean(at)
    assert at.sidebar.toggle(key="present").value is False
    assert [title.value for title in at.title] == ["RNN shapes"]
    assert min(font_sizes(sent_figure(at))) == SCREEN_TEXT
    assert at.table, "the layer table is open on the page"
    # Only the code and the cell's step wait in expanders; nothing is folded away for a projector.
    labels = {expander.label for expander in at.expander}
    assert labels == {"Show the Keras 3 code that built this model", "Its weights and one step, for the whole batch"}
    assert "present" not in at.query_params


def test_the_toggle_turns_presentation_on_and_off_and_writes_the_link():
    at = open_app(units="6")
    at.sidebar.toggle(key="present").set_value(True).run()
    assert_clean(at)
    assert not at.title
    assert min(font_sizes(sent_figure(at))) >= PROJECTOR_TEXT
    assert metrics(at)["Output shape"] == "(10, 6)"  # the configuration stays as it was
    at.sidebar.toggle(key="present").set_value(False).run()
    assert_clean(at)
    assert [title.value for title in at.title] == ["RNN shapes"]


def test_leaving_presentation_mode_from_the_page():
    """The sidebar is folded in presentation mode: the page has its own way out."""
    at = open_app(present="1")
    (leave,) = [button for button in at.button if button.label == "Leave presentation mode"]
    leave.click().run()
    assert_clean(at)
    assert at.sidebar.toggle(key="present").value is False
    assert [title.value for title in at.title] == ["RNN shapes"]


@pytest.mark.parametrize("written", ["maybe", "2", "[on](https://example.com)", ""])
def test_a_present_value_no_toggle_can_hold_is_refused_in_one_sentence(written):
    at = open_app(present=written, units="6")
    assert_clean(at)
    # The rule: one sentence naming the field, the value (as code) and what is allowed.
    expected = f"The link's `'present'` was ignored: present is `{written!r}`, but it must be true or false (1 or 0)."
    assert [warning.value for warning in at.warning] == [expected]
    assert at.sidebar.toggle(key="present").value is False
    assert metrics(at)["Output shape"] == "(10, 6)"  # the rest of the link still holds
    assert "present" not in at.query_params


DOCUMENTED_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@settings(max_examples=300, deadline=None, database=None)
@given(
    query=st.dictionaries(st.sampled_from(["present", "palette", "quiz", "units"]), st.text(max_size=20), max_size=4)
)
def test_a_link_s_teaching_parameters_are_read_or_refused_by_name(query):
    """Documented: present and quiz take true/false/1/0/yes/no (any case, spaces around), palette
    seed or colorblind; anything else is one warning naming the parameter. Sizes are not read here."""
    values, warnings = teaching_from_query(query)
    for name, raw in query.items():
        if name == "units":
            assert name not in values
            continue
        text = raw.strip().lower()
        allowed = text in ("seed", "colorblind") if name == "palette" else text in DOCUMENTED_FLAGS
        named = [warning for warning in warnings if warning.startswith(f"The link's `'{name}'` was ignored")]
        assert (name in values, len(named)) == ((True, 0) if allowed else (False, 1)), (name, raw, warnings)
        if allowed:
            assert values[name] == (text if name == "palette" else DOCUMENTED_FLAGS[text])
