"""Show a user's text as text: the one way the app quotes anything it did not write itself.

Streamlit renders markdown in st.warning, st.error, st.info, st.markdown and st.caption: links,
images, KaTeX between dollars, `:red[coloured text]`, `:material/icons:` and emoji short codes
all come alive. A value from a link, a text box or an uploaded file is shown inside a code span
instead, where none of them does anything, and cut to a readable length:

    literal("[log in](https://example.com)")   # "`[log in](https://example.com)`"
    markdown_of(ConfigError(...))               # our words as they are, the user's text as code

The diagram's labels are Plotly text, which reads a little HTML instead: see `app.draw.plan.plotly_text`.
"""

from __future__ import annotations

import re

from topologies.refusal import Quoted, Refusal, cut

_BACKTICK_RUNS = re.compile(r"`+")


def _visible(text: str) -> str:
    """Control and other invisible characters as escapes (a new line would end a code span)."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def literal(text: str) -> str:
    """`text` as a markdown code span that shows exactly its characters, cut past 60.

    A code span's fence must be longer than any run of backticks inside it (CommonMark), and a
    value that starts or ends with a backtick is padded with a space the renderer strips.
    """
    text = _visible(text if isinstance(text, Quoted) else cut(str(text)))  # a Quoted value is cut already
    fence = "`" * (max((len(run) for run in _BACKTICK_RUNS.findall(text)), default=0) + 1)
    # CommonMark strips one space from each end of a span that starts and ends with one: a value
    # that does so, or that starts or ends with a backtick, is padded so that nothing is lost.
    # A span of spaces only is kept as it is; an empty one cannot be written, so it shows one space.
    if not text.strip():
        return f"`{text or ' '}`"
    padded = text[:1] in ("`", " ") and text[-1:] in ("`", " ") or text[:1] == "`" or text[-1:] == "`"
    padding = " " if padded else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def markdown_of(error: Refusal) -> str:
    """A refusal as markdown: its own words as they are, the user's parts as code spans."""
    return "".join(literal(part) if isinstance(part, Quoted) else part for part in error.parts)
