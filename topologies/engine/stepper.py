"""Step-through: a topology's protocol advanced one event at a time.

    stepper = Stepper("one_to_many_stateful", Config(units=2))
    stepper.advance()          # Event("call", "step 1"): the first call ran
    stepper.snapshot()         # a Trace of what has run so far, ready to draw

Every topology runs this way: `trace()` is a Stepper run to the end in one go. A single-call
topology has one event. A Stepper owns a real (possibly stateful) model, so its state is that
one run's: it is advanced only for that run (the app keeps each in a worker process and answers
every request for the same run from it, app/serve/steps.py).
"""

from __future__ import annotations

from topologies.config import Config
from topologies.contract import Event
from topologies.engine.guard import KERAS_LOCK
from topologies.engine.run import start
from topologies.records import Facts, Trace


class Stepper:
    """Runs a topology's `calls()` events one `advance()` at a time.

    `finished` turns true with the last event, not one click later: the topology says how many
    events its protocol yields, and after the last one the protocol's own ending (a final reset,
    the facts) runs at once. So a Next button can be disabled exactly when it can do nothing.
    """

    def __init__(self, topology: str | object, config: Config, **options):
        self._runner = start(topology, config)
        self._events = self._runner.topology.calls(self._runner.model, config, self._runner, **options)
        self.remaining = self._runner.topology.event_count(config, **options)
        self.finished = False
        self.facts = Facts()

    def advance(self) -> Event | None:
        """Run the next event (an epoch, a call) and return it; None once the protocol is over."""
        if self.finished:
            return None
        with KERAS_LOCK:
            event = next(self._events)
            self.remaining -= 1
            if self.remaining == 0:
                self._finish()
        return event

    def _finish(self) -> None:
        try:
            surplus = next(self._events)
        except StopIteration as end:
            self.finished = True
            self.facts = end.value or Facts()
            return
        raise RuntimeError(f"{self._runner.topology.id} yielded {surplus} after the events its event_count promised")

    def run_to_end(self) -> Stepper:
        with KERAS_LOCK:
            while not self.finished:
                self.advance()
        return self

    @property
    def call_count(self) -> int:
        return len(self._runner.calls)

    def snapshot(self) -> Trace:
        """Everything recorded so far, as a Trace (with the facts once the protocol is over)."""
        return self._runner.snapshot(self.facts)
