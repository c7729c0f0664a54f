"""The arrows of the unrolled picture: `figure.layout.meta["arrows"]`, one record per drawn arrow.

A record names the box an arrow leaves and the box it points at (indices into meta["boxes"]) and
its kind. The expectations are derived here from the boxes, the trace and the rules the picture
teaches, and from counts worked out by hand for the seed; never from the code under test.

- feed: up from a box into a box of a layer it feeds, at the same step (Keras's own graph says
  which layers feed which); from h_t into the pale y_t it dropped (return_sequences=False); from
  the last h_t into the returned h_T and c_T.
- fan_out: one vector per sequence (RepeatVector's input, the h_T of a layer that returns no
  sequence) handed on from its one box to every step of the row above. No arrow leaves a step
  whose output was dropped.
- carry: along a row of states, h_t to h_(t+1) of the same layer, unless the stateful layers were
  reset between them; right to left in a bidirectional layer's backward row.
- feedback: one call's last y back to the next call's first x, where the topology feeds it back.
- state: an encoder's last h_t into the first h_t of the decoder it starts (initial_state).
- window: up from each step a Conv1D or pooling step reads (tests/test_own_drawing.py), or from
  every step into one box (a join of the steps a cell made).
"""

from __future__ import annotations

import collections
import dataclasses
import math

import pytest

from app.diagram import draw
from app.draw.looks import Look
from tests.helpers import config_for, drawn_arrows, path_points, seed_config
from topologies import CATALOGUE, trace

KINDS = {"feed", "carry", "feedback", "fan_out", "window", "state"}
IDS = list(CATALOGUE)

# Worked out by hand from the seed's picture (batch 10, steps 5, features 2, units 4; chunks 2,
# horizon 3, depth 2): every row above the input is fed from below at each column it has a box in.
SEED_ARROWS = {
    "many_to_many": dict(feed=10, carry=4),  # 5 x->h, 5 h->y; h_1 -> h_2 -> ... -> h_5
    "many_to_one": dict(feed=10, carry=4),  # 5 x->h, 4 h_t -> the y_t it drops, and only h_5 -> y
    "one_to_many_repeat": dict(fan_out=5, feed=10, carry=4),  # the one x -> 5 copies; copy->h, h->y
    "one_to_many_stateful": dict(feed=10, carry=4, feedback=4),  # 5 one-step calls, no reset between
    "stateful_batches": dict(feed=10, carry=4),  # 2 + 3 steps, the state carried into batch 2
    "forecast_stateful": dict(feed=21, carry=6, feedback=2),  # 7 steps x (x->h, h->Dense, Dense->y)
    # 10 windows as one batch of 5 steps: 5 x->h, 4 dropped y_t, h_5 -> Dense -> y
    "sliding_windows": dict(feed=11, carry=4),
    "stacked": dict(feed=15, carry=8),  # x->h1, h1->h2 at 5 steps, 4 dropped y_t, h2_5 -> y; 4 per layer
    # x->e1, e1->e_last at 5 steps, 4 dropped y_t, h_5 of e_last fans out to the 5 copies,
    # copy->d1, d1->d2, d2->y at 5 steps; 4 recurrent rows x 4 carries
    "autoencoder": dict(feed=29, fan_out=5, carry=16),
    "time_distributed": dict(feed=15, carry=4),  # x->h, h->Dense, Dense->y at each of 5 steps
    "text_generator": dict(feed=30, carry=8),  # emb, h1, h2, Dense, softmax, y: 6 rows x 5 steps
    "return_state": dict(feed=12, carry=4),  # x->h, h->y at 5 steps; h_5 -> the returned h_T and c_T
    "bidirectional": dict(feed=20, carry=8),  # x -> both directions, both -> y, at 5 steps; 4 each way
    # encoder: 5 x->h, 4 dropped y_t; decoder: 3 x->h, h->Dense, Dense->y; carries 4 + 2; h_5 -> decoder h_1
    "seq2seq": dict(feed=18, carry=6, state=1),
    # x -> the cell's first call; each call hands h_t to the next (4); all 5 into the join; the join
    # fans out to the reshape's 5 steps; 5 reshape -> y
    "cell_loop": dict(feed=6, carry=4, window=5, fan_out=5),
}

