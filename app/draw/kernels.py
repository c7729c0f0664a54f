"""Which input steps one output step of a Conv1D or pooling layer reads: Keras's own rule.

    window({"kernel_size": 3, "strides": 1, "padding": "valid"}, steps=10, out_steps=8, step=2)   # [2, 3, 4]

Output step i starts at i x strides, less the padding on the left ("same" pads half of what the
windows lack, the smaller half first; "causal" pads kernel - 1 dilated steps), and reads
kernel_size steps dilation_rate apart; padding is read as zeros and is not drawn.
"""

from __future__ import annotations

WINDOWED = ("conv1d", "pooling")  # the layer kinds whose steps each read a window of the steps below


def window(settings: dict, steps: int, out_steps: int, step: int) -> list[int]:
    """The input steps output `step` of a Conv1D or pooling layer reads (padding left out)."""
    size = settings.get("kernel_size") or settings["pool_size"]
    strides, padding, dilation = settings["strides"], settings["padding"], settings.get("dilation_rate", 1)
    span = (size - 1) * dilation + 1
    if padding == "same":
        left = max((out_steps - 1) * strides + span - steps, 0) // 2
    elif padding == "causal":
        left = span - 1
    else:
        left = 0
    start = step * strides - left
    return [start + offset * dilation for offset in range(size) if 0 <= start + offset * dilation < steps]
