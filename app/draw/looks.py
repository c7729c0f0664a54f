"""How a figure is dressed for where it is shown and who looks at it: size and colours.

    render(plan)                             # for a screen: words at 14 px and up, the seed's colours
    render(plan, Look(scale=PRESENT_SCALE))  # for a lecture hall: words at 20 px and up
    render(plan, Look(palette="colorblind")) # Okabe-Ito's colours, told apart by every eye
    render(plan, Look(background="dark"))    # for Streamlit's dark theme: a dark page, light inks

The layout decides where every word and box goes at the screen's sizes (app.draw.layout). A Look
multiplies every pixel size of the figure by `scale`: the words, the lines, the margins and the
figure itself. The data units do not change, so the picture is the same picture, only larger,
and words that did not meet at 14 px do not meet at 20 px either.

The colours themselves are named in app.draw.palette. The seed's red x, green h and pink y are
the default; the "colorblind" palette paints each role in one of Okabe and Ito's colours, told
apart under the common colour-vision deficiencies, wherever the seed's colour of that role is
drawn (the box, its legend entry, the row's shapes; the arrows that carry h_t along its row).
The letters x, h, c and y stay on the boxes, so colour is never the only cue.

A figure is drawn on the page's own background: white, or on Streamlit's dark theme its dark
grey. Two kinds of colour follow the background differently. A *fill* is a box's colour: the
role colours are mid-tones that read on either page, and stay; only a pale fill meant to look
like the paper (a dropped y_t) turns dark with it. An *ink* is drawn on the paper itself (words,
arrows, outlines, dividers): on a dark page each is turned light, keeping its hue, by flipping
its lightness (and never darker than INK_LIGHTNESS), so the seed's dark green arrow becomes a
light green one. The letters on the boxes are inks on the box, not on the paper: they stay.
"""

from __future__ import annotations

import colorsys
import dataclasses

from app.draw.palette import BACKGROUNDS, PALETTES, TEXT
from app.draw.plan import SMALL_SIZE

PRESENT_TEXT = 20  # pixels: the smallest text a projected figure draws, readable from the back row
PRESENT_SCALE = PRESENT_TEXT / SMALL_SIZE  # the smallest text drawn is SMALL_SIZE on a screen
INK_LIGHTNESS = 0.7  # on a dark page no ink is darker than this (HLS lightness, 0 to 1)
PALE = 0.85  # a fill lighter than this is meant to look like the paper, and follows it


@dataclasses.dataclass(frozen=True)
class Look:
    """How a figure is dressed: for a screen (scale 1) or a projector (PRESENT_SCALE), in a palette."""

    scale: float = 1.0  # every pixel size, words and figure alike, is multiplied by this
    palette: str = "seed"  # a key of PALETTES
    background: str = "light"  # a key of BACKGROUNDS: the page the figure is shown on

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError(f"scale is {self.scale!r}, but it must be a number above 0.")
        if self.palette not in PALETTES:
            raise ValueError(f"palette is {self.palette!r}, but it must be one of {', '.join(PALETTES)}.")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background is {self.background!r}, but it must be one of {', '.join(BACKGROUNDS)}.")

    @property
    def dark(self) -> bool:
        return self.background == "dark"

    @property
    def paper(self) -> str:
        """The figure's background: the page's own."""
        return BACKGROUNDS[self.background]

    @property
    def text(self) -> str:
        """The colour of Plotly's own words (title, legend): TEXT, as the plan's words, on the
        figure's own paper. Left to Streamlit's theme, they would be light on a dark page even
        where the figure is white (a session's first run: app.ui.showing)."""
        return self.ink(TEXT)

    def colour(self, colour: str) -> str:
        """A fill of the plan as this look paints it: a role's seed colour in this palette; on a
        dark page, a pale fill (a dropped y_t) turned dark like the paper."""
        painted = PALETTES[self.palette].get(colour, colour)
        if self.dark and _lightness(painted) > PALE:
            return _with_lightness(painted, 1 - _lightness(painted))
        return painted

    def ink(self, colour: str) -> str:
        """A colour drawn on the paper (words, arrows, lines) as this look paints it: in this
        palette, and on a dark page turned light with its hue kept."""
        painted = PALETTES[self.palette].get(colour, colour)
        if self.dark:
            return _with_lightness(painted, max(1 - _lightness(painted), INK_LIGHTNESS))
        return painted

    def px(self, size: float) -> float:
        """A size in pixels as this look draws it."""
        return size * self.scale


def _rgb(colour: str) -> tuple[float, float, float]:
    """#rgb or #rrggbb as three numbers from 0 to 1; the plan writes every colour this way."""
    digits = colour.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    if not colour.startswith("#") or len(digits) != 6:
        raise ValueError(f"colour is {colour!r}, but it must be written #rgb or #rrggbb.")
    red, green, blue = (int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4))
    return red, green, blue


def _lightness(colour: str) -> float:
    return colorsys.rgb_to_hls(*_rgb(colour))[1]


def _with_lightness(colour: str, lightness: float) -> str:
    """The same hue and saturation at another lightness."""
    hue, _, saturation = colorsys.rgb_to_hls(*_rgb(colour))
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return "#" + "".join(f"{round(channel * 255):02x}" for channel in (red, green, blue))


SCREEN = Look()
