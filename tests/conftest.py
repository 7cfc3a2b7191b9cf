"""Shared test fixtures: paths to the repository, the samples and the real council files."""

from __future__ import annotations

import os
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
                   "calderdale_youth_scenario"]

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
