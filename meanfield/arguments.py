"""Checks of function arguments shared by the theory and the simulator.

The model's parameter dataclasses check their own fields
(:mod:`meanfield.model`); these helpers check the arguments of the
functions that run them (ensemble sizes, seeds, per-replica options), with
one message per kind of mistake.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np


def count(name: str, value, lo: int = 1) -> int:
    """``value`` as an int >= ``lo``; ValueError naming ``name`` otherwise (booleans are refused)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def seed_sequence(seed) -> np.random.SeedSequence:
    """A SeedSequence from a non-negative int or a SeedSequence.

    Raises
    ------
    ValueError
        For negative, non-integer or boolean seeds.
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(
            f"seed must be a non-negative int or a numpy.random.SeedSequence, got {seed!r}"
        )
    return np.random.SeedSequence(int(seed))


def seed_record(ss: np.random.SeedSequence) -> dict:
    """JSON-serialisable description from which ``ss`` can be rebuilt exactly."""
    return {"entropy": int(ss.entropy), "spawn_key": [int(k) for k in ss.spawn_key]}


def seed_from_record(record) -> np.random.SeedSequence:
    """The SeedSequence described by :func:`seed_record`."""
    return np.random.SeedSequence(record["entropy"], spawn_key=tuple(record["spawn_key"]))


def per_replica(name: str, value, kind, replicas: int) -> tuple:
    """One ``kind`` object per replica from a single object or a sequence of exactly R of them."""
    if isinstance(value, kind):
        return (value,) * replicas
    if isinstance(value, (list, tuple)):
        if len(value) != replicas:
            raise ValueError(
                f"{name} has {len(value)} entries but replicas = {replicas}; "
                f"give one {kind.__name__} or exactly one per replica"
            )
        for item in value:
            if not isinstance(item, kind):
                raise ValueError(f"every entry of {name} must be a {kind.__name__}, got {item!r}")
        return tuple(value)
    raise ValueError(f"{name} must be a {kind.__name__} or a sequence of them, got {value!r}")
