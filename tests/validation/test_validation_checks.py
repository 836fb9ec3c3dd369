"""Every check's evaluation on synthetic ensembles whose answer is known.

Each check receives fake ensembles (no solver, no simulator): the "theory"
and a "simulation" drawn from the same synthetic law must PASS; a simulation
from a deliberately wrong law (J0 scaled by 1.2 where J0 sets a scale, or a
probability shifted by 0.25) must FAIL. Sizes are 1000-1500 per side, so the
95 % resolutions are 0.04 (probabilities) and 0.05-0.06 (KS distances)
against the tolerance 0.1, and the wrong laws sit 0.2-0.7 away from the right
ones. False-failure rate: a correct law FAILS a comparison only if the test
rejects at the Bonferroni level AND the interval lies beyond 0.1, a > 5 sigma
event; a check is not PASS for a correct law only if half of its comparisons
reject at alpha <= 0.05 / m (probability < 1e-6 here). The seeds are fixed.
"""

import dataclasses
import zlib

import numpy as np
import pytest

from validation.checks import CHECKS, Data
from validation.checks.base import _View
from validation.presets import FULL, QUICK, Sizes
from validation.verdict import Verdict

# the quick preset's parameter points (the checks' tables) with larger counts
PRESET = dataclasses.replace(
    QUICK, T_dynamics=40.0, n_theory=1200, networks=Sizes(((500, 1200), (1000, 1000))),
    n_zeta=1500, eigen_networks=Sizes(((500, 1200), (1000, 1000))),
    T_entrainment=40.0, n_theory_entrainment=1000, entrainment_networks=Sizes(((500, 1000), (1000, 1000))),
    n_boot=200, n_theory_replicas=1000, replica_networks=Sizes(((500, 1000), (1000, 1000))),
    n_theory_reservoir=1000, reservoir_networks=Sizes(((500, 1000), (1000, 1000), (2000, 1000))),
    paired_networks=Sizes(((500, 60), (1000, 60), (2000, 60))),
)


class FakeData:
    """Serves synthetic items for any request: ``law(request, side, rng) -> item``."""

    def __init__(self, law, wrong: bool):
        self.law, self.wrong = law, wrong

    def __call__(self, request):
        side = "theory" if request.kind in ("theory", "linear-theory") or request.kind.endswith("-theory") \
            else "simulation"
        bad = self.wrong and side == "simulation"
        rng = np.random.default_rng([zlib.crc32(request.key().encode()), int(bad)])
        n = 1 if request.kind == "linear-theory" else request.n
        items = tuple(self.law(request, bad, rng) for _ in range(n))
        return _View(items, {"entropy": 0, "spawn_key": []}, request)


def _times(request):
    return request.grid.record_times


def _path(kind, t, rng, amp=1.0):
    """A path of h and Delta(t,t) that the section 7 classifier puts in state ``kind``."""
    if kind == "quiescent":
        return np.zeros_like(t), np.exp(-t)
    if kind == "coherent":
        return rng.choice([-1.0, 1.0]) * amp * (1 - np.exp(-t)), np.ones_like(t)
    if kind == "oscillatory":
        return 0.8 * np.sin(2 * np.pi * t / 5 + rng.uniform(0, 2 * np.pi)), np.ones_like(t)
    return 0.3 * rng.standard_normal(t.size), np.ones_like(t)


def _categorical(rng, probs):
    names = list(probs)
    return names[rng.choice(len(names), p=[probs[k] for k in names])]


# ----------------------------------------------------------------------------- laws per check
def law_transients(req, bad, rng):
    t = _times(req)
    J0 = req.network.J0 * (1.2 if bad else 1.0)
    delta = 1 + 0.25 * J0**2 * (1 - np.exp(-t / 4)) * (1 + 0.2 * rng.standard_normal())
    h = 0.25 * J0 * np.sqrt(1 - np.exp(-t / 3)) * rng.standard_normal()
    return {"h": h, "delta_tt": delta, "m": h, "M": h}


