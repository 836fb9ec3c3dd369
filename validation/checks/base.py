"""What a check is: a named comparison of a theory predictor with a simulation estimator.

A check declares (as class attributes, shown in the report)

* ``name`` (e.g. ``"b"``), ``slug`` and ``title``;
* ``parameters``: the parameter set (a sentence; the numbers are in the result);
* ``observable``, ``theory``, ``simulation``, ``statistic``;
* ``tolerance`` and ``tolerance_reason``;

and implements

* :meth:`Check.requests` -> the ensembles it needs (``validation.requests``);
* :meth:`Check.evaluate` -> a :class:`CheckResult` from those ensembles (pure);
* :meth:`Check.figures` -> matplotlib figures of a result (pure: no file I/O).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..convergence import ConvergenceFit
from ..statistics import Comparison, compare_distributions, compare_proportions
from ..verdict import Verdict, aggregate


@dataclass(frozen=True, eq=False)
class CheckResult:
    """Everything a check found: comparisons, convergence fits, verdict, figure data."""

    name: str
    title: str
    description: dict
    comparisons: tuple
    convergence: tuple
    verdict: Verdict
    findings: tuple = ()
    metrics: dict = field(default_factory=dict)
    plot_data: dict = field(default_factory=dict)

    def counts(self) -> dict:
        out = {v.value: 0 for v in Verdict}
        for c in self.comparisons:
            out[c.verdict.value] += 1
        return out

    def summary(self) -> str:
        """The numbers behind the verdict, one sentence."""
        c = self.counts()
        worst = self.decisive()
        txt = (f"{c['pass']} pass, {c['fail']} fail, {c['inconclusive']} inconclusive of "
               f"{len(self.comparisons)} comparisons")
        if worst is not None:
            txt += f"; largest |d|/tol: {worst.summary()}"
        return txt

    def decisive(self) -> Comparison | None:
        """The comparison with the largest discrepancy relative to its tolerance."""
        if not self.comparisons:
            return None
        return max(self.comparisons, key=lambda c: abs(c.discrepancy) / c.tolerance)

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "verdict": self.verdict.value, "counts": self.counts(), "summary": self.summary(),
            "findings": list(self.findings),
            "comparisons": [c.to_dict(with_curves=False) for c in self.comparisons],
            "convergence": [f.to_dict() for f in self.convergence],
            "metrics": self.metrics,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "CheckResult":
        """Inverse of :meth:`to_dict`; the figure data (``plot_data``) and comparison curves are not in it."""
        return cls(name=d["name"], title=d["title"], description=d["description"],
                   comparisons=tuple(Comparison.from_dict(c) for c in d["comparisons"]),
                   convergence=tuple(ConvergenceFit.from_dict(f) for f in d["convergence"]),
                   verdict=Verdict(d["verdict"]), findings=tuple(d["findings"]), metrics=d["metrics"])


class Check:
    """Base class of the checks (module docstring)."""

    name = "?"
    slug = "abstract"
    title = ""
    parameters = ""
    observable = ""
    theory = ""
    simulation = ""
    statistic = ""
    tolerance = 0.1
    tolerance_reason = ""
    #: the report shows this check's first figure at the top, beside the summary table
    headline = False

    def description(self) -> dict:
        return {k: getattr(self, k) for k in ("parameters", "observable", "theory", "simulation",
                                              "statistic", "tolerance", "tolerance_reason")}

    def requests(self, preset) -> list:  # pragma: no cover - overridden
        raise NotImplementedError

    def evaluate(self, data, preset) -> CheckResult:  # pragma: no cover - overridden
        raise NotImplementedError

    def figures(self, result: CheckResult) -> list:
        return []

    def event_and_law(self, th_event, sim_event, th_h_T, sim_h_T, *, event: str, where: str, N: int,
                      alpha: float) -> tuple[Comparison, Comparison]:
        """P(event) (two proportions) and the law of h(T) (two samples), theory against networks at one point.

        ``th_event`` and ``sim_event`` are boolean arrays over samples and
        networks; ``where`` labels the point (e.g. ``"A=0.5"``). Both
        comparisons use this check's tolerance at level ``alpha``.
        """
        th_event, sim_event = np.asarray(th_event, dtype=bool), np.asarray(sim_event, dtype=bool)
        judged = {"tolerance": self.tolerance, "tolerance_reason": self.tolerance_reason, "alpha": alpha, "N": N}
        p = compare_proportions(int(th_event.sum()), th_event.size, int(sim_event.sum()), sim_event.size,
                                label=f"{event}, {where}, N={N}", **judged)
        law = compare_distributions(th_h_T, sim_h_T, label=f"law of h(T), {where}, N={N}", **judged)
        return p, law

    def result(self, comparisons, convergence=(), findings=(), metrics=None, plot_data=None) -> CheckResult:
        """Assemble a :class:`CheckResult`; the verdict aggregates the comparisons."""
        comparisons = tuple(comparisons)
        convergence = tuple(convergence)
        found = list(findings) + [f.finding for f in convergence if isinstance(f, ConvergenceFit) and f.finding]
        return CheckResult(
            name=self.name, title=self.title, description=self.description(),
            comparisons=comparisons, convergence=convergence,
            verdict=aggregate([c.verdict for c in comparisons]), findings=tuple(found),
            metrics=metrics or {}, plot_data=plot_data or {},
        )


class Data:
    """Ensembles of a sweep, looked up by the request that asked for them.

    A check gets exactly the first ``request.n`` realisations it asked for,
    even when another check asked the same point for more, minus those whose
    computation failed (counted in ``excluded``: key -> [(index, message)]).
    """

    def __init__(self, ensembles: dict):
        self.ensembles = ensembles
        self.excluded: dict = {}

    def __call__(self, request):
        ens = self.ensembles[request.key()]
        n = len(ens.items) if request.kind == "linear-theory" else request.n
        items = ens.items[:n]
        bad = [(i, str(it.get("error", ""))) for i, it in enumerate(items) if "failed" in it]
        if bad:
            self.excluded[request.key()] = bad
            items = tuple(it for it in items if "failed" not in it)
        return _View(items, ens.seed, request)


@dataclass(frozen=True, eq=False)
class _View:
    items: tuple
    seed: dict
    request: object

    def __len__(self):
        return len(self.items)

    def stack(self, name: str) -> np.ndarray:
        return np.stack([it[name] for it in self.items])

    def concat(self, name: str) -> np.ndarray:
        return np.concatenate([np.atleast_1d(it[name]) for it in self.items])


def bonferroni(alpha: float, m: int) -> float:
    """Per-comparison level for a family of m comparisons at family-wise level alpha."""
    return alpha / max(1, int(m))


FAMILY_ALPHA = 0.05  # family-wise false-failure rate of every check (Bonferroni over its comparisons)
