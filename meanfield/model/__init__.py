"""The model shared by theory, simulation and validation (THEORY.md section 1 and 7)."""

from .grid import InitialState, TimeGrid
from .inputs import Inputs, PatternInput, SparseInput, UniformInput
from .network import Network
from .nonlinearity import REGISTRY as PHI_REGISTRY
from .nonlinearity import Nonlinearity, get_phi
from .profiles import Constant, Custom, Sine, Step
from .states import STATES, State, StateCriteria, classify_state, classify_states, state_counts

__all__ = [
    "Network", "Inputs", "UniformInput", "PatternInput", "SparseInput",
    "Constant", "Step", "Sine", "Custom",
    "TimeGrid", "InitialState",
    "Nonlinearity", "get_phi", "PHI_REGISTRY",
    "State", "STATES", "StateCriteria", "classify_state", "classify_states", "state_counts",
]
