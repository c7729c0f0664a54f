"""What several test files need, written once: the sizes traces are made at, the cached trace,
the documented rules restated (weights, chunk lengths, work), and how to open the app headless.

The rules here are written out from the documentation, never computed by the code under test:
a test that took its expected numbers from `topologies` would agree with any bug there.
`tests/syllabus.py` holds the documented ids and limits.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from topologies import Config, Trace

DOCUMENTED_CELLS = ("LSTM", "GRU", "SimpleRNN")
SIZE_NAMES = ("tiny", "seed", "odd")
# The topologies with a protocol of their own: several calls keeping a stateful layer's state, or
# data of their own (sliding_windows cuts its windows from a series).
OWN_PROTOCOL = ("one_to_many_stateful", "stateful_batches", "forecast_stateful", "sliding_windows")
VALUE_WIDTH = 8  # numbers a trace keeps per vector of sample 0
# The topologies that feed each output back in as the next input: units must equal features.
FEEDBACK = ("one_to_many_stateful", "cell_loop")

# ----------------------------------------------------------------------------- traces


def config_for(topology_id: str, size: str, cell: str = "LSTM", **changes) -> Config:
    """The three sizes every topology is traced at, bent only where the topology demands it."""
    if size == "tiny":
        # Every size and extra at its smallest. chunks=1 because chunks may not exceed steps.
        sizes = dict(
            batch=1, steps=1, features=1, units=1, depth=1, vocab=2, dense=1, chunks=1, horizon=1, target_steps=1
        )
        if topology_id == "forecast_stateful":
            sizes["steps"] = 2  # trains on pairs of consecutive steps
    elif size == "seed":
        sizes = dict(batch=10, steps=5, features=2, units=4)  # the other fields keep their defaults
    elif size == "odd":
        sizes = dict(
            batch=3, steps=7, features=5, units=6, depth=3, vocab=11, dense=5, chunks=3, horizon=4, target_steps=4
        )
    else:
        raise ValueError(size)
    if topology_id in FEEDBACK:
        sizes["units"] = sizes["features"]  # each output is fed back as the next input
    sizes.update(changes)
    return Config(cell=cell, **sizes)


def long_steps(topology_id: str, steps: int) -> int:
    """`steps`, or as many as the topology allows: cell_loop calls its cell at most 12 times."""
    return min(steps, 12) if topology_id == "cell_loop" else steps


SEED = dict(batch=10, steps=5, features=2, units=4)  # the seed's 10 tanks, 5 hours, 2 sensors, LSTM(4)


def seed_config(topology_id: str, **changes) -> Config:
    """The seed's sizes (units = features where each output is fed back in), then `changes`."""
    return config_for(topology_id, "seed", **changes)


@functools.cache
def traced(topology_id: str, config: Config) -> Trace:
    """A trace builds and runs a real Keras model (0.1-0.5 s) and every test only reads it, so
    each (topology id, Config) pair is traced once per session. Config is a frozen dataclass,
    hence hashable: it is the cache key as it stands. Keras loads on the first call, not on import."""
    from topologies import trace

    return trace(topology_id, config)


def box_letters(figure: dict) -> list[tuple[float, float, str, str, float]]:
    """The letters written on the boxes, from the figure's JSON: (x, y, text, colour, size) each.
    They are one text trace named "letters" (app/draw/render.py), not annotations."""
    (letters,) = [trace for trace in figure["data"] if trace.get("name") == "letters"]
    assert letters["mode"] == "text"
    size, colours = letters["textfont"]["size"], letters["textfont"]["color"]
    placed = zip(letters["x"], letters["y"], letters["text"], colours)
    return [(x, y, text, colour, size) for x, y, text, colour in placed]


def drawn_words(figure: dict) -> list[dict]:
    """The words written on the picture, from the figure's JSON: a dict each with x, y, text,
    colour and size. They are one text trace named "words" (app/draw/render.py), and annotations for
    the few that are not written across (turned on their side, or a played figure's numbers)."""
    (words,) = [trace for trace in figure["data"] if trace.get("name") == "words"]
    assert words["mode"] == "text"
    font = words["textfont"]
    found = [
        dict(x=x, y=y, text=text, colour=colour, size=size)
        for x, y, text, colour, size in zip(words["x"], words["y"], words["text"], font["color"], font["size"])
    ]
    for note in figure["layout"].get("annotations", []):
        if note.get("text"):
            font = note.get("font", {})
            colour, size = font.get("color"), font.get("size")
            found.append(dict(x=note.get("x"), y=note.get("y"), text=note["text"], colour=colour, size=size))
    return found


def path_points(path: str) -> list[list[tuple[float, float]]]:
    """An SVG path of M, L and Z ("M1,2L3,4ZM5,6L7,8Z") as its subpaths' points."""
    parts = [part.rstrip("Z").split("L") for part in path.split("M")[1:]]
    return [[tuple(float(n) for n in point.split(",")) for point in part] for part in parts]