VARIANTS = [
    # 13 steps: t = 1..6 and 9..13: 11 x->h, 10 dropped y_t, h_13 -> y; carries 5 + 4, none across the gap
    pytest.param("many_to_one", dict(steps=13), dict(feed=22, carry=9), id="many_to_one-13steps"),
    pytest.param("one_to_many_repeat", dict(steps=15), dict(fan_out=11, feed=22, carry=9), id="repeat-15steps"),
    pytest.param("bidirectional", dict(cell="GRU", steps=3), dict(feed=12, carry=4), id="bidirectional-GRU-3steps"),
    pytest.param("bidirectional", dict(merge_mode="ave"), dict(feed=20, carry=8), id="bidirectional-ave"),
    # 20 steps in 3 batches, no reset between them: 11 columns, 5 + 4 carries
    pytest.param("stateful_batches", dict(steps=20, chunks=3), dict(feed=22, carry=9), id="stateful-20steps-3chunks"),
    pytest.param("return_state", dict(cell="GRU"), dict(feed=11, carry=4), id="return_state-GRU"),  # h_T only
    pytest.param("stacked", dict(depth=3), dict(feed=20, carry=12), id="stacked-depth3"),
    # prime t = 1..5, then one call per step to t = 14, drawn as t = 1..6, gap, 10..14: the loop is
    # seen closing from the prime into t = 6 and between the last five calls
    pytest.param("forecast_stateful", dict(horizon=10), dict(feed=33, carry=9, feedback=5), id="forecast-horizon10"),
]


def seed_and_variants():
    """(topology id, config) for the whole catalogue at the seed, then each variant."""
    cases = [pytest.param(topology_id, seed_config(topology_id), id=topology_id) for topology_id in IDS]
    for variant in VARIANTS:
        topology_id, changes, _ = variant.values
        cases.append(pytest.param(topology_id, seed_config(topology_id, **changes), id=variant.id))
    return cases


@dataclasses.dataclass(frozen=True)
class Picture:
    trace: object  # the Trace drawn
    boxes: list[dict]  # meta["boxes"]
    hover: list[str]  # each box's hover text, in the same order
    arrows: list[dict]  # meta["arrows"]
    drawn: list[tuple[float, float, float, float]]  # (tail x, tail y, head x, head y) of each arrow drawn


@pytest.fixture
def picture(traced):
    """picture(topology_id, config, **options) -> Picture: the figure's records and its drawn arrows."""

    def make(topology_id, config, **options) -> Picture:
        result = trace(topology_id, config, **options) if options else traced(topology_id, config)
        figure = draw(result)
        # A bent arrow's line starts at its box and goes through the bend: its tail is the box's.
        drawn = [(tail_x, tail_y, x, y) for tail_x, tail_y, x, y, _ in drawn_arrows(figure.to_plotly_json())]
        meta = figure.layout.meta
        return Picture(result, list(meta["boxes"]), list(figure.data[0].hovertext), list(meta["arrows"]), drawn)

    return make


def centre(box) -> tuple[float, float]:
    return round((box["x0"] + box["x1"]) / 2, 6), round((box["y0"] + box["y1"]) / 2, 6)


def distance(x: float, y: float, box) -> float:
    """From a point to a box's rectangle: 0 on its edge or inside."""
    return math.hypot(max(box["x0"] - x, 0, x - box["x1"]), max(box["y0"] - y, 0, y - box["y1"]))


def nearest(x: float, y: float, boxes) -> int:
    index = min(range(len(boxes)), key=lambda i: distance(x, y, boxes[i]))
    assert distance(x, y, boxes[index]) < 0.1, (x, y, boxes[index])  # an arrow ends at a box
    return index


def counts(arrows) -> dict:
    return dict(collections.Counter(arrow["kind"] for arrow in arrows))


# ------------------------------------------------------------------ the records match the picture


