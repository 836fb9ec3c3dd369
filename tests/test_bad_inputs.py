"""A catalogue of bad inputs across the API and the command lines.

Every case is refused at validation, before any compute: the functions
that start a sweep, a simulation or an ensemble are replaced by one that
raises :class:`ComputeStarted` (a BaseException, so no ``except ValueError``
in the code under test can swallow it). Each library case asserts the
exception type and that the message names the offending field; each command
line case asserts exit status 2 and exactly one stderr line
``<prog>: error: ...`` (no usage block, no traceback) naming the option.

Cases marked ``LEAD`` are faults in files this catalogue's author does not
own; they are strict xfails, so fixing the fault turns them into failures
that ask for the mark to be removed.

The last section is not about bad input: valid command lines whose
computation fails (a negative pivot, a network state that overflows) exit
with status 1 and one such line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import meanfield as mf
import simulate
from meanfield import lyapunov as ly
from meanfield import readout as ro
from meanfield import response as rs
from meanfield import tangent as tg
from meanfield.cholesky import NegativePivotError
from simulate import lyapunov as sl
from simulate import readout as sro
from simulate import response as sr

NET = mf.Network(N=20, g=0.5, J0=1.0)
GRID = mf.TimeGrid(0.1, 1.0)
ENS = dict(n_samples=1, seed=1, progress=False)
PAIR = [mf.Inputs(), mf.Inputs()]
REAL = simulate.realise(NET, 0)        # drawn here: realise() counts as compute inside the cases


def LEAD(reason: str):
    """A known fault outside this author's files: strict xfail naming the file and the fix."""
    return pytest.mark.xfail(strict=True, reason=reason)


class ComputeStarted(BaseException):
    """Raised by the stand-ins of the compute functions: the bad input was not refused first."""


#: Every place where work starts: the theory's sweeps, the simulator's integration, every ensemble, the
#: validation run and the figures.
COMPUTE = (
    "meanfield.population.forward_sweep",
    "meanfield.replicas.forward_sweep",
    "meanfield.tangent.CausalCholesky",
    "meanfield.runner.run_ensemble",
    "simulate.simulation.realise",
    "simulate.simulation.simulate_realisation",
    "simulate.lyapunov.initial_states",
    "simulate.lyapunov.build_drive",
    "validation.pipeline.run_validation",
    "validation.pipeline.warm_up",
    "paper_figures.make_figures.make_one",
)


@pytest.fixture(autouse=True)
def no_compute(monkeypatch):
    def refuse(*args, **kwargs):
        raise ComputeStarted("compute started before the bad input was refused")

    for target in COMPUTE:
        monkeypatch.setattr(target, refuse)


def a_file(tmp) -> str:
    path = tmp / "a_file"
    path.write_text("not a folder")
    return str(path)


@dataclass(frozen=True)
class Bad:
    """One library call with one bad input: ``call(tmp_path)`` raises ``exc`` whose message matches ``field``."""

    id: str
    call: Callable
    field: str
    exc: type = ValueError
    marks: tuple = ()


def bad(id, call, field, exc=ValueError, marks=()):
    return pytest.param(Bad(id, call, field, exc), id=id, marks=marks)


