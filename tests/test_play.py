"""Play through time (?play=1): a slider and Play under the unrolled picture; at step t the
column is lit, the steps to come are veiled, the arrows carried into h_t glow, and sample 0's
numbers at that step are written under the picture. Played in the browser: Plotly frames.

The rules restated from the issue: one frame per drawn column (its "t = ..." under it), in
drawing order, across calls; a reset empties the state; the un-played figure does not change;
a frame changes only a few overlays (the figure's weight matters). The numbers are read from
the Trace's records here, not from app.draw.play.
"""

from __future__ import annotations

import json
import re

import pytest

from app.diagram import draw
from app.draw.looks import PRESENT_SCALE, SCREEN, Look
from tests.helpers import assert_clean, box_letters, drawn_words, open_app, seed_config, shown_links, traced
from tests.test_palette import SEED
from topologies import CATALOGUE, Config, trace

PROJECTOR_TEXT = 20
STEP_LABEL = re.compile(r"^t = (\d+)$")


def columns(figure: dict) -> list[tuple[float, int]]:
    """The picture's own drawn columns, left to right: (x, t) of each "t = ..." under them."""
    found = [
        (word["x"], int(STEP_LABEL.match(word["text"]).group(1)))
        for word in drawn_words(figure)
        if STEP_LABEL.match(word["text"])
    ]
    return sorted(found)


def centre(box: dict) -> float:
    return (box["x0"] + box["x1"]) / 2


def played(topology_id: str, config: Config | None = None, look: Look = SCREEN) -> tuple[dict, dict]:
    """The figure played and not played, as Plotly's JSON."""
    result = traced(topology_id, config or CATALOGUE[topology_id].default_config())
    return draw(result, look, played=True).to_plotly_json(), draw(result, look).to_plotly_json()