def drawn_arrows(figure: dict) -> list[tuple[float, float, float, float, str]]:
    """The arrows drawn, from the figure's JSON: (tail x, tail y, tip x, tip y, colour) each.
    They are paths (app/draw/arrow_paths.py): per colour, one shape named "arrows" whose subpaths are
    the lines, each from its tail, and one named "arrowheads" whose subpaths are the heads, in
    the same order, each from its tip."""

    def starts(path: str) -> list[tuple[float, float]]:  # the first point of each subpath
        return [points[0] for points in path_points(path)]

    shapes = figure["layout"].get("shapes", [])
    lines = {shape["line"]["color"]: starts(shape["path"]) for shape in shapes if shape.get("name") == "arrows"}
    heads = {shape["fillcolor"]: starts(shape["path"]) for shape in shapes if shape.get("name") == "arrowheads"}
    assert lines.keys() == heads.keys() and all(len(lines[c]) == len(heads[c]) for c in lines), (lines, heads)
    return [(*tail, *tip, colour) for colour in lines for tail, tip in zip(lines[colour], heads[colour])]


def rows(values) -> np.ndarray:
    """Recorded numbers (nested lists) as an array, to compare with a tolerance."""
    return np.array(values, dtype="float64")


# ----------------------------------------------------------------------------- the rules, restated


def recurrent_weights(cell: str, units: int, inputs: int) -> int:
    """Textbook weight count of one recurrent layer: kernel, recurrent kernel and biases."""
    if cell == "LSTM":  # 4 gates
        return 4 * units * (inputs + units + 1)
    if cell == "GRU":  # 3 gates, two bias vectors each (reset_after=True, the Keras default)
        return 3 * units * (inputs + units + 2)
    if cell == "SimpleRNN":
        return units * (inputs + units + 1)
    raise ValueError(cell)


def chunk_lengths(steps: int, chunks: int) -> list[int]:
    """Consecutive pieces that differ by at most one step, the longer ones last."""
    shorter = steps // chunks
    longer_count = steps - shorter * chunks
    return [shorter] * (chunks - longer_count) + [shorter + 1] * longer_count


def documented_work(batch: int, steps: int, features: int, units: int) -> int:
    """The README's work budget counts batch x steps x units x (units + features)."""
    return batch * steps * units * (units + features)


def fmt(shape) -> str:
    """(10, 4), (10,): the way Python prints a shape tuple."""
    return str(tuple(int(size) for size in shape))


def over_calls(shown: list[str]) -> str:
    """Documented: each call's shapes in order, a run of equal ones as "<shape> in each of <n> calls"."""
    parts, index = [], 0
    while index < len(shown):
        count = 1
        while index + count < len(shown) and shown[index + count] == shown[index]:
            count += 1
        parts.append(shown[index] + (f" in each of {count} calls" if count > 1 else ""))
        index += count
    return " then ".join(parts)


def shapes_page_metrics(result: Trace) -> dict[str, str]:
    """The three metrics the Shapes page shows, written from a Trace: every call's shapes."""
    return {
        "Input shape": over_calls([fmt(call.input_shapes[0]) for call in result.calls]),
        "Output shape": over_calls([" ".join(fmt(shape) for shape in call.output_shapes) for call in result.calls]),
        "Parameters": f"{result.params:,}",
    }


# ----------------------------------------------------------------------------- the app, headless

MAIN = Path(__file__).resolve().parent.parent / "app" / "main.py"
TIMEOUT = 120  # one script run: the first imports TensorFlow, and other sessions may hold the lock


@functools.cache
def installed_components():
    """The Streamlit components installed here, found once per session: a BidiComponentManager,
    made as AppTest makes its own."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    return components


def app_test() -> AppTest:
    """app/main.py under AppTest, not run yet.

    AppTest's first run looks for components in every installed package's metadata, about 0.3 s
    here, two thirds of a page run; a server does it once at start-up and shares what it found
    across its sessions. The search's result is AppTest's private attribute
    _bidi_component_manager, and no public API hands it over, so it is set here to the one found
    per session. Should a Streamlit upgrade rename it, the assignment is ignored and each AppTest
    searches again: slower, nothing else changes."""
    at = AppTest.from_file(str(MAIN), default_timeout=TIMEOUT)
    at._bidi_component_manager = installed_components()
    return at


def open_app(**query: str) -> AppTest:
    """The app as a link opens it: the link's query parameters, then one script run."""
    at = app_test()
    at.query_params.update(query)
    at.run()
    return at


def shown_links(at: AppTest) -> list[str]:
    """The links the page offers to copy (app.ui.copy_boxes.link_box), in page order. AppTest has no
    address, so each starts with "?" (or is "" for a picture with nothing to add)."""
    return [data["link"] for data in _component_data(at, "rnn_shapes_link")]


def shown_code(where) -> list[str]:
    """The code the page (an AppTest, or one of its blocks: an expander) offers to copy
    (app.ui.copy_boxes.code_box), as plain text, in page order."""
    return [data["code"] for data in _component_data(where, "rnn_shapes_code")]


def _component_data(where, name: str) -> list[dict]:
    boxes = [element for element in where.get("bidi_component") if element.proto.component_name == name]
    return [json.loads(box.proto.json) for box in boxes]


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open the expander under `key`, as a click on its label does, and run the page again: an
    expander made with on_change="rerun" fills in only once open."""
    at.session_state[key] = True
    return at.run()


def open_page(page: str) -> AppTest:
    """One of app/views (e.g. "windows"), opened through the app's navigation, run without an exception."""
    at = app_test()
    at.switch_page(f"views/{page}.py").run()
    assert_no_exception(at)
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [item.value for item in at.exception]


def assert_clean(at: AppTest) -> None:
    """No exception and no error message."""
    assert_no_exception(at)
    assert not at.error, [item.value for item in at.error]
