"""Page "Your model": type a stack of layers, or upload a .keras file, and see it unrolled."""

import streamlit as st

from app.diagram import draw
from app.serve.traces import cached_own_trace
from app.ui.copy_boxes import code_box
from app.ui.history import stop_page
from app.ui.literal import literal, markdown_of
from app.ui.runnable import stack_code
from app.ui.showing import page_look, show_diagram
from app.ui.summary import show_summary
from topologies.config import ConfigError, parse_config
from topologies.own.stack import StackError, accepted_part, parse_stack
from topologies.refusal import Refusal

EXAMPLES = {
    "The seed's GRU text model": (
        "Embedding(1000, 16) | GRU(32, return_sequences=True) | GRU(32, return_sequences=True)"
        " | TimeDistributed(Dense(1000)) | Activation('softmax')"
    ),
    "A sequence in, a shorter one out": (
        "Input(None, 3) | LSTM(16) | RepeatVector(3) | LSTM(16, return_sequences=True) | TimeDistributed(Dense(2))"
    ),
    "Conv1D, then LSTM": "Conv1D(16, 3, activation='relu') | MaxPooling1D(2) | LSTM(16) | Dense(1)",
}
FIRST_EXAMPLE = "Input(None, 3) | LSTM(8, return_sequences=True) | TimeDistributed(Dense(2))"


def use_example(text: str) -> None:
    st.session_state.stack = text


st.title("Your model: its shapes, unrolled")
st.markdown(
    "Type your layers the way you write them in Keras, one per line or separated by `|`, or upload a "
    'model saved with `model.save("name.keras")`. The real model is built and run on dummy data, and '
    "every shape below is measured. Nothing you type is run as code: it is read as layer names and values."
)

buttons = st.columns(len(EXAMPLES))
for column, (label, text) in zip(buttons, EXAMPLES.items()):
    column.button(label, on_click=use_example, args=(text,), key=f"example {label}")
text = st.text_area(
    "Layers, as Keras code",
    value=FIRST_EXAMPLE,
    height=110,
    key="stack",
    bind="query-params",
    help="Allowed: LSTM, GRU, SimpleRNN, RNN(LSTMCell(...)), Bidirectional, TimeDistributed, Dense, Embedding, "
    "RepeatVector, Dropout, Masking, normalisation, Conv1D, pooling, Flatten, Reshape. Start with Input(steps, "
    "features), Input(None, features) for any length, or Input(steps) for token ids; without it the sizes below apply.",
)
sizes = st.columns(3)
values = {
    name: column.number_input(name, value=default, step=1, key=name, bind="query-params", persist_state="session")
    for column, (name, default) in zip(sizes, (("batch", 10), ("steps", 5), ("features", 2)))
}
upload = st.file_uploader("Or a saved model (.keras)", type=["keras", "h5"], max_upload_size=10, key="upload")
if upload is not None:
    st.caption(
        "Only the file's config.json is read, checked, and rebuilt with fresh weights: the shapes are your "
        "model's, the numbers on hover are not its trained values."
    )

try:
    config = parse_config(values)
    with st.spinner("Building your model and running it…"):
        if upload is not None:
            result = cached_own_trace("model", upload.getvalue(), config, name=upload.name)
        else:
            stack = parse_stack(text)
            for note in stack.notes:
                st.info(note)
            result = cached_own_trace("stack", text, config)
except ConfigError as error:
    st.error(markdown_of(error))
    stop_page()
except Refusal as error:
    st.error(markdown_of(error))
    accepted = accepted_part(parse_stack(text), error) if isinstance(error, StackError) and upload is None else None
    if accepted is not None:  # Keras refused a later layer: the ones before it are drawn
        st.caption(f"Drawn up to layer {len(accepted.layers)}, the last one Keras accepted: {literal(accepted.text)}")
        show_diagram(draw(cached_own_trace("stack", accepted.text, config), page_look()), "accepted_diagram")
    stop_page()

show_diagram(draw(result, page_look()), "diagram", filename="rnn_shapes_your_model")

show_summary(result)
if upload is None:
    with st.expander("Show the Keras 3 code that builds this stack"):
        parsed = parse_stack(text)
        first = result.calls[0]
        dtype = "int32" if first.input_axes[0] == ("batch", "steps") else "float32"
        shape = parsed.input_shape or tuple(first.input_shapes[0][1:])
        code_box(stack_code(parsed, shape, dtype, config.batch, parsed.input_batch), "stack_code", page_look().dark)