def law_states(req, bad, rng):
    probs = {"quiescent": 0.1, "coherent": 0.2, "oscillatory": 0.2, "irregular": 0.5}
    if bad:  # a wrong probability: coherent 0.2 -> 0.45
        probs = {"quiescent": 0.1, "coherent": 0.45, "oscillatory": 0.2, "irregular": 0.25}
    h, d = _path(_categorical(rng, probs), _times(req), rng)
    return {"h": h, "delta_tt": d, "m": h, "M": h}


def law_spontaneous(req, bad, rng):
    t = _times(req)
    J0 = req.network.J0 * (1.2 if bad else 1.0)
    dt, tau_c, sigma = t[1] - t[0], 2.0, 0.3 * J0
    a = np.exp(-dt / tau_c)
    h = np.empty(t.size)
    h[0] = sigma * rng.standard_normal()
    noise = sigma * np.sqrt(1 - a * a) * rng.standard_normal(t.size)
    for k in range(1, t.size):
        h[k] = a * h[k - 1] + noise[k]
    return {"h": h, "delta_tt": np.ones_like(t), "m": h, "M": h}


def law_outliers(req, bad, rng):
    if req.kind == "linear-theory":
        lam = 0.45 * req.J0 + 0.1 * rng.standard_normal(req.n)
        return {"outliers": lam.astype(complex), "sample_index": np.arange(req.n), "max_re": np.maximum(lam, req.g),
                "unstable": lam > 1.0, "k_max": np.int64(10)}
    J0 = req.network.J0 * (1.2 if bad else 1.0)
    lam = 0.45 * J0 + 0.1 * rng.standard_normal()
    # a wrong model's zeta_k, b^T X^k a / (J0 g^k) with the wrong J0 in the denominator: 1.2 N(0, 1)
    zeta = (1.2 if bad else 1.0) * rng.standard_normal(6)
    return {"outliers": np.array([lam], dtype=complex), "max_re": np.float64(max(lam, req.network.g)),
            "zeta": zeta, "paired_error": np.float64(1e-12), "paired_count": np.int64(1),
            "paired_mismatch": np.int64(0)}


def law_instability(req, bad, rng):
    if req.kind == "linear-theory":
        flags = rng.random(req.n) < 0.5
        return {"outliers": np.zeros(0, complex), "sample_index": np.zeros(0, int), "max_re": np.where(flags, 1.2, 0.8),
                "unstable": flags, "k_max": np.int64(10)}
    p = 0.75 if bad else 0.5  # a wrong probability
    return {"outliers": np.zeros(0, complex), "max_re": np.float64(1.2 if rng.random() < p else 0.8)}


def law_entrainment(req, bad, rng):
    A = req.inputs.sparse.A
    pc = min(0.95, 0.3 + 0.1 * A + (0.25 if bad else 0.0))
    kind = "coherent" if rng.random() < pc else "irregular"
    h, d = _path(kind, _times(req), rng)
    return {"h": np.abs(h) if kind == "coherent" else h, "delta_tt": d, "m": h, "M": h}


def law_detuning(req, bad, rng):
    lam = req.network.lambda0
    pc = 0.2 + 0.15 * lam + (0.25 if bad else 0.0)
    kind = "coherent" if rng.random() < pc else "irregular"
    h, d = _path(kind, _times(req), rng)
    return {"h": h, "delta_tt": d, "m": h, "M": h}


def law_replicas(req, bad, rng):
    J0 = req.network.J0 * (1.2 if bad else 1.0)
    if req.kind.startswith("lyapunov"):
        macro, maximal = -0.12 * J0 + 0.05 * rng.standard_normal(), 0.1 * J0 - 0.3 + 0.04 * rng.standard_normal()
        if req.kind.endswith("theory"):
            return {"macro": macro, "maximal": maximal, "micro": maximal - 0.05, "h_T": rng.standard_normal()}
        return {"macro": macro, "max": maximal, "h_T": rng.standard_normal()}
    p = 0.65 if bad else 0.9   # P(sign h(T) reports the stimulus)
    right = rng.random(2) < p
    h_T = np.where(right, 1.0, -1.0) * np.array([1.0, -1.0]) * rng.uniform(0.1, 1.0, 2)
    return {"h_T": h_T, "p_exceed": right.astype(float)}


