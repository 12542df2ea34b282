"""Charts as embedded PNG data URIs (matplotlib, Agg backend; no files, no network)."""

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#6c757d", "#2e4057"]


def to_data_uri(fig: Figure, dpi: int = 110) -> str:
    """PNG bytes of a figure as a data: URI; closes the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def count_axis(ax: Axes) -> None:
    """Counts are whole numbers: only integer ticks on the y-axis, starting at zero."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)


def line_figure(frame: pd.DataFrame, title: str, ylabel: str, counts: bool = True) -> Figure:
    """One line per column of `frame` (index on the x-axis); integer ticks for counts."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for i, column in enumerate(frame.columns):
        ax.plot(
            frame.index,
            frame[column],
            marker="o",
            ms=3,
            lw=1.6,
            color=PALETTE[i % len(PALETTE)],
            label=str(column),
        )
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if counts:
        count_axis(ax)
    fig.autofmt_xdate()
    return fig


def line_chart(frame: pd.DataFrame, title: str, ylabel: str, counts: bool = True) -> str:
    return to_data_uri(line_figure(frame, title, ylabel, counts))


def bar_figure(
    labels: Sequence[str], values: Sequence[float], title: str, ylabel: str, width: float = 6
) -> Figure:
    """Counts per label as bars, every label shown, integer ticks."""
    fig, ax = plt.subplots(figsize=(width, 2.8))
    ax.bar(list(labels), list(values), color=PALETTE[0])
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(axis="x", labelsize=9)
    count_axis(ax)
    return fig


def bar_chart(
    labels: Sequence[str], values: Sequence[float], title: str, ylabel: str, width: float = 6
) -> str:
    return to_data_uri(bar_figure(labels, values, title, ylabel, width))


def year_wheel(months: Sequence[str], values: Sequence[float], title: str) -> str:
    """The årshjul: events per month on a clock face, January at the top, clockwise."""
    values = np.asarray(values, dtype=float)
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    fig = plt.figure(figsize=(4.2, 4.2))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    top = values.max() if values.size and values.max() > 0 else 1.0
    ax.bar(
        angles,
        values,
        width=2 * np.pi / 12 * 0.9,
        color=plt.cm.YlOrRd(values / top),
        edgecolor="white",
    )
    ax.set_xticks(angles)
    ax.set_xticklabels(list(months), fontsize=8)
    ax.set_yticklabels([])
    ax.set_title(title, fontsize=11, pad=14)
    return to_data_uri(fig)
