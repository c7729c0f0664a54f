"""The sidebar's "Teach" section: how the picture is shown, bound to the URL like the sizes.

    ?present=1           presentation mode: the diagram first and larger, the rest folded away
    ?palette=colorblind  Okabe-Ito's colours instead of the seed's red, green and pink (app.draw.looks)
    ?quiz=1&quiz_row=rnn_2  predict the shape: rnn_2's shape is hidden and asked for (app.draw.quiz)
    ?cell_layer=rnn_2    inside a cell: one step of rnn_2's cell, under the tables (app.ui.inside_cell_view)
    ?compare=cell&compare_with=GRU  this picture beside the same with GRU cells (app.ui.compare)
    ?play=1              play through time: a slider and Play show the picture step by step (app.draw.play)

These settings change how the page shows a configuration, never the configuration itself: they
are not fields of Config. app.ui.controls draws their widgets; this module says what they may hold.
A link's value is checked as the sizes are: a value no widget can hold is dropped, with one
sentence that names the parameter and shows the value as code (app.ui.literal).
"""

from __future__ import annotations

import dataclasses
import re

from app.draw.palette import PALETTES
from app.draw.quiz import OUTPUT
from app.ui.compare import OFF
from app.ui.compare import SETTINGS as COMPARED
from app.ui.literal import literal, markdown_of
from topologies.config import parse_flag
from topologies.refusal import Refusal, quoted


@dataclasses.dataclass(frozen=True)
class Teaching:
    """How the page shows the picture; each field is a link parameter of the same name."""

    present: bool = False  # presentation mode: the diagram first, 20 px text, details folded away
    palette: str = "seed"  # a key of app.draw.palette.PALETTES: the figure's colours
    quiz: bool = False  # predict the shape: one row's shape hidden and asked for
    quiz_row: str = OUTPUT  # which: a layer's name or "output", checked against the picture's rows
    cell_layer: str = ""  # whose cell to open; "" is the picture's first, checked against its layers
    compare: str = ""  # a setting of app.ui.compare.SETTINGS to change on a second picture; "" for none
    compare_with: str = ""  # its value there ("GRU"); "" for the first the topology offers
    play: bool = False  # play through time: one step at a time, sample 0's numbers beside it


PARAMETERS = tuple(field.name for field in dataclasses.fields(Teaching))
# The values these may hold are known once the picture is traced: the page checks them then.
CHECKED_ON_THE_PICTURE = ("quiz_row", "cell_layer")
HELP = {
    "present": "For a projector: the diagram first, its words at 20 px or more; tables, code and "
    "explanations folded away. The sidebar folds too: open it with the arrow at the top left.",
    "palette": "seed: the seed's red x, green h and pink y. colorblind: Okabe and Ito's colours, told apart "
    "under the common colour-vision deficiencies. Each box keeps its letter either way.",
    "quiz": "Hide one row's shape (the output, or a layer you choose under the picture) and ask for it.",
    "compare": "Draw this picture beside the same model with one setting changed, and mark the shapes and "
    "parameter counts that differ.",
    "play": "A slider and a Play button under the picture show it one time step at a time: x_t lights up, "
    "h_(t-1) carries in, h_t and y_t appear, with sample 0's numbers; the steps to come stay faint.",
}
LAYER_NAME = re.compile(r"[A-Za-z0-9_]{1,60}")  # a Keras layer's name as this app's models write them


def teaching_value(name: str, raw: str) -> object:
    """The value of a link's teaching parameter, or a Refusal naming it, the value and what is allowed."""
    text = raw.strip().lower()
    if name == "palette":
        if text not in PALETTES:
            raise Refusal("palette is ", quoted(raw), f", but it must be {' or '.join(PALETTES)}.")
        return text
    if name == "quiz_row":  # which rows the picture has is known once it is traced: the page checks
        if not LAYER_NAME.fullmatch(raw.strip()):
            raise Refusal("quiz_row is ", quoted(raw), ", but it must be output or a layer's name: letters, digits, _.")
        return raw.strip()
    if name == "cell_layer":
        if not LAYER_NAME.fullmatch(raw.strip()):
            raise Refusal("cell_layer is ", quoted(raw), ", but it must be a layer's name: letters, digits, _.")
        return raw.strip()
    if name == "compare":  # whether this topology can compare it is known once it is chosen: the sidebar checks
        if text not in (OFF, *COMPARED):
            raise Refusal("compare is ", quoted(raw), f", but it must be {OFF} or one of {', '.join(COMPARED)}.")
        return text
    if name == "compare_with":  # checked against the setting's other values in the sidebar (app.ui.compare)
        return raw.strip()
    return parse_flag(name, raw, allowed="true or false (1 or 0)")


def teaching_from_query(query: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    """The teaching settings a link gives, and one warning (markdown) per value refused."""
    values: dict[str, object] = {}
    warnings = []
    for name in PARAMETERS:
        if name not in query:
            continue
        try:
            values[name] = teaching_value(name, query[name])
        except Refusal as error:
            warnings.append(f"The link's {literal(quoted(name))} was ignored: {markdown_of(error)}")
    return values, warnings


def written(value: object) -> str:
    """A setting as its widget writes it into the URL: true, false, colorblind, rnn_2."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def teaching_query(teaching: Teaching) -> dict[str, str]:
    """The link parameters of the settings that differ from their defaults, as the widgets write them."""
    return {
        field.name: written(getattr(teaching, field.name))
        for field in dataclasses.fields(Teaching)
        if getattr(teaching, field.name) != field.default
    }
