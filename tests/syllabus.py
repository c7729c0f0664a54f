"""What the project documents, written out here rather than read from the code under test,
so that a renamed topology or a changed limit fails the tests: the topology ids in the seed's
teaching order, and the limits the README states."""

DOCUMENTED_IDS = [
    "many_to_many",
    "many_to_one",
    "one_to_many_repeat",
    "one_to_many_stateful",
    "stateful_batches",
    "forecast_stateful",
    "sliding_windows",
    "stacked",
    "autoencoder",
    "time_distributed",
    "text_generator",
    "return_state",
    "bidirectional",
    "seq2seq",
    "cell_loop",
]

# The documented choices of every field that takes a name: the cells, and how Bidirectional
# joins its two directions.
DOCUMENTED_CHOICES = {
    "cell": ("LSTM", "GRU", "SimpleRNN"),
    "merge_mode": ("concat", "sum", "mul", "ave"),
}

# The documented inclusive range of every whole-number field.
DOCUMENTED_LIMITS = {
    "batch": (1, 1024),
    "steps": (1, 1000),
    "features": (1, 256),
    "units": (1, 512),
    "depth": (1, 4),
    "vocab": (2, 5000),
    "dense": (1, 256),
    "chunks": (1, 20),
    "horizon": (1, 50),
    "target_steps": (1, 1000),
}
# For a user's own model (which states no cost estimate): batch x steps x units x (units + features)
# may be at most this.
DOCUMENTED_WORK_BUDGET = 500_000_000
# The documented link parameters that say how the Shapes page shows a picture, not what it
# shows: they are not Config fields, and a link's config is read without them. All eight that
# the README and app/ui/teaching.py's docstring document, written out here, not read from them.
DOCUMENTED_TEACHING = ("present", "palette", "quiz", "quiz_row", "cell_layer", "compare", "compare_with", "play")
