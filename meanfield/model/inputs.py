"""External inputs I_i(t) (THEORY.md section 1, "Inputs" (a)-(c)).

(a) :class:`UniformInput`      I_i(t) = I0 s(t) for every neuron.
(b) :class:`PatternInput`      I_i(t) = sigma_in p_i s(t), p_i iid N(0, 1).
(c) :class:`SparseInput`       I_i(t) = A s(t) on a set S of round(kappa sqrt(N))
                               neurons, zero elsewhere.

:class:`Inputs` bundles at most one of each; all three may act together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import require_finite, require_int, require_range
from .network import Network
from .profiles import Constant, Custom, Sine, Step, profile_from_dict, profile_to_dict

_PROFILE_TYPES = (Constant, Step, Sine, Custom)


def _check_profile(owner: str, profile):
    if callable(profile) and not isinstance(profile, _PROFILE_TYPES):
        # Custom checks that the function is vectorised
        raise ValueError(  # noqa: TRY004 - every check of the model raises ValueError
            f"{owner}.profile must be a profile object; wrap a function s(t) as "
            f"Custom({getattr(profile, '__name__', 'func')}), got {profile!r}"
        )
    if not isinstance(profile, _PROFILE_TYPES):
        raise ValueError(
            f"{owner}.profile must be a Constant, Step, Sine or Custom profile, got {profile!r}"
        )


@dataclass(frozen=True)
class UniformInput:
    """(a) I_i(t) = I0 * s(t) for all i (THEORY.md section 1, Inputs)."""

    I0: float = 0.0
    profile: object = field(default_factory=Constant)

    def __post_init__(self):
        object.__setattr__(self, "I0", require_finite("UniformInput", "I0", self.I0))
        _check_profile("UniformInput", self.profile)

    def series(self, times: np.ndarray) -> np.ndarray:
        """I0 s(t_k) on the grid."""
        return self.I0 * self.profile.values(times)


@dataclass(frozen=True)
class PatternInput:
    """(b) I_i(t) = sigma_in * p_i * s(t), p_i iid N(0, 1) independent of the network (THEORY.md section 1)."""

    sigma_in: float = 0.0
    profile: object = field(default_factory=Constant)

    def __post_init__(self):
        object.__setattr__(
            self, "sigma_in", require_range("PatternInput", "sigma_in", self.sigma_in, lo=0.0)
        )
        _check_profile("PatternInput", self.profile)

    def series(self, times: np.ndarray) -> np.ndarray:
        """sigma_in s(t_k): the common time course; the pattern p is drawn per realisation."""
        return self.sigma_in * self.profile.values(times)


@dataclass(frozen=True)
class SparseInput:
    """(c) I_i(t) = A * s(t) for i in S, |S| = round(kappa sqrt(N)) (THEORY.md section 1, Inputs).

    Parameters
    ----------
    kappa : float
        Size of the driven set in units of sqrt(N) (> 0).
    A : float
        Input amplitude.
    population : {"E", "I"}
        Population that S is taken from (default: excitatory).
    offset : int
        Index of the first driven neuron within that population; two stimuli
        with offsets 0 and |S| drive disjoint sets.
    """

    kappa: float = 1.0
    A: float = 0.0
    profile: object = field(default_factory=Constant)
    population: str = "E"
    offset: int = 0

    def __post_init__(self):
        object.__setattr__(
            self, "kappa", require_range("SparseInput", "kappa", self.kappa, lo=0.0, lo_open=True)
        )
        object.__setattr__(self, "A", require_finite("SparseInput", "A", self.A))
        object.__setattr__(self, "offset", require_int("SparseInput", "offset", self.offset, lo=0))
        if self.population not in ("E", "I"):
            raise ValueError(
                f"SparseInput.population = {self.population!r} must be 'E' or 'I'"
            )
        _check_profile("SparseInput", self.profile)

    def size(self, N: int) -> int:
        """|S| = round(kappa sqrt(N))."""
        return int(round(self.kappa * math.sqrt(N)))

    def indices(self, network: Network) -> np.ndarray:
        """Indices of the driven neurons in a network of this size."""
        n_s = self.size(network.N)
        if self.population == "E":
            start, n_pop = 0, network.N_E
        else:
            start, n_pop = network.N_E, network.N_I
        if n_s < 1:
            raise ValueError(
                f"SparseInput.kappa = {self.kappa} gives |S| = round(kappa sqrt(N)) = 0 at "
                f"N = {network.N}; increase kappa"
            )
        if self.offset + n_s > n_pop:
            raise ValueError(
                f"SparseInput with kappa = {self.kappa}, offset = {self.offset} needs "
                f"{self.offset + n_s} neurons of population {self.population} but N = "
                f"{network.N} has only {n_pop}; decrease kappa or the offset"
            )
        return np.arange(start + self.offset, start + self.offset + n_s)

    def rho(self, network: Network) -> float:
        """rho_S = (1/sqrt(N)) sum_{i in S} v_i (THEORY.md section 4, sparse input)."""
        v = network.mean_weights()
        return float(v[self.indices(network)].sum() / math.sqrt(network.N))

    def series(self, times: np.ndarray) -> np.ndarray:
        """A s(t_k) on the grid."""
        return self.A * self.profile.values(times)


@dataclass(frozen=True)
class Inputs:
    """At most one input of each kind; ``Inputs()`` is the spontaneous network (THEORY.md section 1, Inputs)."""

    uniform: UniformInput | None = None
    pattern: PatternInput | None = None
    sparse: SparseInput | None = None

    def __post_init__(self):
        for name, kind in (("uniform", UniformInput), ("pattern", PatternInput), ("sparse", SparseInput)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise ValueError(f"Inputs.{name} must be a {kind.__name__} or None, got {value!r}")

    def check_against(self, network: Network) -> None:
        """Raise ValueError if these inputs do not fit the network (e.g. |S| > N_E)."""
        if self.sparse is not None:
            self.sparse.indices(network)

    def to_dict(self) -> dict:
        out = {}
        for name in ("uniform", "pattern", "sparse"):
            value = getattr(self, name)
            if value is None:
                out[name] = None
            else:
                d = dict(value.__dict__)
                d["profile"] = profile_to_dict(value.profile)
                out[name] = d
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Inputs":
        kinds = {"uniform": UniformInput, "pattern": PatternInput, "sparse": SparseInput}
        kw = {}
        for name, kind in kinds.items():
            value = d.get(name)
            if value is not None:
                value = dict(value)
                value["profile"] = profile_from_dict(value["profile"])
                kw[name] = kind(**value)
        return cls(**kw)
