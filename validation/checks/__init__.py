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
k      learning curves of a reservoir readout from its kernel      sections 4, 9
=====  ==========================================================  ===========================

A check that requests nothing at a preset (k at ``quick``: a conclusive
verdict costs more than that job can add) is left out of the preset's
selection, and the run says why (the check's ``not_run_reason``); asking for
it by name there is an error.

Adding a check: write a module with a :class:`~.base.Check` subclass (``requests``,
``evaluate``, ``figures``), and :func:`register` an instance below. The sweep,
report, CLI (``--only h``) and metrics need no change.
"""

from __future__ import annotations

from .base import Check, CheckResult, Data
from .detuning import DetuningCheck
from .entrainment import EntrainmentCheck
from .learning_curve import LearningCurveCheck
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
               EntrainmentCheck(), DetuningCheck(), ReplicaCheck(), ReservoirCheck(), PairedCheck(),
               LearningCurveCheck()):
    register(_check)


def not_run(preset) -> dict[str, str]:
    """The registered checks that request nothing at ``preset``: name -> why (one line)."""
    return {n: f"not run at the {preset.name} preset: "
               + getattr(c, "not_run_reason", "it requests nothing at this preset")
            for n, c in CHECKS.items() if not c.requests(preset)}


def select(names=None, preset=None) -> list[Check]:
    """The registered checks with these names (all when None), in registry order.

    With a ``preset``, the checks that request nothing at it (:func:`not_run`)
    are left out of the default selection, and naming one is a ValueError.
    """
    unknown = [n for n in names or () if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; choose from {sorted(CHECKS)}")
    idle = not_run(preset) if preset is not None else {}
    asked = [n for n in names or () if n in idle]
    if asked:
        raise ValueError("; ".join(f"check {n} is {idle[n]}" for n in asked))
    return [c for n, c in CHECKS.items() if (not names or n in names) and n not in idle]


__all__ = ["CHECKS", "Check", "CheckResult", "Data", "not_run", "register", "select"]
