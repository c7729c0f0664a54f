"""What a trace will cost, worked out from the sizes before anything is built, and the limit.

A run costs more than its recurrent arithmetic (batch x steps x units x (units + features)
multiply-adds, roughly, for one layer). Measured on this machine (2 cores, bench/corners.py),
the corners of the allowed sizes took up to 12 s and 5 GB: batch 1024 x steps 1000 x features
250 is a quarter of a billion input numbers before a single unit runs. So each topology states
what it runs, as terms any run is made of:

- `fed_numbers`: the dummy inputs: drawn at random, converted and copied into TensorFlow, each
  costs several times a number a layer computes;
- `numbers`: every other number the run holds, each layer's outputs, over all calls;
- `multiply_adds`: the arithmetic of the layers (a training step counts three passes);
- `weight_reads`: the weights a recurrent loop reads at each step, over its steps, whatever the
  batch: one sequence of a 512-unit LSTM reads 1.6 million weights per step, and at a small
  batch that reading, not the arithmetic, is the time (batch 1: 0.22 s for 200 steps, where the
  multiply-adds alone would say 0.05 s);
- `sequential_steps`: the steps a recurrent loop takes one after another, each with its own
  fixed overhead, summed over layers and calls (a bidirectional layer runs two loops);
- `unrolled_steps`: layer calls Keras makes once per step in Python (TimeDistributed calls its
  layer once per step in Keras 3: a thousand steps are a thousand Dense calls to compile);
- `unrolled_weights`: the weights each of those calls holds, summed over the steps (compiling
  and running a 512 x 5000 Dense at every step costs far more than a 4 x 3 one);
- `traced_loops`: recurrent loops traced into a compiled function apart from the rest of the
  model: a model nested in another (the autoencoder's encoder and decoder) is observed one
  nested model at a time, and each of its loops pays its own tracing;
- `calls`: model calls and training steps, each with its own fixed overhead.

Seconds and megabytes are linear in these terms; the coefficients were fitted to measurements
on this machine (bench/corners.py --fit) and are written down below. A request whose estimate
is above SECONDS_LIMIT or MEGABYTES_LIMIT is refused before any model exists, naming the term
that costs most and the largest batch that fits (every term grows with it), or, where even one
sequence is too much, the largest number of steps.

    cost = recurrent("LSTM", batch=10, steps=5, inputs=2, units=4) + data(10, 5, 2) + call()
    cost.seconds("LSTM")     # a few hundredths of a second: mostly the call's fixed part
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from topologies.config import Config, ConfigError
from topologies.layer_kinds import GATES

SECONDS_LIMIT = 1.2  # the estimate's bound, with room for what it misses: runs stay under 2 s (bench/corners.py)
MEGABYTES_LIMIT = 200  # the estimate's bound: measured peaks stay under 300 MB

# Seconds per unit of each term, fitted (non-negative least squares) to about 120 runs per cell
# on this machine on 2026-11-29 by `python -m bench.corners --fit`, with other work running (a
# load of about 4 on 2 cores), so on the slow side. Numbers handed on come out free: their cost
# is in the arithmetic that makes them; they count for memory. A per-step layer call and its
# weights are priced from two measured corners (time_distributed, 300 steps of a 512 x 256 Dense:
# 1.9 s; text_generator, 88 steps of a 512 x 5000 Dense: 5.1 s), not the fit; the per-call part
# was then set from an idle machine's slowest corners (time_distributed, 265 steps: 1.80 s;
# text_generator, 240 and 271 steps: 1.97 s), less what the other terms say: 6.3-7.2 ms a step.
# A loop traced apart is priced from the autoencoder's four-deep corners on the idle machine:
# what they took beyond the other terms, over their nine loops (60-75 ms each).
# Weights read step after step are priced from one layer of 512 units over 200 steps of 256
# features at batch 1, less the same layer with 1 unit (the least of three runs each, load 3).
SECONDS_PER = {
    "LSTM": {
        "fed_numbers": 3.4e-8,
        "numbers": 0.0,
        "multiply_adds": 1.5e-10,
        "weight_reads": 6.9e-10,
        "sequential_steps": 4.7e-4,
        "unrolled_steps": 7.0e-3,
        "unrolled_weights": 2.1e-8,
        "traced_loops": 7.0e-2,
        "calls": 3.8e-3,
    },
    "GRU": {
        "fed_numbers": 4.2e-8,
        "numbers": 0.0,
        "multiply_adds": 1.2e-10,
        "weight_reads": 5.5e-10,
        "sequential_steps": 4.1e-4,
        "unrolled_steps": 7.0e-3,
        "unrolled_weights": 2.1e-8,
        "traced_loops": 7.0e-2,
        "calls": 6.5e-3,
    },
    "SimpleRNN": {
        "fed_numbers": 1.8e-8,
        "numbers": 0.0,
        "multiply_adds": 1.2e-10,
        "weight_reads": 2.4e-10,
        "sequential_steps": 1.9e-4,
        "unrolled_steps": 7.0e-3,
        "unrolled_weights": 2.1e-8,
        "traced_loops": 7.0e-2,
        "calls": 3.9e-3,
    },
}
# Peak extra memory per number held: float32 (4 bytes) and the copies a run makes of it.
BYTES_PER_NUMBER = 20

# How each term is named in a refusal.
TERM_WORDS = {
    "fed_numbers": "input numbers",
    "numbers": "numbers the layers hand on",
    "multiply_adds": "multiply-adds",
    "weight_reads": "weights read step after step",
    "sequential_steps": "steps run one after another",
    "unrolled_steps": "layer calls made once per step (TimeDistributed)",
    "unrolled_weights": "weights of the layer called at every step (TimeDistributed), over the steps",
    "traced_loops": "recurrent loops traced apart (nested models)",
    "calls": "model calls",
}


@dataclasses.dataclass(frozen=True)
class Cost:
    """The terms of one run; costs of the parts of a run add up."""

    fed_numbers: int = 0
    numbers: int = 0
    multiply_adds: int = 0
    weight_reads: int = 0
    sequential_steps: int = 0
    unrolled_steps: int = 0
    unrolled_weights: int = 0
    traced_loops: int = 0
    calls: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(*(getattr(self, name) + getattr(other, name) for name in TERMS))

    def __mul__(self, times: int) -> Cost:
        """The same part run `times` times (training epochs, one call per step)."""
        return Cost(*(getattr(self, name) * times for name in TERMS))

    def seconds_by_term(self, cell: str) -> dict[str, float]:
        return {name: getattr(self, name) * SECONDS_PER[cell][name] for name in TERMS}

    def seconds(self, cell: str) -> float:
        return sum(self.seconds_by_term(cell).values())

    def megabytes(self) -> float:
        return (self.fed_numbers + self.numbers) * BYTES_PER_NUMBER / 1e6


TERMS = tuple(field.name for field in dataclasses.fields(Cost))


def fed(batch: int, steps: int, width: int) -> Cost:
    """The dummy input of one call: (batch, steps, width) numbers drawn at random."""
    return Cost(fed_numbers=batch * steps * width)


def data(batch: int, steps: int, width: int) -> Cost:
    """Numbers a layer hands on without arithmetic to speak of (RepeatVector, a join, softmax)."""
    return Cost(numbers=batch * steps * width)


def recurrent(cell: str, batch: int, steps: int, inputs: int, units: int, sequences: bool = True) -> Cost:
    """One recurrent layer over the batch: its arithmetic, its loop, and its outputs (all of them
    with return_sequences, else the last; the trace records h_t at every step either way)."""
    return Cost(
        numbers=batch * (steps if sequences else 1) * units,
        multiply_adds=GATES[cell] * batch * steps * units * (units + inputs),
        weight_reads=GATES[cell] * steps * units * (units + inputs),
        sequential_steps=steps,
    )


def replayed(cell: str, steps: int, inputs: int, units: int) -> Cost:
    """h_1..h_T of sample 0 recomputed in NumPy from the layer's own weights, for a layer that
    hands on only its last step (topologies/engine/replay.py): one sequence's arithmetic and
    states, and the weights read at every step, as Keras's loop reads them at batch 1. NumPy's
    loop has none of the fixed part Keras pays per step (some 20 us a step, not 400), so no
    sequential_steps: 1000 steps of a GRU of 4 units replay in about 20 ms."""
    return dataclasses.replace(recurrent(cell, 1, steps, inputs, units), sequential_steps=0)


def per_step(batch: int, steps: int, inputs: int, outputs: int, time_distributed: bool = False) -> Cost:
    """A Dense layer applied at every step (or once, with steps=1); wrapped in TimeDistributed,
    it is called once per step."""
    return Cost(
        numbers=batch * steps * outputs,
        multiply_adds=batch * steps * inputs * outputs,
        unrolled_steps=steps if time_distributed else 0,
        unrolled_weights=steps * inputs * outputs if time_distributed else 0,
    )


def call() -> Cost:
    """The fixed part of one model call."""
    return Cost(calls=1)


def training(forward: Cost, epochs: int) -> Cost:
    """`epochs` training steps of a model whose forward pass costs `forward`: backward takes
    about two forward passes of arithmetic and runs the loop again."""
    step = Cost(
        fed_numbers=forward.fed_numbers,
        numbers=forward.numbers,
        multiply_adds=3 * forward.multiply_adds,
        weight_reads=3 * forward.weight_reads,
        sequential_steps=2 * forward.sequential_steps,
        unrolled_steps=2 * forward.unrolled_steps,
        unrolled_weights=2 * forward.unrolled_weights,
        calls=1,
    )
    return step * epochs


def check(cost_of: Callable[[Config], Cost], config: Config) -> None:
    """Refuse, in one sentence, a run whose estimate is over a limit: name the costliest term and
    offer the largest batch that fits, or, when even one sequence is too much, the largest
    number of steps (every term grows with both). `cost_of` is the topology's estimate."""
    cost = cost_of(config)
    if within_limits(cost, config.cell):
        return
    seconds, megabytes = cost.seconds(config.cell), cost.megabytes()
    if seconds / SECONDS_LIMIT >= megabytes / MEGABYTES_LIMIT:
        by_term = cost.seconds_by_term(config.cell)
        costliest = max(by_term, key=by_term.get)
        estimate = f"about {seconds:.1f} s, above the {SECONDS_LIMIT} s limit"
    else:
        costliest = max(("fed_numbers", "numbers"), key=lambda name: getattr(cost, name))
        estimate = f"about {megabytes:,.0f} MB, above the {MEGABYTES_LIMIT} MB limit"
    fix = {}
    for field in ("batch", "steps"):
        fitting = _largest_fitting(cost_of, config, field)
        if fitting:
            fix = {field: fitting}
            break
    others = ", ".join(name for name in ("batch", "steps", "features") if name not in fix)
    shrink = f"lower {others} or units"
    if fix:
        shrink = f"shrink {field} from {getattr(config, field)} to {fitting} or less, or {shrink}"
    most = f"{getattr(cost, costliest):,} {TERM_WORDS[costliest]}"
    raise ConfigError(f"This run would take {estimate}; most of it is {most}: {shrink}.", fix=fix or None)


def within_limits(cost: Cost, cell: str) -> bool:
    return cost.seconds(cell) <= SECONDS_LIMIT and cost.megabytes() <= MEGABYTES_LIMIT


def _largest_fitting(cost_of: Callable[[Config], Cost], config: Config, field: str) -> int | None:
    """The largest value of `field` below the config's whose run fits, by halving (costs grow
    with it); None if even 1 does not fit, or the topology refuses the smaller value itself."""

    def fits(value: int) -> bool:
        try:
            return within_limits(cost_of(dataclasses.replace(config, **{field: value})), config.cell)
        except ConfigError:
            return False

    if not fits(1):
        return None
    good, bad = 1, getattr(config, field)
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if fits(middle) else (good, middle)
    return good
