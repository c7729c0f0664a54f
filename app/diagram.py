"""Draw a Trace as an unrolled network: one column per time step, one row per layer.

    figure = draw(trace("many_to_one", Config()))
    figure.layout.meta["boxes"]    # one record per drawn box: role, layer, step, call, shape, x0..y1
    figure.layout.meta["arrows"]   # one record per drawn arrow: source and target index the boxes, and a kind
    figure.layout.meta["description"]  # the picture in one sentence, for a screen reader (app.draw.describe)

Pure: a Trace in, a Plotly Figure out, in two steps. `app.draw.layout.layout` decides where every box,
arrow and word goes and knows nothing of Plotly; `app.draw.render.render` paints that plan. Neither
knows Streamlit or Keras, and every number written comes from the Trace, that is, from a real run.

Reading the picture, bottom to top: red x_t boxes are the input at step t, green h_t boxes the
state a recurrent layer carries to the right, grey boxes other layers, pink y_t boxes what the
model hands on. Each box also carries its letter, so colour is never the only cue. Behind each
box, two pale sheets stand for the other sequences of the batch. A pale dashed y_t above an h_t
was computed and dropped (return_sequences=False).

The arrows, by kind:
- feed: black, straight up from a box into the box above it at the same step;
- fan_out: black, from RepeatVector's single input box to the copy at every step;
- carry: green, along a recurrent row from h_t to h_(t+1); right to left on the backward row of a
  bidirectional layer, which reads the sequence from its end;
- feedback: pink, from one call's last y down to the next call's first x, where the next call was
  fed exactly that output.
- window: black, from every step a Conv1D kernel or a pooling window reads into the step it
  makes; a layer that changes the number of steps has its own columns, each step above the
  middle of the steps it reads and numbered by its own t (conv<sub>1</sub>, conv<sub>2</sub>, ...);
  global pooling and Flatten are one box, reached from every step.

- state: green, from a recurrent layer's last h_t into another recurrent layer's first h_t,
  which starts from it (initial_state: a seq2seq's encoder hands its decoder h and c).

A Functional graph is drawn as Keras ran it: a row per call of each layer (a shared Embedding
has two), each row fed by the rows its call read. A model with several inputs draws each input's
steps in columns of their own, left to right, t counted from 1 in each: a seq2seq's decoder
stands right of its encoder, its first h_t reached by the encoder's last.

Several calls of the model (stateful pieces, a feedback loop) sit side by side, split by dashed
lines and named on top; t counts on across calls until "⟲ reset". Past 12 steps the middle
steps are left out, and the gap says how many.

Every word is drawn at 14 px or more, no two words meet and every box's label fits inside it (a
layer's box says a short word: conv, max, drop, emb, rep): the figure is as wide and as tall as
that takes (figure.layout.width and height, in pixels), the rows' names and shapes in its
margins, long ones wrapped. Show it at that width, scrolling sideways where the page is
narrower; stretched or squeezed to the page, its columns would no longer fit their words.

Played (`draw(trace, played=True)`), the same picture carries a slider, Play and Pause, and a
Plotly frame per drawn column, which the browser plays one time step after another (app.draw.play).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.draw.describe import describe
from app.draw.grid import Grid
from app.draw.layout import plan_of
from app.draw.looks import SCREEN, Look
from app.draw.play import play
from app.draw.quiz import hidden_text, hide
from app.draw.render import render
from topologies.records import Shape, Trace

if TYPE_CHECKING:  # Plotly is app.draw.render's business; here it only names the type handed back
    import plotly.graph_objects as go

__all__ = ["draw"]


def draw(trace: Trace, look: Look = SCREEN, hidden: Shape | None = None, played: bool = False) -> go.Figure:
    """The unrolled network of `trace`, annotated with every shape the run produced, dressed by
    `look` (app.draw.looks: larger for a projector); a `hidden` shape is written "(?)" (app.draw.quiz);
    `played`, with a slider and Play to show it one step at a time (app.draw.play)."""
    grid = Grid.of(trace)  # the columns and rows, worked out once: the layout and the playback stand on them
    plan, description = plan_of(grid), describe(trace)  # the alt text: app.draw.describe
    if hidden is not None:
        plan, description = hide(plan, hidden), hidden_text(description, hidden)
    figure = play(plan, grid, look) if played else render(plan, look)
    figure.layout.meta = {**figure.layout.meta, "description": description}
    return figure
