#!/usr/bin/env python3
"""The project's two commands, runnable from a fresh clone with only Python 3.11 and git.

    python3 tasks.py build   # the main job: data/raw -> data/processed tables -> HTML briefing
    python3 tasks.py test    # the whole test suite, notebooks included

Each sets up what it needs on first use: a virtual environment in ``.venv`` with the package
installed (editable) and its extras. The install is redone only when ``pyproject.toml`` changes,
so a second run is quick. Only the standard library is used here.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".conflict_lib-installed"
EXTRAS = "test,notebooks,dask"
# The small English spaCy model (re-upload of en_core_web_sm 3.8.0); used only by the
# optional comparison in benchmarks/, never required by the pipeline.
EXTRA_PACKAGES: list[str] = []


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _want_stamp() -> str:
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    h.update(EXTRAS.encode())
    h.update(" ".join(EXTRA_PACKAGES).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_env() -> Path:
    """Create ``.venv`` and install the project into it, unless already done."""
    py = _python()
    want = _want_stamp()
    if py.exists() and STAMP.exists() and STAMP.read_text().strip() == want:
        return py
    if not py.exists():
        print(f"[tasks] creating virtual environment in {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    print("[tasks] installing conflict_lib and its dependencies (first run only)", flush=True)
    pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-e", f"{ROOT}[{EXTRAS}]"] + EXTRA_PACKAGES, check=True)
    STAMP.write_text(want)
    return py


def _run(args: list[str]) -> int:
    return subprocess.run(args, cwd=ROOT).returncode


def cmd_build(argv: list[str]) -> int:
    py = ensure_env()
    return _run([str(py), "-m", "conflict_lib", "all", *argv])


def ensure_browser() -> None:
    """Install Debian's headless Chromium and its driver for the briefing's browser tests.

    Only where they are missing and apt-get can run (as root); otherwise the browser tests
    skip with a message that says how to install them.
    """
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if os.environ.get("CONFLICT_LIB_NO_BROWSER_INSTALL"):
        return
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("[tasks] chromium/chromedriver not found and apt-get unavailable: browser tests will skip", flush=True)
        return
    print("[tasks] installing Debian's chromium and chromium-driver for the browser tests", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    ok = subprocess.run(["apt-get", "update", "-qq"], env=env).returncode == 0 and subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "chromium-driver"],
        env=env, stdout=subprocess.DEVNULL).returncode == 0
    if not ok:
        print("[tasks] could not install chromium: browser tests will skip", flush=True)


def cmd_test(argv: list[str]) -> int:
    py = ensure_env()
    ensure_browser()
    code = _run([str(py), "-m", "pytest", *(argv or ["-q"])])
    return 0 if code == 5 and os.environ.get("ALLOW_NO_TESTS") else code


def cmd_lab(argv: list[str]) -> int:
    py = ensure_env()
    return _run([str(py), "-m", "jupyter", "lab", "notebooks/", *argv])


def cmd_clean(argv: list[str]) -> int:
    shutil.rmtree(ROOT / "data" / "processed", ignore_errors=True)
    (ROOT / "data" / "processed").mkdir(parents=True, exist_ok=True)
    return 0


COMMANDS = {"build": cmd_build, "test": cmd_test, "lab": cmd_lab, "clean": cmd_clean}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        print("commands:", ", ".join(COMMANDS))
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
