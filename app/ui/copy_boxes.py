"""Text to copy: a link in a read-only field, and Python code, each with its Copy button.

    link_box(link, "A link to exactly this picture", key="diagram_link")
    code_box(code, key="keras_code", dark=look.dark)

Both are components-v2 elements, drawn in the page itself (no iframe), rather than st.code: that
loads Streamlit's syntax highlighter, about 0.1 to 0.25 s of the browser's main thread before a
page's first picture paints (bench/browser.py), and highlights the code again on every rerun.
The code is coloured once, on the server, by Pygments (a Streamlit dependency already), into
spans with inline colours; its boxes take their background, border and fonts from the theme's
own CSS variables (--st-...), so they sit right on the dark theme too.

What the browser receives is the app's own text: a link written from checked settings, and code
written by app.ui.runnable from a checked Config, which Pygments escapes as it colours it. The
link is set as a field's value, never as markup.
"""

from __future__ import annotations

import functools

import streamlit as st
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from app.ui.counted_button import BUTTON_STYLE

# Pygments' colours for code on the theme's secondary background: a light and a dark set.
CODE_STYLES = {False: "default", True: "github-dark"}

_COPY_SCRIPT = """
function copied(button, label) {
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
}

// The clipboard API needs a secure page (localhost, https); a class on http://host:8501 is not
// one, so there the text is selected in a field and copied the old way.
function copy(text, field, button, label) {
  const byHand = () => { field.select(); if (document.execCommand("copy")) copied(button, label); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => copied(button, label), byHand);
  } else {
    byHand();
  }
}
"""

_LINK_SCRIPT = (
    _COPY_SCRIPT
    + """
export default function ({ data, parentElement }) {
  let field = parentElement.querySelector("input");
  if (field === null) {
    const row = document.createElement("div");
    row.className = "link";
    field = document.createElement("input");
    field.readOnly = true;
    field.setAttribute("aria-label", data.label);
    field.addEventListener("focus", () => field.select());
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy link";
    button.addEventListener("click", () => copy(field.value, field, button, "Copy link"));
    row.append(field, button);
    parentElement.append(row);
  }
  field.value = data.link;  // a value, never markup
}
"""
)

_CODE_SCRIPT = (
    _COPY_SCRIPT
    + """
export default function ({ data, parentElement }) {
  let box = parentElement.querySelector("div.code");
  if (box === null) {
    box = document.createElement("div");
    box.className = "code";
    const pre = document.createElement("pre");
    pre.append(document.createElement("code"));
    const field = document.createElement("textarea");  // the copy's plain text, for the old way
    field.readOnly = true;
    field.tabIndex = -1;
    field.setAttribute("aria-hidden", "true");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy code";
    button.addEventListener("click", () => copy(field.value, field, button, "Copy code"));
    box.append(pre, field, button);
    parentElement.append(box);
  }
  box.querySelector("code").innerHTML = data.html;  // Pygments' escaped spans of the app's own code
  box.querySelector("textarea").value = data.code;
}
"""
)

_FIELD_STYLE = """
  font-family: var(--st-code-font, "Source Code Pro", monospace);
  font-size: 0.875rem;
  border-radius: 0.5rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  background: var(--st-secondary-background-color, rgb(240, 242, 246));
  color: var(--st-text-color, rgb(49, 51, 63));
"""

_LINK_STYLE = f"""
.link {{ display: flex; gap: 0.5rem; }}
.link input {{ flex: 1; min-width: 0; padding: 0.25rem 0.75rem; {_FIELD_STYLE} }}
"""

_CODE_STYLE = f"""
.code {{ position: relative; }}
.code pre {{ margin: 0; padding: 1rem 7rem 1rem 1rem; overflow-x: auto; line-height: 1.5; {_FIELD_STYLE} }}
.code code {{ font: inherit; background: none; color: inherit; }}
.code textarea {{ position: absolute; left: -9999px; width: 1px; height: 1px; opacity: 0; }}
.code button {{ position: absolute; top: 0.5rem; right: 0.5rem; }}
"""

_link_component = st.components.v2.component("rnn_shapes_link", js=_LINK_SCRIPT, css=BUTTON_STYLE + _LINK_STYLE)
_code_component = st.components.v2.component("rnn_shapes_code", js=_CODE_SCRIPT, css=BUTTON_STYLE + _CODE_STYLE)


def link_box(link: str, label: str, key: str) -> None:
    """`label` as a caption, then `link` in a read-only field with a Copy link button beside it."""
    st.caption(f"{label}:")
    _link_component(key=key, data={"link": link, "label": label})


def code_box(code: str, key: str, dark: bool = False) -> None:
    """`code`, coloured as Python for a light or a dark page, with a Copy code button in its corner."""
    _code_component(key=key, data={"code": code, "html": coloured(code, dark)})


@functools.lru_cache(maxsize=256)
def coloured(code: str, dark: bool = False) -> str:
    """`code` as HTML spans with inline colours (Pygments), every character of the code escaped."""
    formatter = HtmlFormatter(noclasses=True, nowrap=True, nobackground=True, style=CODE_STYLES[dark])
    return highlight(code, PythonLexer(), formatter)
