"""``meanfield``: one command line for the theory, the simulator, the validation report and the figures.

Subcommands::

    meanfield solve     one theory sample (meanfield.solve), saved as netCDF
    meanfield sample    an ensemble of theory samples (meanfield.sample): state probabilities
    meanfield simulate  one network (simulate.run) or an ensemble (simulate.sample): state counts
    meanfield validate  the validation report (same as ``meanfield-validate``)
    meanfield figures   the figures of the paper (paper_figures/make_figures.py)
    meanfield plot      plot any saved result from its labelled form

Examples::

    meanfield solve --N 1000 --g 0.8 --J0 2 --T 60 --seed 1 --out path.nc
    meanfield sample --n-samples 200 --workers 2 --out theory.nc
    meanfield simulate --N 500 --n-samples 8 --plot --out networks.nc
    meanfield plot theory.nc
    meanfield validate --quick
    meanfield figures --smoke --out /tmp/figs

Bad input exits with status 2 and one line ``meanfield <sub>: error: ...`` on
stderr; the library's parameter classes name the field and its allowed range.
A computation that fails (a network state that became NaN or infinite, a
negative pivot of the theory's causal factor) exits with status 1 and one such
line naming the cause; ``meanfield simulate --n-samples`` first saves and
prints the networks that did not fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

#: Subcommands whose arguments are parsed by the program they forward to.
FORWARDED = ("validate", "figures")

PROG = "meanfield"

#: Exit status of a computation that failed on valid input (2 is bad input).
FAILED = 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``<prog>: error: <message>``, with exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_one_line(message)}\n")


def _one_line(message) -> str:
    return " ".join(str(message).split())


def _fail(command: str, message, status: int = 2) -> int:
    print(f"{PROG} {command}: error: {_one_line(message)}", file=sys.stderr)
    return status


# --------------------------------------------------------------------------- shared options
def _add_network(p: argparse.ArgumentParser) -> None:
    from meanfield.model import PHI_REGISTRY

    g = p.add_argument_group("network (THEORY.md section 1)")
    g.add_argument("--N", type=int, default=1000, help="number of neurons (default: %(default)s)")
    g.add_argument("--g", type=float, default=0.8, help="random coupling strength (default: %(default)s)")
    g.add_argument("--J0", type=float, default=2.0, help="balanced coupling strength (default: %(default)s)")
    g.add_argument("--lambda0", type=float, default=0.0,
                   help="detuning of the mean matrix; 0 is critical balance (default: %(default)s)")
    g.add_argument("--f", type=float, default=0.8, help="fraction of excitatory neurons (default: %(default)s)")
    g.add_argument("--phi", choices=sorted(PHI_REGISTRY), default="tanh",
                   help="transfer function (default: %(default)s)")


def _add_grid(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("time grid and initial state")
    g.add_argument("--dt", type=float, default=0.1, help="Euler step, in (0, 1) (default: %(default)s)")
    g.add_argument("--T", type=float, default=60.0, help="final time, a multiple of dt (default: %(default)s)")
    g.add_argument("--stride", type=int, default=1,
                   help="record every stride-th step; must divide T/dt (default: %(default)s)")
    g.add_argument("--h0", type=float, default=0.0, help="initial population state (default: %(default)s)")
    g.add_argument("--sigma0", type=float, default=1.0,
                   help="initial spread of x_i(0) around h0 (default: %(default)s)")


def _add_inputs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("constant inputs (THEORY.md section 1, Inputs); none by default")
    g.add_argument("--I0", type=float, default=None, help="uniform input I0 to every neuron")
    g.add_argument("--sigma-in", type=float, default=None,
                   help="random-pattern input sigma_in p_i, p_i iid N(0, 1)")
    g.add_argument("--A", type=float, default=None,
                   help="sparse input of amplitude A to round(kappa sqrt N) excitatory neurons")
    g.add_argument("--kappa", type=float, default=None,
                   help="size of the sparse set in units of sqrt(N) (default 1 when --A is given)")


def _add_run(p: argparse.ArgumentParser, *, out: str, ensemble: bool, seed: int = 1) -> None:
    g = p.add_argument_group("run")
    g.add_argument("--seed", type=int, default=seed, help="root seed, a non-negative integer (default: %(default)s)")
    g.add_argument("--out", default=out, help="netCDF file of the result (default: %(default)s)")
    if ensemble:
        g.add_argument("--workers", type=int, default=1,
                       help="worker processes; results do not depend on it (default: %(default)s)")
        g.add_argument("--store-dir", default=None,
                       help="save each sample as it finishes and resume an interrupted run from this folder")
        g.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_window(p: argparse.ArgumentParser) -> None:
    p.add_argument("--window", type=float, default=None,
                   help="final window of the state classifier (THEORY.md section 7; default 20, or T if shorter)")


def _model(args):
    """(network, inputs, grid, initial) from the options; ValueError names a bad field."""
    import meanfield as mf

    network = mf.Network(N=args.N, g=args.g, J0=args.J0, lambda0=args.lambda0, f=args.f, phi=args.phi)
    if args.kappa is not None and args.A is None:
        raise ValueError("--kappa needs --A (the amplitude of the sparse input)")
    inputs = mf.Inputs(
        uniform=None if args.I0 is None else mf.UniformInput(I0=args.I0),
        pattern=None if args.sigma_in is None else mf.PatternInput(sigma_in=args.sigma_in),
        sparse=None if args.A is None else mf.SparseInput(kappa=1.0 if args.kappa is None else args.kappa, A=args.A),
    )
    inputs.check_against(network)
    grid = mf.TimeGrid(dt=args.dt, T=args.T, stride=args.stride)
    initial = mf.InitialState(h0=args.h0, sigma0=args.sigma0)
    return network, inputs, grid, initial


def _criteria(args, grid):
    """The state classifier of THEORY.md section 7, its window shortened to T on short runs.

    A --window longer than the run is refused here: the classifier would
    only find out after every sample is computed (and the result saved).
    """
    from meanfield.model import StateCriteria

    window = args.window if args.window is not None else min(StateCriteria().window, grid.T)
    criteria = StateCriteria(window=window)
    if window > grid.T * (1 + 1e-9):
        raise ValueError(f"--window {window:g} is longer than the run (--T {grid.T:g}); "
                         "choose a window of at most T")
    return criteria


def _describe(network, grid) -> str:
    return (f"N = {network.N}, g = {network.g:g}, J0 = {network.J0:g}, lambda0 = {network.lambda0:g}, "
            f"phi = {network.phi.name}, dt = {grid.dt:g}, T = {grid.T:g}")


def _check_out(path: str) -> Path:
    """The --out file, checked before any compute (a folder, an unwritable place or a full disk is refused)."""
    from meanfield.arguments import writable_file

    return writable_file("--out", path)


def _check_store_dir(args) -> None:
    """The --store-dir folder, checked before any compute and named as the option."""
    from meanfield.arguments import writable_directory

    if args.store_dir is not None:
        writable_directory("--store-dir", args.store_dir)


def _state_lines(probabilities: dict) -> list[str]:
    return [f"  {state:<12} {p.p:.3f}  [{p.low:.3f}, {p.high:.3f}]  ({p.k}/{p.n})"
            for state, p in probabilities.items()]


# --------------------------------------------------------------------------- solve
def cmd_solve(args) -> int:
    import meanfield as mf

    network, inputs, grid, initial = _model(args)
    settings = mf.SolverSettings(quadrature_order=args.quadrature_order, pivot_tol=args.pivot_tol,
                                 quadrature_accuracy=args.quadrature_accuracy)
    out = _check_out(args.out)
    if args.seed < 0:
        raise ValueError(f"--seed must be a non-negative integer, got {args.seed}")
    start = time.perf_counter()
    path = mf.solve(network, inputs, grid, initial, seed=args.seed, settings=settings)
    elapsed = time.perf_counter() - start
    path.save(out)
    print(f"{_describe(network, grid)}, seed {args.seed}: h(T) = {path.h[-1]:+.4f}, "
          f"Delta(T,T) = {path.delta[-1, -1]:.4f}, rank = {path.rank} ({elapsed:.1f} s); saved {out}")
    return 0


# --------------------------------------------------------------------------- sample
def cmd_sample(args) -> int:
    import meanfield as mf

    network, inputs, grid, initial = _model(args)
    criteria = _criteria(args, grid)
    settings = mf.SolverSettings(quadrature_order=args.quadrature_order, pivot_tol=args.pivot_tol,
                                 quadrature_accuracy=args.quadrature_accuracy)
    out = _check_out(args.out)
    _check_store_dir(args)
    start = time.perf_counter()
    ens = mf.sample(network, inputs, grid, initial, n_samples=args.n_samples, seed=args.seed,
                    workers=args.workers, store_dir=args.store_dir, progress=not args.no_progress,
                    settings=settings, criteria=criteria)
    elapsed = time.perf_counter() - start
    ens.save(out)
    print(f"{_describe(network, grid)}: {ens.n_samples} theory samples in {elapsed:.1f} s")
    if ens.n_failed:
        print(f"saved {out}")
        print(f"meanfield: error: {ens.n_failed} of {ens.n_samples} theory samples failed (their `failed` "
              "entries in the saved file); no state probabilities without them", file=sys.stderr)
        return 1
    print(f"P(state) over the final {criteria.window:g} (95% Wilson intervals):")
    print("\n".join(_state_lines(ens.state_probabilities(criteria))))
    print(f"saved {out}")
    return 0


# --------------------------------------------------------------------------- simulate
def summary_table(h, delta_tt, states, label: str = "network") -> str:
    """One line per network (or replica): index, h(T), state, Delta(T,T).

    ``h`` and ``delta_tt`` are (n, n_recorded); ``states`` has n entries,
    None for a network that failed (shown as ``failed``).
    """
    lines = [f"{label:>7}  {'h(T)':>9}  {'state':<12}  {'Delta(T,T)':>10}"]
    for i, state in enumerate(states):
        name = "failed" if state is None else state.value
        lines.append(f"{i:>7d}  {h[i, -1]:>9.4f}  {name:<12}  {delta_tt[i, -1]:>10.4f}")
    return "\n".join(lines)


def _sample_networks(simulate, network, inputs, grid, initial, args, dtype, criteria):
    """``simulate.sample`` and the state of each network: (ensemble, states, first failure or None).

    A network whose state became NaN or infinite has the state None; its
    FailedRealisationWarning (several lines) is turned into the one line
    the command ends with.
    """
    import warnings

    import numpy as np

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", simulate.FailedRealisationWarning)
        ens = simulate.sample(network, inputs, grid, initial, n_samples=args.n_samples, seed=args.seed,
                              workers=args.workers, store_dir=args.store_dir, progress=not args.no_progress,
                              dtype=dtype, criteria=criteria)
    for w in caught:
        if not issubclass(w.category, simulate.FailedRealisationWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    failed = np.asarray(ens.failed, dtype=bool)
    if not failed.any():
        return ens, ens.states(criteria), None
    states = [None if failed[i] else ens.realisation(i).state(criteria) for i in range(ens.n_samples)]
    first = [str(w.message).splitlines()[1].strip() for w in caught
             if issubclass(w.category, simulate.FailedRealisationWarning) and "\n" in str(w.message)]
    bad = np.flatnonzero(failed).tolist()
    return ens, states, (f"networks {bad} of {ens.n_samples} failed and are marked in `failed` of the saved "
                         f"ensemble; {first[0] if first else 'their state became NaN or infinite'}")


def cmd_simulate(args) -> int:
    import numpy as np

    import simulate
    from meanfield.model import state_counts

    network, inputs, grid, initial = _model(args)
    criteria = _criteria(args, grid)
    out = _check_out(args.out)
    _check_store_dir(args)
    dtype = {"float32": np.float32, "float64": np.float64}[args.dtype]
    if args.n_samples is not None and args.replicas != 1:
        raise ValueError("--replicas applies to one network; leave it out with --n-samples")
    start = time.perf_counter()
    failure = None
    # the simulator stops at a non-finite state itself; numpy's overflow warnings on the way there
    # would only add lines before the one that names the cause
    with np.errstate(over="ignore", invalid="ignore"):
        if args.n_samples is None:
            result = simulate.run(network, inputs, grid, initial, seed=args.seed, dtype=dtype,
                                  replicas=args.replicas)
            h, delta_tt = np.atleast_2d(result.h), np.atleast_2d(result.delta_tt)
            states = result.states(criteria)
            what, label = f"one network, {args.replicas} replica(s)", "replica" if args.replicas > 1 else "network"
        else:
            result, states, failure = _sample_networks(simulate, network, inputs, grid, initial, args, dtype,
                                                       criteria)
            h, delta_tt = np.asarray(result.h), np.asarray(result.delta_tt)
            what, label = f"{result.n_samples} networks", "network"
    elapsed = time.perf_counter() - start
    result.save(out)
    print(f"{_describe(network, grid)}, {args.dtype}: {what} in {elapsed:.1f} s")
    print(summary_table(h, delta_tt, states, label))
    counts = state_counts([s for s in states if s is not None])
    n_failed = sum(s is None for s in states)
    print("state counts: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + (f", failed {n_failed}" if n_failed else ""))
    h_T = h[[s is not None for s in states], -1]
    if h_T.size:
        print(f"mean |h(T)| = {np.mean(np.abs(h_T)):.3f}, spread of h(T) across {label}s = {np.std(h_T):.3f}")
    print(f"saved {out}")
    if args.plot is not None:
        from .plots import plot_trajectories

        png = Path(args.plot) if args.plot else out.with_suffix(".png")
        title = (f"{h.shape[0]} trajectories, N = {network.N}, g = {network.g:g}, J0 = {network.J0:g}, "
                 f"phi = {network.phi.name}")
        plot_trajectories(result.times, h, png, title=title)
        print(f"wrote {png}")
    return 0 if failure is None else _fail("simulate", failure, FAILED)


# --------------------------------------------------------------------------- plot
def cmd_plot(args) -> int:
    from meanfield.results import load

    from .plots import plot_result

    source = Path(args.result)
    png = Path(args.out) if args.out else source.with_suffix(".png")
    try:
        result = load(source)
    except OSError as exc:  # h5py's message does not name the file
        raise ValueError(f"cannot read {source} as a saved result ({exc})") from None
    kind = plot_result(result, png)
    print(f"{type(result).__name__} from {source}: {kind} plot written to {png}")
    return 0


# --------------------------------------------------------------------------- forwarded subcommands
def _forward(command: str, argv: list[str]) -> int:
    """Run ``validate`` or ``figures`` with their own parser, its help and errors under ``meanfield <sub>``.

    The arguments are checked first on a copy of the program's parser whose
    errors are one line; only valid arguments reach the program's ``main``.
    """
    if command == "validate":
        from validation.__main__ import build_parser, main as forward

        parser = build_parser(f"{PROG} {command}")
        call = lambda: forward(argv, prog=f"{PROG} {command}")  # noqa: E731
    else:
        from paper_figures.make_figures import build_parser, main as forward

        parser = build_parser(f"{PROG} {command}")
        call = lambda: forward(argv, prog=f"{PROG} {command}")  # noqa: E731
    parser.prog = f"{PROG} {command}"
    parser.error = lambda message: parser.exit(2, f"{parser.prog}: error: {_one_line(message)}\n")
    try:
        parser.parse_args(argv)
        return int(call() or 0)
    except SystemExit as exc:  # --help (0), a bad option (2), or an explicit exit with a message
        if isinstance(exc.code, str):
            return _fail(command, exc.code)
        return 0 if exc.code is None else int(exc.code)


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="One command line for the mean-field theory of critically balanced networks, "
                                 "the simulator, the validation report and the figures of the paper.",
                     epilog="Each subcommand has its own --help. Examples:\n\n"
                            + __doc__.split("Examples::\n\n")[1].split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("solve", help="one theory sample (meanfield.solve), saved as netCDF",
                       description="Solve the causal forward sweep of THEORY.md section 4 for one draw of the "
                                   "innovations; save the population path (netCDF) and print h(T), Delta(T,T) "
                                   "and the rank of the causal factor.")
    _add_network(p), _add_grid(p), _add_inputs(p)
    _add_run(p, out="theory_path.nc", ensemble=False)
    _add_settings(p)
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("sample", help="an ensemble of theory samples (meanfield.sample): state probabilities",
                       description="Draw theory samples (THEORY.md section 4), save the ensemble (netCDF) and "
                                   "print the probability of each state of section 7 with 95%% intervals.")
    _add_network(p), _add_grid(p), _add_inputs(p)
    p.add_argument("--n-samples", type=int, default=100, help="number of theory samples (default: %(default)s)")
    _add_window(p)
    _add_run(p, out="theory_ensemble.nc", ensemble=True)
    _add_settings(p)
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("simulate", help="finite networks (simulate.run / simulate.sample): state counts",
                       description="Simulate one network (simulate.run) or, with --n-samples, independent "
                                   "networks (simulate.sample); save the result (netCDF), print h(T), the state "
                                   "and Delta(T,T) of each and the state counts; --plot draws h(t).")
    _add_network(p), _add_grid(p), _add_inputs(p)
    p.add_argument("--n-samples", type=int, default=None,
                   help="number of independent networks (default: one network with simulate.run)")
    p.add_argument("--replicas", type=int, default=1,
                   help="trajectories on the one network (THEORY.md section 5; default: %(default)s)")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="floating type of the simulation (default: %(default)s)")
    p.add_argument("--plot", nargs="?", const="", default=None, metavar="PNG",
                   help="also plot h(t) of every trajectory (default file: --out with .png)")
    _add_window(p)
    _add_run(p, out="simulation.nc", ensemble=True)
    p.set_defaults(func=cmd_simulate)

    sub.add_parser("validate", add_help=False, help="the validation report (meanfield validate --help)")
    sub.add_parser("figures", add_help=False, help="the figures of the paper (meanfield figures --help)")

    p = sub.add_parser("plot", help="plot a saved result (.nc) from its labelled form",
                       description="Load any saved result with meanfield.results.load and plot its labelled "
                                   "form (to_xarray()): h(t) per sample for path ensembles, histograms for "
                                   "exponent and readout ensembles, otherwise every 1-D/2-D variable.")
    p.add_argument("result", help="a file written by .save() (netCDF)")
    p.add_argument("--out", default=None, help="PNG file (default: RESULT with .png)")
    p.set_defaults(func=cmd_plot)
    return parser


def _add_settings(p: argparse.ArgumentParser) -> None:
    from meanfield import SolverSettings

    d = SolverSettings()
    g = p.add_argument_group("solver")
    g.add_argument("--quadrature-order", type=int, default=d.quadrature_order,
                   help="a fixed number of Gauss-Hermite nodes per dimension (default: none, the "
                        "quadrature is chosen at every step from the variance it meets)")
    g.add_argument("--quadrature-accuracy", type=float, default=d.quadrature_accuracy,
                   help="absolute accuracy of the adaptive quadrature (default: %(default)s)")
    g.add_argument("--pivot-tol", type=float, default=d.pivot_tol,
                   help="pivot tolerance of the causal factor (default: %(default)s)")


def main(argv=None) -> int:
    """Run the ``meanfield`` command line; returns the exit status (0, or 2 on bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in FORWARDED:
        return _forward(argv[0], argv[1:])
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help (0) or a one-line usage error (2)
        return 0 if exc.code is None else int(exc.code)
    if args.command is None:
        print(f"{PROG}: error: choose a subcommand: solve, sample, simulate, validate, figures, plot "
              f"(see {PROG} --help)", file=sys.stderr)
        return 2
    if extra:
        return _fail(args.command, f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:  # the library's validated parameters name the bad field
        return _fail(args.command, exc)
    except FloatingPointError as exc:  # simulate.NonFiniteStateError, meanfield.cholesky.NegativePivotError
        return _fail(args.command, exc, FAILED)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
