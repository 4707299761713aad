"""The workshop notebooks: committed without outputs, one skeleton, exercises wired to checks.

(Executing them is nbval's job: ``pytest --nbval-lax notebooks/``.)
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conflict_lib.exercises import EXERCISES

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

#: The headings every notebook has, in this order (Project Pythia's skeleton).
SKELETON = ["Overview", "Prerequisites and time", "Imports", "Data", "Exercises", "Summary and what's next",
            "Sources"]


def _read(path):
    return nbformat.read(path, as_version=4)


def _headings(nb):
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += re.findall(r"^(#{1,2}) (.+)$", cell.source, flags=re.M)
    return out


def test_the_five_notebooks_are_there():
    assert [p.name[:2] for p in PATHS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = _read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_skeleton(path):
    heads = _headings(_read(path))
    assert heads and heads[0][0] == "#", f"{path.name} must start with a '# Title'"
    level2 = [title for level, title in heads if level == "##"]
    positions = []
    for want in SKELETON:
        assert want in level2, f"{path.name} lacks the section '## {want}'"
        positions.append(level2.index(want))
    assert positions == sorted(positions), f"{path.name}: sections out of order, expected {SKELETON}"
    assert level2[-1] == "Sources", f"{path.name} must end with '## Sources'"
    content = level2[level2.index("Data") + 1:level2.index("Exercises")]
    assert content, f"{path.name} has no content section between Data and Exercises"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_imports_in_one_cell_then_ensure_tables(path):
    code = [c.source for c in _read(path).cells if c.cell_type == "code"]
    with_imports = [i for i, src in enumerate(code) if re.search(r"^(import|from) \S+", src, flags=re.M)]
    assert with_imports == [0], f"{path.name}: imports belong in the one Imports cell (found in cells {with_imports})"
    assert code[1].lstrip().startswith("ensure_tables()"), f"{path.name}: the Data cell must start with ensure_tables()"
    assert all("read_parquet" not in src and "data/processed" not in src for src in code), \
        f"{path.name}: read tables with load_table, not by path"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_no_machine_paths_and_no_writes_to_real_corrections(path):
    for cell in _read(path).cells:
        assert not re.search(r"""["'](/|[A-Za-z]:\\)[A-Za-z]""", cell.source), \
            f"{path.name}: an absolute path in a cell; use load_table / conflict_lib.paths instead"
        if cell.cell_type == "code" and "add_correction(" in cell.source:
            assert "path=" in cell.source, f"{path.name}: add_correction without path= writes data/corrections.csv"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_exercises_have_placeholder_and_check(path):
    nb = _read(path)
    number = path.name[:2]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    checks = [(i, m.group(1)) for i, src in enumerate(code) for m in re.finditer(r'check\("(\d\d\.\d)"', src)]
    ids = [e for _, e in checks]
    assert ids == sorted(e for e in EXERCISES if e.startswith(number + ".")), f"{path.name}: checks {ids}"
    assert 2 <= len(ids) <= 3
    for i, _ in checks:
        assert code[i - 1].startswith("answer = ...  # your code here"), \
            f"{path.name}: the cell before a check must be the placeholder `answer = ...  # your code here`"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_each_code_cell_is_read_by_a_sentence(path):
    """gdsbook style: the markdown after a code cell reads its output (assert cells may sit between)."""
    cells = _read(path).cells
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    for i, cell in enumerate(cells):
        src = cell.source
        if cell.cell_type != "code" or i == first_code or src.startswith(("assert", "answer = ...", "check(")):
            continue
        j = i + 1
        while j < len(cells) and cells[j].cell_type == "code" and cells[j].source.startswith("assert"):
            j += 1
        assert j < len(cells) and cells[j].cell_type == "markdown", \
            f"{path.name} cell {i} ({src.splitlines()[0]!r}): add a sentence that reads its output"


def test_notebook_readme_lists_every_notebook_with_minutes():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    total = 0
    for p in PATHS:
        m = re.search(re.escape(p.name) + r".*?(\d+)\s*min", readme)
        assert m, f"notebooks/README.md must list {p.name} with its minutes"
        total += int(m.group(1))
    assert total <= 120, f"the notebooks add up to {total} minutes, more than a two-hour workshop"