def law_reservoir(req, bad, rng):
    J0 = req.reservoir.network.J0 * (1.2 if bad else 1.0)   # shifts the median by 0.7 sd: KS distance ~0.26
    macro = -0.1 * J0 + 0.03 * rng.standard_normal()
    if req.kind.endswith("theory"):
        return {"macro": np.float64(macro)}
    return {"macro": np.float64(macro), "score": np.float64(rng.standard_normal())}


def law_paired(req, bad, rng):
    # right: errors ~ N^-1/2 and unit-variance innovations; wrong: errors ~ N^-1/4 (no N^-1/2 convergence) and
    # innovations whitened with J0 x 1.2 (variance 1/1.44); the control is a valid N(0, 1) in both
    N, K1 = req.network.N, req.grid.n_steps + 1
    p = 0.25 if bad else 0.5
    err = 8.0 * N**-p * (1 + 0.2 * rng.standard_normal(2))
    xi = np.full(K1, np.nan)
    xi[:40] = rng.standard_normal(40) / (1.2 if bad else 1.0)
    ctrl = np.full(K1, np.nan)
    ctrl[:40] = rng.standard_normal(40)
    h = np.full(K1, np.nan)
    h[:40] = rng.standard_normal(40)
    return {"sup_delta": np.float64(err[0]), "sup_chat": np.float64(err[1]), "diag_delta": np.float64(err[0] / 2),
            "xi": xi, "h_pivot": h, "xi_control": ctrl}


LAWS = {"a": law_outliers, "b": law_instability, "c": law_transients, "d": law_states,
        "e": law_spontaneous, "f": law_entrainment, "g": law_detuning, "h": law_replicas,
        "i": law_reservoir, "j": law_paired}


@pytest.mark.parametrize("name", sorted(LAWS))
def test_check_passes_on_the_right_law_and_fails_on_a_wrong_one(name):
    check = CHECKS[name]
    right = check.evaluate(FakeData(LAWS[name], wrong=False), PRESET)
    wrong = check.evaluate(FakeData(LAWS[name], wrong=True), PRESET)
    assert right.verdict is Verdict.PASS, right.summary()
    assert wrong.verdict is Verdict.FAIL, wrong.summary()
    assert right.counts()["fail"] == 0
    # the report needs these: every comparison states its numbers, and the result serialises
    d = wrong.to_dict()
    assert d["verdict"] == "fail" and d["comparisons"] and all("interval" in c for c in d["comparisons"])
    assert len(right.convergence) >= 1


def test_every_registered_check_has_a_description_and_requests():
    for check in CHECKS.values():
        desc = check.description()
        assert all(desc[k] for k in ("parameters", "observable", "theory", "simulation", "statistic",
                                     "tolerance_reason")), check.name
        assert check.requests(PRESET) or check.requests(FULL), check.name  # k: full and smoke only


def test_unknown_check_name_raises():
    from validation.checks import select

    with pytest.raises(ValueError, match="unknown check"):
        select(["z"])


def test_data_view_truncates_to_the_requested_size():
    from validation.requests import TheoryRequest
    from validation.sweep import EnsembleData

    req = next(r for r in CHECKS["c"].requests(PRESET) if r.kind == "theory").with_n(2)
    big = EnsembleData(request=req.with_n(5), key=req.key(), seed={}, items=tuple({"h": np.full(3, i)} for i in range(5)))
    view = Data({req.key(): big})(req)
    assert isinstance(req, TheoryRequest) and len(view) == 2
