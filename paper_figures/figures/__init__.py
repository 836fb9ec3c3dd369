"""The figure registry: one small module per figure, in paper order.

Every module defines ``NAME``, ``TITLE``, ``requests(preset)`` (ensembles for
the validation sweep engine) and ``render(data, preset)`` (a pure function of
the ensembles returning :class:`.common.Rendered`). Figures import the
theory and simulation functions they need directly.
"""

from __future__ import annotations

from importlib import import_module

MODULES = ("fig1_spectrum", "fig2_examples", "fig3_phase", "fig4_convergence", "fig5_stimulus",
           "fig6_rhythm", "fig7_lyapunov", "fig8_readout", "fig9_selection",
           "fig10_benchmark", "fig11_pretraining", "fig12_learning_curves", "fig13_validation")


def load(name: str):
    """The figure module called ``name`` (e.g. ``"fig3_phase"``)."""
    if name not in MODULES:
        raise ValueError(f"unknown figure {name!r}; choose from {', '.join(MODULES)}")
    return import_module(f"{__name__}.{name}")

