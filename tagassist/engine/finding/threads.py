"""One BLAS thread for the finder's small products (threadpoolctl).

A fit is a few Newton steps on a thousand rows of ~40 columns, and a re-rank scores the library
with a (100,000 x 40) matrix-vector product. Split over OpenBLAS's threads, work that small
spends its time handing over: on the shared two-core machine at load 10 the library's
product took 12-28 ms with two threads and 1-2 ms with one. The limit holds while the block
runs (BLAS's thread count is the process's: another thread's product in that time runs on one
thread too); the library's projection onto the basis, a large product, runs outside it.
"""

from __future__ import annotations

import contextlib
import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once: later limits are cheap


def blas_single_thread() -> contextlib.AbstractContextManager:
    return _controller().limit(limits=1, user_api="blas")
