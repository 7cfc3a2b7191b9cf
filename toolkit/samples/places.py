"""Real postcodes for the fictional samples: picked from the ONS Postcode Directory.

The sample organisations are made up, but their suppliers' and councils' postcodes are real
ones (from the directory shipped on PyPI), so that a boundary drawn by councils places them
as ONS does. The seeded draws that once made up a postcode now pick one of the real
postcodes of the same district, so the rest of the samples draw the same numbers.

References
----------
ONS Postcode Directory (November 2025), via ``toolkit.inputs.directory``.
"""

from __future__ import annotations

from toolkit.inputs.geography import normalise_postcode


def real_postcode(code: str, number: int, inside=()) -> str:
    """Return a real postcode of the district or sector ``code``, picked by ``number``.

    Parameters
    ----------
    code : str
        A postcode district ("BD20") or sector ("BD20 5"); a full postcode is returned as is.
    number : int
        From the seeded draws: the same number picks the same postcode.
    inside : iterable of str, optional
        Council codes: pick only among the district's postcodes placed in them (all of the
        district's when none is).

    Returns
    -------
    str
        Such as "BD20 5AA". The made-up form of ``code`` when the directory has no postcode
        in it (it then stays unknown, as a real unknown postcode would).
    """
    import numpy as np

    from toolkit.inputs.directory import load_directory

    postcode = normalise_postcode(code)
    if postcode is None or postcode.kind == "full":
        return code if postcode is None else postcode.full
    directory = load_directory()
    start, stop = directory.span(postcode)
    positions = np.arange(start, stop)
    wanted = [i for i, c in enumerate(directory.codes) if c in set(inside)]
    if wanted:
        within = positions[np.isin(directory.authority[start:stop], wanted)]
        positions = within if within.size else positions
    if not positions.size:
        return f"{postcode.text} {number % 10}AA" if postcode.kind == "district" else code
    key = directory.keys[positions[number % positions.size]].decode()
    return f"{key[:4].strip()} {key[4:]}"
