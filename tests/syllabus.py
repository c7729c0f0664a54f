"""The topology ids DESIGN.md documents, in the seed's teaching order: written out here, not
read from CATALOGUE, so that a renamed or reordered topology fails the tests."""

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
]
