"""A page's independent reads run at the same time, their values in the order asked."""

from __future__ import annotations

import threading

import pytest

from core.metrics.at_once import WORKERS, at_once


def test_the_reads_run_together_and_their_values_come_in_order():
    # each read waits at a barrier for the others: run one after another, the first would
    # wait out the barrier's timeout and break it
    barrier = threading.Barrier(WORKERS, timeout=10)

    def read(n: int):
        return lambda: (barrier.wait(), n)[1]
    assert at_once(*(read(n) for n in range(WORKERS))) == list(range(WORKERS))


def test_more_reads_than_workers_all_run_and_an_error_is_raised_as_itself():
    assert at_once(*(lambda n=n: n * n for n in range(WORKERS + 3))) == [n * n for n in range(WORKERS + 3)]

    def refused():
        raise LookupError("没有这个支部")
    with pytest.raises(LookupError, match="没有这个支部"):
        at_once(lambda: 1, refused)
