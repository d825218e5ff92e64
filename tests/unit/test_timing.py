"""aelib.timing: the best of several timings, per call, the GPU waited for."""

import time

import pytest
import torch

from aelib import timing


def fake_clock(readings):
    it = iter(readings)
    return lambda: next(it)


def test_best_time_is_the_smallest_timing_per_call():
    calls = []
    # Three timings of two calls each: 0.6, 0.2 and 0.4 seconds.
    clock = fake_clock([0.0, 0.6, 1.0, 1.2, 2.0, 2.4])
    best = timing.best_time(
        lambda: calls.append(1), repeat=3, number=2, clock=clock, warmup=1
    )
    assert best == pytest.approx(0.1)
    assert len(calls) == 1 + 3 * 2


def test_best_time_measures_real_work():
    seconds = timing.best_time(lambda: time.sleep(0.01), repeat=2, number=2)
    assert 0.01 <= seconds < 0.1


def test_the_clock_stops_after_the_gpu_has_finished(monkeypatch):
    # Without a GPU, record the order of the waits and the clock readings.
    events = []
    monkeypatch.setattr(
        torch.cuda, "synchronize", lambda device=None: events.append("sync")
    )

    def clock():
        events.append("clock")
        return float(len(events))

    timing.best_time(
        lambda: events.append("call"), repeat=2, device="cuda", clock=clock
    )
    assert events == ["sync"] + ["clock", "call", "sync", "clock"] * 2


def test_no_wait_on_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "synchronize", pytest.fail)
    timing.synchronize("cpu")
    timing.best_time(lambda: None, repeat=1, device=torch.device("cpu"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"repeat": 0}, "repeat must lie in"),
        ({"number": 1.5}, "number must be"),
        ({"warmup": -1}, "warmup must lie in"),
    ],
)
def test_bad_counts_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        timing.best_time(lambda: None, **kwargs)
