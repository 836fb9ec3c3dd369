"""Unsupervised synaptic plasticity of the reservoir's random coupling z (THEORY.md sections 1 and 9).

Two local rules, after the project's seed report 004 (which cites Tsukada &
Pan, Biol. Cybern. 92, 139-146, 2005), run as a pretraining of the
recurrent weights before the readout is fitted. The recurrent matrix of
THEORY.md section 1 is J = w / sqrt(N) with synaptic weights

    w_ij = g z_ij + v_j        (post-synaptic i, pre-synaptic j),

and the rules change the random part z only: the balanced mean part v (the
E/I identity of the model) is not plastic. The rates are r_j = phi(x_j),
taken from the states the reservoir records after each input sample. A
rule's update of one mini-batch is the average of its per-sample update
over the batch's sequences and steps (samples n = (sequence, step)).

* Hebbian (:class:`Hebbian`), the seed's Delta W_ij = eta Y_j X_i with
  X the pre- and Y the post-synaptic activity, both at the same step:

      Delta z_ij = eta < r_i r_j >_n.

* Spatiotemporal learning rule (:class:`SpatiotemporalRule`, STLR). The
  coincidence index of synapse (i <- j) is the seed's
  I_ij = w_ij x_j sum_{k != j} w_ik x_k with the other inputs summed as the
  network sums them, with a factor 1 / sqrt(N):

      I_ij(n) = w_ij r_j (1/sqrt N) sum_{k != j} w_ik r_k,

  so that I is O(1) and the thresholds do not depend on N (the seed's I
  without the 1 / sqrt(N) grows like sqrt(N) for O(1) weights). Then

      Delta z_ij = eta < G(I_ij(n)) >_n,
      G(I) = S(I - theta1) if I >= theta1,  0 if theta2 < I < theta1,
             S(I - theta2) if I <= theta2,

  with theta1 > theta2. The seed's "sigmoid" S is taken odd, S = tanh:
  coincident input (I >= theta1) potentiates and anti-coincident input
  (I <= theta2) depresses, the LTP / LTD the rule was built to model, and G
  is continuous (zero at both thresholds). A logistic S would make both
  branches potentiating and G jump by eta / 2 at each threshold.

Normalisation (``normalisation``):

* ``"none"``: the rules as written. Hebbian growth is unbounded, and it
  also changes the mean connectivity: mean(Delta z) = eta < M^2 > (M the
  mean rate of a sample), so the uniform gain (1/N) 1^T J 1 = lambda0 +
  g sqrt(N) mean(z) moves by g sqrt(N) eta < M^2 > per batch, a detuning
  away from the balance of section 1.
* ``"rows"``: after each batch, every row i of z is rescaled to the
  Euclidean norm it had before the batch, so (1/N) sum_j z_ij^2 (the row's
  second moment, about 1 at draw) is kept through the pretraining. This is
  the multiplicative synaptic scaling of the incoming weights of each neuron
  (von der Malsburg 1973; the constraint Oja's rule tends to): it keeps the
  variance of the random input each neuron receives, i.e. the meaning of g,
  and lets the rule change only the direction of each row.

Every random draw (the order of the training sequences in each epoch) comes
from a ``numpy.random.SeedSequence``: epoch e shuffles with child e of the
pretraining seed, by default child 5 of the realisation seed (children 0-3
seed z, p, u and the Lyapunov tangent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numba import njit

from meanfield.arguments import count, seed_record, seed_sequence
from meanfield.model._checks import require_range

from .realisation import Realisation, child_seed
from .reservoir import ReservoirRealisation

NORMALISATIONS = ("none", "rows")

# Child of the realisation seed that seeds the pretraining's shuffles (children 0-3 are z, p, u, tangent).
PLASTICITY_CHILD = 5

__all__ = ["Hebbian", "SpatiotemporalRule", "PlasticityRun", "NORMALISATIONS", "rule_update",
           "plasticity_step", "pretrain", "synaptic_weights"]


def _check_normalisation(owner: str, value) -> str:
    if value not in NORMALISATIONS:
        raise ValueError(f"{owner}.normalisation = {value!r} must be one of {NORMALISATIONS}")
    return value


@dataclass(frozen=True)
class Hebbian:
    """Hebbian rule Delta z_ij = eta < r_i r_j > (module docstring).

    Parameters
    ----------
    learning_rate : float
        eta >= 0, in units of the entries of z (which are N(0, 1) at draw).
    normalisation : {"none", "rows"}
        Row rescaling after each batch (module docstring).
    """

    learning_rate: float = 1e-3
    normalisation: str = "none"

    def __post_init__(self):
        require_range("Hebbian", "learning_rate", self.learning_rate, lo=0.0)
        _check_normalisation("Hebbian", self.normalisation)

    name = "hebbian"

    def to_dict(self) -> dict:
        return {"rule": self.name, "learning_rate": float(self.learning_rate),
                "normalisation": self.normalisation}


@dataclass(frozen=True)
class SpatiotemporalRule:
    """Tsukada-Pan spatiotemporal learning rule Delta z_ij = eta < G(I_ij) > (module docstring).

    Parameters
    ----------
    learning_rate : float
        eta >= 0, in units of the entries of z.
    theta1 : float
        Potentiation threshold: I >= theta1 gives eta tanh(I - theta1) >= 0.
    theta2 : float
        Depression threshold, < theta1: I <= theta2 gives eta tanh(I - theta2) <= 0.
    normalisation : {"none", "rows"}
    """

    learning_rate: float = 1e-3
    theta1: float = 0.5
    theta2: float = -0.5
    normalisation: str = "none"

    def __post_init__(self):
        require_range("SpatiotemporalRule", "learning_rate", self.learning_rate, lo=0.0)
        t1 = require_range("SpatiotemporalRule", "theta1", self.theta1)
        t2 = require_range("SpatiotemporalRule", "theta2", self.theta2)
        if not t2 < t1:
            raise ValueError(f"SpatiotemporalRule needs theta2 < theta1 (depression below potentiation), "
                             f"got theta1 = {t1!r}, theta2 = {t2!r}")
        _check_normalisation("SpatiotemporalRule", self.normalisation)

    name = "stlr"

    def to_dict(self) -> dict:
        return {"rule": self.name, "learning_rate": float(self.learning_rate), "theta1": float(self.theta1),
                "theta2": float(self.theta2), "normalisation": self.normalisation, "sigmoid": "tanh"}


RULES = (Hebbian, SpatiotemporalRule)


def _dense_z(realisation: Realisation) -> np.ndarray:
    """The realisation's z as a dense float array, or a ValueError saying the rules need one."""
    try:
        return realisation.z
    except ValueError as exc:
        raise ValueError(f"the plasticity rules change a dense float z entry by entry; this realisation "
                         f"has none ({exc})") from None


