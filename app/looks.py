"""How a figure is dressed for where it is shown and who looks at it: size and colours.

    render(plan)                             # for a screen: words at 14 px and up, the seed's colours
    render(plan, Look(scale=PRESENT_SCALE))  # for a lecture hall: words at 20 px and up
    render(plan, Look(palette="colorblind")) # Okabe-Ito's colours, told apart by every eye

The layout decides where every word and box goes at the screen's sizes (app.layout). A Look
multiplies every pixel size of the figure by `scale`: the words, the lines, the margins and the
figure itself. The data units do not change, so the picture is the same picture, only larger,
and words that did not meet at 14 px do not meet at 20 px either.

The seed's red x, green h and pink y are the default. About one man in twelve cannot tell that
red from that green; Okabe and Ito chose eight colours that stay apart under the common
colour-vision deficiencies (https://jfly.uni-koeln.de/color/), and the "colorblind" palette
paints each role in one of them, wherever the seed's colour of that role is drawn (the box, its
legend entry, the input row's shapes; the arrows that carry h_t along its row). The letters x,
h, c and y stay on the boxes, so colour is never the only cue.
"""

from __future__ import annotations

import dataclasses

from app.layout_arrows import STATE_GREEN
from app.plan import ROLES, SMALL_SIZE

PRESENT_TEXT = 20  # pixels: the smallest text a projected figure draws, readable from the back row
PRESENT_SCALE = PRESENT_TEXT / SMALL_SIZE  # the smallest text drawn is SMALL_SIZE on a screen


# Each palette: the colour that replaces each of the seed's role colours (none for the seed).
PALETTES = {
    "seed": {},
    "colorblind": {
        ROLES["input"][1]: "#D55E00",  # x_t: Okabe-Ito vermillion
        ROLES["state"][1]: "#56B4E9",  # h_t: sky blue
        ROLES["cell_state"][1]: "#0072B2",  # c_t: blue, dark under its white letter as the seed's green was
        STATE_GREEN: "#0072B2",  # the arrow carrying h_t to the next step: blue, beside the sky-blue boxes
        ROLES["output"][1]: "#CC79A7",  # y_t: reddish purple
        ROLES["discarded"][1]: "#F2DDE9",  # a dropped y_t: the reddish purple at a quarter, on white
    },
}


@dataclasses.dataclass(frozen=True)
class Look:
    """How a figure is dressed: for a screen (scale 1) or a projector (PRESENT_SCALE), in a palette."""

    scale: float = 1.0  # every pixel size, words and figure alike, is multiplied by this
    palette: str = "seed"  # a key of PALETTES

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError(f"scale is {self.scale!r}, but it must be a number above 0.")
        if self.palette not in PALETTES:
            raise ValueError(f"palette is {self.palette!r}, but it must be one of {', '.join(PALETTES)}.")

    def colour(self, colour: str) -> str:
        """A colour of the plan as this look paints it: a role's seed colour in this palette."""
        return PALETTES[self.palette].get(colour, colour)

    def px(self, size: float) -> float:
        """A size in pixels as this look draws it."""
        return size * self.scale


SCREEN = Look()
