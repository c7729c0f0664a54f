"""The sidebar's widgets, bound to the URL: the address bar is always a link to what the screen shows.

Every widget is bound to its query parameter (Streamlit's `bind="query-params"`): changing a
widget writes the URL, a link fills the widgets, Back and Forward move between configurations
(app/ui/history.py gives each picture its entry), and a value equal to its default leaves the URL,
so links stay short. The defaults are the topology's own (one_to_many_stateful opens with
units = features = 2), and a parameter a link leaves out means exactly that default, whether the
link is opened, or reached with Back. `persist_state="session"` keeps the settings when the user
visits another page and comes back.

What a link asks for, which values a field accepts and what a topology switch must change are
worked out in app.ui.links, without Streamlit; here they are read from and written to the
widgets' state. Nothing here draws a diagram or touches Keras.
"""

from __future__ import annotations

import streamlit as st

from app.draw.palette import PALETTES
from app.ui.compare import OFF, choices, right_value
from app.ui.links import DEFAULT_TOPOLOGY, allowed_range, config_from_query, defaults_of, settle
from app.ui.literal import markdown_of
from app.ui.teaching import CHECKED_ON_THE_PICTURE, Teaching, teaching_from_query, written
from app.ui.teaching import HELP as TEACHING_HELP
from app.ui.teaching import PARAMETERS as TEACHING_PARAMETERS
from topologies.catalogue import CATALOGUE
from topologies.config import CHOICES, FIELDS, Config, ConfigError
from topologies.refusal import Refusal

SIZES = ("batch", "steps", "features", "units")
HELP = {
    "batch": "Sequences processed side by side (the seed's oil tanks).",
    "steps": "Time steps per sequence: the columns of the picture.",
    "features": "Numbers measured at each step: the height of a red x box.",
    "units": "Size of the state h_t (and c_t for LSTM): the height of a green box.",
    "depth": "How many recurrent layers (per half, for the autoencoder).",
    "vocab": "Distinct tokens the text model knows.",
    "dense": "Outputs of the Dense layer applied at every step.",
    "chunks": "Consecutive batches each sequence is split into.",
    "horizon": "Future steps to generate one at a time.",
    "target_steps": "Steps of the sequence the decoder writes, however many steps the encoder reads.",
    "any_length": "Build with steps=None: one model accepts any sequence length.",
    "merge_mode": "How the two directions' h_t become y_t: side by side (concat, 2 x units) or number by number.",
}


def open_link(query: dict[str, str]) -> None:
    """The first run of a browser session: put what the link asks for into the widgets' state,
    and its warnings into st.session_state.link_warnings.

    Bound widgets read their parameters from the URL themselves; setting them here as well settles
    what the URL alone cannot say ("lstm" meaning LSTM). A parameter
    that was dropped leaves the address bar, and the page runs again from the cleaned link before
    any widget reads it: Streamlit's own reading of a bound number breaks on one too large for a
    float (it raises OverflowError), and the link left is then the one the screen shows.
    """
    topology_id, values, warnings = config_from_query(query)
    teaching, teaching_warnings = teaching_from_query(query)
    # A bound toggle reads only true or false from the URL: a link's "1" is written as "true", and
    # read from there by the run below, or Streamlit would drop it from the address bar.
    rewritten = [name for name, value in teaching.items() if query[name] != written(value)]
    for name in rewritten:
        st.query_params[name] = written(teaching[name])
    # Which rows and cells a picture has is known once it is traced: the quiz (app.ui.quiz_box) and
    # the cell (app.ui.inside_cell_view) check the link's value then; it stays in the address bar meanwhile.
    from_link = {name: teaching.pop(name, None) for name in CHECKED_ON_THE_PICTURE}
    st.session_state.update({f"{name}_from_link": value for name, value in from_link.items()})
    kept = {*values, *teaching, *(name for name, value in from_link.items() if value)}
    values.update(teaching)
    warnings += teaching_warnings
    st.session_state.link_warnings = warnings
    st.session_state.topology = topology_id
    st.session_state.update(values)
    dropped = [
        name
        for name in query
        if (name not in kept and name != "topology") or (name == "topology" and query[name] != topology_id)
    ]
    for name in dropped:
        del st.query_params[name]
    if rewritten or any(name in FIELDS or name in TEACHING_PARAMETERS or name == "topology" for name in dropped):
        st.rerun()


def sidebar() -> tuple[str, dict[str, object]]:
    """Draw the sidebar; return the chosen topology id and the raw widget values.

    The values are returned unchecked: making the Config is where they are checked, so a
    refused combination reaches the page as one ConfigError message, with its fix.
    """
    st.sidebar.header("Model")
    ids = list(CATALOGUE)
    # The ids themselves are the options: a bound box writes what it shows into the URL.
    topology_id = st.sidebar.selectbox(
        "Topology", ids, index=ids.index(DEFAULT_TOPOLOGY), on_change=adapt_to_topology, **bound("topology")
    )
    topology = CATALOGUE[topology_id]
    st.sidebar.caption(topology.summary)
    defaults = defaults_of(topology_id)
    values: dict[str, object] = {"cell": _choice("cell", "Cell", defaults)}
    st.sidebar.header("Sizes")
    for name in SIZES:
        values[name] = _size_input(name, topology, defaults)
    if topology.extras:
        st.sidebar.header("This topology")
    for name in topology.extras:
        if name == "any_length":
            values[name] = st.sidebar.checkbox("Any length (steps=None)", value=False, help=HELP[name], **bound(name))
        elif name in CHOICES:
            values[name] = _choice(name, name, defaults)
        else:
            values[name] = _size_input(name, topology, defaults)
    return topology_id, values


