"""Command line: list the topologies, or trace one and print every shape it produced.

    python -m topologies list
    python -m topologies trace many_to_one --batch 32 --steps 10 --features 8 --units 4
    python -m topologies trace stateful_batches --chunks 3 --cell GRU --json
    python -m topologies trace --stack "Embedding(1000, 16) | GRU(32) | Dense(1)" --batch 4 --steps 7
    python -m topologies trace --model my_model.keras --batch 4 --steps 7 --json

Bad input exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from topologies.catalogue import CATALOGUE
from topologies.config import CHOICES, LIMITS, Config, ConfigError, parse_config
from topologies.refusal import Refusal, quoted
from topologies.report import format_table


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one plain line and status 2, with no usage dump."""

    def error(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    defaults = Config()
    # No abbreviations: `--unit 4` must be refused, not silently read as `--units 4`.
    parser = _Parser(prog="python -m topologies", description=__doc__.splitlines()[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="the topology ids, one line each")
    tracing = commands.add_parser("trace", help="build, run and print every shape", allow_abbrev=False)
    tracing.add_argument("topology", nargs="?", help="a topology id from `list` (or --stack, or --model)")
    tracing.add_argument("--stack", help='your own layers as Keras code: "LSTM(8, return_sequences=True) | Dense(1)"')
    tracing.add_argument("--model", help="your own saved model: a .keras file (only its config.json is read)")
    # Sizes are read as text and checked by parse_config, so the CLI, the app's URL and the
    # tests share one set of rules and one wording of every error.
    for name, (low, high) in LIMITS.items():
        tracing.add_argument(f"--{name.replace('_', '-')}", help=f"{low}-{high}, default {getattr(defaults, name)}")
    for name, choices in CHOICES.items():
        tracing.add_argument(
            f"--{name.replace('_', '-')}", help=f"{' | '.join(choices)}, default {getattr(defaults, name)}"
        )
    tracing.add_argument("--any-length", action="store_true", help="build with steps=None")
    tracing.add_argument("--json", action="store_true", help="print Trace.to_dict() as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "list":
        width = max(len(topology_id) for topology_id in CATALOGUE)
        for topology_id, topology in CATALOGUE.items():
            print(f"{topology_id:<{width}}  {topology.summary}")
        return 0

    values = {name: getattr(arguments, name) for name in (*LIMITS, *CHOICES) if getattr(arguments, name) is not None}
    if arguments.any_length:
        values["any_length"] = True
    from topologies.engine.backend import load_keras

    load_keras()  # only now: `list` and a usage error never start TensorFlow
    from topologies.engine.tracing import trace

    try:
        result = trace(_what_to_trace(arguments), parse_config(values))
    except Refusal as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        print(json.dumps(result.to_dict()))
    else:
        print(format_table(result))
    return 0


def _what_to_trace(arguments) -> str | object:
    """A topology id, or the user's own model from --stack or --model: exactly one of them."""
    given = [name for name in ("topology", "stack", "model") if getattr(arguments, name) is not None]
    if len(given) != 1:  # a usage error: one line, status 2, like argparse's own
        _parser().error(f"give one of a topology id, --stack or --model, not {' and '.join(given) or 'none'}")
    if arguments.stack is not None:
        from topologies.own.model import OwnStack

        return OwnStack.from_text(arguments.stack)
    if arguments.model is not None:
        from topologies.own.keras_file import MAX_BYTES, OwnKerasFile

        path = Path(arguments.model)
        if not path.is_file():
            raise ConfigError("--model is ", quoted(arguments.model), ", which is not a file.")
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
        return OwnKerasFile.from_bytes(data, path.name)
    return arguments.topology


if __name__ == "__main__":
    sys.exit(main())
