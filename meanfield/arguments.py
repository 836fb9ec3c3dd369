"""Checks of function arguments shared by the theory and the simulator.

The model's parameter dataclasses check their own fields
(:mod:`meanfield.model`); these helpers check the arguments of the
functions that run them (the model objects' types, ensemble sizes, seeds,
workers, per-replica options) and the output places of the programs, all
before any compute, with one message per kind of mistake. Every message is
a ValueError that names the argument, as the simulator's do.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path

import numpy as np


def shown(value, limit: int = 120) -> str:
    """``repr(value)`` for an error message, cut at ``limit`` characters (a long array stays one line)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def instance(name: str, value, kind, label: str | None = None):
    """``value`` if it is a ``kind``; ValueError naming ``name`` otherwise.

    ``label`` is how the class is written in the message (default
    ``meanfield.<class name>``, where the public classes live).
    """
    if not isinstance(value, kind):
        raise ValueError(f"{name} must be a {label or 'meanfield.' + kind.__name__}, got {shown(value)}")
    return value


def flag(name: str, value) -> bool:
    """``value`` as a bool; ValueError naming ``name`` for anything but True or False (1 and "yes" included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def number(name: str, value, *, nonzero: bool = False) -> float:
    """``value`` as a finite float (nonzero if asked); ValueError naming ``name`` otherwise (booleans are refused)."""
    what = "a finite nonzero number" if nonzero else "a finite number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real) \
            or not math.isfinite(value) or (nonzero and value == 0):
        raise ValueError(f"{name} must be {what}, got {shown(value)}")
    return float(value)


def count(name: str, value, lo: int = 1) -> int:
    """``value`` as an int >= ``lo``; ValueError naming ``name`` otherwise (booleans are refused)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {shown(value)}")
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
            f"seed must be a non-negative int or a numpy.random.SeedSequence, got {shown(seed)}"
        )
    return np.random.SeedSequence(int(seed))


def seed_record(ss: np.random.SeedSequence) -> dict:
    """JSON-serialisable description from which ``ss`` can be rebuilt exactly."""
    return {"entropy": int(ss.entropy), "spawn_key": [int(k) for k in ss.spawn_key]}


def seed_from_record(record) -> np.random.SeedSequence:
    """The SeedSequence described by :func:`seed_record`."""
    return np.random.SeedSequence(record["entropy"], spawn_key=tuple(record["spawn_key"]))


def one_or_many(name: str, value, kind) -> tuple:
    """``value`` as a tuple of ``kind`` objects: one object, or a list or tuple of them (any length)."""
    if isinstance(value, kind):
        return (value,)
    if isinstance(value, (list, tuple)) and value:
        for item in value:
            if not isinstance(item, kind):
                raise ValueError(f"every entry of {name} must be a meanfield.{kind.__name__}, got {shown(item)}")
        return tuple(value)
    raise ValueError(f"{name} must be a meanfield.{kind.__name__} or a sequence of them, got {shown(value)}")


def per_replica(name: str, value, kind, replicas: int) -> tuple:
    """One ``kind`` object per replica from a single object or a sequence of exactly R of them."""
    items = one_or_many(name, value, kind)
    if isinstance(value, kind):
        return items * replicas
    if len(items) != replicas:
        raise ValueError(
            f"{name} has {len(items)} entries but replicas = {replicas}; "
            f"give one {kind.__name__} or exactly one per replica"
        )
    return items


#: Default of the arguments of :func:`model_arguments` that a caller does not have (None is a bad value).
_UNCHECKED = object()


def model_arguments(network, inputs=_UNCHECKED, grid=_UNCHECKED, initial=_UNCHECKED, *,
                    settings=_UNCHECKED, criteria=_UNCHECKED, per_replica: bool = False) -> None:
    """Check the types of the model arguments of an entry point, before anything reads them.

    Without it a dict or a number passed as ``network`` (or a TimeGrid
    passed where a Network belongs) fails deep inside with an AttributeError
    that names neither the argument nor what it should be.

    Parameters
    ----------
    network, inputs, grid, initial, settings, criteria
        The caller's arguments (those it does not take are left out):
        a :class:`meanfield.Network`, :class:`meanfield.Inputs`,
        :class:`meanfield.TimeGrid`, :class:`meanfield.InitialState`,
        :class:`meanfield.SolverSettings`, :class:`meanfield.StateCriteria`
        (or None for the default thresholds).
    per_replica : bool
        ``inputs`` and ``initial`` may also be sequences of them (one per
        replica; their length is the caller's to check).

    Raises
    ------
    ValueError
        ``"<argument> must be a meanfield.<Class>, got <repr>"`` (the
        simulator's wording).
    """
    # imported here, not at the top: the model and the settings may import this module
    from .model import InitialState, Inputs, Network, StateCriteria, TimeGrid
    from .settings import SolverSettings

    instance("network", network, Network)
    for name, value, kind in (("inputs", inputs, Inputs), ("grid", grid, TimeGrid),
                              ("initial", initial, InitialState), ("settings", settings, SolverSettings),
                              ("criteria", criteria, StateCriteria)):
        if value is _UNCHECKED or (name == "criteria" and value is None):  # None: the default thresholds
            continue
        if per_replica and name in ("inputs", "initial"):
            one_or_many(name, value, kind)
        else:
            instance(name, value, kind)


def ensemble_arguments(n_samples, seed, workers, store_dir=None, progress=True) -> None:
    """Check the arguments every ensemble takes, before any sample is computed.

    The same checks (and messages) as :func:`meanfield.runner.map_seeds`,
    plus ``store_dir`` (a file, an unwritable place or a full disk is
    refused, naming the argument) and ``progress``.

    Raises
    ------
    ValueError
        Naming ``n_samples``, ``seed``, ``workers``, ``store_dir`` or ``progress``.
    """
    count("n_samples", n_samples)
    seed_sequence(seed)
    count("workers", workers)
    flag("progress", progress)
    if store_dir is not None:
        writable_directory("store_dir", store_dir)


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


def _as_path(name: str, path) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"{name} must be a path (a non-empty str or pathlib.Path), got {shown(path)}")
    return Path(path)


def writable_directory(name: str, path) -> Path:
    """``path`` as a folder that can be created or written, checked before any compute.

    Raises
    ------
    ValueError
        One line naming ``name`` (e.g. ``"--out"``) when ``path`` is not a
        path, is a file, cannot be created or written, or sits on a disk with
        less than :data:`MIN_FREE_BYTES` free.
    """
    path = _as_path(name, path)
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
    path = _as_path(name, path)
    if path.is_dir():
        raise ValueError(f"{name} {path} is a folder; give a file name such as {path / 'result.nc'}")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{name} {path} exists and cannot be overwritten")
    writable_directory(name, path.parent if str(path.parent) else Path("."))
    return path
