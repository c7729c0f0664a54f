"""Series for the Windows page: pasted text read as numbers, checked.

Pure: text and sizes in, NumPy arrays out, and a SeriesError with one plain sentence for
anything that cannot become a series. The synthetic series and the windows come from
`topologies.series`, the same functions the sliding_windows topology uses.
"""

from __future__ import annotations

import re

import numpy as np

from topologies.refusal import Refusal, quoted

MAX_VALUES = 5000  # more than a picture can show, and than a paste box holds comfortably
SEPARATORS = re.compile(r"[\s,;]+")


class SeriesError(Refusal):
    """Text that cannot be used as a series; the message says why and what would work."""


def parse_series(text: str, name: str = "series") -> np.ndarray:
    """'1, 2.5 3\\n4' -> array([1., 2.5, 3., 4.]); numbers separated by commas, spaces or lines."""
    tokens = [token for token in SEPARATORS.split(text.strip()) if token]
    if not tokens:
        raise SeriesError(f"{name} is empty; paste numbers separated by commas, spaces or new lines.")
    if len(tokens) > MAX_VALUES:
        raise SeriesError(f"{name} has {len(tokens):,} values, but at most {MAX_VALUES:,} are allowed here.")
    values = []
    for position, token in enumerate(tokens, start=1):
        try:
            value = float(token)
        except ValueError:
            raise SeriesError(
                f"{name} value {position} is ",
                quoted(token),
                ", which is not a number; paste numbers separated by commas, spaces or new lines.",
            ) from None
        if not np.isfinite(value):
            raise SeriesError(
                f"{name} value {position} is ", quoted(token), "; only finite numbers can be learned from."
            )
        values.append(value)
    return np.array(values, dtype="float32")


def side_by_side(first: np.ndarray, second: np.ndarray | None) -> np.ndarray:
    """One series -> (N, 1); two series of the same length -> (N, 2): two features per step."""
    if second is None:
        return first[:, None]
    if len(second) != len(first):
        raise SeriesError(
            f"the second series has {len(second)} values and the first {len(first)}; "
            "each step needs one value of each, so they must be equally long."
        )
    return np.stack([first, second], axis=1)


def check_look_back(series: np.ndarray, look_back: int) -> None:
    """A window needs look_back values plus the next one as its target."""
    if len(series) <= look_back:
        raise SeriesError(
            f"look_back is {look_back}, but the series has only {len(series)} values; a window needs "
            f"look_back + 1 = {look_back + 1} values (the window and the value after it)."
        )
