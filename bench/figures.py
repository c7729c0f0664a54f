"""The six figures. Each runs its workload and returns a Measurement: the figure, its goal, the details.

A time ratio is always "the app's path / bare Keras on the same config", both timed in this
process one right after the other, so load from other work slows both sides alike.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import streamlit as st
import streamlit.logger

from app.diagram import draw
from bench.machine import resident_megabytes
from bench.timing import build_and_call, build_and_plot, elapsed, trace_and_draw
from bench.workloads import default_config, distinct_configs, heaviest_config, recurrent_work, slider_sweep
from topologies import CATALOGUE, trace
from topologies.engine.run import clear_keras


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much work each figure does; --quick uses QUICK."""

    repeats: int = 7  # timed repeats per config, figures 1, 3 and 4
    sweep_changes: int = 60  # figure 2
    memory_traces: int = 1000  # figure 5
    heaviest_repeats: int = 3  # figure 6: a trace of 1000 steps takes seconds


FULL = Settings()
QUICK = Settings(repeats=2, sweep_changes=15, memory_traces=100, heaviest_repeats=1)


@dataclasses.dataclass(frozen=True)
class Measurement:
    """One row of the table, with the lines printed beneath it."""

    number: int
    title: str
    measured: str  # "2.10x", "12 MB", or "n/a"
    goal: str  # "<= 1.2x"
    meets: bool | None  # None when it could not be measured
    details: list[str]


def milliseconds(seconds: float) -> str:
    """Seconds written as whole milliseconds: "87 ms"."""
    return f"{seconds * 1000:.0f} ms"


def fresh_trace_against_keras(settings: Settings) -> Measurement:
    """Figure 1: a fresh trace + draw over a bare build + one call, per topology, default sizes.

    The goal bounds every single-call topology, so the figure is the largest of their ratios; a
    multi-call topology's trace makes more calls than the one call it is compared with, and is
    shown but not judged."""
    details = []
    ratios, single_call = {}, []
    for topology_id in CATALOGUE:
        config = default_config(topology_id)
        # The first run pays one-off costs (imports, kernels); its first call's shapes feed the baseline.
        input_shapes = trace_and_draw(topology_id, config).trace.calls[0].input_shapes
        build_and_call(topology_id, config, input_shapes)
        app_runs, keras_runs = [], []
        for _ in range(settings.repeats):
            app_runs.append(trace_and_draw(topology_id, config))
            keras_runs.append(build_and_call(topology_id, config, input_shapes))
        ratios[topology_id] = statistics.median(app.seconds / bare.seconds for app, bare in zip(app_runs, keras_runs))
        calls = len(app_runs[-1].trace.calls)  # the baseline makes one call; a multi-call protocol makes more
        if calls == 1:
            single_call.append(topology_id)
        details.append(
            f"{topology_id:<21} {calls:>2} call{'s' if calls > 1 else ' '}: "
            f"trace {_median_ms(app_runs, 'trace_seconds'):>6} + draw {_median_ms(app_runs, 'draw_seconds'):>6}  |  "
            f"build {_median_ms(keras_runs, 'build_seconds'):>5} + call {_median_ms(keras_runs, 'use_seconds'):>6}  |  "
            f"{ratios[topology_id]:.2f}x"
        )
    worst = max(single_call, key=ratios.get)
    met = sum(ratios[topology_id] <= 1.2 for topology_id in single_call)
    details.append(
        f"{met} of {len(single_call)} single-call topologies within the goal, the largest {worst}; "
        f"median over all {len(ratios)} topologies {statistics.median(ratios.values()):.2f}x"
    )
    return Measurement(
        1, "fresh trace+draw / build+call, largest", f"{ratios[worst]:.2f}x", "<= 1.2x", ratios[worst] <= 1.2, details
    )


def _median_ms(runs: list, field: str) -> str:
    return milliseconds(statistics.median(getattr(run, field) for run in runs))


