"""Shared test fixtures: paths to the repository, the samples and the real council files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
REGISTRY = SAMPLES / "authorities.yml"
REAL_DATA = ROOT.parent / "shared" / "real-data"


@pytest.fixture
def real_data() -> Path:
    """The folder of real council spending files, or skip when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real council files not found at {REAL_DATA} (they exist only on the "
                    "developers' machines; see ../shared/real-data/README.md)")
    return REAL_DATA
