"""The shared look of the figures: style file, colours of the four states, panel letters, axis labels.

Pure plotting helpers; no file is written here (see :mod:`paper_figures.output`).
"""

from __future__ import annotations

from pathlib import Path

STYLE_FILE = Path(__file__).with_name("paper.mplstyle")

#: Okabe-Ito colours by name
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}

#: one colour per state of THEORY.md section 7, used in every figure
STATE_COLORS = {"quiescent": OKABE_ITO["sky"], "coherent": OKABE_ITO["blue"],
                "oscillatory": OKABE_ITO["orange"], "irregular": OKABE_ITO["vermillion"]}

THEORY_COLOR = OKABE_ITO["black"]
#: simulation colours for successive network sizes
SIZE_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["vermillion"],
               OKABE_ITO["purple"], OKABE_ITO["sky"])

TIME_LABEL = r"time $t$ / $\tau$"
LAG_LABEL = r"lag $s$ / $\tau$"
OMEGA_LABEL = r"angular frequency $\omega\,\tau$"

#: widths in inches (one and two journal columns)
ONE_COLUMN = 3.4
TWO_COLUMN = 7.0


def paper_style():
    """Context manager applying ``paper.mplstyle``; rcParams are restored on exit.

    A context rather than ``plt.style.use`` so that callers of
    :func:`paper_figures.make_figures.run` (tests, notebooks) keep their own style.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.style.context(str(STYLE_FILE))


def panel_letters(axes, *, start: str = "a", x: float = -0.16, y: float = 1.0) -> None:
    """Bold lower-case panel letters at the top left, outside each axes, in the given order."""
    for i, ax in enumerate(axes):
        ax.text(x, y, chr(ord(start) + i), transform=ax.transAxes, fontsize=10, fontweight="bold",
                ha="right", va="bottom")


def size_color(i: int) -> str:
    """Colour of the i-th network size."""
    return SIZE_COLORS[i % len(SIZE_COLORS)]
