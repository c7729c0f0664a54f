"""A button that counts every click, however fast they come: the lab's "Next step".

A click on `st.button` is a trigger, true for one run. Clicks that arrive while the page is still
running are folded into one pending run, and Streamlit keeps one true trigger of the two: six quick
clicks made two to six calls. This button sends the browser's running total instead ("12 clicks
so far"), so folding two pending runs loses nothing: the newer total includes the older one. The
page compares the total with the calls it has made and makes the rest.

The total is the session's: a button drawn again after a page switch goes on from the total the
page last saw. Tests click it by raising its total in st.session_state (see tests/test_labs.py).
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function ({ data, parentElement, setStateValue }) {
  let button = parentElement.querySelector("button");
  if (button === null) {
    button = document.createElement("button");
    button.type = "button";
    button.clicks = data.clicks;
    button.addEventListener("click", () => {
      button.clicks += 1;
      setStateValue("clicks", button.clicks);
    });
    parentElement.append(button);
  }
  button.clicks = Math.max(button.clicks, data.clicks);
  button.textContent = data.label;
  button.disabled = data.disabled;
}
"""

# Streamlit's own secondary button, as it looks in the light theme.
BUTTON_STYLE = """
button {
  font: inherit;
  font-size: 0.875rem;
  line-height: 1.6;
  min-height: 2.5rem;
  padding: 0.25rem 0.75rem;
  border-radius: 0.5rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  background: var(--st-background-color, #ffffff);
  color: var(--st-text-color, rgb(49, 51, 63));
  cursor: pointer;
}
button:hover:enabled { border-color: #ff4b4b; color: #ff4b4b; }
button:active:enabled { background: #ff4b4b; color: #ffffff; }
button:disabled { cursor: not-allowed; color: rgba(49, 51, 63, 0.4); border-color: rgba(49, 51, 63, 0.1); }
"""

_component = st.components.v2.component("rnn_shapes_counted_button", js=_SCRIPT, css=BUTTON_STYLE)


def total_clicks(key: str) -> int:
    """Clicks on the button `key` so far in this browser session; read it before drawing the button."""
    state = st.session_state.get(key)
    seen = st.session_state.get(f"{key}_seen", 0)
    if state is not None and "clicks" in state:
        seen = max(seen, int(state["clicks"]))
    st.session_state[f"{key}_seen"] = seen
    return seen


def counted_button(place, label: str, key: str, disabled: bool) -> None:
    """Draw the button in `place` (a column, or st)."""
    with place:
        _component(
            key=key,
            data={"label": label, "disabled": disabled, "clicks": total_clicks(key)},
            default={"clicks": 0},
            on_clicks_change=_ignore,
        )


def _ignore() -> None:
    """The total is read where the calls are made (total_clicks), not in a callback."""