@pytest.mark.parametrize(("topology_id", "config"), seed_and_variants())
def test_every_drawn_arrow_has_one_record_naming_the_boxes_it_joins(topology_id, config, picture):
    seen = picture(topology_id, config)
    boxes, arrows = seen.boxes, seen.arrows
    assert arrows
    for arrow in arrows:
        assert arrow["kind"] in KINDS, arrow
        assert 0 <= arrow["source"] < len(boxes) and 0 <= arrow["target"] < len(boxes), arrow
        assert arrow["source"] != arrow["target"], arrow
    # Read off the picture: each arrow's tail and head touch one box each.
    joined = collections.Counter((nearest(ax, ay, boxes), nearest(x, y, boxes)) for ax, ay, x, y in seen.drawn)
    assert joined == collections.Counter((arrow["source"], arrow["target"]) for arrow in arrows)


@pytest.mark.parametrize("topology_id", IDS)
def test_arrow_counts_worked_by_hand_at_the_seed(topology_id, picture):
    assert counts(picture(topology_id, seed_config(topology_id)).arrows) == SEED_ARROWS[topology_id]


def test_the_hand_worked_table_covers_the_whole_catalogue():
    assert set(SEED_ARROWS) == set(CATALOGUE)


@pytest.mark.parametrize(("topology_id", "changes", "want"), VARIANTS)
def test_arrow_counts_worked_by_hand_beyond_the_seed(topology_id, changes, want, picture):
    assert counts(picture(topology_id, seed_config(topology_id, **changes)).arrows) == want


# ------------------------------------------------------------------ each kind follows its rule


def keras_edges(model) -> set[tuple[str, str]]:
    """(layer, layer it feeds) in Keras's own graph of `model`, nested models opened up, with
    "input" and "output" for the model's own. Read from the layers' inbound nodes."""

    def walk(model, input_sources):
        sources = {id(tensor): names for tensor, names in zip(model.inputs, input_sources)}
        edges = set()
        for layer in model.layers:
            if type(layer).__name__ == "InputLayer":
                continue
            # Its calls in this graph, in the order they were made (a cell: one per step).
            for node in layer._inbound_nodes:
                if not all(id(tensor) in sources for tensor in node.input_tensors):
                    continue  # a call in another graph (a nested model's layer in its own)
                feeding = set().union(*(sources[id(tensor)] for tensor in node.input_tensors))
                if hasattr(layer, "layers"):  # a nested model: its own graph, fed by what feeds it
                    inner_edges, outputs = walk(layer, [feeding] * len(layer.inputs))
                    edges |= inner_edges
                    sources.update((id(tensor), names) for tensor, names in zip(node.output_tensors, outputs))
                    continue
                edges |= {(source, layer.name) for source in feeding}
                sources.update((id(tensor), {layer.name}) for tensor in node.output_tensors)
        return edges, [sources[id(tensor)] for tensor in model.outputs]

    edges, outputs = walk(model, [{"input"}] * len(model.inputs))
    return edges | {(source, "output") for names in outputs for source in names}


def node_of(seen: Picture, index: int) -> str:
    """The graph node a box stands for: the model's input or output, or a layer."""
    box = seen.boxes[index]
    output_row = {centre(other)[1] for other in seen.boxes if other["role"] == "output"}
    if box["role"] == "input":
        return "input"
    if box["role"] == "output" or centre(box)[1] in output_row:  # y_t, and returned h_T, c_T
        return "output"
    return box["layer"]


GRAPH_CASES = [
    pytest.param(topology_id, size, id=f"{topology_id}-{size}") for topology_id in IDS for size in ("seed", "odd")
]


