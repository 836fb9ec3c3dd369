"""Mean-field theory of critically balanced neuronal networks.

``meanfield.model`` defines the network, inputs, time grid and state
classifier shared by theory (this package), simulation (``simulate``) and
validation (``validation``). See THEORY.md for the equations.
"""

from . import model
from .model import *  # noqa: F401,F403  (the model is part of the public API)

__version__ = "0.1.0"
