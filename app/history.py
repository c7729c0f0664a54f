"""Back and Forward step between configurations: one browser-history entry per picture.

Streamlit writes a bound widget's new value into the address bar with `history.replaceState`:
the link stays right, but the entry before it is overwritten, so Back leaves the app instead of
returning to the previous picture. This component runs a few lines of JavaScript in the page
after every script run. When the address differs from the one it last saw, and no entry was
added meanwhile (a page switch adds its own) nor visited (Back, Forward), it puts the previous
address back on the current entry and pushes the new one. Streamlit handles Back and Forward
itself: on `popstate` it runs the page again with the entry's query, and a bound widget takes
its value from the URL (a parameter left out means the widget's default).

Nothing here reads what the link says: the script only compares and copies the page's own
address, so a hostile link cannot put anything into the page through it.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function () {
  const here = () => window.location.pathname + window.location.search;
  let memory = window.__rnnShapesHistory;
  if (memory === undefined) {
    const push = window.history.pushState.bind(window.history);
    const replace = window.history.replaceState.bind(window.history);
    memory = { shown: here(), navigated: false, push, replace };
    window.__rnnShapesHistory = memory;
    // Streamlit pushes an entry for each step of a page switch (the page, then each restored
    // parameter): every address it writes replaces the current entry instead, and the entry
    // for the finished picture is pushed below, once.
    window.history.pushState = (state, title, url) => replace(state, title, url);
    // Back or Forward: Streamlit runs the page for that entry and may tidy its address; the
    // run that follows is the entry itself, not a new picture.
    window.addEventListener("popstate", () => {
      memory.navigated = true;
    });
  }
  const now = here();
  if (now !== memory.shown && !memory.navigated) {
    memory.replace(window.history.state, "", memory.shown);
    memory.push({}, "", now);
  }
  memory.navigated = false;
  memory.shown = now;
}
"""


class PageStopped(Exception):
    """Raised by stop_page(); app/main.py catches it and finishes the run normally."""


def stop_page() -> None:
    """End the page here, as st.stop() would, but let app/main.py finish the run.

    A page that shows a refusal ends early. st.stop() would also drop everything drawn after
    the page, the history keeper included, so that picture would never get its own entry."""
    raise PageStopped


_component = st.components.v2.component("rnn_shapes_history", js=_SCRIPT)


def first_run() -> bool:
    """Whether this is the browser session's first script run: keep_history has not run yet."""
    return "history_runs" not in st.session_state


def keep_history() -> None:
    """Mount the history keeper; call once at the end of every script run.

    The data is a run counter, so the script runs after every run (an unchanged mount would
    not run it again)."""
    st.session_state.history_runs = st.session_state.get("history_runs", 0) + 1
    _component(key="rnn_shapes_history", data={"run": st.session_state.history_runs}, height=0)
