"""Decoding ahead: results in order, and never several large decodes at once."""

import pytest

from tagassist.engine.prefetch import Prefetch
from tests.support.concurrency import PeakLoad


def test_decodes_in_flight_never_declare_more_pixels_together_than_the_limit():
    load = PeakLoad()

    def work(pixels):
        with load.holding(pixels):
            return pixels

    items = [60, 60, 500, 30, 30, 20, 90, 10, 40]
    prefetch = Prefetch(items, work, 4, ahead=9, pixels_of=lambda pixels: pixels, pixel_limit=100)
    try:
        assert [future.result() for entry in prefetch if entry is not None for _, future in [entry]] == items
    finally:
        prefetch.close()
    # 60 + 60 never together (four threads were free), and the panorama only alone
    assert load.most <= 100 or load.most == 500


def test_a_failure_to_feed_reaches_the_consumer():
    def pixels_of(item):
        if item == 3:
            raise ValueError("no size for 3")
        return 1

    prefetch = Prefetch([1, 2, 3, 4], lambda item: item, 2, ahead=4, pixels_of=pixels_of, pixel_limit=10)
    try:
        with pytest.raises(ValueError, match="no size for 3"):
            list(prefetch)
    finally:
        prefetch.close()
