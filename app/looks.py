"""How a figure is dressed for where it is shown: the same plan, bigger on a projector.

    render(plan)                          # for a screen: words at 14 px and up
    render(plan, Look(scale=PRESENT_SCALE))  # for a lecture hall: words at 20 px and up

The layout decides where every word and box goes at the screen's sizes (app.layout). A Look
multiplies every pixel size of the figure by `scale`: the words, the lines, the margins and the
figure itself. The data units do not change, so the picture is the same picture, only larger,
and words that did not meet at 14 px do not meet at 20 px either.
"""

from __future__ import annotations

import dataclasses

from app.plan import SMALL_SIZE

PRESENT_TEXT = 20  # pixels: the smallest text a projected figure draws, readable from the back row
PRESENT_SCALE = PRESENT_TEXT / SMALL_SIZE  # the smallest text drawn is SMALL_SIZE on a screen


@dataclasses.dataclass(frozen=True)
class Look:
    """How a figure is dressed: for a screen (scale 1) or a projector (PRESENT_SCALE)."""

    scale: float = 1.0  # every pixel size, words and figure alike, is multiplied by this

    def __post_init__(self):
        if not self.scale > 0:
            raise ValueError(f"scale is {self.scale!r}, but it must be a number above 0.")

    def px(self, size: float) -> float:
        """A size in pixels as this look draws it."""
        return size * self.scale


SCREEN = Look()