@pytest.mark.parametrize(("topology_id", "size"), GRAPH_CASES)
def test_the_drawn_graph_is_the_models_graph(topology_id, size, picture):
    """Every arrow between two rows joins a layer to one Keras says it feeds (an initial_state
    too), and every such pair of layers is drawn; arrows within a layer (h_t to the y_t it drops)
    stay within it, and a layer Keras feeds with its own output (a cell called once per step)
    carries it along its row."""
    config = config_for(topology_id, size)
    seen = picture(topology_id, config)
    model = CATALOGUE[topology_id].build(config)
    drawn = {
        (node_of(seen, arrow["source"]), node_of(seen, arrow["target"]))
        for arrow in seen.arrows
        if arrow["kind"] in ("feed", "fan_out", "window", "state")
    }
    between_rows = {(source, target) for source, target in drawn if source != target}
    edges = keras_edges(model)
    assert between_rows == {(source, target) for source, target in edges if source != target}
    carried = {seen.boxes[arrow["source"]]["layer"] for arrow in seen.arrows if arrow["kind"] == "carry"}
    assert {source for source, target in edges if source == target} <= carried
    for arrow in seen.arrows:  # within one layer, an arrow only goes from h_t into the y_t it drops
        if arrow["kind"] == "feed" and node_of(seen, arrow["source"]) == node_of(seen, arrow["target"]):
            assert seen.boxes[arrow["target"]]["role"] == "discarded", seen.boxes[arrow["target"]]


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_both_directions_read_x_t_and_both_reach_y_t(merge_mode, picture):
    seen = picture("bidirectional", seed_config("bidirectional", merge_mode=merge_mode))
    direction = {
        index: "backward" if "(backward)" in seen.hover[index] else "forward"
        for index, box in enumerate(seen.boxes)
        if box["role"] == "state"
    }
    for step in range(1, 6):
        x = next(i for i, box in enumerate(seen.boxes) if box["role"] == "input" and box["step"] == step)
        y = next(i for i, box in enumerate(seen.boxes) if box["role"] == "output" and box["step"] == step)
        read_by = {direction[a["target"]] for a in seen.arrows if a["source"] == x}
        reaching = {direction[a["source"]] for a in seen.arrows if a["target"] == y}
        assert read_by == reaching == {"forward", "backward"}, step
        assert all(a["target"] in direction for a in seen.arrows if a["source"] == x)
    width = 8 if merge_mode == "concat" else 4  # 2 x units side by side, else units
    assert {tuple(box["shape"]) for box in seen.boxes if box["role"] == "output"} == {(10, 5, width)}


@pytest.mark.parametrize(("topology_id", "size"), GRAPH_CASES)
def test_every_box_but_the_input_has_an_arrow_in_and_none_leaves_a_dropped_step(topology_id, size, picture):
    seen = picture(topology_id, config_for(topology_id, size))
    targets = {arrow["target"] for arrow in seen.arrows}
    for index, box in enumerate(seen.boxes):
        assert box["role"] == "input" or index in targets, box
    # A layer that hands on one vector per sequence hands it on from its last step only.
    last_step = collections.defaultdict(int)
    for box in seen.boxes:
        last_step[(box["layer"], box["call"])] = max(last_step[(box["layer"], box["call"])], box["step"])
    for arrow in seen.arrows:
        source, target = seen.boxes[arrow["source"]], seen.boxes[arrow["target"]]
        leaves_layer = node_of(seen, arrow["source"]) != node_of(seen, arrow["target"])
        if arrow["kind"] in ("feed", "fan_out") and leaves_layer and len(source["shape"]) == 2:
            if source["role"] != "input":
                assert source["step"] == last_step[(source["layer"], source["call"])], (source, target)


def expected_carries(seen: Picture) -> set:
    """(source, target) of h_t -> h_(t+1) in each row of states; backwards in a backward row."""
    boxes, resets = seen.boxes, [call.reset_before for call in seen.trace.calls]
    rows = collections.defaultdict(list)
    for index, box in enumerate(boxes):
        if box["role"] == "state":
            rows[(box["layer"], centre(box)[1])].append(index)
    want = set()
    for members in rows.values():
        for a in members:
            for b in members:
                earlier, later = boxes[a], boxes[b]
                if later["step"] != earlier["step"] + 1:
                    continue
                same_call = later["call"] == earlier["call"]
                carried = later["call"] == earlier["call"] + 1 and not resets[later["call"]]
                if same_call or carried:
                    want.add((b, a) if "(backward)" in seen.hover[a] else (a, b))
    return want