def slider_sweep_against_keras(settings: Settings) -> Measurement:
    """Figure 2: single-widget changes as a user makes them; total trace + draw over total build + call.

    Every config is new to both sides, and whichever runs first on it pays TensorFlow's first
    use of its shapes (kernels, loop functions: up to twice the run). So the two take turns to go
    first: the app on even changes, bare Keras on odd ones (it reads the shapes from its own model).
    The app keeps the models a batch change can reuse (topologies.engine.shelf), as its workers do; a
    config met again is served by the page's cache in the app, but traced again here.
    """
    sweep = slider_sweep(settings.sweep_changes)
    app_runs, keras_runs = [], []
    for index, (topology_id, config, _) in enumerate(sweep):
        if index % 2:
            keras_runs.append(build_and_call(topology_id, config))
            app_runs.append(trace_and_draw(topology_id, config, reuse=True))
        else:
            app_runs.append(trace_and_draw(topology_id, config, reuse=True))
            keras_runs.append(build_and_call(topology_id, config, app_runs[-1].trace.calls[0].input_shapes))
    ratio = sum(run.seconds for run in app_runs) / sum(run.seconds for run in keras_runs)
    slowest = max(range(len(sweep)), key=lambda index: app_runs[index].seconds)
    topology_id, config, change = sweep[slowest]
    details = [
        f"{len(sweep)} changes: trace {_total(app_runs, 'trace_seconds'):.1f} s + draw "
        f"{_total(app_runs, 'draw_seconds'):.1f} s  |  build {_total(keras_runs, 'build_seconds'):.1f} s "
        f"+ call {_total(keras_runs, 'use_seconds'):.1f} s",
        f"topologies visited: {len({topology for topology, _, _ in sweep})}; slowest change ({change}): "
        f"{topology_id} batch={config.batch} steps={config.steps} units={config.units} {config.cell}, "
        f"{app_runs[slowest].seconds:.2f} s against {keras_runs[slowest].seconds:.2f} s",
    ]
    return Measurement(
        2, "slider sweep, total trace+draw / build+call", f"{ratio:.2f}x", "<= 1.0x", ratio <= 1.0, details
    )


def _total(runs: list, field: str) -> float:
    return sum(getattr(run, field) for run in runs)


def revisit_against_fresh(settings: Settings) -> Measurement:
    """Figure 3: the app's st.cache_data wrapper of trace, called twice: second call / first call."""
    streamlit.logger.set_log_level("error")  # outside a running app, st.cache_data warns on every call

    @st.cache_data(max_entries=512, show_spinner=False)
    def cached_trace(topology_id, config):  # as the Shapes page (app/views/shapes.py) caches it
        return trace(topology_id, config)

    topology_id = "many_to_one"
    firsts, seconds, drawings = [], [], []
    for repeat in range(settings.repeats):
        config = dataclasses.replace(default_config(topology_id), batch=100 + repeat)  # not seen before
        result, first = elapsed(cached_trace, topology_id, config)
        _, second = elapsed(cached_trace, topology_id, config)
        firsts.append(first)
        seconds.append(second)
        drawings.append(elapsed(draw, result)[1])
    ratio = statistics.median(second / first for first, second in zip(firsts, seconds))
    with_draw = statistics.median(
        (second + drawing) / (first + drawing) for first, second, drawing in zip(firsts, seconds, drawings)
    )
    details = [
        f"{topology_id}: first call {milliseconds(statistics.median(firsts))}, "
        f"second {statistics.median(seconds) * 1000:.2f} ms",
        f"the page also runs draw() on every rerun ({milliseconds(statistics.median(drawings))}, not cached): "
        f"revisit with draw / fresh with draw = {with_draw:.2f}x",
    ]
    return Measurement(3, "revisit (st.cache_data) / fresh trace", f"{ratio:.3f}x", "<= 0.05x", ratio <= 0.05, details)


def against_plot_model(settings: Settings) -> Measurement:
    """Figure 4: trace + draw over build + keras.utils.plot_model(show_shapes=True), per topology."""
    title, goal = "trace+draw / build+plot_model", "<= 0.6x"  # issue 12, goal 5
    with tempfile.TemporaryDirectory() as folder:
        picture = str(Path(folder) / "model.png")
        try:  # the first plot also loads pydot and finds graphviz's dot
            build_and_plot("many_to_one", default_config("many_to_one"), picture)
        except Exception as error:  # plot_model raises ImportError without pydot or graphviz
            return Measurement(4, title, "n/a", goal, None, [f"plot_model unavailable: {error}"])
        ratios = {}
        for topology_id in CATALOGUE:
            config = default_config(topology_id)
            trace_and_draw(topology_id, config)  # one-off costs, as in figure 1
            samples = []
            for _ in range(settings.repeats):
                app = trace_and_draw(topology_id, config)
                samples.append(app.seconds / build_and_plot(topology_id, config, picture).seconds)
            ratios[topology_id] = statistics.median(samples)
    overall = statistics.median(ratios.values())
    details = [
        "  ".join(f"{topology_id} {ratio:.2f}x" for topology_id, ratio in list(ratios.items())[start : start + 5])
        for start in range(0, len(ratios), 5)
    ]
    return Measurement(4, title, f"{overall:.2f}x", goal, overall <= 0.6, details)


