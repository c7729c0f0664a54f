"""Fuzzing the gates every value passes through: Config, parse_config, config_from_query and each
topology's check with its cost limit. Whatever arrives (a huge int, a float, text, None, a list),
the answer is a Config within the documented limits or one ConfigError naming the field: never
another exception.

Nothing here builds a model: the cost-limit test replaces every topology's `build` with one
that fails, to show that a run too big is refused before Keras is touched.
The limits are the documented ones, written out here rather than read from the code.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app.ui.links import config_from_query, query_from_config
from app.ui.teaching import PARAMETERS as TEACHING_PARAMETERS
from tests.helpers import DOCUMENTED_CELLS
from tests.syllabus import DOCUMENTED_CHOICES, DOCUMENTED_LIMITS, DOCUMENTED_TEACHING
from topologies import CATALOGUE, Config, ConfigError, parse_config, trace

# --------------------------------------------------------------------------- the documentation

DOCUMENTED_FIELDS = (*DOCUMENTED_LIMITS, *DOCUMENTED_CHOICES, "any_length")
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
DEFAULT_TOPOLOGY = "many_to_one"

# Python refuses to print an int of more than this many digits (sys.get_int_max_str_digits);
# values that long are fuzzed in test_an_int_too_long_to_print_is_still_a_config_error.
PRINTABLE_DIGITS = 4300

# database=None: a run leaves no .hypothesis directory behind in the checkout.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def is_whole_number_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def allowed(field: str, value: object) -> bool:
    """The documented rule for one field, all other fields at their defaults."""
    if field in DOCUMENTED_LIMITS:
        return is_whole_number_in(value, *DOCUMENTED_LIMITS[field])
    if field in DOCUMENTED_CHOICES:
        return isinstance(value, str) and value in DOCUMENTED_CHOICES[field]
    if field == "any_length":
        return isinstance(value, bool)
    raise AssertionError(f"no documented rule for {field}")


def text_parses(field: str, raw: str) -> bool:
    """Would this text be accepted for this field, alone, from the defaults?"""
    text = raw.strip()
    if field in DOCUMENTED_CHOICES:
        return text.lower() in (choice.lower() for choice in DOCUMENTED_CHOICES[field])
    if field == "any_length":
        return text.lower() in TRUE_WORDS + FALSE_WORDS
    try:
        number = int(text)
    except ValueError:
        return False
    return is_whole_number_in(number, *DOCUMENTED_LIMITS[field])


def parsed_value(field: str, raw: str) -> object:
    text = raw.strip()
    if field in DOCUMENTED_CHOICES:
        return next(choice for choice in DOCUMENTED_CHOICES[field] if choice.lower() == text.lower())
    if field == "any_length":
        return text.lower() in TRUE_WORDS
    return int(text)


def cut(shown: str) -> str:
    """Documented: a value longer than 60 characters is shown as its first 60, then its length."""
    return shown if len(shown) <= 60 else f"{shown[:60]}… ({len(shown):,} characters)"


def shown_as_code(text: str) -> str:
    """Documented: a name from a link is shown as code, cut, with invisible characters escaped."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in cut(repr(text)))


def names(message: str, name: str) -> bool:
    """A message names a field or key as it is, or quoted as Python shows it (cut when long)."""
    return name in message or cut(repr(name)) in message


def assert_one_line_naming(error: ConfigError, field: str) -> str:
    message = str(error)
    assert type(error) is ConfigError
    assert names(message, field), f"{field!r} not named in: {message}"
    assert "\n" not in message, message
    assert message.endswith("."), message
    return message


# --------------------------------------------------------------------------- strategies

# any int Python can print; hypothesis leans towards the ends of the range as well as small values
printable_ints = st.integers(min_value=-(10**PRINTABLE_DIGITS - 1), max_value=10**PRINTABLE_DIGITS - 1)
any_value = st.one_of(
    st.integers(min_value=-10, max_value=5010),  # around every limit
    printable_ints,  # hypothesis's own choice of big and small
    st.sampled_from([2**63, -(2**63), 10**100, -(10**100), 10**PRINTABLE_DIGITS - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.0, 10.0, 0.5, -0.0]),
    st.text(max_size=20),
    st.sampled_from(
        DOCUMENTED_CELLS + DOCUMENTED_CHOICES["merge_mode"] + ("lstm", "gru", "LSTM ", "Sum", "", "10", "true")
    ),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=3), st.none()), max_size=4),
    st.tuples(st.integers(1, 3)),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)
