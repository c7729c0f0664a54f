"""A saved `.keras` file, read safely: its config.json only, checked before anything is built.

    own = OwnKerasFile.from_bytes(data, name="my_model.keras")
    result = trace(own, Config(batch=4, steps=6))   # result.topology == "model"

Shapes need no trained weights, so nothing but `config.json` is read from the zip, and the model
is rebuilt from it with fresh, seeded weights. Keras's own loader has had repeated safe-mode
bypasses (CVE-2024-3660, CVE-2025-1550, CVE-2025-8747, CVE-2025-9905, among others), so the file
passes these checks first, each refusal one sentence:

- at most MAX_BYTES, a zip with at most MAX_ENTRIES entries, no absolute or `..` names, a
  config.json of at most MAX_CONFIG bytes (read with that limit, nothing written to disk);
- every `class_name` in the config, nested ones included, on an allow-list of Keras layers (and
  of Keras's own initializers, regularizers, constraints and dtype policies), with a `module` and
  `registered_name` of Keras's own: no Lambda, no custom object, no function;
- every size in it at most MAX_SIZE (units, filters, vocabulary, input sizes).
Only then is the model rebuilt, with Keras's safe mode on.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

from topologies.config import Config
from topologies.contract import OwnModel
from topologies.own.stack import ALLOWED, CELLS
from topologies.records import Trace
from topologies.refusal import Quoted, Refusal, cut, quoted

MAX_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 20
MAX_CONFIG = 1024 * 1024
MAX_SIZE = 1024  # units, filters, features: a picture teaches nothing larger
MAX_VOCABULARY = 100_000
MAX_LAYERS = 50
LAYER_CLASSES = (
    set(ALLOWED)
    | set(CELLS)
    | {
        "Functional",
        "Sequential",
        "InputLayer",
        "Concatenate",
        "Add",
        "Multiply",
        "Average",
        "Attention",
        "AdditiveAttention",
    }
)
# Keras's own helper objects that configs nest: where they come from, and nothing that runs code.
HELPER_MODULES = ("keras.initializers", "keras.regularizers", "keras.constraints", "keras")
REFUSED_CLASSES = {"Lambda", "TFSMLayer", "function", "__lambda__", "__numpy__", "__tensor__"}
GRAPH_REFERENCES = {"__keras_tensor__"}  # a Functional graph pointing at one of its own tensors
SIZE_KEYS = {"units": MAX_SIZE, "filters": MAX_SIZE, "output_dim": MAX_SIZE, "n": 1000, "input_dim": MAX_VOCABULARY}


class ModelFileError(Refusal):
    """A file that cannot be drawn; the message says what was found and what would work."""


@dataclasses.dataclass(frozen=True)
class OwnKerasFile(OwnModel):
    """A user's saved model, rebuilt from its config.json: everything was checked when it was read."""

    config_json: dict
    name: str = "model.keras"
    id = "model"
    summary = "Your own saved model, rebuilt from its config.json with fresh weights."

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "model.keras") -> OwnKerasFile:
        return cls(read_config(data, name), name)

    @property
    def source(self) -> str:
        return self.name

    def build(self, config: Config):
        from topologies.engine.backend import load_keras

        keras = load_keras()
        try:
            return keras.saving.deserialize_keras_object(self.config_json, safe_mode=True)
        except Exception as error:  # Keras refuses the config: say so, in its own words
            message = Quoted(cut(" ".join(str(error).split()), 300))
            raise ModelFileError("Keras could not rebuild the model from its config: ", message, ".") from None

    def what_ran(self, trace: Trace) -> str:
        shapes = " and ".join(str(tuple(shape)) for shape in trace.calls[0].input_shapes)
        return f"{Quoted(cut(self.name, 40))} fed {shapes}"


