"""Series for the Windows page: pasted text read as numbers, checked.

Pure: text and sizes in, NumPy arrays out, and a SeriesError with one plain sentence for
anything that cannot become a series. The synthetic series and the windows come from
`topologies.series`, the same functions the sliding_windows topology uses.

How pasted text is read (parse_series):
- Values are separated by spaces, line breaks, commas or semicolons; a point is the decimal mark:
  "1, 2.5 3" -> 1, 2.5, 3, and "1,2,3" (commas without spaces) -> 1, 2, 3.
- Decimal commas are recognised where semicolons separate the values: in text with a semicolon and
  a comma between two digits, only semicolons, spaces and line breaks separate the values, and such
  a comma is a decimal comma: "1,5; 2,5; 3,5" -> 1.5, 2.5, 3.5 ("1, 2; 3,5" is refused).
- Without a semicolon, text that reads both ways is refused with a sentence, never guessed:
  "1,5, 2,5" (commas between digits beside commas followed by a space), and "1,5 2,5" or one
  "1,5" per line (every piece with a comma is one comma between two digits).
- Every value must be finite in float32, the numbers Keras computes with: "nan", "inf" and
  "1e308" (infinity in float32) are refused, naming the value.
"""

from __future__ import annotations

import re

import numpy as np

from topologies.refusal import Refusal, quoted

MAX_VALUES = 5000  # more than a picture can show, and than a paste box holds comfortably
FLOAT32_MAX = float(np.finfo("float32").max)  # about 3.4e38: anything larger becomes infinity
SEPARATORS = re.compile(r"[\s,;]+")
SEMICOLON_SEPARATORS = re.compile(r"[\s;]+")
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")  # "1,5": a comma between two runs of digits
HOW = "paste numbers separated by commas, spaces or new lines"


class SeriesError(Refusal):
    """Text that cannot be used as a series; the message says why and what would work."""


def parse_series(text: str, name: str = "series") -> np.ndarray:
    """'1, 2.5 3\\n4' -> array([1., 2.5, 3., 4.]); '1,5; 2,5' -> array([1.5, 2.5]) (see the module)."""
    decimal_commas = ";" in text and DECIMAL_COMMA.search(text) is not None
    if not decimal_commas:
        refuse_ambiguous_commas(text, name)
    tokens = [token for token in (SEMICOLON_SEPARATORS if decimal_commas else SEPARATORS).split(text) if token]
    if not tokens:
        raise SeriesError(f"{name} is empty; {HOW}.")
    if len(tokens) > MAX_VALUES:
        raise SeriesError(f"{name} has {len(tokens):,} values, but at most {MAX_VALUES:,} are allowed here.")
    values = []
    for position, token in enumerate(tokens, start=1):
        try:
            value = float(token.replace(",", ".") if decimal_commas and DECIMAL_COMMA.fullmatch(token) else token)
        except ValueError:
            hint = "with semicolons between the values, a comma can only be a decimal comma as in '1,5'"
            raise SeriesError(
                f"{name} value {position} is ",
                quoted(token),
                f", which is not a number; {hint if decimal_commas else HOW}.",
            ) from None
        if not np.isfinite(value):
            raise SeriesError(
                f"{name} value {position} is ", quoted(token), "; only finite numbers can be learned from."
            )
        if abs(value) > FLOAT32_MAX:
            raise SeriesError(
                f"{name} value {position} is ",
                quoted(token),
                ", which becomes infinity in float32, the numbers Keras computes with "
                f"(at most about {FLOAT32_MAX:.1e}); only finite numbers can be learned from.",
            )
        values.append(value)
    return np.array(values, dtype="float32")


def refuse_ambiguous_commas(text: str, name: str) -> None:
    """Text without semicolons in which a comma between two digits could be a decimal comma."""
    example = DECIMAL_COMMA.search(text)
    if example is None:
        return
    with_commas = [piece for piece in text.split() if "," in piece]
    one_each = all(DECIMAL_COMMA.fullmatch(piece) for piece in with_commas)  # "1,5 2,5", "1,5" per line
    mixed = re.search(r",([ \t]|$)", text) is not None  # "1,5, 2,5": a comma followed by a space as well
    if one_each or mixed:
        raise SeriesError(
            f"{name} has ",
            quoted(example.group()),
            ", which could be a decimal comma or two values; for decimal commas separate the values with "
            "semicolons ('1,5; 2,5'), otherwise write decimals with a point ('1.5, 2.5').",
        )


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