interesting_text = st.sampled_from(
    [
        "0", "1", "2", "4", "1024", "1025", "-1", "+7", " 7 ", "\t12\n", "1_0", "0x10", "1e3", "2.0",
        "½", "١٢", "３", "", " ", "LSTM", "lstm", "gRu", "simplernn", "Simple RNN", "true", "No", "YES",
        "maybe", "None", "null", "1" * 5000, "9" * 4300, "-" + "9" * 40,
    ]
)  # fmt: skip
any_text = st.one_of(st.text(max_size=30), interesting_text)
known_key = st.sampled_from(DOCUMENTED_FIELDS)
any_key = st.one_of(known_key, st.text(max_size=15), st.sampled_from(["unit", "Batch", "any-length", "", " batch"]))


# --------------------------------------------------------------------------- Config


def test_the_documented_fields_and_limits_are_the_ones_fuzzed():
    assert {field.name for field in dataclasses.fields(Config)} == set(DOCUMENTED_FIELDS)


@FUZZ
@given(field=st.sampled_from(DOCUMENTED_FIELDS), value=any_value)
@example(field="batch", value=0)
@example(field="batch", value=True)
@example(field="vocab", value=1)
@example(field="units", value=512)
@example(field="cell", value=["LSTM"])
@example(field="any_length", value=1)
@example(field="steps", value=float("nan"))
def test_config_accepts_exactly_the_documented_values(field, value):
    try:
        config = Config(**{field: value})
    except ConfigError as error:
        message = assert_one_line_naming(error, field)
        assert not allowed(field, value), f"{field}={value!r} is documented as allowed: {message}"
        shown = cut(str(value) if type(value) is int else repr(value))
        assert shown in message, f"the value {shown} is not named in: {message}"
        return
    assert allowed(field, value), f"{field}={value!r} was accepted"
    assert getattr(config, field) == value


@FUZZ
@given(values=st.dictionaries(st.sampled_from(DOCUMENTED_FIELDS), any_value, min_size=2, max_size=6))
def test_config_with_several_fuzzed_fields_is_in_limits_or_names_one_of_them(values):
    try:
        config = Config(**values)
    except ConfigError as error:
        message = str(error)
        assert any(names(message, field) for field in values), message
        return
    for field, value in values.items():
        assert allowed(field, value), f"{field}={value!r} was accepted"
        assert getattr(config, field) == value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("batch", 10**PRINTABLE_DIGITS),  # one digit more than Python prints
        ("steps", -(10**5000)),
        ("cell", 10**PRINTABLE_DIGITS),
        ("any_length", [10**PRINTABLE_DIGITS]),
    ],
    ids=["batch=10**4300", "steps=-10**5000", "cell=10**4300", "any_length=[10**4300]"],
)
def test_an_int_too_long_to_print_is_still_a_config_error(field, value):
    """Config quotes the refused value in its message; for an int of more than 4300 digits
    Python itself refuses to print it ("Exceeds the limit (4300 digits) for integer string
    conversion"), which must not turn the ConfigError naming the field into a plain ValueError."""
    with pytest.raises(ConfigError, match=field):
        Config(**{field: value})


# --------------------------------------------------------------------------- parse_config


@FUZZ
@given(key=any_key, raw=any_text)
@example(key="batch", raw="1" * 5000)
@example(key="units", raw="9" * 4300)
@example(key="unit", raw="8")
@example(key="any-length", raw="true")
def test_parse_config_of_one_text_value_names_the_key_or_succeeds(key, raw):
    try:
        config = parse_config({key: raw})
    except ConfigError as error:
        message = assert_one_line_naming(error, key)
        if key not in DOCUMENTED_FIELDS:
            assert cut(repr(key)) in message, message  # an unknown name is quoted as it was given
        else:
            assert not text_parses(key, raw), f"{key}={raw!r} refused: {message}"
        return
    assert key in DOCUMENTED_FIELDS, f"the unknown key {key!r} was accepted"
    assert text_parses(key, raw), f"{key}={raw!r} was accepted"
    assert getattr(config, key) == parsed_value(key, raw)
    assert allowed(key, getattr(config, key))


