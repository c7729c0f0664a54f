"""Step-through: one multi-call topology advanced one step of its protocol at a time.

    stepper = Stepper("one_to_many_stateful", Config(units=2))
    stepper.advance()          # the first call: step 1
    stepper.snapshot()         # a Trace of what has run so far, ready to draw

A Stepper owns a real stateful model, so it belongs to one browser session (the app keeps it in
st.session_state) and is never shared: its state is that session's state.
"""

from __future__ import annotations

from topologies.config import Config
from topologies.trace import KERAS_LOCK, Trace, start


class Stepper:
    """Runs a topology's `calls()` generator one event per `advance()`."""

    def __init__(self, topology_id: str, config: Config, **options):
        self._runner = start(topology_id, config)
        if not self._runner.topology.is_multi_call:
            raise ValueError(f"{topology_id} runs in a single call; there is nothing to step through.")
        self._events = self._runner.topology.module.calls(self._runner.model, config, self._runner, **options)
        self.finished = False
        self.facts: dict = {}

    def advance(self):
        """Run the next event (an epoch, a call, ...) and return what it yielded; None at the end."""
        if self.finished:
            return None
        with KERAS_LOCK:
            try:
                return next(self._events)
            except StopIteration as end:
                self.finished = True
                self.facts = end.value or {}
                return None

    @property
    def call_count(self) -> int:
        return len(self._runner.calls)

    def snapshot(self) -> Trace:
        """Everything recorded so far, as a Trace (with the facts once the protocol is over)."""
        return self._runner.snapshot(self.facts)
