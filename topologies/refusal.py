"""A refusal: one sentence that names the field, the value and what is allowed.

The value came from a user (a link, a text box, a command line, a file), so whoever shows the
sentence must be able to show that value literally: a page renders markdown, and a value such
as `[log in](https://example.com)` must not become a link. A refusal therefore keeps the user's
text apart from its own words:

    error = ConfigError("batch is ", quoted("0"), ", but it must be a whole number from 1 to 1024.")
    str(error)    # "batch is '0', but it must be a whole number from 1 to 1024."
    error.parts   # ("batch is ", Quoted("'0'"), ", but it must be ...")

The CLI prints `str(error)`; a page shows the Quoted parts as code (app/ui/literal.py).
"""

from __future__ import annotations

MAX_SHOWN = 60  # characters of a value shown; a longer one is cut and its length said


class Quoted(str):
    """Text that came from a user, as it is shown: the value's repr, cut to MAX_SHOWN characters."""


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters of `text`, then how long it was: "1234…(5,000 characters)"."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: object) -> Quoted:
    """'abc' -> "'abc'"; a 5,000-character value -> its first 60 characters, "… (5,002 characters)"."""
    try:
        return Quoted(cut(repr(value)))
    except ValueError:  # Python refuses to print an int of over 4300 digits
        return Quoted(f"a {type(value).__name__} too long to print")


class Refusal(ValueError):
    """A ValueError made of parts: our own words (str) and the user's text (Quoted).

    `fix` is the one change that would make the request acceptable, where there is one
    ({"units": 2}): a page offers it as a button, and adapts to it when the user switches topology.
    """

    def __init__(self, *parts: str, fix: dict[str, object] | None = None):
        self.parts = tuple(parts)
        self.fix = fix or {}
        super().__init__("".join(parts))

    def __reduce__(self):
        """Pickled with its parts, so the user's text stays Quoted when a refusal comes back from
        a worker process (app/serve/workers.py), and with any attribute set on it since."""
        return (_rebuilt, (type(self), self.parts, self.fix, dict(self.__dict__)))


def _rebuilt(kind: type, parts: tuple, fix: dict, attributes: dict) -> Refusal:
    refusal = kind(*parts, fix=fix)
    refusal.__dict__.update(attributes)
    return refusal