def read_config(data: bytes, name: str) -> dict:
    """The model's config.json from the bytes of a .keras file, checked; ModelFileError otherwise."""
    if name.lower().endswith(".h5") or data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ModelFileError(
            "This is an HDF5 (.h5) file; open it in Keras and save it again with model.save(",
            quoted("name.keras"),
            ").",
        )
    if len(data) > MAX_BYTES:
        raise ModelFileError(f"The file has {len(data):,} bytes, but at most {MAX_BYTES:,} are read.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ModelFileError(
            "The file is not a .keras file (a zip with a config.json); save it with model.save()."
        ) from None
    if len(entries) > MAX_ENTRIES:
        raise ModelFileError(
            f"The file holds {len(entries)} entries, but a .keras file has a few; at most {MAX_ENTRIES}."
        )
    for entry in entries:
        if entry.filename.startswith(("/", "\\")) or ".." in entry.filename.replace("\\", "/").split("/"):
            raise ModelFileError("The file holds an entry named ", quoted(entry.filename), ", outside the archive.")
    config_entry = next((entry for entry in entries if entry.filename == "config.json"), None)
    if config_entry is None:
        raise ModelFileError("The file has no config.json; save the model with model.save(", quoted("name.keras"), ").")
    if config_entry.file_size > MAX_CONFIG:
        raise ModelFileError(
            f"Its config.json has {config_entry.file_size:,} bytes, but at most {MAX_CONFIG:,} are read."
        )
    try:
        with archive.open(config_entry) as stream:
            text = stream.read(MAX_CONFIG + 1)
        if len(text) > MAX_CONFIG:
            raise ModelFileError(f"Its config.json is longer than the {MAX_CONFIG:,} bytes read.")
        config = json.loads(text)
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError):
        raise ModelFileError("Its config.json cannot be read as JSON; save the model again.") from None
    check_config(config)
    return config


def check_config(config: object) -> None:
    """Every class on the allow-list, every module Keras's own, every size within bounds."""
    layers = 0
    for node in _dicts(config):
        class_name = node.get("class_name")
        if class_name is None:
            _check_sizes(node)
            continue
        module, registered = node.get("module"), node.get("registered_name")
        named = Quoted(
            cut(
                str(node.get("config", {}).get("name", class_name))
                if isinstance(node.get("config"), dict)
                else class_name,
                60,
            )
        )
        if class_name in REFUSED_CLASSES or not isinstance(class_name, str):
            raise ModelFileError(
                "The model holds ", named, f", a {_shown(class_name)}, which runs code of its own; it is refused."
            )
        if module is not None and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            raise ModelFileError(
                "The model holds ", named, " from the module ", quoted(module), ", which is not Keras's own."
            )
        if registered is not None and registered != class_name and not str(registered).startswith("keras"):
            raise ModelFileError(
                "The model holds ", named, ", registered as ", quoted(registered), ": a custom object."
            )
        if class_name in LAYER_CLASSES:
            layers += 1
        elif class_name in GRAPH_REFERENCES:
            continue
        elif not (isinstance(module, str) and module.startswith(HELPER_MODULES)):
            raise ModelFileError("The model holds ", named, f", a {_shown(class_name)}, which this tool does not draw.")
        if isinstance(node.get("config"), dict):
            _check_sizes(node["config"], named)
    if layers > MAX_LAYERS:
        raise ModelFileError(f"The model has {layers} layers, but at most {MAX_LAYERS} are drawn.")
    if not layers:
        raise ModelFileError("The config holds no layer this tool draws.")


def _shown(class_name: object) -> Quoted:
    return Quoted(cut(str(class_name), 40))


def _dicts(value: object, depth: int = 0):
    """Every dict nested in `value`, depth first (a config nests a few levels, never hundreds)."""
    if depth > 60:
        raise ModelFileError("The config nests deeper than any model does; it is refused.")
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _dicts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _dicts(item, depth + 1)


def _check_sizes(config: dict, named: Quoted | None = None) -> None:
    for key, limit in SIZE_KEYS.items():
        size = config.get(key)
        if isinstance(size, int) and not isinstance(size, bool) and not 0 < size <= limit:
            where = [named, f" has {key}={size:,}"] if named else [f"The config has {key}={size:,}"]
            raise ModelFileError(*where, f", but this tool draws {key} from 1 to {limit:,}.")
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if isinstance(shape, list) and any(isinstance(size, int) and not 0 < size <= 1024 for size in shape):
        raise ModelFileError("The model's input is ", quoted(tuple(shape)), ", but each size must be from 1 to 1,024.")