def synaptic_weights(realisation: Realisation) -> np.ndarray:
    """w = g z + 1 v^T = sqrt(N) J (float64, N x N), the weights the STLR coincidence uses."""
    net = realisation.network
    return net.g * np.asarray(_dense_z(realisation), dtype=np.float64) + net.mean_weights()[None, :]


@njit(cache=True)
def _stlr_mean(w, R, theta1, theta2):
    """< G(I_ij(n)) >_n over the rows n of R (samples x N), I of the module docstring."""
    n_samples, N = R.shape
    out = np.zeros((N, N))
    scale = 1.0 / math.sqrt(N)
    for n in range(n_samples):
        r = R[n]
        for i in range(N):
            wi = w[i]
            a = 0.0
            for k in range(N):
                a += wi[k] * r[k]
            oi = out[i]
            for j in range(N):
                c = wi[j] * r[j]
                I = c * (a - c) * scale
                if I >= theta1:
                    oi[j] += math.tanh(I - theta1)
                elif I <= theta2:
                    oi[j] += math.tanh(I - theta2)
    return out / n_samples


def _rates(rates, N: int) -> np.ndarray:
    R = np.asarray(rates, dtype=np.float64)
    if R.ndim == 3:
        R = R.reshape(-1, R.shape[-1])
    if R.ndim != 2 or R.shape[1] != N or R.shape[0] == 0:
        raise ValueError(f"rates must have shape (n_samples, {N}) or (n_sequences, T, {N}) for a network of "
                         f"N = {N}, got {np.shape(rates)}")
    if not np.all(np.isfinite(R)):
        raise ValueError("rates contain NaN or infinite values")
    return R


def rule_update(rule, realisation: Realisation, rates) -> np.ndarray:
    """The change Delta z (float64, N x N) of one batch, before any normalisation (module docstring).

    Parameters
    ----------
    rule : Hebbian or SpatiotemporalRule
    realisation : Realisation
        Its z (and the network's mean weights, for the STLR) at the start of the batch.
    rates : array (n_samples, N) or (n_sequences, T, N)
        phi(x) of the samples of the batch.
    """
    if not isinstance(rule, RULES):
        raise ValueError(f"rule must be a simulate.plasticity.Hebbian or SpatiotemporalRule, got {rule!r}")
    if not isinstance(realisation, Realisation):
        raise ValueError(f"realisation must be a simulate.Realisation, got {realisation!r}")
    _dense_z(realisation)
    R = _rates(rates, realisation.network.N)
    if isinstance(rule, Hebbian):
        return rule.learning_rate * (R.T @ R) / R.shape[0]
    return rule.learning_rate * _stlr_mean(synaptic_weights(realisation), R, float(rule.theta1),
                                           float(rule.theta2))


