"""The check registry: theory against simulation, one :class:`~.base.Check` per question.

=====  ==========================================================  ===========================
name   question                                                    THEORY.md
=====  ==========================================================  ===========================
a      outlier eigenvalues of J                                    section 3
b      P(x = 0 unstable) versus (g, J0)                            section 3
c      Delta(t,t) and the law of h(t) at several t                 section 4
d      P(state) quiescent / coherent / oscillatory / irregular     sections 4, 7
e      autocorrelation and spectrum of h, spontaneous g > 1        sections 4, 8
f      entrainment by sparse input, P(coherent) vs A, N^(-1/4)     section 4
g      lambda0 != 0 (detuned) and what is special at lambda0 = 0   sections 1, 2, 4
h      one network, two conditions: Lyapunov exponents, stimuli    sections 5, 6
i      macro FTLE of reservoirs under a task input                 sections 5, 9
j      each network given its own h: moments, whitening            sections 2, 4
=====  ==========================================================  ===========================

Check (k), learning curves of a reservoir readout predicted from the kernel
(:mod:`.learning_curve`, sections 4 and 9), is not registered: one realisation
costs minutes, more than the main job's whole budget; ``python
scripts/learning_curves.py`` runs it and prints its verdict.

Adding a check: write a module with a :class:`~.base.Check` subclass (``requests``,
``evaluate``, ``figures``), and :func:`register` an instance below. The sweep,
report, CLI (``--only h``) and metrics need no change.
"""

from __future__ import annotations

from .base import Check, CheckResult, Data
from .detuning import DetuningCheck
from .entrainment import EntrainmentCheck
from .paired import PairedCheck
from .replicas import ReplicaCheck
from .reservoirs import ReservoirCheck
from .spectra import InstabilityCheck, OutlierCheck
from .spontaneous import SpontaneousCheck
from .states import StatesCheck
from .transients import TransientsCheck

CHECKS: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry under ``check.name`` (unique)."""
    if check.name in CHECKS:
        raise ValueError(f"a check named {check.name!r} is already registered")
    CHECKS[check.name] = check
    return check


for _check in (OutlierCheck(), InstabilityCheck(), TransientsCheck(), StatesCheck(), SpontaneousCheck(),
               EntrainmentCheck(), DetuningCheck(), ReplicaCheck(), ReservoirCheck(), PairedCheck()):
    register(_check)


def select(names=None) -> list[Check]:
    """The registered checks with these names (all when None), in registry order."""
    if not names:
        return list(CHECKS.values())
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; choose from {sorted(CHECKS)}")
    return [c for n, c in CHECKS.items() if n in names]


__all__ = ["CHECKS", "Check", "CheckResult", "Data", "register", "select"]
