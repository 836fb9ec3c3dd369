"""Results that label their arrays and save and load with their parameters.

Every result of the theory and of the simulator (one path, an ensemble,
Lyapunov exponents, readouts, responses, a validation run) is a frozen
dataclass that derives from :class:`LabelledResult`:

* ``to_xarray()`` gives an :class:`xarray.Dataset` whose variables carry named
  dimensions (``sample``, ``time``, ``replica``, ``stimulus``, ...) and
  coordinates (recorded times, sample indices);
* ``save(path)`` writes that dataset as a netCDF-4 (HDF5) file, with the
  result's class, its parameters, its seeds and the package version in the
  attributes; ``Cls.load(path)`` and :func:`load` read it back into the same
  class, arrays bit for bit.

netCDF-4 is self-describing and read by every tool of the field (xarray,
netCDF4, h5py, ncdump, MATLAB, Julia); xarray writes it through h5netcdf,
which needs no C library beyond h5py's wheels.

:class:`PathEnsemble` holds the methods shared by the theory's and the
simulator's ensembles of population paths (THEORY.md section 7): the states,
their probabilities and the probability of any event.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import tempfile
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import ClassVar, Mapping

import numpy as np

from .arguments import seed_from_record, seed_record
from .jsonable import to_jsonable
from .model import (
    PHI_REGISTRY, STATES, InitialState, Inputs, Network, State, StateCriteria, TimeGrid, classify_state,
)
from .settings import SolverSettings
from .stats import Proportion, event_proportion

FORMAT = "meanfield-result-1"
ENGINE = "h5netcdf"


def package_version() -> str:
    """The installed version of the package (``0+unknown`` in a source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("meanfield")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: the call, its parameters, its root seed and the package version.

    Attributes
    ----------
    function : str
        The public function that produced the result, e.g. ``"meanfield.sample"``.
    params : dict
        JSON form of every argument that determines the result (network,
        inputs, grid, initial state, settings, options).
    seed : dict or None
        Root seed record ``{"entropy", "spawn_key"}``; sample i used its i-th
        spawned child (:func:`meanfield.runner.spawn_seeds`).
    n_samples : int or None
        Ensemble size (None for one path).
    package_version : str
    """

    function: str
    params: Mapping
    seed: Mapping | None = None
    n_samples: int | None = None
    package_version: str = dataclasses.field(default_factory=package_version)

    def to_dict(self) -> dict:
        return to_jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, d: Mapping) -> "Provenance":
        return cls(**d)

    def seeds(self) -> list[np.random.SeedSequence]:
        """The per-sample SeedSequences (children of the root seed)."""
        if self.seed is None or self.n_samples is None:
            raise ValueError("this result records no ensemble seed")
        return seed_from_record(self.seed).spawn(int(self.n_samples))


# --------------------------------------------------------------------------- attribute codecs
def _network_from_dict(d: Mapping) -> Network:
    if d.get("phi", "tanh") not in PHI_REGISTRY:
        raise ValueError(f"cannot rebuild a Network with the custom phi {d['phi']!r} from a file; "
                         "its parameters are in the result's provenance")
    return Network(**d)


# model objects stored as attributes: type name -> (class, decoder)
_MODEL_TYPES = {
    "Network": (Network, _network_from_dict),
    "Inputs": (Inputs, Inputs.from_dict),
    "TimeGrid": (TimeGrid, lambda d: TimeGrid(**d)),
    "InitialState": (InitialState, lambda d: InitialState(**d)),
    "SolverSettings": (SolverSettings, lambda d: SolverSettings(**d)),
    "StateCriteria": (StateCriteria, lambda d: StateCriteria(**d)),
    "Provenance": (Provenance, Provenance.from_dict),
    "Proportion": (Proportion, lambda d: Proportion(**{k: v for k, v in d.items() if k != "p"})),
}


def _encode(value):
    """A JSON-able form of a non-array field that :func:`_decode` turns back into the same value."""
    for name, (kind, _) in _MODEL_TYPES.items():
        if isinstance(value, kind):
            return {"__type__": name, "value": to_jsonable(value.to_dict())}
    if isinstance(value, State):
        return {"__type__": "State", "value": value.value}
    if isinstance(value, tuple):
        return {"__type__": "tuple", "value": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__type__": "dict", "value": {str(k): _encode(v) for k, v in value.items()}}
    if isinstance(value, Enum):
        return value.value
    return to_jsonable(value)


def _decode(obj):
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if isinstance(obj, dict) and "__type__" in obj:
        kind, value = obj["__type__"], obj["value"]
        if kind == "tuple":
            return tuple(_decode(v) for v in value)
        if kind == "dict":
            return {k: _decode(v) for k, v in value.items()}
        if kind == "State":
            return State(value)
        return _MODEL_TYPES[kind][1](value)
    return obj


def _result_class(name: str) -> type:
    module, _, qualname = name.rpartition(".")
    if module.split(".")[0] not in ("meanfield", "simulate", "validation"):
        raise ValueError(f"{name!r} is not a result class of this package")
    cls = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(cls, type) and issubclass(cls, LabelledResult)):
        raise ValueError(f"{name!r} is not a result class of this package")
    return cls


# --------------------------------------------------------------------------- the base class
class LabelledResult:
    """Base of every result: labelled arrays (``to_xarray``) and a file (``save`` / ``load``).

    A subclass is a frozen dataclass that declares, in ``dims``, the named
    dimensions of each of its array fields, and in ``coords`` which field
    holds the coordinate values of a dimension (e.g. ``{"time": "times"}``);
    a dimension without a coordinate field is labelled 0, 1, 2, ... Fields
    not named in either (model objects, scalars, seed records, provenance)
    are stored as JSON attributes. Array fields may be None (not recorded).
    Subclasses whose array ranks vary (R replicas or one) override
    :meth:`array_dims`.
    """

    dims: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    coords: ClassVar[Mapping[str, str]] = {}

    def array_dims(self) -> dict[str, tuple[str, ...]]:
        """Dimension names of each array field of this instance."""
        return dict(self.dims)

    def to_xarray(self):
        """The result as an :class:`xarray.Dataset` with named dimensions, coordinates and attributes.

        Attributes: ``result_class``, ``format``, ``package_version``,
        ``provenance`` (JSON: the producing call, its parameters and root
        seed) and one ``field:<name>`` JSON attribute per non-array field.
        """
        import xarray as xr

        dims = self.array_dims()
        coord_fields = set(self.coords.values())
        data_vars, attrs = {}, {}
        coords = {dim: np.asarray(getattr(self, name)) for dim, name in self.coords.items()
                  if getattr(self, name) is not None}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "provenance" or f.name in coord_fields:
                continue
            if f.name in dims:
                if value is not None:
                    data_vars[f.name] = (dims[f.name], np.asarray(value))
            else:
                attrs[f"field:{f.name}"] = json.dumps(_encode(value))
        prov = getattr(self, "provenance", None)
        attrs.update({
            "result_class": f"{type(self).__module__}.{type(self).__qualname__}",
            "format": FORMAT,
            "package_version": prov.package_version if prov is not None else package_version(),
            "provenance": json.dumps(None if prov is None else prov.to_dict()),
        })
        ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
        for dim in ds.dims:  # label the other dimensions 0, 1, 2, ...
            if dim not in ds.coords:
                ds = ds.assign_coords({dim: np.arange(ds.sizes[dim])})
        return ds

    @classmethod
    def from_xarray(cls, ds):
        """Rebuild the result from :meth:`to_xarray`'s dataset (or a loaded file)."""
        stored = ds.attrs.get("result_class")
        if stored is not None and _result_class(stored) is not cls:
            raise ValueError(f"this dataset holds a {stored}, not a {cls.__module__}.{cls.__qualname__}; "
                             "use meanfield.results.load(path) to get whatever it holds")
        kw = {}
        for dim, name in cls.coords.items():
            if name not in kw:
                kw[name] = ds[dim].values if dim in ds.coords else None
        for f in fields(cls):
            if f.name in kw:
                continue
            if f.name == "provenance":
                prov = json.loads(ds.attrs.get("provenance", "null"))
                kw[f.name] = None if prov is None else Provenance.from_dict(prov)
            elif f.name in ds.data_vars:
                kw[f.name] = ds[f.name].values
            elif f"field:{f.name}" in ds.attrs:
                kw[f.name] = _decode(json.loads(ds.attrs[f"field:{f.name}"]))
            elif f.name in cls.dims:
                kw[f.name] = None  # an optional array that was not recorded
        return cls(**kw)

    def save(self, path) -> Path:
        """Write the result to ``path`` (netCDF-4) atomically; returns the path.

        The file holds every array with its dimensions and coordinates, and
        the parameters, seeds and package version as attributes.
        """
        path = Path(path)
        if path.is_dir():
            raise ValueError(f"{path} is a directory; give a file name such as {path / 'result.nc'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".nc.tmp")
        os.close(fd)
        try:
            self.to_xarray().to_netcdf(tmp, engine=ENGINE)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    @classmethod
    def load(cls, path):
        """Read a result written by :meth:`save` (of this class)."""
        return cls.from_xarray(open_dataset(path))


def open_dataset(path):
    """The dataset of a saved result, read fully into memory (the file is closed)."""
    import xarray as xr

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist or is not a file")
    with xr.open_dataset(path, engine=ENGINE) as ds:
        ds = ds.load()
    if ds.attrs.get("format") != FORMAT:
        raise ValueError(f"{path} is not a saved result of this package (no '{FORMAT}' format attribute)")
    return ds


def load(path):
    """Load any saved result; returns an instance of the class that saved it."""
    ds = open_dataset(path)
    return _result_class(ds.attrs["result_class"]).from_xarray(ds)


# --------------------------------------------------------------------------- path ensembles
class PathEnsemble(LabelledResult):
    """Methods shared by ensembles of population paths, theory and networks (THEORY.md section 7).

    A subclass has ``h`` and ``delta_tt`` of shape (n_samples, n_recorded)
    (or (n_samples, R, n_recorded) with R replicas per network) at
    ``times``, a ``grid`` and a ``criteria`` (the default thresholds of the
    state classifier).
    """

    @property
    def n_samples(self) -> int:
        """Number of samples (theory) or realised networks (simulation)."""
        return int(np.shape(self.h)[0])

    def __len__(self) -> int:
        return self.n_samples

    @property
    def dt_record(self) -> float:
        return self.grid.dt * self.grid.stride

    @property
    def seeds(self) -> tuple[dict, ...]:
        """The seed record of every sample (sample i: the i-th child of the root seed)."""
        if self.provenance is None:
            raise ValueError("this ensemble records no seeds (it was not produced by an ensemble function)")
        return tuple(seed_record(s) for s in self.provenance.seeds())

    @property
    def n_failed(self) -> int:
        """Number of failed samples (``failed`` is None or all False when none failed)."""
        failed = getattr(self, "failed", None)
        return 0 if failed is None else int(np.count_nonzero(failed))

    def _criteria(self, criteria):
        return (getattr(self, "criteria", None) or StateCriteria()) if criteria is None else criteria

    def states(self, criteria: StateCriteria | None = None) -> list:
        """The state of every sample (THEORY.md section 7; a list of R states per network with R replicas).

        ``criteria`` defaults to the ensemble's own thresholds.

        Raises
        ------
        ValueError
            If some samples failed: they have no state, and leaving them out
            would bias the state probabilities, so the choice is the caller's.
        """
        if self.n_failed:
            bad = np.flatnonzero(self.failed).tolist()
            raise ValueError(
                f"samples {bad} of {self.n_samples} failed (see the ensemble's `failed`) and have no state; "
                "leaving them out biases the state probabilities, so select the others explicitly, "
                "e.g. ens.h[~ens.failed]"
            )
        c = self._criteria(criteria)
        h, d = np.asarray(self.h), np.asarray(self.delta_tt)
        if h.ndim == 2:
            return [classify_state(h[i], d[i], self.dt_record, c) for i in range(h.shape[0])]
        return [[classify_state(h[i, r], d[i, r], self.dt_record, c) for r in range(h.shape[1])]
                for i in range(h.shape[0])]

    def state_probabilities(self, criteria: StateCriteria | None = None, confidence: float = 0.95,
                            method: str = "wilson") -> dict[str, Proportion]:
        """P(state) for every state of THEORY.md section 7, with binomial intervals over samples."""
        if np.ndim(self.h) != 2:
            raise ValueError("the replicas of one network are not independent samples: state probabilities "
                             "need one path per network (replicas = 1)")
        states = self.states(criteria)
        return {s.value: event_proportion([x is s for x in states], confidence, method) for s in STATES}

    def probability(self, events, confidence: float = 0.95, method: str = "wilson") -> Proportion:
        """P(event) from a boolean array over samples, e.g. ``np.abs(ens.h[:, -1]) > 0.5``."""
        events = np.asarray(events, dtype=bool)
        if events.shape != (self.n_samples,):
            raise ValueError(f"events must have shape ({self.n_samples},), got {events.shape}")
        return event_proportion(events, confidence, method)