API = [
    # ---------------------------------------------------------------- the model (meanfield.model)
    bad("Network.N=1", lambda t: mf.Network(N=1, g=1, J0=1), r"Network\.N"),
    bad("Network.N=10.5", lambda t: mf.Network(N=10.5, g=1, J0=1), r"Network\.N must be an integer"),
    bad("Network.N=True", lambda t: mf.Network(N=True, g=1, J0=1), r"Network\.N must be an integer"),
    bad("Network.g<0", lambda t: mf.Network(N=20, g=-1, J0=1), r"Network\.g"),
    bad("Network.J0=nan", lambda t: mf.Network(N=20, g=1, J0=math.nan), r"Network\.J0 must be finite"),
    bad("Network.lambda0=str", lambda t: mf.Network(N=20, g=1, J0=1, lambda0="0"), r"Network\.lambda0"),
    bad("Network.f=1", lambda t: mf.Network(N=20, g=1, J0=1, f=1.0), r"Network\.f"),
    bad("Network.phi=relu", lambda t: mf.Network(N=20, g=1, J0=1, phi="relu"), r"Network\.phi"),
    bad("Network.no-inhibitory", lambda t: mf.Network(N=3, g=1, J0=1, f=0.9), r"N_I = 0"),
    bad("Network.replace-unknown", lambda t: NET.replace(G=2.0), r"Network\.replace: G is not a field"),
    bad("TimeGrid.dt=0", lambda t: mf.TimeGrid(dt=0.0), r"TimeGrid\.dt"),
    bad("TimeGrid.dt=1", lambda t: mf.TimeGrid(dt=1.0), r"TimeGrid\.dt"),
    bad("TimeGrid.T<0", lambda t: mf.TimeGrid(T=-1.0), r"TimeGrid\.T"),
    bad("TimeGrid.T<dt", lambda t: mf.TimeGrid(0.1, 0.05), r"TimeGrid\.T = 0\.05 .*T must be at least dt = 0\.1"),
    bad("TimeGrid.T-not-multiple", lambda t: mf.TimeGrid(0.1, 2.05), r"TimeGrid\.T = 2\.05 is not an integer"),
    bad("TimeGrid.stride=0", lambda t: mf.TimeGrid(stride=0), r"TimeGrid\.stride"),
    bad("TimeGrid.stride-not-divisor", lambda t: mf.TimeGrid(0.1, 1.0, stride=3), r"TimeGrid\.stride = 3"),
    bad("InitialState.sigma0<0", lambda t: mf.InitialState(sigma0=-1.0), r"InitialState\.sigma0"),
    bad("InitialState.h0=inf", lambda t: mf.InitialState(h0=math.inf), r"InitialState\.h0"),
    bad("Inputs.uniform=number", lambda t: mf.Inputs(uniform=1.0), r"Inputs\.uniform"),
    bad("UniformInput.I0=nan", lambda t: mf.UniformInput(I0=math.nan), r"UniformInput\.I0"),
    bad("PatternInput.sigma_in<0", lambda t: mf.PatternInput(sigma_in=-1.0), r"PatternInput\.sigma_in"),
    bad("SparseInput.kappa=0", lambda t: mf.SparseInput(kappa=0.0), r"SparseInput\.kappa"),
    bad("SparseInput.population", lambda t: mf.SparseInput(population="X"), r"SparseInput\.population"),
    bad("SparseInput.offset<0", lambda t: mf.SparseInput(offset=-1), r"SparseInput\.offset"),
    bad("Step.t_off<t_on", lambda t: mf.Step(1.0, 0.0), r"Step\.t_off"),
    bad("Sine.omega<0", lambda t: mf.Sine(omega=-1.0), r"Sine\.omega"),
    bad("Constant.value=str", lambda t: mf.Constant("a"), r"Constant\.value"),
    bad("StateCriteria.window=0", lambda t: mf.StateCriteria(window=0.0), r"StateCriteria\.window"),
    bad("StateCriteria.peak_fraction=1", lambda t: mf.StateCriteria(peak_fraction=1.0),
        r"StateCriteria\.peak_fraction"),
    bad("classify_state.dt_record=0", lambda t: mf.classify_state(np.zeros(5), np.zeros(5), 0.0),
        r"classify_state\.dt_record"),
    bad("SolverSettings.quadrature_order=str", lambda t: mf.SolverSettings(quadrature_order="a"),
        r"SolverSettings\.quadrature_order must be an integer"),
    bad("SolverSettings.pivot_tol<0", lambda t: mf.SolverSettings(pivot_tol=-1.0), r"SolverSettings\.pivot_tol"),
    # ---------------------------------------------------------------- meanfield.solve
    bad("solve.network=dict", lambda t: mf.solve({"N": 20}, grid=GRID, seed=1),
        r"network must be a meanfield\.Network, got \{'N': 20\}"),
    bad("solve.settings=int", lambda t: mf.solve(NET, grid=GRID, seed=1, settings=2),
        r"settings must be a meanfield\.SolverSettings"),
    bad("solve.seed<0", lambda t: mf.solve(NET, grid=GRID, seed=-1), r"seed must be a non-negative int"),
    bad("solve.no-seed-no-xi", lambda t: mf.solve(NET, grid=GRID), r"`xi`.*`seed`"),
    bad("solve.xi-shape", lambda t: mf.solve(NET, grid=GRID, xi=np.zeros(3)), r"xi must have shape \(11,\)"),
    # ---------------------------------------------------------------- meanfield.sample
    bad("sample.network=TimeGrid", lambda t: mf.sample(mf.TimeGrid(), grid=GRID, **ENS),
        r"network must be a meanfield\.Network, got TimeGrid\("),
    bad("sample.network=number", lambda t: mf.sample(3, grid=GRID, **ENS), r"network must be a meanfield\.Network"),
    bad("sample.inputs=dict", lambda t: mf.sample(NET, {"I0": 1.0}, GRID, **ENS),
        r"inputs must be a meanfield\.Inputs"),
    bad("sample.grid=Network", lambda t: mf.sample(NET, grid=NET, **ENS), r"grid must be a meanfield\.TimeGrid"),
    bad("sample.initial=number", lambda t: mf.sample(NET, grid=GRID, initial=0.5, **ENS),
        r"initial must be a meanfield\.InitialState"),
    bad("sample.settings=dict", lambda t: mf.sample(NET, grid=GRID, settings={}, **ENS),
        r"settings must be a meanfield\.SolverSettings"),
    bad("sample.criteria=dict", lambda t: mf.sample(NET, grid=GRID, criteria={}, **ENS),
        r"criteria must be a meanfield\.StateCriteria"),
    bad("sample.seed=float", lambda t: mf.sample(NET, grid=GRID, n_samples=1, seed=1.5, progress=False), r"seed"),
    bad("sample.seed=str", lambda t: mf.sample(NET, grid=GRID, n_samples=1, seed="a", progress=False), r"seed"),
    bad("sample.seed=bool", lambda t: mf.sample(NET, grid=GRID, n_samples=1, seed=True, progress=False), r"seed"),
    bad("sample.seed=None", lambda t: mf.sample(NET, grid=GRID, n_samples=1, seed=None, progress=False),
        r"seed must be a non-negative int .*got None"),
    bad("sample.workers=0", lambda t: mf.sample(NET, grid=GRID, workers=0, **ENS), r"workers must be an integer >= 1"),
    bad("sample.workers<0", lambda t: mf.sample(NET, grid=GRID, workers=-1, **ENS), r"workers"),
    bad("sample.workers=float", lambda t: mf.sample(NET, grid=GRID, workers=1.5, **ENS), r"workers"),
    bad("sample.workers=str", lambda t: mf.sample(NET, grid=GRID, workers="2", **ENS), r"workers"),
    bad("sample.n_samples=0", lambda t: mf.sample(NET, grid=GRID, n_samples=0, seed=1, progress=False),
        r"n_samples"),
    bad("sample.store_dir=file", lambda t: mf.sample(NET, grid=GRID, store_dir=a_file(t), **ENS),
        r"store_dir .*a_file is a file"),
    bad("sample.store_dir=number", lambda t: mf.sample(NET, grid=GRID, store_dir=3, **ENS), r"store_dir must be a path"),
    bad("sample.progress=str", lambda t: mf.sample(NET, grid=GRID, n_samples=1, seed=1, progress="no"),
        r"progress must be True or False"),
    bad("sample.sparse-too-large", lambda t: mf.sample(NET, mf.Inputs(sparse=mf.SparseInput(kappa=50, A=1)), GRID,
                                                       **ENS), r"kappa"),
    # ---------------------------------------------------------------- meanfield.solve_replicas
    bad("replicas.replicas=0", lambda t: mf.solve_replicas(NET, grid=GRID, seed=1, replicas=0), r"replicas"),
    bad("replicas.c0=2", lambda t: mf.solve_replicas(NET, grid=GRID, seed=1, c0=2.0), r"c0"),
    bad("replicas.inputs-length", lambda t: mf.solve_replicas(NET, [mf.Inputs()] * 3, GRID, seed=1),
        r"inputs has 3 entries but replicas = 2"),
    bad("replicas.initial-entry", lambda t: mf.solve_replicas(NET, grid=GRID, initial=[mf.InitialState(), 1], seed=1),
        r"every entry of initial must be a meanfield\.InitialState"),
    bad("replicas.network=dict", lambda t: mf.solve_replicas({"N": 20}, grid=GRID, seed=1),
        r"network must be a meanfield\.Network"),
    # ---------------------------------------------------------------- meanfield.response
    bad("impulse.method", lambda t: rs.impulse_response(NET, grid=GRID, seed=1, method="adjoint"), r"method"),
    bad("impulse.step=K", lambda t: rs.impulse_response(NET, grid=GRID, seed=1, step=10), r"step .*\[0, 10\)"),
    bad("impulse.eps=str", lambda t: rs.impulse_response(NET, grid=GRID, seed=1, method="difference", eps="a"),
        r"eps must be a finite nonzero number"),
    bad("impulse.grid=tuple", lambda t: rs.impulse_response(NET, grid=(0.1, 1.0), seed=1),
        r"grid must be a meanfield\.TimeGrid"),
    bad("response_ensemble.step<0", lambda t: rs.response_ensemble(NET, grid=GRID, step=-1, **ENS), r"step"),
    bad("response_ensemble.eps=str", lambda t: rs.response_ensemble(NET, grid=GRID, eps="a", **ENS), r"eps"),
    bad("response_ensemble.workers=0", lambda t: rs.response_ensemble(NET, grid=GRID, workers=0, **ENS), r"workers"),
    bad("response_ensemble.store_dir=file", lambda t: rs.response_ensemble(NET, grid=GRID, store_dir=a_file(t), **ENS),
        r"store_dir"),
    # ---------------------------------------------------------------- meanfield.lyapunov
    bad("lyapunov_ensemble.window", lambda t: ly.lyapunov_ensemble(NET, grid=GRID, window=(1.0, 0.0), **ENS),
        r"window = \(1\.0, 0\.0\)"),
    bad("lyapunov_ensemble.micro_window", lambda t: ly.lyapunov_ensemble(NET, grid=GRID, micro_window="a", **ENS),
        r"micro_window must be None or a pair"),
    bad("lyapunov_ensemble.quadrature_order", lambda t: ly.lyapunov_ensemble(NET, grid=GRID, quadrature_order="a",
                                                                             **ENS), r"quadrature_order"),
    bad("lyapunov_ensemble.seed<0", lambda t: ly.lyapunov_ensemble(NET, grid=GRID, n_samples=1, seed=-1,
                                                                   progress=False), r"seed"),
    bad("lyapunov_ensemble.grid=dict", lambda t: ly.lyapunov_ensemble(NET, grid={"dt": 0.1}, **ENS), r"grid"),
    bad("macro_exponent.window", lambda t: ly.macro_exponent(NET, grid=GRID, seed=1, window=(0.0, 5.0)), r"window"),
    bad("macro_separation.delta=0", lambda t: ly.macro_separation(NET, grid=GRID, seed=1, delta=0.0), r"delta"),
    bad("micro_exponent.path", lambda t: ly.micro_exponent(NET, 3), r"path must be a PopulationPath"),
    # ---------------------------------------------------------------- meanfield.readout
    bad("readout_ensemble.weights-shape", lambda t: ro.readout_ensemble(NET, grid=GRID, weights=np.ones(3), **ENS),
        r"readout vector w \(weights\)"),
    bad("readout_ensemble.weights=None", lambda t: ro.readout_ensemble(NET, grid=GRID, weights=None, **ENS),
        r"weights must be a readout vector"),
    bad("readout_ensemble.network=dict", lambda t: ro.readout_ensemble({"N": 20}, grid=GRID, weights=np.ones(20),
                                                                       **ENS), r"network must be a meanfield\.Network"),
    bad("ReadoutWeights.q_ww=0", lambda t: ro.ReadoutWeights(offset=0.0, q_vw=0.0, q_ww=0.0), r"ReadoutWeights\.q_ww"),
    bad("discriminate.stimuli=number", lambda t: ro.discriminate(NET, 3, GRID, **ENS), r"stimuli must be a pair"),
    bad("discriminate.stimuli-one", lambda t: ro.discriminate(NET, [mf.Inputs()], GRID, **ENS), r"stimuli"),
    bad("discriminate.theta=str", lambda t: ro.discriminate(NET, PAIR, GRID, theta="a", **ENS),
        r"theta must be a finite number"),
    bad("discriminate.weights", lambda t: ro.discriminate(NET, PAIR, GRID, weights=[1, 2, 3], **ENS), r"weights"),
    # ---------------------------------------------------------------- meanfield.tangent
    bad("solve_tangent.perturbation", lambda t: tg.solve_tangent(NET, grid=GRID, perturbation=1, seed=1),
        r"perturbation must be a meanfield\.tangent\.Perturbation"),
    bad("solve_tangent.fresh=str", lambda t: tg.solve_tangent(NET, grid=GRID, fresh="yes", seed=1),
        r"fresh must be True or False"),
    bad("solve_tangent.fresh_tol=2", lambda t: tg.solve_tangent(NET, grid=GRID, fresh_tol=2.0, seed=1), r"fresh_tol"),
    bad("solve_tangent.initial=dict", lambda t: tg.solve_tangent(NET, grid=GRID, initial={"h0": 0}, seed=1),
        r"initial must be a meanfield\.InitialState"),
    bad("Perturbation.zero", lambda t: tg.Perturbation(), r"Perturbation is zero"),
    bad("Perturbation.micro<0", lambda t: tg.Perturbation(micro=-1.0), r"Perturbation\.micro"),
    # ---------------------------------------------------------------- the simulator
    bad("run.network=dict", lambda t: simulate.run({"N": 20}, grid=GRID), r"network must be a meanfield\.Network"),
    bad("run.grid=tuple", lambda t: simulate.run(NET, grid=(0.1, 1.0)), r"grid must be a meanfield\.TimeGrid"),
    bad("run.initial=str", lambda t: simulate.run(NET, grid=GRID, initial="zero"), r"initial"),
    bad("run.seed<0", lambda t: simulate.run(NET, grid=GRID, seed=-1), r"seed"),
    bad("run.replicas=0", lambda t: simulate.run(NET, grid=GRID, replicas=0), r"replicas"),
    bad("run.dtype=int", lambda t: simulate.run(NET, grid=GRID, dtype=int), r"dtype"),
    bad("run.engine", lambda t: simulate.run(NET, grid=GRID, engine="gpu"), r"engine"),
    bad("run.trace_neurons", lambda t: simulate.run(NET, grid=GRID, trace_neurons=[50]), r"trace_neurons"),
    bad("run.keep_final_state=1", lambda t: simulate.run(NET, grid=GRID, keep_final_state=1), r"keep_final_state"),
    bad("simulate.sample.workers=0", lambda t: simulate.sample(NET, grid=GRID, workers=0, **ENS), r"workers"),
    bad("simulate.sample.n_samples=0", lambda t: simulate.sample(NET, grid=GRID, n_samples=0, seed=1), r"n_samples"),
    bad("simulate.sample.seed=str", lambda t: simulate.sample(NET, grid=GRID, n_samples=1, seed="a", progress=False),
        r"seed"),
    bad("simulate.sample.store_dir=file", lambda t: simulate.sample(NET, grid=GRID, store_dir=a_file(t), **ENS),
        r"store[_ ]dir\w* .*a_file is a file"),
    bad("lyapunov_run.renorm_every=0", lambda t: sl.lyapunov_run(REAL, grid=GRID, renorm_every=0), r"renorm_every"),
    bad("lyapunov_run.x0-shape", lambda t: sl.lyapunov_run(REAL, grid=GRID, x0=np.zeros(3)), r"x0"),
    bad("lyapunov_run.grid=dict", lambda t: sl.lyapunov_run(REAL, grid={"dt": 0.1}), r"grid"),
    bad("simulate.readout_ensemble.weights", lambda t: sro.readout_ensemble(NET, grid=GRID, weights=np.ones(3), **ENS),
        r"readout vector w \(weights\)"),
    bad("simulate.discriminate.stimuli", lambda t: sro.discriminate(NET, 3, GRID, **ENS), r"stimuli must be a pair"),
    # the simulator's ensembles check every argument before the first network is drawn, not inside it
    bad("simulate.sample.criteria=dict", lambda t: simulate.sample(NET, grid=GRID, criteria={}, **ENS),
        r"criteria must be a meanfield\.StateCriteria"),
    bad("simulate.lyapunov_ensemble.window", lambda t: sl.lyapunov_ensemble(NET, grid=GRID, window=(1.0, 0.0), **ENS),
        r"window = \(1\.0, 0\.0\)"),
    bad("simulate.lyapunov_ensemble.micro_window", lambda t: sl.lyapunov_ensemble(NET, grid=GRID, micro_window="a",
                                                                                  **ENS),
        r"micro_window must be None or a pair"),
    bad("simulate.lyapunov_ensemble.renorm_every=0", lambda t: sl.lyapunov_ensemble(NET, grid=GRID, renorm_every=0,
                                                                                    **ENS), r"renorm_every"),
    bad("simulate.lyapunov_ensemble.network=dict", lambda t: sl.lyapunov_ensemble({"N": 20}, grid=GRID, **ENS),
        r"network must be a meanfield\.Network"),
    bad("simulate.lyapunov_ensemble.sparse-too-large",
        lambda t: sl.lyapunov_ensemble(NET, mf.Inputs(sparse=mf.SparseInput(kappa=50, A=1)), GRID, **ENS), r"kappa"),
    bad("simulate.response_ensemble.step", lambda t: sr.response_ensemble(NET, grid=GRID, step=-1, **ENS), r"step"),
    bad("simulate.response_ensemble.eps", lambda t: sr.response_ensemble(NET, grid=GRID, eps="a", **ENS),
        r"eps must be a finite nonzero number"),
    bad("simulate.response_ensemble.inputs", lambda t: sr.response_ensemble(NET, {"I0": 1}, GRID, **ENS),
        r"inputs must be a meanfield\.Inputs"),
    bad("simulate.response_ensemble.stride", lambda t: sr.response_ensemble(NET, grid=mf.TimeGrid(0.1, 1.0, stride=2),
                                                                            **ENS), r"stride = 1"),
    bad("simulate.readout_ensemble.network", lambda t: sro.readout_ensemble({"N": 20}, grid=GRID,
                                                                            weights=np.ones(20), **ENS),
        r"network must be a meanfield\.Network"),
    bad("simulate.readout_ensemble.initial", lambda t: sro.readout_ensemble(NET, grid=GRID, initial=0.5,
                                                                            weights=np.ones(20), **ENS),
        r"initial must be a meanfield\.InitialState"),
    bad("simulate.discriminate.theta", lambda t: sro.discriminate(NET, PAIR, GRID, theta="a", **ENS),
        r"theta must be a finite number"),
    bad("simulate.discriminate.grid", lambda t: sro.discriminate(NET, PAIR, (0.1, 1.0), **ENS),
        r"grid must be a meanfield\.TimeGrid"),
]