@FUZZ
@given(values=st.dictionaries(any_key, any_text, min_size=1, max_size=6))
def test_parse_config_of_many_text_values_names_a_key_or_is_in_limits(values):
    try:
        config = parse_config(values)
    except ConfigError as error:
        message = str(error)
        assert any(names(message, key) for key in values), message
        return
    for key, raw in values.items():
        assert key in DOCUMENTED_FIELDS and text_parses(key, raw), f"{key}={raw!r} was accepted"
        assert getattr(config, key) == parsed_value(key, raw)


# --------------------------------------------------------------------------- config_from_query

query_key = st.one_of(
    known_key,
    st.sampled_from(["topology", "any-length", "unit", "Batch", "", *DOCUMENTED_TEACHING]),
    st.text(max_size=12),
)
query_value = st.one_of(any_text, st.sampled_from([*CATALOGUE, "nope", "Many_To_One", " many_to_one"]))


def held_by_a_widget(field: str, raw: str) -> bool:
    """Documented: a link's value goes into its widget when the widget can hold it: a whole number
    a browser can hold (whatever the field's range, which the page then checks with the other
    values), one of the names a box offers (any capitals), or true/false."""
    text = raw.strip()
    if field in DOCUMENTED_CHOICES or field == "any_length":
        return text_parses(field, raw)
    try:
        return abs(int(text)) <= 2**53 - 1
    except ValueError:
        return False


# Every field within its documented range (together they may cost more than a topology allows).
documented_sizes = st.fixed_dictionaries(
    {field: st.integers(low, high) for field, (low, high) in DOCUMENTED_LIMITS.items()}
    | {field: st.sampled_from(choices) for field, choices in DOCUMENTED_CHOICES.items()}
    | {"any_length": st.booleans()}
)


def test_the_page_reads_exactly_the_documented_teaching_parameters():
    """The fuzzing below trusts the documented list: a teaching parameter the page reads and the
    documentation leaves out (or one documented and no longer read) fails here."""
    assert sorted(TEACHING_PARAMETERS) == sorted(DOCUMENTED_TEACHING)


@FUZZ
@given(query=st.dictionaries(query_key, query_value, max_size=8))
@example(query={"topology": "one_to_many_stateful", "units": "4", "features": "2"})
@example(query={"batch": "1024", "steps": "1000", "units": "512"})
@example(query={"any-length": "yes", "any_length": "maybe"})
@example(query={"topology": "'\n"})
@example(query={"batch": "9" * 20})
def test_config_from_query_never_raises_and_warns_by_name(query):
    topology_id, values, warnings = config_from_query(query)

    assert topology_id in CATALOGUE
    # One warning per dropped parameter, each naming it as code: "The link's `'<name>'` was ignored: ...".
    warned = []
    for warning in warnings:
        assert warning.startswith("The link's `"), f"warning does not name its parameter: {warning!r}"
        # The parameter's name is the warning's first code span, as a CommonMark parser reads it.
        tokens = MarkdownIt("commonmark").parseInline(warning)[0].children
        named = next(token.content for token in tokens if token.type == "code_inline")
        candidates = [key for key in query if shown_as_code(key) == named]
        assert candidates, f"warning names no parameter of the link: {warning!r}"
        warned.append(candidates[0])
    assert len(warned) == len(set(warned)), warnings

    requested = query.get("topology", DEFAULT_TOPOLOGY)
    if requested in CATALOGUE:
        assert topology_id == requested
        assert "topology" not in warned
    else:
        assert topology_id == DEFAULT_TOPOLOGY
        assert "topology" in warned

    held = {}
    for key, raw in query.items():
        if key == "topology":
            continue
        if key in DOCUMENTED_TEACHING:  # how to show the picture: read apart, never warned about here
            assert key not in warned, (key, raw, warnings)
            continue
        if key not in DOCUMENTED_FIELDS or not held_by_a_widget(key, raw):
            assert key in warned, f"the bad parameter {key}={raw!r} was not warned about: {warnings}"
        else:
            assert key not in warned, (key, raw, warnings)
            held[key] = parsed_value(key, raw) if text_parses(key, raw) else int(raw.strip())
    # What the link gave is kept as it gave it, and nothing else: what it leaves out is the
    # topology's default, never adapted to the rest (so a refused link reads back refused).
    assert values == held


