#!/usr/bin/env python3
"""Set up VillageLink on a machine that has only Python 3.11+, then run the demo or the tests.

    python3 dev.py demo [--addr 127.0.0.1:8000] [--reset] [--no-serve]
    python3 dev.py test [pytest arguments]
    python3 dev.py setup

Creates a virtual environment in .venv (once), installs the project with its test tools (again whenever
pyproject.toml changes), and, for the tests, Debian's Chromium and the fonts for Chinese and Tibetan when they
are missing and this user may install them. Uses only the standard library.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_PACKAGES = ["chromium", "fonts-noto-core", "fonts-noto-cjk"]


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"VillageLink needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not (BIN / "python").exists():
        say(f"Creating the virtual environment in {VENV}")
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / ".villagelink-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        say("Installing VillageLink and its dependencies (a few minutes the first time)")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]")
        stamp.write_text(wanted)


def ensure_browser() -> None:
    """Browser tests drive Debian's Chromium; install it when missing and we may (root with apt-get)."""
    if CHROMIUM.exists():
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say("Installing Chromium and the Noto fonts for the browser tests")
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", *BROWSER_PACKAGES, env=env, stdout=subprocess.DEVNULL)
    else:
        say(
            f"{CHROMIUM} is missing: the browser tests will be skipped. Install: {' '.join(BROWSER_PACKAGES)}"
        )


def main() -> None:
    task, *rest = sys.argv[1:] or ["help"]
    os.chdir(ROOT)
    if task == "setup":
        ensure_environment()
        ensure_browser()
    elif task == "demo":
        ensure_environment()
        os.execv(BIN / "villagelink", [str(BIN / "villagelink"), "demo", *rest])
    elif task == "test":
        ensure_environment()
        ensure_browser()
        os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *rest])
    else:
        print(__doc__)
        sys.exit(0 if task == "help" else 2)


if __name__ == "__main__":
    main()
