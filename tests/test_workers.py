"""The worker processes that make the pictures (app/serve/workers.py): a request past its deadline is
stopped with one sentence and the next one is served; a heavy request does not hold up a light
one; identical requests share one run; a refusal comes back with the user's text still quoted.

The functions sent to the workers are defined here, at module level, so a worker can import them
by name. No test measures a time: each checks what happened, and in which order.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from app.serve.workers import WAITING_LIMIT, Lane, Pool, ServerBusy
from topologies.config import Config
from topologies.own.stack import StackError
from topologies.refusal import Quoted, quoted

# Worker processes started, stopped past their deadlines and kept busy on purpose: about 30 s a test here.
pytestmark = pytest.mark.slow


def sleep_then_answer(seconds: float, answer: str) -> str:
    time.sleep(seconds)
    return answer


def process_id(_: str) -> int:
    return os.getpid()


def refuse_with_user_text(text: str) -> None:
    error = StackError("layer 2 is ", quoted(text), ", which is not a layer.", fix={"units": 2})
    error.position = 2
    raise error


def fail_with(text: str) -> None:
    raise KeyError(text)


def append_a_line(path: str) -> str:
    time.sleep(3)  # long enough for the other identical requests to arrive meanwhile
    with open(path, "a") as file:
        file.write("ran\n")
    return "done"


@pytest.fixture(scope="module")
def lane():
    started = Lane("test")
    yield started
    started.stop()


def test_a_request_past_its_deadline_is_stopped_in_one_sentence_and_the_next_is_served(lane):
    first_worker = lane.call(process_id, ("before",), deadline=60)
    with pytest.raises(ServerBusy) as stopped:
        lane.call(sleep_then_answer, (30, "too late"), deadline=1)
    message = str(stopped.value)
    assert message.startswith("This picture was stopped because it was still running after 1 s")
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    assert lane.call(sleep_then_answer, (0, "served"), deadline=60) == "served"
    assert lane.call(process_id, ("after",), deadline=60) != first_worker  # a fresh worker


def test_a_refusal_comes_back_with_its_parts_and_what_was_set_on_it(lane):
    with pytest.raises(StackError) as refused:
        lane.call(refuse_with_user_text, ("[log in](https://example.com)",), deadline=60)
    error = refused.value
    assert [type(part) for part in error.parts] == [str, Quoted, str]
    assert error.parts[1] == repr("[log in](https://example.com)")
    assert error.fix == {"units": 2} and error.position == 2


def test_a_bug_in_a_worker_is_one_sentence_with_its_text_as_code(lane):
    with pytest.raises(ServerBusy) as failed:
        lane.call(fail_with, ("[a link](https://example.com)",), deadline=60)
    assert str(failed.value).startswith("This picture could not be made, because of an error in RNN shapes: ")
    assert [type(part) for part in failed.value.parts] == [str, Quoted, str]
    assert lane.call(sleep_then_answer, (0, "served"), deadline=60) == "served"  # the worker lives on


def test_a_step_through_run_is_made_in_the_worker_from_plain_arguments(lane):
    """What app.serve.traces.cached_steps sends: the function by name, a Config, a count and a dict of
    options; what comes back is plain data. A later request for fewer events of the same run gets the
    first calls of the same run."""
    from app.serve.steps import stepped_data

    config = Config(batch=2, steps=3, features=2, units=2)
    three = lane.call(stepped_data, ("one_to_many_stateful", config, 3, {}), deadline=60)
    one = lane.call(stepped_data, ("one_to_many_stateful", config, 1, {}), deadline=60)
    # one call per step, each reading one step: (batch, 1, features)
    assert [call["label"] for call in three["calls"]] == ["step 1", "step 2", "step 3"]
    assert all(call["input_shapes"] == [[2, 1, 2]] for call in three["calls"])
    assert one["calls"] == three["calls"][:1]


def test_a_heavy_request_does_not_hold_up_a_light_one():
    pool = Pool()
    pool.start()
    try:
        pool.call(process_id, "warm up", heavy=True)
        pool.call(process_id, "warm up")
        heavy = threading.Thread(target=pool.call, args=(sleep_then_answer, 8, "heavy"), kwargs={"heavy": True})
        heavy.start()
        time.sleep(0.5)  # the heavy request is running
        assert pool.call(sleep_then_answer, 0, "light") == "light"
        assert heavy.is_alive(), "the light request waited for the heavy one to finish"
        heavy.join()
    finally:
        pool.light.stop()
        pool.heavy.stop()


def test_identical_requests_arriving_together_share_one_run(tmp_path):
    pool = Pool()
    pool.start()
    log = tmp_path / "runs.txt"
    try:
        pool.call(process_id, "warm up")
        answers = []
        threads = [
            threading.Thread(target=lambda: answers.append(pool.call(append_a_line, str(log)))) for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == ["done"] * 5
        assert log.read_text() == "ran\n"
    finally:
        pool.light.stop()
        pool.heavy.stop()


def test_past_the_waiting_limit_a_heavy_request_is_told_the_server_is_busy():
    pool = Pool()
    pool.start()
    try:
        pool.call(process_id, "warm up", heavy=True)
        outcomes = []

        def ask(number: int) -> None:
            try:
                outcomes.append(pool.call(sleep_then_answer, 2, f"picture {number}", heavy=True))
            except ServerBusy as busy:
                outcomes.append(str(busy))

        threads = [threading.Thread(target=ask, args=(number,)) for number in range(WAITING_LIMIT + 4)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # one after another, so each finds the ones before it waiting
        for thread in threads:
            thread.join()
        busy = [outcome for outcome in outcomes if outcome.startswith("The server is drawing")]
        drawn = [outcome for outcome in outcomes if outcome.startswith("picture")]
        assert busy and drawn and len(busy) + len(drawn) == WAITING_LIMIT + 4, outcomes
        assert all(message.endswith("try again in a few seconds, or choose smaller sizes.") for message in busy)
    finally:
        pool.light.stop()
        pool.heavy.stop()


def test_a_class_asking_for_the_pool_at_once_gets_one_pool(monkeypatch):
    """Ten sessions of a fresh server ask at the same moment: one pool (two workers) is made,
    not one per session. Pool is replaced by a slow stand-in, so no worker process starts."""
    import app.serve.workers as workers

    made = []

    class SlowPool:
        def __init__(self):
            made.append(self)
            time.sleep(0.2)  # a real Pool spawns two processes meanwhile: the others must wait

        def start(self):
            pass

    monkeypatch.setattr(workers, "Pool", SlowPool)
    monkeypatch.setattr(workers, "_pool", None)
    got = []
    threads = [threading.Thread(target=lambda: got.append(workers.pool())) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert got == [made[0]] * 10
