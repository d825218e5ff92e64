"""The property tests' own helper must be able to fail."""

import pytest
from strategies import clear_or_ok


def test_clear_or_ok_can_fail():
    """The helper above must reject an error that names nothing useful."""

    def obscure():
        raise ValueError("mat1 and mat2 shapes cannot be multiplied")

    def by_chance():
        raise TypeError(
            "expected scalar type Float but found Double"
        )  # holds an "x", names no x

    with pytest.raises(AssertionError):
        clear_or_ok(obscure, "x")
    with pytest.raises(AssertionError):
        clear_or_ok(by_chance, "x")
