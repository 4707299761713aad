"""The project's install steps: environment.yml and pyproject.toml list the same packages."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# conda-forge spells a few packages differently from PyPI.
CONDA_NAMES = {"dask[bag]": "dask"}


def _name_and_spec(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    name = CONDA_NAMES.get(m.group(1).lower(), m.group(1).lower()).replace("_", "-")
    return name, m.group(2).replace(" ", "")


def _pip_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += extra
    return dict(_name_and_spec(r) for r in reqs)


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    out = {}
    for d in deps:
        name, spec = _name_and_spec(d.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=<>]", d) else d)
        out[name] = spec
    out.pop("python", None)
    out.pop("pip", None)
    return out


def test_environment_yml_and_pyproject_list_the_same_packages():
    pip, conda = _pip_requirements(), _conda_requirements()
    assert set(pip) == set(conda), (
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}; only in environment.yml: {sorted(set(conda) - set(pip))}")


def test_environment_yml_and_pyproject_pin_the_same_versions():
    pip, conda = _pip_requirements(), _conda_requirements()
    differ = {n: (pip[n], conda[n]) for n in pip if n in conda and pip[n] != conda[n]}
    assert not differ, f"version specifiers differ (pyproject, environment.yml): {differ}"


def test_environment_yml_uses_conda_forge_and_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.strip() for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2, f"Quick start's first code block must hold exactly two commands, found {commands}"
    assert commands[1] in (ROOT / ".ci" / "run").read_text(), ".ci/run must call the README's test command"
