"""The command line, `python -m topologies`.

The promises that depend on the real process (exit status, one line on the real stderr while
TensorFlow loads, no traceback) are checked in a subprocess; each costs a few seconds, so
there are few of them. Further cases call `main(argv)` in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import recurrent_weights
from tests.syllabus import DOCUMENTED_IDS
from topologies.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
CLI_EXAMPLE = ["trace", "many_to_one", "--batch", "32", "--steps", "10", "--features", "8", "--units", "4"]
# LSTM(4) on 8 features: 4 gates x 4 units x (8 inputs + 4 units + 1 bias).
CLI_EXAMPLE_PARAMS = recurrent_weights("LSTM", 4, 8)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "topologies", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


# ----------------------------------------------------------------------------- in a subprocess


@pytest.mark.slow  # a fresh process that loads TensorFlow: 10-20 s
def test_trace_json():
    done = run_cli(*CLI_EXAMPLE, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["topology"] == "many_to_one"
    assert data["input_shapes"] == [[32, 10, 8]]
    assert data["output_shapes"] == [[32, 4]]
    assert data["output_axes"] == [["batch", "units"]]
    assert data["params"] == CLI_EXAMPLE_PARAMS == 208


@pytest.mark.slow  # a fresh process that loads TensorFlow: 10-20 s
def test_trace_table():
    done = run_cli(*CLI_EXAMPLE)
    assert done.returncode == 0, done.stderr
    assert "(32, 10, 8)" in done.stdout  # the input
    assert "(32, 4)" in done.stdout  # the output
    assert "(batch, units)" in done.stdout
    assert str(CLI_EXAMPLE_PARAMS) in done.stdout
    assert f"total params: {CLI_EXAMPLE_PARAMS}" in done.stdout
    assert "Traceback" not in done.stderr


def test_list_prints_every_topology():
    done = run_cli("list")
    assert done.returncode == 0, done.stderr
    first_words = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert first_words[: len(DOCUMENTED_IDS)] == DOCUMENTED_IDS


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["trace", "many_to_one", "--batch", "0"], ["batch", "0"]),
        (["trace", "many_to_one", "--steps", "abc"], ["steps", "abc"]),
        (["trace", "no_such_topology"], ["no_such_topology"]),
        (["trace", "many_to_one", "--cell", "XYZ"], ["cell", "XYZ"]),
    ],
    ids=["batch-0", "steps-abc", "unknown-id", "cell-XYZ"],
)
@pytest.mark.slow  # a fresh process that loads TensorFlow each: 10-20 s
def test_bad_input_exits_2_with_one_line_on_stderr(args, fragments):
    done = run_cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert done.stdout == ""


# ----------------------------------------------------------------------------- in this process


def test_main_json_in_process(capsys):
    assert main("trace many_to_one --batch 3 --steps 7 --features 5 --units 6 --cell gru --json".split()) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["cell"] == "GRU"  # capitalisation forgiven
    assert data["output_shapes"] == [[3, 6]]
    assert data["params"] == recurrent_weights("GRU", 6, 5) == 234  # reset_after: two bias vectors per gate


def test_main_lists_calls_for_multi_call_topologies(capsys):
    assert main("trace stateful_batches --batch 3 --steps 7 --features 5 --units 6 --chunks 3".split()) == 0
    out = capsys.readouterr().out
    assert "batch 1: (3, 2, 5) -> (3, 2, 6)" in out
    assert "batch 2: (3, 2, 5) -> (3, 2, 6)" in out
    assert "batch 3: (3, 3, 5) -> (3, 3, 6)" in out
    assert "stateful_vs_whole_max_abs_diff" in out


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["trace", "one_to_many_repeat", "--any-length"], ["any_length", "one_to_many_repeat"]),
        (["trace", "one_to_many_stateful", "--units", "4", "--features", "2"], ["units", "4", "features", "2"]),
        (["trace", "stateful_batches", "--steps", "5", "--chunks", "6"], ["chunks", "6"]),
        (["trace", "many_to_one", "--batch", "2.5"], ["batch", "2.5"]),
        (["trace", "many_to_one", "--units", "-1"], ["units", "-1"]),
        (["trace", "many_to_one", "--vocab", "1"], ["vocab", "1"]),
        (
            ["trace", "many_to_one", "--batch", "1024", "--steps", "1000", "--units", "20", "--features", "10"],
            ["shrink"],
        ),
    ],
    ids=[
        "any-length-not-offered",
        "units-not-features",
        "chunks-over-steps",
        "float",
        "negative",
        "vocab-below",
        "over-the-cost-limit",
    ],
)
def test_main_rejects_bad_input_with_one_line(args, fragments, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert len(captured.err.strip().splitlines()) == 1
    for fragment in fragments:
        assert fragment in captured.err


@pytest.mark.parametrize(
    "args",
    # (argparse takes a prefix of an option as the option: `--unit 4` is `--units 4`, not an error.)
    [["trace", "many_to_one", "--bogus", "4"], ["trace"], ["frobnicate"], []],
    ids=["unknown-option", "no-topology", "unknown-command", "no-command"],
)
def test_usage_errors_exit_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("error: ")


def test_trace_with_steps_1_is_not_refused_for_chunks_it_never_set(capsys):
    """many_to_one has no chunks, and steps=1 is within its limits."""
    status = main(["trace", "many_to_one", "--batch", "1", "--steps", "1", "--features", "1", "--units", "1", "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert json.loads(captured.out)["output_shapes"] == [[1, 1]]


def test_a_two_word_extra_is_a_hyphenated_option_and_sets_the_decoders_length(capsys):
    """--target-steps, written as an option is: the decoder writes that many steps, whatever the
    encoder reads (5 source steps, 7 target steps, features 2 in and out)."""
    assert main(["trace", "seq2seq", "--target-steps", "7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input_shapes"] == [[10, 5, 2], [10, 7, 2]]
    assert data["output_shapes"] == [[10, 7, 2]]
    assert data["config"]["target_steps"] == 7
