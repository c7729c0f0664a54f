"""python -m bench.classroom: does one heavy request stall a class? (issue 15, goal 3)

One session asks for a heavy picture, again and again, while five others each ask for ten fresh
small pictures. Measured: the small pictures' waits (median and p95), three ways in one run:

- **alone**: the five sessions with nobody heavy, through the app's pool (app/workers.py);
- **one lane**: heavy and small through one worker, as when every request took the same turn;
- **two lanes**: the app's pool, the heavy request in its own lane.

Goal: with two lanes, the small pictures' p95 at most 1.5 s. The heavy request is the costliest
the cost estimate allows for many_to_one with LSTM (bench/corners.py finds such corners).
"""

from __future__ import annotations

import statistics
import threading
import time

from app.workers import Lane, Pool
from topologies import CATALOGUE, Config
from topologies.tracing import trace_data

HEAVY = ("many_to_one", Config(batch=900, steps=1000, features=8, units=1), {})
SESSIONS, REQUESTS = 5, 10
P95_GOAL = 1.5


def small_requests(session: int) -> list[tuple]:
    """Ten configurations no other session asks for: each a fresh trace."""
    return [
        ("many_to_many", Config(batch=2 + session, steps=3 + number, units=4 + number), {})
        for number in range(REQUESTS)
    ]


def measure(call_small, call_heavy, label: str, offset: int) -> list[float]:
    """Run the sessions; return every small request's wait, in seconds."""
    waits: list[float] = []
    done = threading.Event()

    def heavy_loop():
        while not done.is_set():
            call_heavy(trace_data, *HEAVY)

    def session(number: int):
        for topology_id, config, options in small_requests(number + offset):
            started = time.perf_counter()
            call_small(trace_data, topology_id, config, options)
            waits.append(time.perf_counter() - started)

    heavy = threading.Thread(target=heavy_loop) if call_heavy else None
    if heavy:
        heavy.start()
        time.sleep(1.0)  # the heavy request is under way
    sessions = [threading.Thread(target=session, args=(number,)) for number in range(SESSIONS)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join()
    done.set()
    if heavy:
        heavy.join()
    waits.sort()
    p95 = waits[int(0.95 * (len(waits) - 1))]
    print(
        f"{label:<10} small pictures: median {statistics.median(waits):.2f} s, p95 {p95:.2f} s, max {waits[-1]:.2f} s"
    )
    return waits


def main() -> None:
    topology_id, config, _ = HEAVY
    CATALOGUE[topology_id].check(config)  # the heavy request is one the app allows
    pool = Pool()
    pool.start()
    one = Lane("one")
    try:
        pool.call(trace_data, "many_to_many", Config(), {})  # both workers loaded and warm
        pool.call(trace_data, "many_to_many", Config(), {}, heavy=True)
        one.call(trace_data, ("many_to_many", Config(), {}), deadline=60)
        measure(lambda *request: pool.call(*request), None, "alone", offset=0)
        measure(
            lambda *request: one.call(request[0], request[1:], deadline=60),
            lambda *request: one.call(request[0], request[1:], deadline=60),
            "one lane",
            offset=10,
        )
        waits = measure(
            lambda *request: pool.call(*request),
            lambda *request: pool.call(*request, heavy=True),
            "two lanes",
            offset=20,
        )
        p95 = waits[int(0.95 * (len(waits) - 1))]
        print(
            f"two lanes p95 {p95:.2f} s against a goal of {P95_GOAL} s: {'meets' if p95 <= P95_GOAL else 'MISSES'} it"
        )
    finally:
        pool.light.stop()
        pool.heavy.stop()
        one.stop()


if __name__ == "__main__":
    main()
