"""Shared test fixtures: paths to the repository, the samples and the real council files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests check what must hold, not speed: no per-example deadline (a loaded 2-core
# machine would make them flaky), and in CI a fixed sequence of examples so a red run can be
# repeated exactly.
hypothesis_settings.register_profile(
    "keepitlocal", deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")))
# CI (or HYPOTHESIS_PROFILE=ci): about 200 examples per property, always the same ones.
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("keepitlocal"), max_examples=200,
    derandomize=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "keepitlocal"))

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
REGISTRY = SAMPLES / "authorities.yml"
REAL_DATA = ROOT.parent / "shared" / "real-data"


def toc_files() -> list[str]:
    """Every file named in the course's ``_toc.yml``, root first, in reading order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


@pytest.fixture(scope="session", autouse=True)
def postcode_cache(tmp_path_factory) -> Path:
    """A temporary cache folder for the postcode directory's index, for the whole session.

    The index is built there once (a few seconds) and used by every test and every command
    a test runs (they inherit the environment), never the user's own cache.
    """
    folder = tmp_path_factory.mktemp("keepitlocal-cache")
    previous = os.environ.get("KEEPITLOCAL_CACHE")
    os.environ["KEEPITLOCAL_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("KEEPITLOCAL_CACHE", None)
    else:
        os.environ["KEEPITLOCAL_CACHE"] = previous


@pytest.fixture
def real_data() -> Path:
    """The folder of real council spending files, or skip when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real council files not found at {REAL_DATA} (they exist only on the "
                    "developers' machines; see ../shared/real-data/README.md)")
    return REAL_DATA


#: One sample pack of each kind: an organisation with two years, an authority, the
#: network and an appraisal (tests/test_pdf_structure.py, tests/test_packs_browser.py).
SAMPLE_PACK_IDS = ["halifax-northgate-centre", "calderdale", "network",
                   "calderdale_youth_scenario",
                   # its layout meets WeasyPrint's tagging fault (render.html_to_pdf's retry)
                   "bradford-advice-scenario"]

#: The SOURCE_DATE_EPOCH the sample packs are made with (2 March 2021, 10:00 UTC).
SAMPLE_PACK_EPOCH = 1614679200


@pytest.fixture(scope="session")
def sample_packs(tmp_path_factory) -> dict:
    """Make one sample pack of each kind twice, with ``SOURCE_DATE_EPOCH`` set.

    Returns the two output folders (``first``, ``second``), the jobs, and the epoch. Slow:
    it runs eight notebooks; the tests that use it are marked slow.
    """
    from toolkit.packs import plan, runner

    jobs = plan.select(plan.plan_packs(REGISTRY), SAMPLE_PACK_IDS)
    folders = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(SAMPLE_PACK_EPOCH))
        for run in ("first", "second"):
            folders[run] = tmp_path_factory.mktemp(f"sample-packs-{run}")
            summary = runner.run_packs(jobs, folders[run], workers=2, force=True,
                                       progress=False)
            assert summary.exit_code == 0, summary.text()
    return {**folders, "jobs": jobs, "epoch": SAMPLE_PACK_EPOCH}


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The whole course built once per test run, with warnings as errors; its html folder.

    Every chapter's cells really run (the kernels import this checkout's toolkit). Shared by
    the tests that read the built pages (``test_book``, ``test_course_text``), so the book is
    built once, not once per file.
    """
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    widgets = ROOT / "_widgets" / "site"
    if not ((widgets / "jupyter-widgets" / "embed.js").is_file()
            and (widgets / "mathjax" / "tex-chtml.js").is_file()):
        pytest.skip("the site's own widget and MathJax scripts are absent: run "
                    "scripts/fetch_widgets_js.sh")
    if not jupyter_book.is_file():
        pytest.skip(f"{jupyter_book} absent: install the [dev] extra")
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "--builder", "html",
         "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)