@pytest.mark.parametrize(("topology_id", "config"), seed_and_variants())
def test_carries_join_neighbouring_states_of_one_row_unless_reset(topology_id, config, picture):
    seen = picture(topology_id, config)
    boxes = seen.boxes
    carries = [(arrow["source"], arrow["target"]) for arrow in seen.arrows if arrow["kind"] == "carry"]
    assert len(carries) == len(set(carries))
    assert set(carries) == expected_carries(seen)
    for source, target in carries:
        a, b = boxes[source], boxes[target]
        assert a["role"] == b["role"] == "state" and a["layer"] == b["layer"], (a, b)
        assert centre(a)[1] == centre(b)[1], (a, b)  # along one row
        assert abs(a["step"] - b["step"]) == 1, (a, b)


def test_the_backward_row_carries_from_the_later_step_to_the_earlier(picture):
    seen = picture("bidirectional", seed_config("bidirectional"))
    steps = collections.defaultdict(list)
    for arrow in seen.arrows:
        if arrow["kind"] == "carry":
            direction = "backward" if "(backward)" in seen.hover[arrow["source"]] else "forward"
            steps[direction].append((seen.boxes[arrow["source"]]["step"], seen.boxes[arrow["target"]]["step"]))
    assert sorted(steps["forward"]) == [(1, 2), (2, 3), (3, 4), (4, 5)]
    assert sorted(steps["backward"]) == [(2, 1), (3, 2), (4, 3), (5, 4)]


def test_repeat_vector_fans_its_one_input_out_to_every_copy(picture):
    seen = picture("one_to_many_repeat", seed_config("one_to_many_repeat"))
    boxes = seen.boxes
    inputs = [index for index, box in enumerate(boxes) if box["role"] == "input"]
    fans = [arrow for arrow in seen.arrows if arrow["kind"] == "fan_out"]
    assert len(inputs) == 1
    assert {arrow["source"] for arrow in fans} == set(inputs)
    assert sorted(boxes[arrow["target"]]["step"] for arrow in fans) == [1, 2, 3, 4, 5]
    assert {boxes[arrow["target"]]["layer"] for arrow in fans} == {"repeat"}


@pytest.mark.parametrize(
    ("topology_id", "links"),
    [
        # (call, t) of the y handed back -> (call, t) of the x it became
        ("one_to_many_stateful", [((0, 1), (1, 2)), ((1, 2), (2, 3)), ((2, 3), (3, 4)), ((3, 4), (4, 5))]),
        ("forecast_stateful", [((0, 5), (1, 6)), ((1, 6), (2, 7))]),  # the primed forecast, then each next one
        ("stateful_batches", []),  # batch 2 is the next piece of the data, not the model's output
        ("many_to_many", []),
    ],
)
def test_feedback_runs_from_a_calls_last_y_to_the_next_calls_first_x(topology_id, links, picture):
    seen = picture(topology_id, seed_config(topology_id))
    got = []
    for arrow in seen.arrows:
        if arrow["kind"] == "feedback":
            source, target = seen.boxes[arrow["source"]], seen.boxes[arrow["target"]]
            assert (source["role"], target["role"]) == ("output", "input"), (source, target)
            got.append(((source["call"], source["step"]), (target["call"], target["step"])))
    assert sorted(got) == links


def test_feedback_follows_what_the_run_recorded_not_numbers_that_match():
    """Record, don't infer. The rule: a call gets a feedback arrow exactly where its input was
    fed back from the previous call's output, as the protocol said when it made the call. Here
    step 2 is handed step 1's output as plain data (the same numbers, not fed back) and step 3
    is fed step 2's output back: one arrow, into step 3, none into step 2."""
    from topologies.engine.run import start

    runner = start("one_to_many_stateful", seed_config("one_to_many_stateful", batch=2, steps=3))
    runner.reset()
    (first,) = runner.call("step 1", runner.random((2, 1, 2)))
    (second,) = runner.call("step 2", first.copy())
    runner.call("step 3", second, fed_back=True)
    result = runner.snapshot()
    fed_back = {2}  # the calls made with fed_back=True above
    # Step 2 was fed exactly step 1's numbers: matching values alone would have drawn an arrow.
    assert result.calls[1].layers[0].values["x"] == result.calls[0].layers[-1].values["y"]

    figure = draw(result)
    boxes, arrows = figure.layout.meta["boxes"], figure.layout.meta["arrows"]
    got = [
        (boxes[arrow["source"]]["call"], boxes[arrow["target"]]["call"])
        for arrow in arrows
        if arrow["kind"] == "feedback"
    ]
    assert got == [(call - 1, call) for call in sorted(fed_back)]