@pytest.mark.parametrize("case", API)
def test_a_bad_library_input_is_refused_naming_its_field(case, tmp_path):
    with pytest.raises(case.exc) as info:
        case.call(tmp_path)
    assert type(info.value) is case.exc, f"{type(info.value).__name__}: {info.value}"
    assert re.search(case.field, str(info.value)), str(info.value)


# --------------------------------------------------------------------------- the command lines
def _meanfield(argv):
    from meanfield_cli.main import main

    return main(argv)


def _validate(argv):
    from validation.__main__ import main

    return main(argv)


def _figures(argv):
    from paper_figures.make_figures import main

    return main(argv)


TINY = ["--N", "20", "--T", "2"]


@dataclass(frozen=True)
class BadCli:
    """``program(argv(tmp_path))`` exits with status 2 and one stderr line ``<prog>: error: ...`` matching ``field``."""

    id: str
    program: Callable
    prog: str
    argv: Callable
    field: str


def cli(id, program, prog, argv, field, marks=()):
    return pytest.param(BadCli(id, program, prog, argv, field), id=id, marks=marks)


def _out(t):
    return ["--out", str(t / "never.nc")]


M, V, F = "meanfield", "python -m validation", "python paper_figures/make_figures.py"

CLI = [
    cli("meanfield-solve.N=0", _meanfield, f"{M} solve", lambda t: ["solve", *TINY, "--N", "0", *_out(t)],
        r"Network\.N"),
    cli("meanfield-solve.T<dt", _meanfield, f"{M} solve", lambda t: ["solve", *TINY, "--T", "0.05", *_out(t)],
        r"TimeGrid\.T = 0\.05 .*at least dt"),
    cli("meanfield-solve.seed<0", _meanfield, f"{M} solve", lambda t: ["solve", *TINY, "--seed", "-1", *_out(t)],
        r"--seed"),
    cli("meanfield-solve.out=folder", _meanfield, f"{M} solve", lambda t: ["solve", *TINY, "--out", str(t)],
        r"--out .* is a folder"),
    cli("meanfield-solve.pivot_tol=2", _meanfield, f"{M} solve", lambda t: ["solve", *TINY, "--pivot-tol", "2",
                                                                          *_out(t)], r"SolverSettings\.pivot_tol"),
    cli("meanfield-solve.quadrature_order=x", _meanfield, f"{M} solve",
        lambda t: ["solve", *TINY, "--quadrature-order", "x", *_out(t)], r"argument --quadrature-order"),
    cli("meanfield-sample.workers=0", _meanfield, f"{M} sample", lambda t: ["sample", *TINY, "--workers", "0",
                                                                          *_out(t)], r"workers"),
    cli("meanfield-sample.n_samples=0", _meanfield, f"{M} sample",
        lambda t: ["sample", *TINY, "--n-samples", "0", *_out(t)], r"n_samples"),
    cli("meanfield-sample.seed<0", _meanfield, f"{M} sample", lambda t: ["sample", *TINY, "--seed", "-1", *_out(t)],
        r"seed"),
    cli("meanfield-sample.store_dir=file", _meanfield, f"{M} sample",
        lambda t: ["sample", *TINY, "--store-dir", a_file(t), *_out(t)], r"--store-dir .*a_file is a file"),
    cli("meanfield-sample.window>T", _meanfield, f"{M} sample",
        lambda t: ["sample", *TINY, "--window", "5", *_out(t)], r"--window 5 is longer than the run"),
    cli("meanfield-sample.window=0", _meanfield, f"{M} sample", lambda t: ["sample", *TINY, "--window", "0",
                                                                         *_out(t)], r"StateCriteria\.window"),
    cli("meanfield-simulate.replicas=0", _meanfield, f"{M} simulate",
        lambda t: ["simulate", *TINY, "--replicas", "0", *_out(t)], r"replicas"),
    cli("meanfield-simulate.replicas-with-n-samples", _meanfield, f"{M} simulate",
        lambda t: ["simulate", *TINY, "--replicas", "2", "--n-samples", "2", *_out(t)], r"--replicas"),
    cli("meanfield-simulate.workers=0", _meanfield, f"{M} simulate",
        lambda t: ["simulate", *TINY, "--n-samples", "2", "--workers", "0", *_out(t)], r"workers"),
    cli("meanfield-simulate.dtype", _meanfield, f"{M} simulate",
        lambda t: ["simulate", *TINY, "--dtype", "float16", *_out(t)], r"argument --dtype"),
    cli("meanfield-simulate.store_dir=file", _meanfield, f"{M} simulate",
        lambda t: ["simulate", *TINY, "--n-samples", "2", "--store-dir", a_file(t), *_out(t)], r"--store-dir"),
    cli("meanfield-plot.not-a-result", _meanfield, f"{M} plot", lambda t: ["plot", a_file(t)], r"cannot read .*a_file"),
    cli("meanfield-validate.workers=0", _meanfield, f"{M} validate", lambda t: ["validate", "--smoke", "--workers", "0"],
        r"--workers"),
    cli("meanfield-validate.out=file", _meanfield, f"{M} validate", lambda t: ["validate", "--smoke", "--out", a_file(t)],
        r"--out .*a_file is a file"),
    cli("meanfield-validate.only", _meanfield, f"{M} validate", lambda t: ["validate", "--only", "zz"], r"--only"),
    cli("meanfield-figures.workers=0", _meanfield, f"{M} figures",
        lambda t: ["figures", "--smoke", "--workers", "0", "--out", str(t / "figs")], r"--workers"),
    cli("meanfield-figures.cache=file", _meanfield, f"{M} figures",
        lambda t: ["figures", "--smoke", "--cache", a_file(t), "--out", str(t / "figs")], r"--cache .*a_file is a file"),
    cli("meanfield-validate-main.workers=0", _validate, V, lambda t: ["--smoke", "--workers", "0"], r"--workers"),
    cli("meanfield-validate-main.out=file", _validate, V, lambda t: ["--smoke", "--out", a_file(t)], r"--out"),
    cli("meanfield-validate-main.cache=file", _validate, V,
        lambda t: ["--smoke", "--cache", a_file(t), "--out", str(t / "report")], r"--cache"),
    cli("meanfield-validate-main.scheduler", _validate, V, lambda t: ["--smoke", "--scheduler", "tcp://x:1"],
        r"--scheduler needs --backend dask"),
    cli("meanfield-validate-main.only", _validate, V, lambda t: ["--only", "zz"], r"--only"),
    cli("meanfield-validate-main.bogus", _validate, V, lambda t: ["--smoke", "--bogus"],
        r"unrecognized arguments: --bogus"),
    cli("meanfield-validate-main.quick-and-full", _validate, V, lambda t: ["--quick", "--full"],
        r"argument --full: not allowed with argument --quick"),
    cli("make_figures.workers=0", _figures, F, lambda t: ["--smoke", "--workers", "0", "--out", str(t / "figs")],
        r"--workers"),
    cli("make_figures.out=file", _figures, F, lambda t: ["--smoke", "--out", a_file(t)], r"--out"),
    cli("make_figures.only", _figures, F, lambda t: ["--smoke", "--only", "fig99", "--out", str(t / "figs")],
        r"--only 'fig99'"),
    cli("make_figures.bogus", _figures, F, lambda t: ["--bogus"], r"unrecognized arguments: --bogus"),
    cli("make_figures.workers=x", _figures, F, lambda t: ["--smoke", "--workers", "x"],
        r"argument --workers: invalid int value: 'x'"),
]


