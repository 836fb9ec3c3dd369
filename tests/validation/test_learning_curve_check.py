"""Check (k) and figure 12 end to end on a tiny reservoir (shapes, seeds, verdict plumbing).

The numbers of the check are measured by scripts/learning_curves.py; here only that one item is
reproducible from its seed, that the measured errors of the theory-beta ridge are the closed-form
ridge errors, and that the check turns items into comparisons.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from validation.checks.base import Data
from validation.checks.learning_curve import (
    READOUTS,
    LearningCurveCheck,
    LearningCurveRequest,
    excess_error,
    learning_curve_item,
    reservoir,
    task_series,
)
from validation.presets import Sizes

GRID = (10, 60)


def _item(seed=0):
    return learning_curve_item(reservoir(60), 150, 13, 1, GRID, (0.1, 1.0), np.random.SeedSequence(seed))


@pytest.fixture(scope="module")
def items():
    return tuple(_item(i) for i in range(2))


def test_item_is_reproducible_and_finite(items):
    a, b = items[0], _item(0)
    assert a["predicted"].shape == (3, 2, 2, len(GRID)) and a["measured"].shape == (2, len(GRID), 1, len(READOUTS))
    np.testing.assert_array_equal(a["measured"], b["measured"])
    assert np.all(np.isfinite(a["measured"])) and np.all(a["predicted"] > 0)


def test_task_target_is_standardised():
    u, f = task_series(500, 13)
    assert u.size == 700 and abs(f.mean()) < 1e-12 and abs(f.std() - 1.0) < 1e-12
    assert excess_error(np.eye(3), np.zeros(3), np.ones(3)) == 1.0


def test_check_evaluates_items_into_comparisons(items):
    preset = types.SimpleNamespace(learning_networks=Sizes(((60, 2),)), learning_P=150, learning_draws=1)
    check = LearningCurveCheck()
    (req,) = check.requests(preset)
    req = LearningCurveRequest(req.reservoir, 2, P=150, draws=1, n_grid=GRID)
    ens = types.SimpleNamespace(items=items, seed={})
    check.requests = lambda p: [req]
    result = check.evaluate(Data({req.key(): ens}), preset)
    # n = 60 is judged at two noise variances
    assert len(result.comparisons) == 2
    assert len(result.metrics["ratio"]) == 2 * len(GRID)
    assert any("theory-regularised SGD" in f for f in result.findings)