def carried_between_calls(seen: Picture) -> list[tuple[int, int]]:
    """(call of the source, call of the target) of each carry."""
    return sorted(
        (seen.boxes[arrow["source"]]["call"], seen.boxes[arrow["target"]]["call"])
        for arrow in seen.arrows
        if arrow["kind"] == "carry"
    )


def test_one_to_many_stateful_carries_the_state_across_every_call(picture):
    """Five calls of one step each, reset only before the first: every carry crosses a call."""
    seen = picture("one_to_many_stateful", seed_config("one_to_many_stateful"))
    assert carried_between_calls(seen) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_a_reset_between_batches_stops_the_carry(picture):
    """Steps 5 in 3 batches of 1, 2, 2 steps, reset before each: t = 1 | 1, 2 | 1, 2, one carry in each
    of the last two batches and none from one batch into the next."""
    seen = picture("stateful_batches", seed_config("stateful_batches", chunks=3), reset_between=True)
    assert carried_between_calls(seen) == [(1, 1), (2, 2)]
    carries = {(arrow["source"], arrow["target"]) for arrow in seen.arrows if arrow["kind"] == "carry"}
    assert carries == expected_carries(seen)
    assert counts(seen.arrows) == dict(feed=10, carry=2)


@pytest.mark.parametrize("scale", [1.0, 1.6], ids=["screen", "projector"])
@pytest.mark.parametrize("topology_id", ["many_to_one", "forecast_stateful", "bidirectional", "seq2seq"])
def test_each_arrowhead_is_plotlys_narrow_head_pointing_along_its_line(topology_id, scale, traced):
    """Seen in pixels, as the browser maps the plot's ranges onto the figure less its margins,
    every head is the one Plotly's annotations draw with arrowhead 2, arrowsize 1.2 and
    arrowwidth 1.6 px (times the look's scale): a triangle 5 x 1.2 x 1.6 px long from its tip
    to its flat back and as wide there, symmetric about its line. Its line ends inside it, on
    its axis, 1.3 x 1.2 x 1.6 px short of the tip, coming from behind the back."""
    figure = draw(traced(topology_id, seed_config(topology_id)), Look(scale=scale)).to_plotly_json()
    layout = figure["layout"]
    margin = layout["margin"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    across = (layout["width"] - margin["l"] - margin["r"]) / (x1 - x0)
    up = (layout["height"] - margin["t"] - margin["b"]) / (y1 - y0)
    unit = 1.2 * 1.6 * scale

    def pixels(point):
        return point[0] * across, point[1] * up

    shapes = layout["shapes"]
    lines = [line for shape in shapes if shape.get("name") == "arrows" for line in path_points(shape["path"])]
    heads = [head for shape in shapes if shape.get("name") == "arrowheads" for head in path_points(shape["path"])]
    assert len(lines) == len(heads) == len(layout["meta"]["arrows"]) > 0
    for line, head in zip(lines, heads):
        tip, left, right = (pixels(point) for point in head)
        back = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
        assert math.dist(tip, back) == pytest.approx(5 * unit, abs=0.05)
        assert math.dist(left, right) == pytest.approx(5 * unit, abs=0.05)
        assert math.dist(tip, left) == pytest.approx(math.dist(tip, right), abs=0.05)
        end, before_end = pixels(line[-1]), pixels(line[-2])
        assert math.dist(end, tip) == pytest.approx(1.3 * unit, abs=0.05)
        # On the head's axis, and the line's last stretch comes from behind the back.
        axis = ((tip[0] - back[0]) / (5 * unit), (tip[1] - back[1]) / (5 * unit))
        off_axis = (end[0] - back[0]) * axis[1] - (end[1] - back[1]) * axis[0]
        assert abs(off_axis) < 0.05
        assert math.dist(before_end, tip) > math.dist(back, tip)