def memory_growth(settings: Settings) -> Measurement:
    """Figure 5: resident memory over many fresh traces of distinct configs, read at every quarter;
    then what a second pass over the first 300 of them adds, now that the first has warmed the
    allocator and TensorFlow's kernel caches (goal: 10 MB).

    Each reading is taken settled: garbage collected and Keras's session cleared as the app
    clears it every TRACES_BETWEEN_CLEARS traces (topologies.engine.run.clear_keras), so it does not
    depend on where in that cycle it falls. Between clears the kernel cache grows (about 40 MB
    per 200 traces of this workload); read unsettled, the second pass's figure swung from -17 to
    +17 MB with nothing but the cycle's phase changed. What grows across settled readings is
    what no clearing gives back. How far the process rises between clears is read too, from
    its unsettled size every few traces, and reported beside it.

    The second pass runs after the last reading, not in the middle of the run, so that it is
    measured against a first pass that has visited every config."""
    configs = distinct_configs(settings.memory_traces)
    repeated = configs[: min(300, len(configs))]
    quarter = len(configs) // 4
    readings = []
    highest = 0.0
    start = time.perf_counter()
    for index, (topology_id, config) in enumerate(configs):
        if index % quarter == 0:
            readings.append((index, _settled_megabytes()))
        trace(topology_id, config)
        if index % 10 == 0:
            highest = max(highest, resident_megabytes())
    readings.append((len(configs), _settled_megabytes()))
    seconds = time.perf_counter() - start
    for again_id, again_config in repeated:
        trace(again_id, again_config)
    second_pass = _settled_megabytes() - readings[-1][1]
    growth = readings[-1][1] - readings[0][1]
    details = [
        "settled RSS (collected, Keras cleared) after "
        + ", ".join(f"{count}: {megabytes:.0f} MB" for count, megabytes in readings),
        f"{len(configs)} traces in {seconds:.0f} s, every topology in turn, batch 1 to "
        f"{max(config.batch for _, config in configs)}; between clears, at most "
        f"{highest - readings[0][1]:.0f} MB above the first reading",
        f"then a second pass over the first {len(repeated)} configs added {second_pass:.0f} MB (goal <= 10 MB)",
    ]
    met = growth <= 50 and second_pass <= 10
    return Measurement(5, f"RSS growth over {len(configs)} fresh traces", f"{growth:.0f} MB", "<= 50 MB", met, details)


def _settled_megabytes() -> float:
    """RSS once Keras's session is cleared, as the app does now and then (topologies.engine.run.clear_keras,
    whose clear_session collects garbage too): a reading then depends neither on when the collector
    last ran nor on where in the clearing cycle it falls."""
    clear_keras()
    return resident_megabytes()


def heaviest_within_limits(settings: Settings) -> Measurement:
    """Figure 6: the heaviest config the limits allow, for many_to_one and stacked: seconds and JSON size."""
    details = []
    largest_kilobytes = 0.0
    for topology_id in ("many_to_one", "stacked"):
        config = heaviest_config(topology_id)
        details.append(
            f"{topology_id}: batch={config.batch} steps={config.steps} features={config.features} "
            f"units={config.units} {config.cell}: work {recurrent_work(config):,}"
        )
        app_runs, keras_runs = [], []
        for _ in range(settings.heaviest_repeats):
            app_runs.append(trace_and_draw(topology_id, config))
            keras_runs.append(build_and_call(topology_id, config, app_runs[-1].trace.calls[0].input_shapes))
        kilobytes = len(app_runs[-1].figure.to_json()) / 1000
        largest_kilobytes = max(largest_kilobytes, kilobytes)
        details.append(
            f"{topology_id:<12} trace {_median_seconds(app_runs, 'trace_seconds')} + draw "
            f"{_median_seconds(app_runs, 'draw_seconds')}, figure JSON {kilobytes:.0f} KB  |  bare build "
            f"{_median_seconds(keras_runs, 'build_seconds')} + call {_median_seconds(keras_runs, 'use_seconds')}"
        )
    return Measurement(
        6, "heaviest config, figure JSON", f"{largest_kilobytes:.0f} KB", "<= 300 KB", largest_kilobytes <= 300, details
    )


def _median_seconds(runs: list, field: str) -> str:
    return f"{statistics.median(getattr(run, field) for run in runs):.2f} s"


ALL = (
    fresh_trace_against_keras,
    slider_sweep_against_keras,
    revisit_against_fresh,
    against_plot_model,
    memory_growth,
    heaviest_within_limits,
)
