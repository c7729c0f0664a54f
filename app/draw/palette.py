"""Every colour the pictures use, named once for what it colours.

    Box(role="state", ...).colour        # STATE_FILL, through app.draw.plan.ROLES
    Arrow("carry", ..., colour=STATE_ARROW)
    Look(palette="colorblind").colour(STATE_FILL)   # "#56B4E9": PALETTES repaints it

The seed's picture paints x_t red, h_t green and y_t pink; every other colour here is chosen
to sit beside those. A *fill* colours a box; an *ink* is drawn on the paper (words, arrows,
outlines), and app.draw.looks turns each ink light on a dark page. Where two things share a
colour on purpose (the input row's shapes are written in x_t's red), one is named after the
other, so that a palette repainting the one repaints the other with it: a palette is keyed by
the colour it replaces, not by its name.

The lab pages' charts (app.draw.charts) take their colours from here too, so a chunk of a
sequence is the green of h_t there as it is in the unrolled picture.
"""

from __future__ import annotations

# The boxes' fills, one per role (app.draw.plan.ROLES).
INPUT_FILL = "#e4572e"  # x_t: red
STATE_FILL = "#4caf50"  # h_t: green
CELL_STATE_FILL = "#1b5e20"  # c_t: a dark green, under a white letter
OUTPUT_FILL = "#f48fb1"  # y_t: pink
LAYER_FILL = "#b0bec5"  # any other layer (Dense, Embedding, ...): blue-grey
DISCARDED_FILL = "#fce4ec"  # a y_t computed and dropped: the pink made as pale as the paper
LIGHT_STATE_FILL = "#81c784"  # h_t's green, lighter: every other chunk of a lab chart, told from its neighbour

# The letters on the boxes: inks on the box, not on the paper, so a dark page leaves them as they are.
LETTER = "#111"
CELL_STATE_LETTER = "white"  # on c_t's dark green

# Inks: the lines and arrows drawn on the paper.
INK = "#333"  # box outlines, legend swatches, and the arrows that feed a box above (feed, fan_out, window)
STATE_ARROW = "#2e7d32"  # h_t handed on, along its row (carry) or into another layer (state): darker than its box
FAINT = "#9e9e9e"  # what stands back: a dropped y_t's letter, the dashed line between calls
FADED_OUTLINE = "#bdbdbd"  # a dropped y_t's dashed outline
FRAME_LINE = "#5c6bc0"  # the dotted frame around a nested model's rows
TRANSPARENT = "rgba(0,0,0,0)"  # no fill: a frame, an arrow's line
HIGHLIGHT = "#ffca28"  # amber, when played: the lit column and the glow under the arrows carried into it

# Inks: the words on the paper.
TEXT = "#263238"  # every word that names no colour of its own; Plotly's own words (title, legend) too
INPUT_TEXT = INPUT_FILL  # the input row's shapes, in x_t's red
RECURRENT_TEXT = CELL_STATE_FILL  # a recurrent row's shapes, in c_t's dark green
LAYER_TEXT = "#37474f"  # another layer's shapes
OUTPUT_INK = "#ad1457"  # y on the paper: the output row's shapes, the arrow feeding y back, a lab chart's target
STEP_TEXT = "#616161"  # t = 1, 2, ... under the columns, and the gap's "n more steps"
NOTE_TEXT = "#6a1b9a"  # a row's note on what its boxes do not show: dropout, masks
RESET_TEXT = "#c62828"  # "⟲ reset" at the foot of a divider
FRAME_TEXT = "#3949ab"  # a nested model's name, up its frame

# The paper of each background Streamlit's themes have: white, and the dark theme's own (1.67: rgb(23, 22, 20)).
BACKGROUNDS = {"light": "white", "dark": "#171614"}

# Each palette: the colour that replaces each of the seed's colours it changes (none for the seed).
# About one man in twelve cannot tell the seed's red from its green; Okabe and Ito chose eight
# colours that stay apart under the common colour-vision deficiencies
# (https://jfly.uni-koeln.de/color/), and "colorblind" paints each role in one of them.
PALETTES = {
    "seed": {},
    "colorblind": {
        INPUT_FILL: "#D55E00",  # x_t: Okabe-Ito vermillion
        STATE_FILL: "#56B4E9",  # h_t: sky blue
        CELL_STATE_FILL: "#0072B2",  # c_t: blue, dark under its white letter as the seed's green was
        STATE_ARROW: "#0072B2",  # the arrow carrying h_t to the next step: blue, beside the sky-blue boxes
        OUTPUT_FILL: "#CC79A7",  # y_t: reddish purple
        DISCARDED_FILL: "#F2DDE9",  # a dropped y_t: the reddish purple at a quarter, on white
    },
}
