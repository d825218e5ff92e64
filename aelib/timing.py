"""Timing code that may run on a GPU: the one clock of the chapters and of
``make bench``.

A CUDA kernel returns before the GPU has finished it, so a clock read right
after a call measures the launch, not the work. Every timing here waits for
the device first; on the CPU that wait costs nothing (chapters 08, 09, 13
and 14 time their claims with it).
"""

from __future__ import annotations

import time
from typing import Callable

import torch

from . import _checks


def synchronize(device=None) -> None:
    """Wait until the GPU has run every kernel queued so far; nothing on the
    CPU.

    Args:
        device: the device whose work to wait for (a ``torch.device`` or a
            name); None waits for the current CUDA device once CUDA is in
            use.
    """
    if device is None:
        # No CUDA context yet means no GPU work queued; and this check costs
        # a tenth of a microsecond, torch.cuda.is_available() two: it sits
        # inside best_time's clock.
        if torch.cuda.is_initialized():
            torch.cuda.synchronize()
    elif torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def best_time(
    fn: Callable[[], object],
    repeat: int = 5,
    number: int = 1,
    device=None,
    clock: Callable[[], float] = time.perf_counter,
    warmup: int = 0,
) -> float:
    """Seconds per call of ``fn()``: the best of ``repeat`` timings of
    ``number`` calls each, the device's queued work included.

    The best, not the mean: what the machine's other programs add to a
    timing is never negative, so the smallest one is the nearest to the cost
    of the code itself.

    Args:
        fn: the code to time, called with no argument.
        repeat: how many timings to take.
        number: calls per timing (raise it for calls of microseconds).
        device: the device ``fn`` computes on; see ``synchronize``.
        clock: ``time.perf_counter`` (wall time), or ``time.thread_time``
            to count only this thread's CPU time on a loaded CPU.
        warmup: untimed calls first (caches, lazy initialisation).
    """
    repeat, calls = _checks.count(repeat=repeat, number=number)
    warmup = _checks.number("warmup", warmup, low=0, integer=True)
    for _ in range(warmup):
        fn()
    synchronize(device)
    times = []
    for _ in range(repeat):
        start = clock()
        for _ in range(calls):
            fn()
        synchronize(device)
        times.append((clock() - start) / calls)
    return min(times)
