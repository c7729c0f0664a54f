"""The code box's colours (app.ui.copy_boxes.coloured): spans around the very characters of the code.

Independent rule: take the tags away and undo the HTML escapes, and what is left is the code,
character for character; no character of the code is ever markup.
"""

from __future__ import annotations

import html
import re

import pytest

from app.ui.copy_boxes import coloured
from app.ui.runnable import runnable_code
from topologies import Config

HOSTILE = 'x = "</code><script>alert(1)</script>" & y < 3  # <b>not bold</b>\n'


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_coloured_code_is_the_code(dark):
    code = runnable_code("many_to_one", Config(), (10, 5, 2), False)
    markup = coloured(code, dark)
    assert "<span style=" in markup
    assert text_of(markup) == code


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_no_character_of_the_code_becomes_markup(dark):
    markup = coloured(HOSTILE, dark)
    assert text_of(markup) == HOSTILE
    tags = set(re.findall(r"<(/?\w+)", markup))
    assert tags <= {"span", "/span"}


def test_a_dark_page_gets_other_colours():
    code = "import keras\nlayers = keras.layers.LSTM(4)\n"
    assert coloured(code, dark=True) != coloured(code, dark=False)
