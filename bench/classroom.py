"""python -m bench.classroom: does one heavy request stall a class? (issue 15, goal 3)

One session asks for a heavy picture, again and again, while five others each ask for ten fresh
small pictures. Measured: the small pictures' waits (median and p95), three ways in one run:

- **alone**: the five sessions with nobody heavy, through the app's pool (app/serve/workers.py);
- **one lane**: heavy and small through one worker, as when every request took the same turn;
- **two lanes**: the app's pool, the heavy request in its own lane.

Goal: with two lanes, the small pictures' p95 at most 1.5 s. Then goal 4: thirty sessions at
once. The heavy request is a costly one the estimate allows for many_to_one with LSTM.
"""

from __future__ import annotations

import dataclasses
import statistics
import threading
import time

from app.serve.workers import Lane, Pool
from topologies import CATALOGUE, Config
from topologies.engine.tracing import trace_data

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


def thirty_at_once(pool: Pool) -> None:
    """Goal 4: thirty sessions open the heaviest link at once, then thirty open thirty different
    heavy links at once. Counted: pictures, "busy" sentences, and the peak memory of the workers."""
    topology_id, config, options = HEAVY
    different = [
        (topology_id, dataclasses.replace(config, batch=config.batch - number), options) for number in range(30)
    ]
    at_once(pool, "same link", [HEAVY] * 30)
    at_once(pool, "30 links", different)


def at_once(pool: Pool, label: str, requests: list[tuple]) -> None:
    from app.serve.workers import ServerBusy, _resident_megabytes

    outcomes: list[str] = []
    peak = 0.0
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            workers = [pool.light._process, pool.heavy._process]
            peak = max(peak, sum(_resident_megabytes(worker.pid) for worker in workers if worker))
            time.sleep(0.05)

    def ask(request):
        try:
            pool.call(trace_data, *request, heavy=True)
            outcomes.append("picture")
        except ServerBusy:
            outcomes.append("busy")

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=ask, args=(request,)) for request in requests]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    print(
        f"{label:<10} {len(requests)} sessions at once: {outcomes.count('picture')} pictures, "
        f"{outcomes.count('busy')} told busy, in {time.perf_counter() - started:.1f} s; "
        f"workers' peak memory {peak:,.0f} MB"
    )


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
        thirty_at_once(pool)
    finally:
        pool.light.stop()
        pool.heavy.stop()
        one.stop()


if __name__ == "__main__":
    main()
