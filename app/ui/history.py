"""Back and Forward step between configurations: one browser-history entry per picture.

Streamlit writes a bound widget's new value into the address bar with `history.replaceState`:
the link stays right, but the entry before it is overwritten, so Back leaves the app instead of
returning to the previous picture. This component runs a few lines of JavaScript in the page
after every script run. When the run drew another picture than the last one it saw (another
page, or another query as the server holds it), and no entry was visited meanwhile (Back,
Forward), it puts the previous address back on the current entry and pushes the new one.
Streamlit handles Back and Forward itself: on `popstate` it runs the page again with the
entry's query, and a bound widget takes its value from the URL (a parameter left out means the
widget's default).

A link with a default value in it (batch=10) is tidied by Streamlit as it first loads, and the
tidied address is pushed as an entry of its own before this script first runs: the link's own
entry then shows the same picture. Each entry the keeper makes or keeps carries its number in
`history.state` (the first picture's is 1), so Back from the first picture onto an entry without
one passes over it and leaves the app, as it would have without Streamlit's entry.

Nothing here reads what the link says: the script only compares and copies the page's own
address (and compares the server's name for the picture), so a hostile link cannot put anything
into the page through it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

_SCRIPT = """
// Every entry this keeper makes or keeps carries its number in history.state, the first picture's 1.
const marked = (state, entry) =>
  Object.assign({}, typeof state === "object" && state !== null ? state : {}, { rnnShapesEntry: entry });

export default function ({ data }) {
  const here = () => window.location.pathname + window.location.search;
  let memory = window.__rnnShapesHistory;
  if (memory === undefined) {
    const push = window.history.pushState.bind(window.history);
    const replace = window.history.replaceState.bind(window.history);
    memory = { shown: here(), picture: data.picture, navigated: false, push, replace, entry: 1, made: 1 };
    window.__rnnShapesHistory = memory;
    replace(marked(window.history.state, 1), "", here());
    // Streamlit pushes an entry for each step of a page switch (the page, then each restored
    // parameter): every address it writes replaces the current entry instead, keeping its
    // number, and the entry for the finished picture is pushed below, once.
    window.history.pushState = (state, title, url) => replace(marked(state, memory.entry), title, url);
    window.history.replaceState = (state, title, url) => replace(marked(state, memory.entry), title, url);
    window.addEventListener("popstate", (event) => {
      const entry = event.state && event.state.rnnShapesEntry;
      if (!entry && memory.entry === 1) {
        // Back from the first picture onto an entry no keeper made: Streamlit pushed the tidied
        // link (defaults left out) before this script first ran, so the link's own entry shows
        // the same picture again. Go on back, to where the link was opened from.
        window.history.back();
        return;
      }
      memory.entry = entry || memory.entry;
      // Back or Forward: Streamlit runs the page for that entry and may tidy its address; the
      // run that follows is the entry itself, not a new picture.
      memory.navigated = true;
    });
  }
  const now = here();
  // A new picture gets its own entry. The address alone is not enough to tell: Streamlit tidies
  // a link's address (a default value leaves it) as the first picture is drawn, sometimes after
  // this script first ran, and that tidying is the same picture.
  if (data.picture !== memory.picture && !memory.navigated) {
    memory.replace(window.history.state, "", memory.shown);
    memory.made += 1;
    memory.entry = memory.made;
    memory.push(marked(null, memory.entry), "", now);
  }
  memory.navigated = false;
  memory.shown = now;
  memory.picture = data.picture;
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


def keep_history(page_path: str) -> None:
    """Mount the history keeper; call once at the end of every script run, with the page's path.

    The data says which picture this run drew: the page and its query as the server holds it
    once every bound widget has run (tidy: defaults left out), whenever the browser's address
    catches up. A run counter beside it makes the script run after every run (an unchanged
    mount would not run it again)."""
    st.session_state.history_runs = st.session_state.get("history_runs", 0) + 1
    picture = page_path + "?" + urlencode(sorted(st.query_params.to_dict().items()))
    _component(key="rnn_shapes_history", data={"run": st.session_state.history_runs, "picture": picture}, height=0)
