"""Installing for people who are not developers: a wheel, no development tools, a pack.

The wheel is built from this checkout and installed into a fresh virtual environment without
the ``[dev]`` extra; the installed ``keepitlocal`` then makes a sample organisation's pack from
the samples shipped inside the package, in a folder that is not a checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The fresh environment must not see this checkout through PYTHONPATH.
CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a command of the fresh environment, with a clean environment."""
    return subprocess.run(argv, capture_output=True, text=True, env=CLEAN, **kwargs)


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_requirements_txt_is_the_package_dependencies_and_the_dev_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    listed = requirement_lines((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    assert sorted(listed) == sorted(declared)
    runtime = {re.split(r"[<>=!~]", r)[0].lower() for r in project["dependencies"]}
    assert not runtime & {"pytest", "ruff", "playwright", "jupyter-book", "hypothesis"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (no extra); its bin folder."""
    folder = tmp_path_factory.mktemp("install")
    wheels = folder / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(wheels)], check=True,
                   capture_output=True)
    venv = folder / "venv"
    run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(wheels.glob("*.whl"))
    done = run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)])
    if done.returncode != 0:
        pytest.fail(f"pip could not install the wheel:\n{done.stderr[-2000:]}")
    return venv / "bin"


@pytest.mark.slow
def test_the_wheel_carries_notebooks_and_samples_and_no_dev_tools(installed):
    python = str(installed / "python")
    probe = ("import importlib.util, toolkit.resources as r; "
             "print(r.notebooks_folder()); print(r.samples_folder()); "
             "print(importlib.util.find_spec('pytest') is None)")
    out = run([python, "-c", probe], check=True, cwd=installed).stdout.split("\n")
    assert out[0].endswith("toolkit/notebooks") and "site-packages" in out[0]
    assert out[1].endswith("toolkit/samples_data")
    assert out[2] == "True", "the installed toolkit brought pytest with it"


@pytest.mark.slow
def test_the_installed_command_makes_a_pack_outside_a_checkout(installed, tmp_path):
    keepitlocal = str(installed / "keepitlocal")
    assert "usage: keepitlocal" in run([keepitlocal, "--help"], check=True).stdout
    done = run([keepitlocal, "packs", "--only", "manningham-community-trust", "--out",
                str(tmp_path / "packs"), "--workers", "0", "--no-progress"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    html = tmp_path / "packs" / "organisations" / "manningham-community-trust.html"
    assert html.is_file() and "Manningham" in html.read_text(encoding="utf-8")
    assert (tmp_path / "packs" / "manifest.json").is_file()


@pytest.mark.slow
def test_the_installed_app_serves_its_pages(installed, tmp_path):
    """`keepitlocal app` from the wheel alone: its pages, template and widgets are inside."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**CLEAN, "KEEPITLOCAL_APP_SESSIONS": str(tmp_path / "sessions")}
    server = subprocess.Popen([str(installed / "keepitlocal"), "app", "--no-browser", "--port",
                               str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        page, deadline = "", time.monotonic() + 180
        while time.monotonic() < deadline and "Your organisation" not in page:
            try:
                url = f"http://127.0.0.1:{port}/voila/render/index.ipynb"
                with urllib.request.urlopen(url, timeout=60) as response:
                    page = response.read().decode("utf-8")
            except OSError:
                assert server.poll() is None, server.stdout.read()[-2000:]
                time.sleep(1)
        assert "Your organisation" in page and "Traceback" not in page
        assert "cdn.jsdelivr.net" not in page, "the app's own template is not the one served"
    finally:
        server.terminate()
        server.wait(timeout=60)
