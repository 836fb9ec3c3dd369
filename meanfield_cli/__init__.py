"""The ``meanfield`` command line: theory, simulation, validation, figures and plots of saved results.

This package is the edge of the project: the only one that imports all of
:mod:`meanfield`, :mod:`simulate`, :mod:`validation` and :mod:`paper_figures`
(nothing imports it). ``meanfield --help`` lists the subcommands; each has
its own ``--help``.
"""

from .main import main

__all__ = ["main"]
