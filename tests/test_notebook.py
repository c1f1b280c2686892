"""notebooks/error_analysis.ipynb runs top to bottom against the shipped model, in under two minutes."""

from __future__ import annotations

import time

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT


def test_error_analysis_notebook_runs_top_to_bottom() -> None:
    notebook = nbformat.read(ROOT / "notebooks" / "error_analysis.ipynb", as_version=4)
    started = time.monotonic()
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    assert time.monotonic() - started < 120
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "false alarms" in text and "misses" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "the calibration plot was not drawn"