def sample_text(value: float) -> str:
    return f"{value:.3g}"


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_a_frame_per_drawn_column_lights_it_and_veils_the_steps_to_come(topology_id):
    figure, still = played(topology_id)
    drawn = columns(still)
    frames = figure["frames"]
    assert len(frames) == len(drawn)
    assert [step["label"] for step in figure["layout"]["sliders"][0]["steps"]] == [str(t) for _, t in drawn]
    # The picture is the picture: the same boxes and arrows, as documented in meta.
    assert figure["layout"]["meta"] == still["layout"]["meta"]
    boxes = figure["layout"]["meta"]["boxes"]
    names = [trace.get("name") for trace in figure["data"]]
    overlays = [names.index("steps to come"), names.index("carried in")]
    assert names[-2:] == ["words", "letters"], "the words and the box letters are drawn over the veil"
    for frame, (x, t) in zip(frames, drawn):
        # A frame changes only the overlays: the band, the numbers, the veil and the glow.
        assert set(frame["layout"]) == {"shapes", "annotations"}
        assert len(frame["layout"]["shapes"]) == len(frame["layout"]["annotations"]) == 1
        assert frame["traces"] == overlays
        band = frame["layout"]["shapes"][0]
        assert band["x0"] < x < band["x1"]
        assert all(not (band["x0"] <= other < band["x1"]) for other, _ in drawn if other != x)
        lit = [box for box in boxes if band["x0"] <= centre(box) < band["x1"]]
        assert lit and {box["step"] for box in lit if box["role"] == "input"} <= {t}
        veil = frame["data"][0]
        later = [box for box in boxes if centre(box) >= band["x1"]]
        if later:
            assert min(veil["x"]) == band["x1"] and max(veil["x"]) >= max(box["x1"] for box in later)
        else:
            assert veil["x"] == []
        assert frame["layout"]["annotations"][0]["text"].startswith(f"<b>t = {t}</b>")
    # The figure as it opens is the first frame.
    assert figure["layout"]["shapes"][0]["x0"] == frames[0]["layout"]["shapes"][0]["x0"]
    assert figure["layout"]["annotations"][0]["text"] == frames[0]["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_the_unplayed_figure_is_unchanged_and_playing_adds_little_weight(topology_id):
    result = traced(topology_id, CATALOGUE[topology_id].default_config())
    still = draw(result)
    assert draw(result, played=False).to_plotly_json() == still.to_plotly_json()
    assert not still.frames and not still.layout.sliders and not still.layout.updatemenus
    figure = draw(result, played=True)
    added = len(figure.to_json()) - len(still.to_json())
    assert added < 0.6 * len(still.to_json()) + 1000 * len(figure.frames), added


def test_sample_0_s_numbers_are_the_run_s():
    result = traced("many_to_one", seed_config("many_to_one"))
    figure, _ = played("many_to_one", seed_config("many_to_one"))
    lstm = result.calls[0].layers[0]  # its x and h are sample 0's at every step
    for step, frame in enumerate(figure["frames"]):
        text = frame["layout"]["annotations"][0]["text"]
        t = step + 1
        assert f"x<sub>{t}</sub> = [{', '.join(sample_text(v) for v in lstm.values['x'][step][:4])}" in text
        assert f"h<sub>{t}</sub> = [{', '.join(sample_text(v) for v in lstm.values['h'][step][:4])}" in text
        if t < 5:  # return_sequences=False: y_t was computed and dropped; only the last is handed on
            assert f"y<sub>{t}</sub> of rnn: computed, not handed on" in text
    last = figure["frames"][-1]["layout"]["annotations"][0]["text"]
    assert f"y<sub>5</sub> = [{', '.join(sample_text(v) for v in lstm.values['y'][:4])}" in last
    first = figure["frames"][0]["layout"]["annotations"][0]["text"]
    assert "the state starts at 0" in first and "h<sub>0</sub> = [0, 0, 0, 0]" in first


def glowing(frame: dict) -> int:
    """How many arrows glow in a frame: the glow's paths are split by None."""
    return frame["data"][1]["x"].count(None)


def test_playback_crosses_calls_and_a_reset_empties_the_state():
    carried, _ = played("stateful_batches")  # two batches, no reset between them
    texts = [frame["layout"]["annotations"][0]["text"] for frame in carried["frames"]]
    assert [int(re.match(r"<b>t = (\d+)", text).group(1)) for text in texts] == [1, 2, 3, 4, 5]
    assert "batch 2 · no reset: h carries on from batch 1" in texts[2]
    assert [glowing(frame) for frame in carried["frames"]] == [0, 1, 1, 1, 1]  # h_2 carries into h_3 too

    result = trace("stateful_batches", seed_config("stateful_batches"), reset_between=True)
    reset = draw(result, played=True).to_plotly_json()
    texts = [frame["layout"]["annotations"][0]["text"] for frame in reset["frames"]]
    assert [int(re.match(r"<b>t = (\d+)", text).group(1)) for text in texts] == [1, 2, 1, 2, 3]
    assert "⟲ reset: the state is emptied" in texts[2] and "h<sub>0</sub> = [0, 0, 0, 0]" in texts[2]
    assert [glowing(frame) for frame in reset["frames"]] == [0, 1, 0, 1, 1]  # nothing carries across the reset


def test_an_output_fed_back_glows_into_the_next_call_s_input():
    figure, _ = played("one_to_many_stateful")
    assert [glowing(frame) for frame in figure["frames"]] == [0, 2, 2, 2, 2]  # h_(t-1) and y_(t-1)


def test_the_decoder_of_a_seq2seq_starts_from_the_encoder_s_state():
    figure, _ = played("seq2seq")
    texts = [frame["layout"]["annotations"][0]["text"] for frame in figure["frames"]]
    encoder_steps = seed_config("seq2seq").steps
    assert "h starts from encoder's last state" in texts[encoder_steps]


def test_past_twelve_steps_the_elided_middle_is_not_played():
    figure, still = played("many_to_many", Config(steps=40))
    assert [int(step["label"]) for step in figure["layout"]["sliders"][0]["steps"]] == [t for _, t in columns(still)]
    assert len(figure["frames"]) < 13 and figure["layout"]["sliders"][0]["steps"][-1]["label"] == "40"


def test_played_on_a_projector_every_word_and_control_is_20_px_or_more():
    figure, _ = played("one_to_many_stateful", look=Look(scale=PRESENT_SCALE))
    layout = figure["layout"]
    sizes = [word["size"] for word in drawn_words(figure)]
    sizes += [size for *_, size in box_letters(figure)]
    sizes += [layout["sliders"][0]["font"]["size"], layout["updatemenus"][0]["font"]["size"]]
    assert min(sizes) >= PROJECTOR_TEXT


def test_played_in_the_colorblind_palette_and_on_a_dark_page():
    figure, _ = played("stateful_batches", look=Look(palette="colorblind", background="dark"))
    text = json.dumps(figure).lower()
    assert not [colour for colour in SEED.values() if colour in text]
    (veil,) = [trace for trace in figure["data"] if trace.get("name") == "steps to come"]
    assert veil["fillcolor"] == figure["layout"]["paper_bgcolor"]  # the veil is the page


# ----------------------------------------------------------------------------- the page


def sent_figure(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def share_link(at) -> str:
    (link,) = shown_links(at)
    return link


@pytest.mark.parametrize("written", ["1", "true", "Yes"])
def test_a_link_with_play_opens_the_picture_played(written):
    at = open_app(topology="stateful_batches", play=written)
    assert_clean(at)
    assert at.sidebar.toggle(key="play").value is True
    figure = sent_figure(at)
    assert len(figure["frames"]) == 5 and figure["layout"]["sliders"]
    assert at.query_params["play"] == "true"
    assert "play=true" in share_link(at)


def test_the_toggle_plays_the_picture_and_writes_the_link():
    at = open_app(units="6")
    assert "frames" not in sent_figure(at)
    at.sidebar.toggle(key="play").set_value(True).run()
    assert_clean(at)
    assert len(sent_figure(at)["frames"]) == 5
    assert "play=true" in share_link(at)  # the link to this picture (AppTest keeps no address bar)
    at.sidebar.toggle(key="play").set_value(False).run()
    assert_clean(at)
    assert "frames" not in sent_figure(at) and "play" not in share_link(at)


def test_play_with_presentation_and_the_quiz():
    at = open_app(play="1", present="1", quiz="1")
    assert_clean(at)
    figure = sent_figure(at)
    assert figure["frames"] and any("(?)" in word["text"] for word in drawn_words(figure))


@pytest.mark.parametrize("written", ["maybe", "2", "[on](https://example.com)"])
def test_a_play_value_no_toggle_can_hold_is_refused_in_one_sentence(written):
    at = open_app(play=written, units="6")
    assert_clean(at)
    expected = f"The link's `'play'` was ignored: play is `{written!r}`, but it must be true or false (1 or 0)."
    assert [warning.value for warning in at.warning] == [expected]
    assert at.sidebar.toggle(key="play").value is False
    assert "play" not in at.query_params
