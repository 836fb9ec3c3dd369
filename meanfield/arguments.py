"""Checks of function arguments shared by the theory and the simulator.

The model's parameter dataclasses check their own fields
(:mod:`meanfield.model`); these helpers check the arguments of the
functions that run them (ensemble sizes, seeds, per-replica options) and
the output places of the programs (before any compute), with one message
per kind of mistake.
"""

from __future__ import annotations

import os
from numbers import Integral
from pathlib import Path

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


#: Free space below which an output location is refused before any compute (a report, a figure or a
#: store item needs a few MB; a disk this full fails at the end of a long run).
MIN_FREE_BYTES = 16 * 2**20


def _free_bytes(folder: Path) -> int:
    import shutil

    return shutil.disk_usage(folder).free


def _existing_parent(path: Path) -> Path:
    for parent in (path, *path.parents):
        if parent.exists():
            return parent
    return Path.cwd()


def writable_directory(name: str, path) -> Path:
    """``path`` as a folder that can be created or written, checked before any compute.

    Raises
    ------
    ValueError
        One line naming ``name`` (e.g. ``"--out"``) when ``path`` is a file,
        cannot be created or written, or sits on a disk with less than
        :data:`MIN_FREE_BYTES` free.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} {path} is a file; give a folder")
    base = _existing_parent(path)
    if not base.is_dir() or not os.access(base, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {path} cannot be written ({base} is not a writable folder)")
    if _free_bytes(base) < MIN_FREE_BYTES:
        raise ValueError(f"{name} {path}: the disk holding {base} is full "
                         f"({_free_bytes(base) // 2**20} MB free); free some space or choose another place")
    return path


def writable_file(name: str, path) -> Path:
    """``path`` as a file that can be written (its folder as for :func:`writable_directory`)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{name} {path} is a folder; give a file name such as {path / 'result.nc'}")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{name} {path} exists and cannot be overwritten")
    writable_directory(name, path.parent if str(path.parent) else Path("."))
    return path
