"""Build hook: ship the pack notebooks and the sample data inside the package.

The repository keeps them where people look for them (``notebooks/`` and ``data/samples/`` at
the top, as the design card has it); a wheel carries copies as ``toolkit/notebooks/`` and
``toolkit/samples_data/``, found through ``toolkit.resources``. Everything else about the
package is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Top-level folders copied into the package: source -> place inside ``toolkit/``.
SHIPPED = {"notebooks": "notebooks", "data/samples": "samples_data"}


class BuildWithData(build_py):
    """Copy the notebooks and the samples into the built package."""

    def run(self):
        """Build as usual, then copy each shipped folder beside the modules."""
        super().run()
        if getattr(self, "editable_mode", False):  # a checkout uses the folders themselves
            return
        root = Path(__file__).resolve().parent
        for source, target in SHIPPED.items():
            destination = Path(self.build_lib) / "toolkit" / target
            if (root / source).is_dir():
                shutil.rmtree(destination, ignore_errors=True)
                shutil.copytree(root / source, destination,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                              ".ipynb_checkpoints"))


setup(cmdclass={"build_py": BuildWithData})
