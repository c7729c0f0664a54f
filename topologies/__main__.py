"""Command line: list the topologies, or trace one and print every shape it produced.

    python -m topologies list
    python -m topologies trace many_to_one --batch 32 --steps 10 --features 8 --units 4
    python -m topologies trace stateful_batches --chunks 3 --cell GRU --json

Bad input exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from topologies.catalogue import CATALOGUE
from topologies.config import CELLS, LIMITS, Config, ConfigError, parse_config
from topologies.trace import symbolic, trace


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
    tracing.add_argument("topology", help="a topology id from `list`")
    # Sizes are read as text and checked by parse_config, so the CLI, the app's URL and the
    # tests share one set of rules and one wording of every error.
    for name, (low, high) in LIMITS.items():
        tracing.add_argument(f"--{name}", help=f"{low}-{high}, default {getattr(defaults, name)}")
    tracing.add_argument("--cell", help=f"{' | '.join(CELLS)}, default {defaults.cell}")
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

    values = {name: getattr(arguments, name) for name in (*LIMITS, "cell") if getattr(arguments, name) is not None}
    if arguments.any_length:
        values["any_length"] = True
    try:
        result = trace(arguments.topology, parse_config(values))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        print(json.dumps(result.to_dict()))
    else:
        print(format_table(result))
    return 0


def format_table(result) -> str:
    """A model.summary()-like table with the real batch, every output and the weight formulas."""
    config = result.config
    lines = [
        f"{result.topology} · {config.cell} · batch {config.batch} · steps {config.steps} · "
        f"features {config.features} · units {config.units}",
        "",
        "input    " + "   ".join(symbolic(s, a) for s, a in zip(result.input_shapes, result.calls[0].input_axes)),
        "",
    ]
    first_call = result.calls[0]
    rows = [("layer", "as code", "output shapes", "params", "how many weights")]
    for layer in result.layers:
        activity = first_call.activity(layer.name)
        outputs = "   ".join(
            f"{role} {symbolic(shape, axes)}"
            for role, shape, axes in zip(activity.output_roles, activity.output_shapes, activity.output_axes)
        )
        name = f"  {layer.name}" if layer.parent else layer.name
        rows.append((name, layer.code, outputs, str(layer.params), layer.formula))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    lines += ["", f"total params: {result.params}"]
    if len(result.calls) > 1:
        lines += ["", "calls, in order (the state carries over unless reset):"]
        for call in result.calls:
            reset = "reset, then " if call.reset_before else ""
            shapes_in = " ".join(str(tuple(shape)) for shape in call.input_shapes)
            shapes_out = " ".join(str(tuple(shape)) for shape in call.output_shapes)
            lines.append(f"  {reset}{call.label}: {shapes_in} -> {shapes_out}")
        if result.reset_after:
            lines.append("  reset")
    for name, value in result.facts.items():
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
