"""What a link asks for, and what a set of values makes, worked out without Streamlit.

    config_from_query({"topology": "stacked", "units": "8", "unit": "3"})
    # ("stacked", {"units": 8}, ["The link's `'unit'` was ignored: `'unit'` is not a setting; ..."])
    checked_config("many_to_one", {"batch": 0})     # ConfigError: batch is 0, but it must be ... 1 to 1024.
    settle(CATALOGUE["one_to_many_stateful"], {"units": 4, "features": 2})   # ({"units": 2}, [why])

A link is checked as a whole, not parameter by parameter: a value the widgets can hold (any
whole number, a known name) goes into them even where the combination is refused, so the page
shows the refusal and its fix for exactly what the link says. Only text no widget can hold (a
word where a number goes, a setting that does not exist) is dropped, with one warning each.
What a link leaves out is the topology's own default (defaults_of), so a link always reads back
as the configuration it was written for, a refused one included.

app.ui.controls draws the widgets and keeps their values in the session; everything here takes
values and gives values, so it is tested without a page (tests/test_links.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from app.ui.literal import literal, markdown_of
from app.ui.teaching import PARAMETERS as TEACHING_PARAMETERS
from topologies.catalogue import CATALOGUE
from topologies.config import CHOICES, FIELDS, LIMITS, Config, ConfigError, parse_config, parse_field
from topologies.contract import Topology
from topologies.refusal import quoted

DEFAULT_TOPOLOGY = "many_to_one"
LARGEST_WHOLE_NUMBER = 2**53 - 1  # a browser's number box holds whole numbers up to this


def config_from_query(query: dict[str, str]) -> tuple[str, dict[str, object], list[str]]:
    """The topology a link asks for, the values it sets, and one warning per parameter dropped.

    The values are every parameter a widget can hold, unchecked against the others; what the
    link leaves out is the topology's default (defaults_of). The warnings are
    markdown in which everything the link brought is a code span (app.ui.literal): whoever wrote
    the link cannot make the page show a link, an image or styled text.
    """
    warnings = []
    topology_id = query.get("topology", DEFAULT_TOPOLOGY)
    if topology_id not in CATALOGUE:
        warnings.append(
            f"The link's {literal(quoted('topology'))} was ignored: it is {literal(quoted(topology_id))}, "
            f"not one of the {len(CATALOGUE)} topologies; showing {DEFAULT_TOPOLOGY}."
        )
        topology_id = DEFAULT_TOPOLOGY
    values: dict[str, object] = {}
    for name, raw in query.items():
        if name == "topology" or name in TEACHING_PARAMETERS:  # how to show it, not what: app.ui.teaching
            continue
        try:
            values[name] = holdable(name, raw)
        except ConfigError as error:
            # The refusal names the field and quotes the value; the link's own name for it leads.
            warnings.append(f"The link's {literal(quoted(name))} was ignored: {markdown_of(error)}")
    return topology_id, values, warnings


def holdable(name: str, raw: str) -> object:
    """The value of a link's parameter as a widget can hold it, or a ConfigError saying why not."""
    if name not in FIELDS:
        raise ConfigError(quoted(name), f" is not a setting; the settings are {', '.join(FIELDS)}.")
    value = parse_field(name, raw)
    if name in LIMITS and abs(value) > LARGEST_WHOLE_NUMBER:
        low, high = LIMITS[name]
        raise ConfigError(f"{name} is ", quoted(raw), f", but it must be a whole number from {low} to {high}.")
    if name in CHOICES or name == "any_length":
        Config(**{name: value})  # a name no box offers cannot be held: refused here
    return value


def query_from_config(topology_id: str, config: Config) -> dict[str, str]:
    """The link to a configuration, as the bound widgets write it: what differs from the
    topology's defaults."""
    query = {} if topology_id == DEFAULT_TOPOLOGY else {"topology": topology_id}
    defaults = defaults_of(topology_id)
    for field in dataclasses.fields(Config):
        value = getattr(config, field.name)
        if value != getattr(defaults, field.name):
            query[field.name] = str(value).lower() if isinstance(value, bool) else str(value)
    return query


def defaults_of(topology_id: str) -> Config:
    """What the widgets show when nothing else says, and what a link leaves out: the topology's
    own defaults (Config's, bent where the topology needs it to open on a picture)."""
    return CATALOGUE[topology_id].default_config()


def checked_config(topology_id: str, values: Mapping[str, object]) -> Config:
    """The Config `values` make (Config's defaults where they say nothing), checked by the
    topology; a ConfigError naming the field, the value and what is allowed, with its fix, if not."""
    config = parse_config(values)
    CATALOGUE[topology_id].check(config)
    return config


def settle(topology: Topology, values: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """The changes that make `values` (over the topology's defaults) build for `topology`, and why.

    Each refusal that names its own fix ("units must equal features") is applied in turn; fixes
    settle one field each, and none undoes another."""
    changes: dict[str, object] = {}
    reasons: list[str] = []
    for _ in range(len(FIELDS)):
        try:
            topology.check(parse_config({**dataclasses.asdict(topology.default_config()), **values, **changes}))
            break
        except ConfigError as error:
            usable = {name: value for name, value in error.fix.items() if name not in changes}
            if not usable:
                break
            changes.update(usable)
            reasons.append(markdown_of(error))
    return changes, reasons


def allowed_range(topology: Topology, name: str, values: Mapping[str, object]) -> tuple[int, int]:
    """The values of whole-number field `name` this topology accepts with the other fields at
    `values` (the topology's defaults where `values` says nothing): the sidebar's help for it.

        allowed_range(CATALOGUE["stateful_batches"], "chunks", {"steps": 3})   # (1, 3): at most one per step

    Every limit is an interval: a size cap, a budget that grows with the size, units equal to
    features, chunks up to steps. So from one accepted value, the ends are found by halving.
    """
    low, high = LIMITS[name]
    defaults = topology.default_config()
    current = {field: values.get(field, getattr(defaults, field)) for field in FIELDS}

    def accepted(value: int) -> bool:
        try:
            topology.check(Config(**{**current, name: value}))
        except (ConfigError, TypeError):
            return False
        return True

    inside = next((value for value in (current[name], low, high) if isinstance(value, int) and accepted(value)), None)
    if inside is None:
        return low, high  # nothing fits with the others as they are: the field's own range
    return _edge(accepted, inside, low), _edge(accepted, inside, high)


def _edge(accepted, inside: int, bound: int) -> int:
    """The accepted value furthest from `inside` towards `bound`, for an interval of accepted values."""
    good, bad = inside, bound
    if accepted(bound):
        return bound
    while abs(bad - good) > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if accepted(middle) else (good, middle)
    return good
