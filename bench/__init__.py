"""How fast and how lean RNN shapes is, measured against bare Keras on this machine.

    python -m bench           # six figures, each a ratio against a baseline timed in the same run
    python -m bench --quick   # the same figures with fewer repeats: checks the script works

Every time is a median over repeats, and every baseline runs in the same process, right after
the work it is compared with, so a busy machine slows both sides alike. The figures:

1. fresh trace + draw / bare build + one call, per topology
2. a sweep of single-widget changes: trace + draw / build + call, summed
3. a revisit through st.cache_data / the first visit
4. trace + draw / build + keras.utils.plot_model
5. memory growth over many fresh traces
6. the heaviest config the limits allow: seconds and the figure's JSON size
"""

import gc

# First, before any module of the bench imports Keras: pin the Keras backend and keep
# TensorFlow's start-up notes off stderr while it loads.
from topologies.engine.backend import load_keras

load_keras()
gc.freeze()  # as a worker does once the engine is loaded (app/serve/workers.py)