def teaching_sidebar() -> Teaching:
    """Draw the sidebar's Teach section; return how the page should show the picture."""
    st.sidebar.header("Teach")
    present = st.sidebar.toggle("Presentation mode", value=False, help=TEACHING_HELP["present"], **bound("present"))
    # The palettes' own names are the options: a bound box writes what it shows into the URL.
    palette = st.sidebar.selectbox("Colours", list(PALETTES), help=TEACHING_HELP["palette"], **bound("palette"))
    quiz = st.sidebar.toggle("Predict the shape", value=False, help=TEACHING_HELP["quiz"], **bound("quiz"))
    play = st.sidebar.toggle("Play through time", value=False, help=TEACHING_HELP["play"], **bound("play"))
    compare, compare_with = compare_boxes()
    return Teaching(present=present, palette=palette, quiz=quiz, play=play, compare=compare, compare_with=compare_with)


def compare_boxes() -> tuple[str, str]:
    """The "Compare with…" boxes: a setting this topology can change, and its value on the right ("", "" for none).

    The boxes' options depend on the topology and its values, so a value they cannot hold (a
    link's, or one the sidebar just made stale) is refused in one sentence among the link's
    warnings, and the box falls back before it is drawn: a bound box would drop it silently."""
    topology_id = st.session_state.get("topology", DEFAULT_TOPOLOGY)
    values = {**defaults_of(topology_id).to_dict(), **widget_values()}
    offered = choices(topology_id, values)
    setting, value = st.session_state.get("compare", OFF), st.session_state.get("compare_with", "")
    try:
        value = right_value(topology_id, values, setting, value) if setting != OFF else ""
    except Refusal as error:
        st.session_state.link_warnings = [*st.session_state.get("link_warnings", []), markdown_of(error)]
        setting, value = (setting, offered[setting][0]) if setting in offered else (OFF, "")
    st.session_state.compare, st.session_state.compare_with = setting, value
    # The options are the names themselves: a bound box writes what it shows into the URL.
    setting = st.sidebar.selectbox(
        "Compare with…",
        [OFF, *offered],
        help=TEACHING_HELP["compare"],
        on_change=st.session_state.pop,
        args=("compare_with", None),  # a new setting starts from its first value
        **bound("compare"),
    )
    if setting == OFF:
        return "", ""
    value = st.sidebar.selectbox(f"{setting} on the right", offered[setting], **bound("compare_with"))
    return setting, "" if value == offered[setting][0] else value  # the first, as the link leaves it out


def widget_values() -> dict[str, object]:
    """The Config fields the widgets hold now; a field no widget has held this session is left out."""
    return {name: st.session_state[name] for name in FIELDS if name in st.session_state}


def bound(key: str) -> dict[str, object]:
    """A widget tied to its URL parameter and kept for the whole browser session."""
    return {"key": key, "bind": "query-params", "persist_state": "session"}


def _choice(name: str, label: str, defaults: Config) -> str:
    choices = CHOICES[name]
    index = choices.index(getattr(defaults, name))
    return st.sidebar.selectbox(label, choices, index=index, help=HELP.get(name), **bound(name))


def _size_input(name: str, topology, defaults: Config) -> int:
    """A whole number with no bounds of its own: a value out of range reaches the page, which
    says what is allowed and offers the fix. The help gives the range that applies now."""
    low, high = allowed_range(topology, name, widget_values())
    return st.sidebar.number_input(
        name, value=getattr(defaults, name), step=1, help=f"{HELP[name]} Here: {low} to {high}.", **bound(name)
    )


def adapt_to_topology() -> None:
    """When the topology changes: keep every value that fits it, change what must, and say so.

    Runs as the topology box's on_change, before the page runs again, so the widgets show the
    adapted values. Each refusal that names its own fix ("units must equal features") is applied
    in turn; what was changed, and why, is left in st.session_state.adapted for the page to say.
    """
    topology = CATALOGUE[st.session_state.topology]
    changes, reasons = settle(topology, widget_values())
    st.session_state.update(changes)
    if changes:
        changed = ", ".join(f"{name} set to {value}" for name, value in changes.items())
        st.session_state.adapted = f"For {topology.id}, {changed}: {' '.join(reasons)}"


def fix_button(error: ConfigError) -> None:
    """The refusal's own fix, one click away: "Set units to 2"."""
    if error.fix:
        label = " and ".join(f"{name} to {value}" for name, value in error.fix.items())
        st.button(f"Set {label}", on_click=st.session_state.update, args=(error.fix,), type="primary", key="fix")
