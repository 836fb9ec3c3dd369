"""The presets' fields of check k: validated, serialised, and empty only where the check is not run."""

from __future__ import annotations

import dataclasses

import pytest

from validation.presets import FULL, PRESETS, QUICK, SMOKE, Sizes


def test_learning_fields_are_in_to_dict():
    for p in PRESETS.values():
        d = p.to_dict()
        assert d["learning_networks"] == {str(N): n for N, n in p.learning_networks.per_N}
        assert (d["learning_P"], d["learning_draws"]) == (p.learning_P, p.learning_draws)
    assert QUICK.to_dict()["learning_networks"] == {}
    assert FULL.learning_networks.N and SMOKE.learning_networks.N


@pytest.mark.parametrize("field, value, message", [
    ("learning_P", 1, r"Preset.learning_P must be an integer >= 2, got 1"),
    ("learning_P", 2.5, r"Preset.learning_P must be an integer"),
    ("learning_draws", 0, r"Preset.learning_draws must be an integer >= 1, got 0"),
    ("learning_draws", True, r"Preset.learning_draws must be an integer"),
    ("learning_networks", ((500, 2),), r"Preset.learning_networks must be a validation.presets.Sizes, got tuple"),
    ("learning_networks", Sizes(((500, 0),)), r"count at N = 500 must be an integer >= 1, got 0"),
    ("learning_networks", Sizes(((0, 3),)), r"size N must be an integer >= 1, got 0"),
])
def test_bad_learning_fields_are_refused(field, value, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(FULL, **{field: value})


def test_an_empty_learning_size_list_is_allowed():
    p = dataclasses.replace(SMOKE, learning_networks=Sizes(()))
    assert p.learning_networks.N == ()
