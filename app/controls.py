"""Widgets and URL query parameters <-> (topology id, Config).

Reading functions return plain values; nothing here draws a diagram or touches Keras. The URL
always mirrors the widgets, so the address bar is a shareable link to exactly this picture.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from app.literal import literal, markdown_of
from topologies.catalogue import CATALOGUE
from topologies.config import CHOICES, FIELDS, LIMITS, Config, ConfigError, parse_config
from topologies.refusal import quoted

DEFAULT_TOPOLOGY = "many_to_one"
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
    "any_length": "Build with steps=None: one model accepts any sequence length.",
    "merge_mode": "How the two directions' h_t become y_t: side by side (concat, 2 x units) or number by number.",
}


def config_from_query(query: dict[str, str]) -> tuple[str, Config, list[str]]:
    """The topology and Config a link asks for, and one warning per parameter that was refused.

    Each parameter is checked on its own, so one bad value costs only itself its default. The
    warnings are markdown in which everything the link brought is a code span (app.literal):
    whoever wrote the link cannot make the page show a link, an image or styled text.
    """
    warnings = []
    topology_id = query.get("topology", DEFAULT_TOPOLOGY)
    if topology_id not in CATALOGUE:
        warnings.append(
            f"The link's {literal(quoted('topology'))} was ignored: it is {literal(quoted(topology_id))}, "
            f"not one of the {len(CATALOGUE)} topologies; showing {DEFAULT_TOPOLOGY}."
        )
        topology_id = DEFAULT_TOPOLOGY
    config = CATALOGUE[topology_id].default_config()  # every topology opens on a picture
    for name, raw in query.items():
        if name == "topology":
            continue
        cli_name = name.replace("-", "_")
        try:
            config = parse_config({cli_name: raw}, base=config)
        except ConfigError as error:
            # The refusal names the field and quotes the value; the link's own name for it leads.
            warnings.append(f"The link's {literal(quoted(name))} was ignored: {markdown_of(error)}")
    return topology_id, config, warnings


def query_from_config(topology_id: str, config: Config) -> dict[str, str]:
    """Only what differs from the defaults, so links stay short."""
    defaults = Config()
    query = {"topology": topology_id}
    for field in dataclasses.fields(Config):
        value = getattr(config, field.name)
        if value != getattr(defaults, field.name) or field.name in SIZES or field.name == "cell":
            query[field.name] = str(value).lower() if isinstance(value, bool) else str(value)
    return query


def sidebar(initial_topology: str, initial: Config) -> tuple[str, dict[str, object]]:
    """Draw the sidebar; return the chosen topology id and the raw widget values.

    The values are returned unchecked: making the Config is where they are checked, so a
    refused combination reaches the page as one ConfigError message. A widget starts from
    `initial` unless its value is already in st.session_state (set by the user, a fix button or
    the adaptation to a new topology), which Streamlit then uses.
    """
    st.sidebar.header("Model")
    ids = list(CATALOGUE)
    topology_id = st.sidebar.selectbox(
        "Topology",
        ids,
        format_func=lambda topology: f"{topology} · {CATALOGUE[topology].summary}",
        key="topology",
        on_change=adapt_to_topology,
        **_starting("topology", ids.index(initial_topology), as_index=True),
    )
    values: dict[str, object] = {"cell": _choice("cell", "Cell", initial)}
    st.sidebar.header("Sizes")
    for name in SIZES:
        values[name] = _size_input(name, initial)
    extras = CATALOGUE[topology_id].extras
    if extras:
        st.sidebar.header("This topology")
    for name in extras:
        if name == "any_length":
            values[name] = st.sidebar.checkbox(
                "Any length (steps=None)", help=HELP[name], key=name, **_starting(name, initial.any_length)
            )
        elif name in CHOICES:
            values[name] = _choice(name, name, initial)
        else:
            values[name] = _size_input(name, initial)
    return topology_id, values


def _starting(key: str, value: object, as_index: bool = False) -> dict[str, object]:
    """The widget's starting value, unless st.session_state already holds one for its key."""
    if key in st.session_state:
        return {}
    return {"index": value} if as_index else {"value": value}


def _choice(name: str, label: str, initial: Config) -> str:
    choices = CHOICES[name]
    index = choices.index(getattr(initial, name))
    return st.sidebar.selectbox(label, choices, help=HELP.get(name), key=name, **_starting(name, index, as_index=True))


def _size_input(name: str, initial: Config) -> int:
    low, high = LIMITS[name]
    value = min(max(getattr(initial, name), low), high)
    return int(
        st.sidebar.number_input(
            name,
            min_value=low,
            max_value=high,
            step=1,
            help=f"{HELP[name]} {low} to {high}.",
            key=name,
            **_starting(name, value),
        )
    )


def adapt_to_topology() -> None:
    """When the topology changes: keep every value that fits it, change what must, and say so.

    Runs as the topology box's on_change, before the page runs again, so the widgets show the
    adapted values. Each refusal that names its own fix ("units must equal features") is applied
    in turn; what was changed, and why, is left in st.session_state.adapted for the page to say.
    """
    topology = CATALOGUE[st.session_state.topology]
    values = {name: st.session_state[name] for name in FIELDS if name in st.session_state}
    values = {**dataclasses.asdict(topology.default_config()), **values}
    changes: dict[str, object] = {}
    reasons: list[str] = []
    for _ in range(len(FIELDS)):  # each fix settles one field; none undoes another
        try:
            topology.check(parse_config({**values, **changes}))
            break
        except ConfigError as error:
            if not error.fix or set(error.fix) <= set(changes):
                break
            changes.update(error.fix)
            reasons.append(markdown_of(error))
    st.session_state.update(changes)
    if changes:
        changed = ", ".join(f"{name} set to {value}" for name, value in changes.items())
        st.session_state.adapted = f"For {topology.id}, {changed}: {' '.join(reasons)}"


def fix_button(error: ConfigError) -> None:
    """The refusal's own fix, one click away: "Set units to 2"."""
    if error.fix:
        label = " and ".join(f"{name} to {value}" for name, value in error.fix.items())
        st.button(f"Set {label}", on_click=st.session_state.update, args=(error.fix,), type="primary", key="fix")
