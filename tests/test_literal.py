"""A link or a text box cannot put words in the app's mouth: what a user typed is shown as text.

The rule restated here: a user's value is shown inside a markdown code span, cut to 60 characters
plus its length, invisible characters escaped. Whether the markdown the app writes keeps that
promise is checked with markdown-it-py, a CommonMark parser independent of the app: the value
comes back as the text of one code span, and outside code spans nothing a link author wrote can
start a link, an image, HTML, KaTeX, a coloured span, an icon or an emoji.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app.draw.plan import plotly_text
from app.ui.literal import literal, markdown_of
from tests.helpers import assert_no_exception, open_app, open_page
from topologies import ConfigError, parse_config

COMMONMARK = MarkdownIt("commonmark")
# What a crafted link would try: Markdown and HTML, Streamlit's own extensions, control characters.
HOSTILE = [
    "[click here to log in](https://example.com/phish)",
    "![x](https://example.com/x.png)",
    "<https://example.com/auto>",
    "$x^2$",
    "$$\\int$$",
    ":red[alarm]",
    ":material/home:",
    ":smile:",
    "# heading",
    "| a | b |\n|---|---|",
    "<a href='https://example.com'>x</a>",
    "<img src=https://example.com/y.png>",
    "<script>alert(1)</script>",
    "`code` and ``more``",
    " leading and trailing ",
    "line\n\nbreak",
    "\x00\x1b[31m\u202e",
    "9" * 5000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from("[]()!<>`$:*_#|\\/ \n\tabc-=~"), max_size=80),
    st.text(max_size=120),
)


def cut(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:60]}… ({len(text):,} characters)"


def visible(text: str) -> str:
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in text)


def inline_tokens(markdown: str) -> list:
    """The inline tokens CommonMark makes of `markdown` (one paragraph expected)."""
    blocks = COMMONMARK.parse(markdown)
    assert [block.type for block in blocks] == ["paragraph_open", "inline", "paragraph_close"], markdown
    return blocks[1].children


def assert_harmless_outside_code(markdown: str, tokens: list) -> None:
    kinds = {token.type for token in tokens}
    assert not kinds & {"link_open", "image", "html_inline", "strong_open", "em_open"}, kinds
    outside = "".join(token.content for token in tokens if token.type == "text")
    assert "$" not in outside  # KaTeX
    assert not re.search(r":[\w-]+\[", outside)  # :red[...] and other directives
    assert not re.search(r":[\w+/-]+:", outside)  # :smile:, :material/home:


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text)
@example(text="")
@example(text="`")
@example(text=" ` ")
def test_a_literal_is_one_code_span_holding_exactly_the_text(text):
    markdown = f"said {literal(text)} here."
    tokens = inline_tokens(markdown)
    codes = [token for token in tokens if token.type == "code_inline"]
    assert len(codes) == 1, markdown
    shown = visible(cut(text))
    assert codes[0].content == (shown if shown.strip() else codes[0].content)  # blank stays blank
    assert_harmless_outside_code(markdown, tokens)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(["batch", "units", "cell", "any_length", "vocab"]), text=hostile_text)
@example(field="batch", text="9" * 5000)
def test_a_refusal_shows_the_users_value_only_inside_code(field, text):
    try:
        parse_config({field: text})
    except ConfigError as refused:
        error = refused
    else:
        return  # a value that happens to be allowed
    markdown = markdown_of(error)
    tokens = inline_tokens(markdown)
    codes = [token.content for token in tokens if token.type == "code_inline"]
    # the value as given, or as read (surrounding spaces dropped, a whole number as the number), in one code span
    read = [visible(cut(repr(text))), visible(cut(repr(text.strip())))]
    if re.fullmatch(r"\s*-?\d+\s*", text) and len(text.strip()) < 4300:
        read.append(visible(cut(repr(int(text)))))
    assert any(codes == [shown] for shown in read), markdown
    assert_harmless_outside_code(markdown, tokens)
    assert len(str(error)) < 300  # a 5,000-digit value is not echoed in full


def test_an_unknown_setting_name_is_quoted_as_code():
    with pytest.raises(ConfigError) as caught:
        parse_config({"[x](https://example.com)": "1"})
    tokens = inline_tokens(markdown_of(caught.value))
    assert [token.content for token in tokens if token.type == "code_inline"] == ["'[x](https://example.com)'"]
    assert_harmless_outside_code(markdown_of(caught.value), tokens)


@pytest.mark.parametrize("text", ["<a href='https://example.com'>x</a>", "<b>bold</b><br>", "a & b"])
def test_plotly_text_escapes_the_html_plotly_reads(text):
    escaped = plotly_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


# ----------------------------------------------------------------------------- the pages, headless

LINK_PARAMETERS = ["topology", "batch", "steps", "features", "units", "cell", "depth", "vocab", "any_length"]
APP_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def alerts(at) -> list[str]:
    return [element.value for kind in (at.warning, at.error, at.info) for element in kind]


def element_kinds(at) -> set[str]:
    """The kinds of element on the main page: what a link could add to, if it could add anything."""
    return {type(node).__name__ for node in at.main} | {node.type for node in at.main}


@pytest.fixture(scope="module")
def shapes_page_elements() -> set[str]:
    """The kinds of element the Shapes page writes when one link parameter is refused."""
    at = open_app(topology="many_to_one", units="abc")
    assert_no_exception(at)
    assert len(at.warning) == 1
    return element_kinds(at)


@pytest.mark.slow  # 16 page runs: about 15 s
@APP_SETTINGS
@given(parameter=st.sampled_from(LINK_PARAMETERS + ["[x](https://example.com)"]), value=hostile_text)
@example(parameter="cell", value="[click here to log in](https://example.com/phish)")
@example(parameter="units", value="![x](https://example.com/x.png)")
@example(parameter="batch", value="9" * 5000)
@example(parameter="topology", value=":red[many_to_one] $x$")
def test_a_hostile_link_value_is_shown_only_as_code(shapes_page_elements, parameter, value):
    at = open_app(**{parameter: value})
    assert_no_exception(at)
    assert element_kinds(at) <= shapes_page_elements | {"error", "info"}
    for message in alerts(at):
        tokens = inline_tokens(message)
        assert_harmless_outside_code(message, tokens)
    if parameter in LINK_PARAMETERS:  # a value refused is quoted as given, or as read (spaces dropped)
        shown = {visible(cut(repr(value))), visible(cut(repr(value.strip())))}
    else:  # an unknown name is refused whatever its value: the name is quoted
        shown = {visible(cut(repr(parameter)))}
    codes = {token.content for message in alerts(at) for token in inline_tokens(message) if token.type == "code_inline"}
    if at.warning:  # refused: the value is quoted, as code, in full or cut
        assert codes & shown, (codes, shown)


@pytest.mark.parametrize("page", ["windows", "stateful"])
def test_the_lab_pages_read_nothing_from_a_link(page):
    at = open_app(**{"batch": "[x](https://example.com)", "look_back": "$x$"})
    at.switch_page(f"views/{page}.py").run()
    assert_no_exception(at)
    assert not at.warning and not at.error


@pytest.mark.slow  # 14 examples of 7 page runs each: about 30 s
@APP_SETTINGS
@given(text=hostile_text.filter(lambda text: not re.fullmatch(r"[\s,;0-9.eE+-]*", text)))
@example(text="1, 2, [click](https://example.com), 4")
@example(text="1 2 :red[3] 4")
def test_a_hostile_paste_on_the_windows_page_is_shown_only_as_code(text):
    at = open_page("windows")
    at.radio(key="source").set_value("Paste numbers").run()
    at.checkbox(key="two_series").check().run()
    for box in ("pasted_1", "pasted_2"):
        at.text_area(key=box).set_value(text).run()
        assert_no_exception(at)
        assert len(at.error) == 1  # the paste is refused, in one sentence
        for message in alerts(at):
            assert_harmless_outside_code(message, inline_tokens(message))
        at.text_area(key=box).set_value("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12").run()
