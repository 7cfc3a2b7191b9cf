"""Where the toolkit's own files are: shipped data, styles and the pack notebooks.

Every module finds its data through this one helper (``importlib.resources``), so moving a
module between wings, or installing the package from a wheel, cannot break a path.

Offers
------
data_file(name)
    A file in ``toolkit/data/`` (settings defaults, markers, questionnaires, styles, tables).
notebooks_folder()
    The pack notebooks: the repository's ``notebooks/`` when the toolkit runs from a checkout,
    else a copy inside the installed package, else ``./notebooks``.
samples_folder()
    The sample data: the repository's ``data/samples/``, else the installed package's copy.
source_root()
    The folder that holds the ``toolkit`` package (the repository, in a checkout).
package_folder()
    The ``toolkit`` package's own folder (hashed as the code a pack was made with).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "toolkit"


def package_folder() -> Path:
    """Return the installed ``toolkit`` package's folder on disk.

    Returns
    -------
    pathlib.Path
    """
    return Path(str(resources.files(PACKAGE)))


def data_file(name: str) -> Path:
    """Return the path of a file shipped in ``toolkit/data/``.

    Parameters
    ----------
    name : str
        The file's name inside ``toolkit/data/``, such as ``"settings_defaults.yml"``.

    Returns
    -------
    pathlib.Path
    """
    return Path(str(resources.files(PACKAGE).joinpath("data", name)))


def source_root() -> Path:
    """Return the folder that holds the ``toolkit`` package (the repository in a checkout).

    Returns
    -------
    pathlib.Path
    """
    return package_folder().resolve().parent


def notebooks_folder() -> Path:
    """Return the folder of the pack notebooks.

    The repository's ``notebooks/`` when the toolkit runs from a checkout (as ``make``
    installs it); else ``toolkit/notebooks`` inside an installed package (a wheel carries a
    copy, made by ``setup.py``); else ``./notebooks`` in the working folder (or pass
    ``--notebooks``).

    Returns
    -------
    pathlib.Path
    """
    return _shipped("notebooks", "notebooks") or (Path.cwd() / "notebooks").resolve()


def samples_folder() -> Path | None:
    """Return the folder of the sample data, or None when neither copy is there.

    The repository's ``data/samples/`` in a checkout; else ``toolkit/samples_data`` inside an
    installed package.

    Returns
    -------
    pathlib.Path or None
    """
    return _shipped("data/samples", "samples_data")


def _shipped(in_checkout: str, in_package: str) -> Path | None:
    """Return the checkout's folder, else the installed package's copy, else None."""
    checkout = source_root() / in_checkout
    if (source_root() / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    packaged = package_folder() / in_package
    return packaged if packaged.is_dir() else None