@FUZZ
@given(topology_id=st.sampled_from(list(CATALOGUE)), sizes=documented_sizes)
@example(topology_id="one_to_many_stateful", sizes={"features": 2, "units": 4})  # refused, units = Config's default
@example(topology_id="one_to_many_stateful", sizes={"features": 3, "units": 2})  # refused, units = its own default
def test_a_link_written_for_a_config_reads_back_as_that_config_without_a_warning(topology_id, sizes):
    """Refused by the topology or not: the link shows what the screen showed, refusal included.
    (one_to_many_stateful with features 2 and units 4 is refused; its link must say units=4.)"""
    config = Config(**sizes)
    topology_read, values, warnings = config_from_query(query_from_config(topology_id, config))
    assert (topology_read, warnings) == (topology_id, [])
    # The widgets start from the topology's defaults; the link's values go over them.
    assert dataclasses.replace(CATALOGUE[topology_id].default_config(), **values) == config


# --------------------------------------------------------------------------- topology checks


@FUZZ
@given(topology_id=st.sampled_from(list(CATALOGUE)), sizes=documented_sizes)
def test_topology_check_refuses_with_a_config_error_only(topology_id, sizes):
    try:
        CATALOGUE[topology_id].check(Config(**sizes))
    except ConfigError as error:
        message = str(error)
        assert any(names(message, field) for field in DOCUMENTED_FIELDS), message
        assert "\n" not in message


# --------------------------------------------------------------------------- the cost limit

# Topologies whose one input is the whole (batch, steps, features) sequence of dummy numbers.
READ_A_WHOLE_SEQUENCE = ("many_to_many", "many_to_one", "stacked", "bidirectional", "return_state")


class BuildCalled(AssertionError):
    pass


def forbid_builds(monkeypatch: pytest.MonkeyPatch, calls: list) -> None:
    """Every topology's build (and any helper that builds a twin) now fails loudly."""
    for topology_id, topology in CATALOGUE.items():

        def build(*args, _topology_id=topology_id, **kwargs):
            calls.append(_topology_id)
            raise BuildCalled(f"{_topology_id}.build was called")

        monkeypatch.setattr(topology.module, "build", build)


@FUZZ
@given(
    topology_id=st.sampled_from(list(CATALOGUE)),
    batch=st.integers(1, 1024),
    steps=st.integers(1, 1000),
    features=st.integers(1, 256),
    units=st.integers(1, 512),
)
@example(topology_id="many_to_one", batch=1024, steps=1000, features=256, units=512)  # every limit
@example(topology_id="stacked", batch=1024, steps=1000, features=245, units=1)  # input just over a gigabyte
def test_a_run_over_the_cost_limit_is_refused_before_any_model_is_built(topology_id, batch, steps, features, units):
    sizes = dict(batch=batch, steps=steps, features=features, units=units)
    # The rule: an input of more than a gigabyte of float32 (4 bytes a number) is over any limit.
    input_over_a_gigabyte = topology_id in READ_A_WHOLE_SEQUENCE and batch * steps * features * 4 > 1e9
    calls: list = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        forbid_builds(monkeypatch, calls)
        try:
            CATALOGUE[topology_id].check(Config(**sizes))
        except ConfigError as refused:
            # trace() refuses it the same way, the sizes given as text too (the CLI, a link)
            with pytest.raises(ConfigError) as traced:
                trace(topology_id, parse_config({name: str(value) for name, value in sizes.items()}))
            assert str(traced.value) == str(refused)
            # something that is not a Config never reaches build either
            with pytest.raises(ConfigError, match="config"):
                trace(topology_id, sizes)
        else:
            assert not input_over_a_gigabyte, f"{topology_id} accepted an input over a gigabyte: {sizes}"
    assert calls == [], f"a model was built for a refused config: {calls}"


def test_a_link_over_the_cost_limit_keeps_every_value_and_is_refused_as_a_whole():
    query = {"batch": "1024", "steps": "1000", "features": "256", "units": "512"}
    topology_id, values, warnings = config_from_query(query)
    assert (topology_id, warnings) == (DEFAULT_TOPOLOGY, [])
    assert values == {"batch": 1024, "steps": 1000, "features": 256, "units": 512}
    with pytest.raises(ConfigError, match="limit"):
        CATALOGUE[topology_id].check(Config(**values))