def plasticity_step(rule, realisation: Realisation, rates) -> Realisation:
    """One batch of the rule: z -> z + Delta z, then the rule's normalisation; a new Realisation.

    The network, seed and pattern are unchanged; z keeps its dtype (the
    update is computed in float64 and cast once).
    """
    z0 = np.asarray(_dense_z(realisation), dtype=np.float64)
    # an overflowing update is reported below as a ValueError, not as a floating-point warning
    with np.errstate(over="ignore", invalid="ignore"):
        z = z0 + rule_update(rule, realisation, rates)
        if rule.normalisation == "rows" and np.all(np.isfinite(z)):
            before = np.linalg.norm(z0, axis=1)
            after = np.linalg.norm(z, axis=1)
            if np.any(after == 0.0):
                raise ValueError("a row of z became exactly zero under the update; lower the learning rate")
            z *= (before / after)[:, None]
    if not np.all(np.isfinite(z)):
        raise ValueError(f"z became non-finite under {rule!r}; lower the learning rate")
    return replace(realisation, z=np.ascontiguousarray(z.astype(realisation.z.dtype)))


@dataclass(frozen=True, eq=False)
class PlasticityRun:
    """Reservoirs after each epoch of pretraining.

    Attributes
    ----------
    reservoirs : tuple of ReservoirRealisation
        ``reservoirs[e]`` after e epochs (``reservoirs[0]`` is the untrained one).
    rule : Hebbian or SpatiotemporalRule
    batch_size, stride : int
    seed : dict
        Seed record of the pretraining seed (its child e shuffles epoch e).
    """

    reservoirs: tuple
    rule: object
    batch_size: int
    stride: int
    seed: dict

    @property
    def epochs(self) -> int:
        return len(self.reservoirs) - 1


def pretrain(reservoir: ReservoirRealisation, rule, sequences, *, epochs: int, batch_size: int = 64,
             stride: int = 1, seed=None, progress=None) -> PlasticityRun:
    """Pretrain a reservoir's z with an unsupervised rule over training sequences (module docstring).

    Each epoch visits the sequences once in a random order, in batches of
    ``batch_size``: the batch is run through the current reservoir (each
    sequence from the reservoir's reset state, as
    :meth:`ReservoirRealisation.run` does), the rates phi(x) after every
    input sample feed the rule, and z is updated once per batch
    (:func:`plasticity_step`).

    Parameters
    ----------
    reservoir : ReservoirRealisation
    rule : Hebbian or SpatiotemporalRule
    sequences : array (n_sequences, T, d)
        Training inputs (e.g. ``task.sequences[task.train]``).
    epochs : int
        >= 0 passes over the sequences.
    batch_size : int
    stride : int
        The rule sees the rates after input samples 0, stride, 2 stride, ...
        of each sequence: a subsample of the batch average that costs
        1 / stride of the STLR's N^2 work per sample (1 = every sample).
    seed : int or SeedSequence, optional
        Pretraining seed; default child 5 of the realisation seed.
    progress : callable, optional
        Called as ``progress(epoch, batch, n_batches)`` after every batch.

    Returns
    -------
    PlasticityRun
    """
    if not isinstance(reservoir, ReservoirRealisation):
        raise ValueError(f"reservoir must be a simulate.ReservoirRealisation, got {reservoir!r}")
    if not isinstance(rule, RULES):
        raise ValueError(f"rule must be a simulate.plasticity.Hebbian or SpatiotemporalRule, got {rule!r}")
    epochs = count("epochs", epochs, lo=0)
    batch_size = count("batch_size", batch_size)
    stride = count("stride", stride)
    U = np.asarray(sequences, dtype=np.float64)
    d = reservoir.reservoir.n_inputs
    if U.ndim != 3 or U.shape[0] == 0 or U.shape[1] == 0 or U.shape[2] != d:
        raise ValueError(f"sequences must have shape (n_sequences, T, {d}), got {np.shape(sequences)}")
    ss = child_seed(reservoir.realisation.seed, PLASTICITY_CHILD) if seed is None else seed_sequence(seed)
    phi = reservoir.reservoir.network.phi.func
    out = [reservoir]
    current = reservoir
    n_batches = math.ceil(U.shape[0] / batch_size)
    for e in range(epochs):
        order = np.random.default_rng(child_seed(ss, e)).permutation(U.shape[0])
        for b in range(n_batches):
            batch = U[order[b * batch_size:(b + 1) * batch_size]]
            rates = phi(np.asarray(current.run(batch).x[:, ::stride], dtype=np.float64))
            current = replace(current, realisation=plasticity_step(rule, current.realisation, rates))
            if progress is not None:
                progress(e, b, n_batches)
        out.append(current)
    return PlasticityRun(reservoirs=tuple(out), rule=rule, batch_size=batch_size, stride=stride,
                         seed=seed_record(ss))
