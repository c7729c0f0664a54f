"""Hand the memory a process has freed back to the operating system: `give_back()`.

When Python frees an object, or TensorFlow a kernel, the C library keeps the memory for the
process's next allocations, and the operating system still counts it as the process's own.
glibc gives it back by itself only from the top of its heap, so memory freed below a block
still in use stays resident: a worker that once held 40 MB of cached kernels looks 40 MB larger
for good, though it is using none of it. `malloc_trim(0)` hands back every free page, wherever
it lies (the same call Dask's workers make to trim their memory).

topologies.engine.run calls it whenever it clears Keras's session, which frees the most at once. On a C
library without malloc_trim (macOS, musl) `give_back()` does nothing.
"""

from __future__ import annotations

import ctypes


def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def give_back() -> bool:
    """Return the free pages of every heap to the operating system; whether it could (glibc).

    It walks the heaps once: about 20 ms when 200 MB lie free, a fraction of a millisecond
    after a few dozen traces."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True
