"""The sizes a user chooses, their limits, and the one error every bad value becomes.

A `Config` is checked the moment it is made: a `Config` that exists has every field within its
range. That is what lets the app, the CLI and the tests share one gate. How large the fields may
be together is what a run would cost, which each topology prices before building anything
(topologies/cost.py): that is why a model is never built for sizes that would take minutes to run.

    Config(batch=10, steps=5, features=2, units=4)       # the seed's 10 tanks, 5 hours, 2 sensors
    Config(batch=0)      # ConfigError: batch is 0, but it must be a whole number from 1 to 1024.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from topologies.refusal import Refusal, quoted

CELLS = ("LSTM", "GRU", "SimpleRNN")
MERGE_MODES = ("concat", "sum", "mul", "ave")  # how Bidirectional joins its two directions
# The fields that take one name from a short list.
CHOICES: dict[str, tuple[str, ...]] = {"cell": CELLS, "merge_mode": MERGE_MODES}

# Inclusive ranges of every whole-number field.
LIMITS: dict[str, tuple[int, int]] = {
    "batch": (1, 1024),
    "steps": (1, 1000),
    "features": (1, 256),
    "units": (1, 512),
    "depth": (1, 4),
    "vocab": (2, 5000),
    "dense": (1, 256),
    "chunks": (1, 20),
    "horizon": (1, 50),
    "target_steps": (1, 1000),
}


class ConfigError(Refusal):
    """A size or name the user chose is not allowed; the message says which, and what is.

    The user's own text is a Quoted part (topologies.refusal), so a page can show it literally."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Every size a topology is built from. Made once, checked once, never changed."""

    batch: int = 10  # sequences side by side (the seed's 10 oil tanks)
    steps: int = 5  # time steps per sequence (5 hourly measurements)
    features: int = 2  # numbers measured at each step (pressure, temperature)
    units: int = 4  # size of the recurrent state h_t (and c_t for LSTM)
    cell: str = "LSTM"  # LSTM | GRU | SimpleRNN
    depth: int = 2  # recurrent layers in stacked; sequence layers per half in autoencoder
    vocab: int = 50  # distinct tokens in text_generator
    dense: int = 3  # outputs of the Dense layer that TimeDistributed applies at every step
    chunks: int = 2  # consecutive batches one sequence is split into in stateful_batches
    horizon: int = 3  # future steps forecast_stateful generates one at a time
    target_steps: int = 3  # steps of the sequence seq2seq's decoder writes (steps is what it reads)
    any_length: bool = False  # build with steps=None, so one model accepts any length
    merge_mode: str = "concat"  # bidirectional: concat (2 x units) | sum | mul | ave (units)

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            check_field(field.name, getattr(self, field.name))

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def check_field(name: str, value: object) -> None:
    """Raise ConfigError unless `value` is allowed for field `name` on its own (its type and range;
    how fields limit each other is Config's and each topology's to check)."""
    if name in CHOICES:
        if not isinstance(value, str) or value not in CHOICES[name]:
            raise ConfigError(f"{name} is ", quoted(value), f", but it must be one of {', '.join(CHOICES[name])}.")
    elif name == "any_length":
        if not isinstance(value, bool):
            raise ConfigError("any_length is ", quoted(value), ", but it must be true or false.")
    else:
        low, high = LIMITS[name]
        # bool is a subclass of int, but True is not a size anyone means.
        whole = isinstance(value, int) and not isinstance(value, bool)
        if not whole or not low <= value <= high:
            raise ConfigError(
                f"{name} is ",
                quoted(value),
                f", but it must be a whole number from {low} to {high}.",
                fix={name: min(max(value, low), high)} if whole else None,
            )


def check_fed_back(config: Config, max_steps: int, per_step: str) -> None:
    """The limits of a loop that feeds each output back in as the next input, one call per step
    (one_to_many_stateful, cell_loop): the output must have as many numbers as the input, and the
    steps are at most `max_steps`, because of what each step costs (`per_step`, in words)."""
    if config.units != config.features:
        raise ConfigError(
            f"units is {config.units} and features is {config.features}, but in this loop each "
            "output becomes the next input, so units must equal features.",
            fix={"units": config.features},
        )
    if config.steps > max_steps:
        raise ConfigError(
            f"steps is {config.steps}, but this topology {per_step}, so steps must be at most {max_steps}.",
            fix={"steps": max_steps},
        )


FIELDS = tuple(field.name for field in dataclasses.fields(Config))


def parse_config(values: Mapping[str, object], base: Config | None = None) -> Config:
    """Make a Config from text, as typed on a command line or carried in a URL.

    Whole numbers may arrive as "10"; any_length as "true"/"false"/"1"/"0". Fields left out keep
    their value in `base` (the defaults if none). An unknown field is an error, not ignored:
    a typo like `unit=8` should not silently draw the default.
    """
    changes: dict[str, object] = {}
    for name, raw in values.items():
        if name not in FIELDS:
            raise ConfigError(quoted(name), f" is not a setting; the settings are {', '.join(FIELDS)}.")
        changes[name] = parse_field(name, raw)
    return dataclasses.replace(base or Config(), **changes)


def parse_field(name: str, raw: object) -> object:
    """A field's value from text ("10", "lstm", "true"), not yet checked against its range."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if name in CHOICES:
        # Accept any capitalisation, since people type "lstm" as often as "LSTM".
        return next((choice for choice in CHOICES[name] if choice.lower() == text.lower()), text)
    if name == "any_length":
        return parse_flag(name, raw)
    low, high = LIMITS[name]
    try:
        return int(text)
    except ValueError:
        raise ConfigError(
            f"{name} is ", quoted(raw), f", but it must be a whole number from {low} to {high}."
        ) from None


# The words a yes-or-no setting may be written with, in a link or on a command line.
FLAG_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_flag(name: str, raw: str, allowed: str = "true or false") -> bool:
    """A yes-or-no setting from text: true, 1 or yes; false, 0 or no; any capitalisation.

        parse_flag("any_length", " Yes")   # True
        parse_flag("any_length", "maybe")  # ConfigError: any_length is 'maybe', but it must be true or false.

    `allowed` is how the refusal names the words accepted: a caller whose links are documented
    as ?present=1 says "true or false (1 or 0)".
    """
    text = raw.strip().lower()
    if text not in FLAG_WORDS:
        raise ConfigError(f"{name} is ", quoted(raw), f", but it must be {allowed}.")
    return FLAG_WORDS[text]