@pytest.mark.parametrize("case", CLI)
def test_a_bad_command_line_exits_2_with_one_line_naming_the_option(case, tmp_path, capsys):
    argv = case.argv(tmp_path)
    try:
        status = case.program(argv)
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert status == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{case.prog}: error: "), err
    assert re.search(case.field, lines[0]), lines[0]
    assert not (tmp_path / "never.nc").exists()


VALID = [
    lambda: mf.solve(NET, grid=GRID, seed=1),
    lambda: mf.solve_replicas(NET, grid=GRID, seed=1),
    lambda: tg.solve_tangent(NET, grid=GRID, seed=1),
    lambda: mf.sample(NET, grid=GRID, **ENS),
    lambda: simulate.run(NET, grid=GRID),
    lambda: sl.lyapunov_run(REAL, grid=GRID),
    lambda: _validate(["--smoke", "--out", "unused"]),
]


@pytest.mark.parametrize("call", VALID)
def test_the_stand_ins_stop_every_valid_call(call):
    """The catalogue proves "before any compute" only if a valid call does reach a stand-in."""
    with pytest.raises(ComputeStarted):
        call()


def test_the_catalogue_is_large():
    assert len(API) + len(CLI) >= 60


# --------------------------------------------------------------------------- failed computations
# Not bad inputs: valid commands whose computation fails. They exit with status 1 (2 means bad input) and one
# stderr line ``<prog>: error: ...`` naming the cause, never a traceback.
def _one_failure_line(err: str, status, prog: str) -> str:
    lines = err.strip().splitlines()
    assert status == 1, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{prog}: error: "), err
    return lines[0]


