"""Analyst notebooks run top to bottom against the test database with the demo loaded, and each
finds what the demo plants for it."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
FINDS = {
    # The station's rising vandalism and the new Oderljunga burst.
    "emerging_hotspots.ipynb": [r"intensifying_hot", r"new_hot"],
    # The station's vandalism comes in near repeats; the industrial burglaries do not.
    "near_repeats.ipynb": [
        r"near repeats found for: \[[^\]]*'vandalism'",
        r"no significant band for: \[[^\]]*'burglary'",
    ],
    # Steady hot spots: more history beats last fortnight's counts alone.
    "backtest.ipynb": [
        r"most events caught at 5% of the area: (kde|prospective|counts_longrun)\b",
        r"fewest events caught at 5% of the area: counts_last\b",
    ],
}


def test_every_notebook_says_what_it_should_find() -> None:
    assert sorted(FINDS) == [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_finds_what_the_demo_plants(
    path: Path, database_url: str, demo_loaded: str
) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    text = "\n".join(
        str(output.get("data", {}).get("text/plain", "")) + str(output.get("text", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    for pattern in FINDS[path.name]:
        assert re.search(pattern, text), f"{path.name}: no {pattern!r} in\n{text[-3000:]}"