def _raise(exc):
    def stand_in(*args, **kwargs):
        raise exc

    return stand_in


FAILURES = [
    pytest.param(["solve", *TINY], "meanfield.solve", NegativePivotError("pivot 7 is negative"),
                 r"pivot 7 is negative", id="meanfield-solve.negative-pivot"),
    pytest.param(["simulate", *TINY], "simulate.run",
                 simulate.NonFiniteStateError("the network state became NaN", step=3, time=0.3, replica=0,
                                              seed={"entropy": 1, "spawn_key": []}),
                 r"the network state became NaN", id="meanfield-simulate.non-finite"),
]


@pytest.mark.parametrize("argv, target, error, field", FAILURES)
def test_a_failed_computation_on_the_command_line_is_one_line(argv, target, error, field, tmp_path, capsys,
                                                              monkeypatch):
    monkeypatch.setattr(target, _raise(error))  # the library call the command makes fails
    status = _meanfield([*argv, *_out(tmp_path)])
    line = _one_failure_line(capsys.readouterr().err, status, f"{M} {argv[0]}")
    assert re.search(field, line), line
    assert not (tmp_path / "never.nc").exists()


BLOW_UP = ["simulate", "--N", "64", "--g", "3", "--phi", "linear", "--dtype", "float32", "--dt", "0.5", "--T", "200"]


@pytest.mark.parametrize("ensemble", [False, True], ids=["one-network", "n-samples"])
def test_meanfield_simulate_on_a_blow_up_is_one_line(ensemble, tmp_path, capsys, monkeypatch):
    """A linear network with g = 3 grows like exp(2 t) and overflows float32 near t = 60: a real blow-up."""
    monkeypatch.undo()  # this one computes: remove the stand-ins of the autouse fixture
    more = ["--n-samples", "2", "--no-progress"] if ensemble else []
    status = _meanfield([*BLOW_UP, *more, *_out(tmp_path)])
    out = capsys.readouterr()
    line = _one_failure_line(out.err, status, f"{M} simulate")
    assert re.search(r"NaN or infinite at step \d+ .*phi = 'linear'.*unstable", line), line
    if ensemble:  # the ensemble is saved with `failed` marking the networks, listed as failed
        assert re.search(r"networks \[0, 1\] of 2 failed", line), line
        assert (tmp_path / "never.nc").exists() and "failed 2" in out.out
    else:
        assert not (tmp_path / "never.nc").exists()
