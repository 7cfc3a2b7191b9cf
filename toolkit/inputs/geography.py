"""Postcodes and boundaries: is a supplier (or a person) inside the area called local.

"Local" is the user's choice and every result must state it (METHODS.md §1, last point; §2).
This module lets the user define it as a list of postcode areas ("HX"), districts ("BD1",
matched whole, so BD1 is not BD10), sectors ("BD7 1") or full postcodes, and optionally as a
set of local authority codes placed through an ONS Postcode Directory-style lookup file that
the user supplies (postcode -> local authority code). Several nested boundaries (district,
county, region) can be reported together with :class:`NestedBoundaries`.

Nothing is guessed: a postcode that is blank, not a UK postcode, or too coarse to be placed
(the district "BD7" against a boundary drawn by sectors of BD7) is "unknown" (``None``).

References
----------
METHODS.md §1 ("Local" is the user's choice) and §2 (CLES spend analysis: inside the boundary,
in the region, elsewhere; unknown shown as unknown).
Office for National Statistics, ONS Postcode Directory (ONSPD) user guide: postcode formats and
the ``pcds`` / ``oslaua`` columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.inputs.errors import InputError

# Granularity of a postcode or boundary code, coarsest first.
KINDS = ("area", "district", "sector", "full")
_RANK = {kind: i for i, kind in enumerate(KINDS)}

# Postcode areas outside the United Kingdom that use UK-style postcodes (Crown dependencies).
CROWN_DEPENDENCY_AREAS = frozenset({"JE", "GY", "IM"})

_AREA = r"[A-PR-UWYZ][A-HK-Y]?"
_DISTRICT = rf"(?:{_AREA}\d[A-Z\d]?)"
_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
_FULL_RE = re.compile(rf"^({_AREA})(\d[A-Z\d]?)(\d)([ABD-HJLNP-UW-Z]{{2}})$")
_DISTRICT_RE = re.compile(rf"^({_AREA})(\d[A-Z\d]?)$")
_SECTOR_RE = re.compile(rf"^({_AREA})(\d[A-Z\d]?) (\d)$")
_AREA_RE = re.compile(rf"^({_AREA})$")
_IN_TEXT_RE = re.compile(rf"(?<![A-Z0-9])({_DISTRICT}) ?({_INWARD})(?![A-Z0-9])")
_SPECIAL_FULL = {"GIR0AA": ("GIR", "GIR 0AA")}

# Irish Eircode: routing key (letter, digit, digit or W) and a four-character unique identifier.
_EIRCODE_RE = re.compile(r"^[ACDEFHKNPRTVWXY]\d[\dW] ?[0-9ACDEFHKNPRTVWXY]{4}$")
_EIRCODE_IN_TEXT_RE = re.compile(
    r"(?<![A-Z0-9])[ACDEFHKNPRTVWXY]\d[\dW] ?[0-9ACDEFHKNPRTVWXY]{4}(?![A-Z0-9])"
)
# Words councils put where a postcode or name should be: these are "not known", never a place.
PLACEHOLDERS = frozenset(
    {
        "", "VARIOUS", "ONETIME", "ONE TIME", "N/A", "NA", "#N/A", "NONE", "NULL", "UNKNOWN",
        "TBC", "TBA", "-", "--", "?", "NOT KNOWN", "REDACTED", "REDACTED PERSONAL DATA", "0",
        "NAN",
    }
)
_FOREIGN_COUNTRIES = (
    "REPUBLIC OF IRELAND", "EIRE", "FRANCE", "GERMANY", "NETHERLANDS", "BELGIUM", "SPAIN",
    "ITALY", "USA", "U.S.A.", "UNITED STATES", "CANADA", "AUSTRALIA", "INDIA", "CHINA",
    "SWITZERLAND", "SWEDEN", "DENMARK", "NORWAY", "LUXEMBOURG", "POLAND", "PORTUGAL",
)


@dataclass(frozen=True)
class Postcode:
    """A UK-format postcode, or a part of one, in normal form.

    Attributes
    ----------
    area : str
        The letters at the start ("BD").
    district : str or None
        The outward code ("BD1", "EC1A"); None when only the area is known.
    sector : str or None
        District, space, first digit of the inward code ("BD1 1"); None when not known.
    full : str or None
        The whole postcode with one space ("BD1 1AA"); None for a part.
    kind : {"area", "district", "sector", "full"}
        How much of the postcode is known.
    in_uk : bool
        False for the Crown dependencies (Jersey JE, Guernsey GY, Isle of Man IM), which use
        UK-style postcodes but are not in the United Kingdom.
    """

    area: str
    district: str | None
    sector: str | None
    full: str | None
    kind: str
    in_uk: bool = True

    @property
    def outward(self) -> str | None:
        """The outward code: the same as :attr:`district`."""
        return self.district

    @property
    def text(self) -> str:
        """The most precise form known ("BD1 1AA", "BD1 1", "BD1" or "BD")."""
        return self.full or self.sector or self.district or self.area

    def code(self, kind: str) -> str | None:
        """Return this postcode's code at granularity ``kind`` (None if finer than known)."""
        return {"area": self.area, "district": self.district, "sector": self.sector,
                "full": self.full}[kind]

    def __str__(self) -> str:
        return self.text


def _clean(text) -> str:
    """Upper-case, trim and collapse inner spaces; '' for None or NaN."""
    if text is None:
        return ""
    if isinstance(text, float) and text != text:  # NaN
        return ""
    return " ".join(str(text).replace("\u00a0", " ").upper().split())


def normalise_postcode(text, partial: bool = True) -> Postcode | None:
    """Return the postcode written in ``text`` in normal form, or None.

    Spaces and case are forgiven ("bd11aa", " BD1  1AA " -> "BD1 1AA"). Nothing else is
    corrected: a letter O for a zero is not guessed.

    Parameters
    ----------
    text : str or None
        The text to read.
    partial : bool, default True
        Also accept an area ("HX"), a district ("BD1") or a sector ("BD7 1").

    Returns
    -------
    Postcode or None
        None when ``text`` is blank, a placeholder such as "VARIOUS", or not in UK format.

    References
    ----------
    ONS Postcode Directory user guide (postcode format).
    """
    clean = _clean(text)
    if clean in PLACEHOLDERS:
        return None
    squashed = clean.replace(" ", "")
    if squashed in _SPECIAL_FULL:
        return Postcode("GIR", "GIR", "GIR 0", "GIR 0AA", "full")
    match = _FULL_RE.match(squashed)
    if match:
        area, rest, digit, letters = match.groups()
        district = area + rest
        return Postcode(area, district, f"{district} {digit}", f"{district} {digit}{letters}",
                        "full", area not in CROWN_DEPENDENCY_AREAS)
    if not partial:
        return None
    for regex, kind in ((_SECTOR_RE, "sector"), (_DISTRICT_RE, "district"), (_AREA_RE, "area")):
        match = regex.match(clean) if kind == "sector" else regex.match(squashed)
        if match:
            area = match.group(1)
            district = area + match.group(2) if kind != "area" else None
            sector = f"{district} {match.group(3)}" if kind == "sector" else None
            return Postcode(area, district, sector, None, kind, area not in CROWN_DEPENDENCY_AREAS)
    return None


def is_uk_postcode(text, partial: bool = False) -> bool:
    """Return whether ``text`` is a UK postcode (a full one unless ``partial``).

    Crown dependency postcodes (JE, GY, IM), Irish Eircodes, blanks and placeholders such as
    "VARIOUS" are not UK postcodes.
    """
    postcode = normalise_postcode(text, partial=partial)
    return postcode is not None and postcode.in_uk


def is_placeholder(text) -> bool:
    """Return whether ``text`` is blank or a placeholder ("VARIOUS", "#N/A", "ONETIME")."""
    return _clean(text) in PLACEHOLDERS


def is_eircode(text) -> bool:
    """Return whether ``text`` is written as an Irish Eircode ("D02 X285", "A65F4E2")."""
    return bool(_EIRCODE_RE.match(_clean(text)))


def outside_uk_reason(text) -> str | None:
    """Return why ``text`` is known to be outside the UK, or None if that is not known.

    Known: an Irish Eircode, a Crown dependency postcode (JE, GY, IM), or text ending with the
    name of a country other than the UK (a full address). Anything else, including an
    unreadable postcode, is not known to be outside the UK.
    """
    clean = _clean(text)
    if not clean or clean in PLACEHOLDERS:
        return None
    postcode = normalise_postcode(clean, partial=False)
    if postcode is not None:
        return None if postcode.in_uk else f"Crown dependency postcode {postcode.full}"
    if _EIRCODE_RE.match(clean):
        return f"Irish Eircode {clean}"
    words = re.sub(r"[^A-Z. ]", " ", clean).split()
    tail = " ".join(words[-3:])
    for country in _FOREIGN_COUNTRIES:
        if tail.endswith(country):
            return f"address in {country.title()}"
    if tail.endswith("IRELAND") and not tail.endswith("NORTHERN IRELAND"):
        return "address in Ireland"
    return None


def find_postcodes_in_text(text) -> list[Postcode]:
    """Return every full UK-format postcode written inside ``text`` (such as a supplier name).

    Used to report a postcode pasted into a supplier's name, which is often the council's own
    premises rather than where the supplier is based: a hint, not a placement.
    """
    clean = _clean(text)
    found = []
    for match in _IN_TEXT_RE.finditer(clean):
        postcode = normalise_postcode(match.group(1) + match.group(2), partial=False)
        if postcode is not None:
            found.append(postcode)
    return found


def parse_codes(codes) -> list[Postcode]:
    """Read boundary codes from a string ("BD1 BD2, HX") or an iterable of codes.

    A sector is written with its space ("BD7 1"); in a single string, a district followed by
    a lone digit is read as a sector. Raises :class:`InputError` naming any code not read.
    """
    if isinstance(codes, str):
        tokens = [t for t in re.split(r"[,;\n]+", codes) if t.strip()]
        items = []
        for token in tokens:
            items.extend(_split_token(token))
    else:
        items = [str(c) for c in codes if _clean(c)]
    parsed, bad = [], []
    for item in items:
        postcode = normalise_postcode(item)
        (parsed if postcode is not None else bad).append(postcode or item)
    if bad:
        raise InputError(
            f"Boundary codes not read as postcode areas, districts, sectors or postcodes: "
            f"{', '.join(repr(b) for b in bad)}. Write areas as 'HX', districts as 'BD1', "
            f"sectors as 'BD7 1', full postcodes as 'BD1 1AA'."
        )
    return parsed


def _split_token(token: str) -> list[str]:
    """Split 'BD1 BD2 BD7 1 HX1 1AA' into codes, keeping sectors and full postcodes whole."""
    words = _clean(token).split()
    out: list[str] = []
    for word in words:
        if out and (re.fullmatch(r"\d", word) or re.fullmatch(_INWARD, word)) and \
                _DISTRICT_RE.match(out[-1]):
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    return out


@dataclass
class PostcodeLookup:
    """Full postcodes mapped to local authority codes, from a file the user supplies.

    Parameters
    ----------
    mapping : dict
        Full postcode in normal form ("BD1 1AA") -> local authority code ("E08000033").
    source : str
        Where the mapping came from, for reports.

    References
    ----------
    ONS Postcode Directory (ONSPD): columns ``pcds`` (postcode) and ``oslaua`` (local
    authority). The National Statistics Postcode Lookup uses ``pcds`` and ``laua``.
    """

    mapping: dict[str, str]
    source: str = "user-supplied lookup"

    POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode", "post code", "pcon_postcode")
    LA_COLUMNS = ("oslaua", "laua", "lad", "lad23cd", "lad24cd", "lad22cd", "ladcd",
                  "local_authority_code", "local authority code", "la_code", "la code",
                  "lacode", "oslaua_code")

    @classmethod
    def from_csv(cls, path, postcode_column: str | None = None,
                 la_column: str | None = None, la_codes: Iterable[str] | None = None
                 ) -> PostcodeLookup:
        """Read a postcode -> local authority CSV (ONSPD or similar).

        Parameters
        ----------
        path : path-like
            The CSV file.
        postcode_column, la_column : str, optional
            Column names, when they are not among the usual ONSPD names.
        la_codes : iterable of str, optional
            Keep only these authorities (saves memory on the 2.6 million-row ONSPD).

        Raises
        ------
        InputError
            When the file has no recognisable postcode or local authority column.
        """
        import pandas as pd

        path = Path(path)
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
        lower = {h.strip().lower(): h for h in header}
        pc_col = postcode_column or next((lower[c] for c in cls.POSTCODE_COLUMNS if c in lower),
                                         None)
        la_col = la_column or next((lower[c] for c in cls.LA_COLUMNS if c in lower), None)
        if pc_col not in header or la_col not in header:
            raise InputError(
                f"{path.name}: postcode lookup needs a postcode column (one of "
                f"{', '.join(cls.POSTCODE_COLUMNS)}) and a local authority column (one of "
                f"{', '.join(cls.LA_COLUMNS)}). Found columns: {', '.join(header)}."
            )
        frame = pd.read_csv(path, usecols=[pc_col, la_col], dtype=str, encoding="utf-8-sig",
                            encoding_errors="replace", keep_default_na=False)
        if la_codes is not None:
            wanted = {c.strip().upper() for c in la_codes}
            frame = frame[frame[la_col].str.strip().str.upper().isin(wanted)]
        keys = frame[pc_col].str.upper().str.replace(r"\s+", "", regex=True)
        keys = keys.str[:-3] + " " + keys.str[-3:]
        return cls(dict(zip(keys, frame[la_col].str.strip().str.upper(), strict=True)),
                   source=path.name)

    @classmethod
    def from_rows(cls, rows: Mapping[str, str] | Iterable[tuple[str, str]],
                  source: str = "given rows") -> PostcodeLookup:
        """Build a lookup from (postcode, local authority code) pairs."""
        items = rows.items() if isinstance(rows, Mapping) else rows
        mapping = {}
        for postcode_text, la_code in items:
            postcode = normalise_postcode(postcode_text, partial=False)
            if postcode is not None:
                mapping[postcode.full] = str(la_code).strip().upper()
        return cls(mapping, source)

    @classmethod
    def from_text(cls, text: str, source: str = "given text") -> PostcodeLookup:
        """Build a lookup from CSV text with a header row (for tests and small examples)."""
        reader = csv.DictReader(io.StringIO(text))
        lower = {h.strip().lower(): h for h in reader.fieldnames or []}
        pc_col = next((lower[c] for c in cls.POSTCODE_COLUMNS if c in lower), None)
        la_col = next((lower[c] for c in cls.LA_COLUMNS if c in lower), None)
        if pc_col is None or la_col is None:
            raise InputError(f"{source}: no postcode or local authority column found.")
        return cls.from_rows(((r[pc_col], r[la_col]) for r in reader), source)

    def la_code(self, postcode: Postcode | str | None) -> str | None:
        """Return the local authority code of a full postcode, or None if not in the lookup."""
        if isinstance(postcode, str) or postcode is None:
            postcode = normalise_postcode(postcode, partial=False)
        if postcode is None or postcode.full is None:
            return None
        return self.mapping.get(postcode.full)

    def __len__(self) -> int:
        return len(self.mapping)


@dataclass(frozen=True)
class Boundary:
    """An area called local (or wider), drawn by postcode codes and/or local authorities.

    Build one with :meth:`from_codes` or :meth:`from_la_codes`. Test a postcode with
    :meth:`contains`, which answers True, False, or None when it cannot say.

    Attributes
    ----------
    name : str
        The boundary's name as results should state it ("Calderdale (HX, OL14, BD13)").
    codes : dict
        Codes by kind: ``{"area": {...}, "district": {...}, "sector": {...}, "full": {...}}``.
    la_codes : frozenset of str
        Local authority codes; used for full postcodes found in ``lookup``.
    lookup : PostcodeLookup or None
        Places full postcodes exactly in a local authority.
    """

    name: str
    codes: dict = field(default_factory=dict, hash=False, compare=False)
    la_codes: frozenset = frozenset()
    lookup: PostcodeLookup | None = field(default=None, hash=False, compare=False)
    level: str = ""
    choices: tuple = field(default=(), hash=False, compare=False)
    distance: Distance | None = None
    directory: object = field(default=None, hash=False, compare=False, repr=False)
    _memo: dict = field(default_factory=dict, hash=False, compare=False, repr=False)

    @property
    def kind(self) -> str:
        """How the boundary is drawn: "authority", "distance" or "postcodes"."""
        if self.directory is not None and self.la_codes:
            return "authority"
        return "distance" if self.distance is not None else "postcodes"

    @property
    def official_codes(self) -> list[str]:
        """The codes as the user chose them (an authority's, or the postcode codes)."""
        if self.choices:
            return [choice.code for choice in self.choices]
        if self.distance is not None:
            return [self.distance.centre]
        return sorted(self.la_codes) + [c for k in KINDS for c in sorted(self.codes.get(k, ()))]

    @property
    def label(self) -> str:
        """The boundary as results state it: for councils, name, codes and directory release.

        Such as "Calderdale (E08000033, ONS Postcode Directory November 2025)".
        """
        if self.kind != "authority":
            return self.name
        from toolkit.inputs.directory import RELEASE

        return f"{self.name} ({', '.join(self.official_codes)}, ONS Postcode Directory {RELEASE})"

    @property
    def notes(self) -> list[str]:
        """What the user should know about how the boundary was chosen (2021 names ...)."""
        return [note for choice in self.choices for note in choice.notes]

    @classmethod
    def from_codes(cls, name: str, codes, la_codes: Iterable[str] = (),
                   lookup: PostcodeLookup | None = None) -> Boundary:
        """Return a boundary drawn by postcode areas, districts, sectors or full postcodes.

        Parameters
        ----------
        name : str
            The boundary's name.
        codes : str or iterable of str
            Mixed codes: areas ("HX"), districts ("BD1": matched whole, so BD1 is not BD10),
            sectors ("BD7 1"), full postcodes ("HX1 1UJ"). A string may separate them by
            spaces or commas ("BD1 BD2, HX").
        la_codes : iterable of str, optional
            Local authority codes ("E08000033"), used with ``lookup``.
        lookup : PostcodeLookup, optional
            An ONSPD-style lookup placing full postcodes in local authorities.

        Raises
        ------
        InputError
            When a code is not a postcode area, district, sector or postcode.
        """
        by_kind: dict[str, set[str]] = {kind: set() for kind in KINDS}
        for postcode in parse_codes(codes):
            by_kind[postcode.kind].add(postcode.text)
        la = frozenset(c.strip().upper() for c in la_codes if c and c.strip())
        if not any(by_kind.values()) and not la:
            raise InputError(f"Boundary {name!r} has no postcode codes or local authorities.")
        if la and lookup is None:
            raise InputError(
                f"Boundary {name!r} names local authorities ({', '.join(sorted(la))}) but no "
                f"postcode lookup file was given to place postcodes in them."
            )
        frozen = {kind: frozenset(values) for kind, values in by_kind.items()}
        return cls(name, frozen, la, lookup)

    def result(self, inside: float, shares: tuple, total: float | None = None) -> dict:
        """Return this boundary's entry in a command's ``boundaries`` list (one shape for all).

        Parameters
        ----------
        inside : float
            Pounds inside the boundary, central figure (cumulative: a county's includes its
            districts).
        shares : (low, central, high)
            Local shares: low counts unknown and partly-local postcodes as not local, high
            counts them local, central counts a partly-local district by its share of
            postcodes inside.
        total : float, optional
            The pounds the shares are of.
        """
        from toolkit.inputs.directory import ATTRIBUTION, PARTIAL_LABEL, RELEASE

        low, central, high = shares
        entry = {"name": self.name, "codes": self.official_codes,
                 "level": self.level or "as given", "kind": self.kind,
                 "description": self.describe(), "inside": inside, "total": total,
                 "share_low": low, "share_central": central, "share_high": high,
                 "partial_label": PARTIAL_LABEL, "boundary_notes": self.notes}
        if self.directory is not None:
            entry["directory_release"] = RELEASE
            entry["attribution"] = ATTRIBUTION
        return entry

    @classmethod
    def from_la_codes(cls, name: str, la_codes: Iterable[str], lookup: PostcodeLookup
                      ) -> Boundary:
        """Return a boundary made of local authorities, placed through ``lookup``."""
        return cls.from_codes(name, [], la_codes=la_codes, lookup=lookup)

    @classmethod
    def from_authorities(cls, names, name: str | None = None, level: str | None = None,
                         directory=None) -> Boundary:
        """Return a boundary made of local authorities named by name or code.

        Parameters
        ----------
        names : str or iterable of str
            Council names or codes ("Calderdale", "E08000033", "Lancashire", "Greater
            Manchester"); a string may separate them with commas or semicolons (or spaces
            between codes).
        name : str, optional
            The boundary's name; default the authorities' official names.
        level : str, optional
            "district", "county", "combined authority" or "region"; default the level of
            what was named (several districts: "districts").
        directory : toolkit.inputs.directory.PostcodeDirectory, optional
            Default the shipped ONS Postcode Directory (its index is cached on first use).

        Raises
        ------
        InputError
            An unknown or ambiguous name, listing the nearest matches.

        References
        ----------
        ONS Postcode Directory (November 2025): each postcode's 2025 district (``laua``).
        """
        from toolkit.inputs.directory import load_authorities, load_directory

        authorities = load_authorities()
        choices = tuple(authorities.choose(item) for item in split_names(names))
        if not choices:
            raise InputError("No local authority was named for the boundary.")
        codes = frozenset(code for choice in choices for code in choice.districts)
        levels = {choice.level for choice in choices}
        chosen_level = level or (levels.pop() if len(levels) == 1 else "districts")
        label = name or " and ".join(choice.name for choice in choices)
        return cls(label, {kind: frozenset() for kind in KINDS}, codes, None, chosen_level,
                   choices, None, directory or load_directory())

    @classmethod
    def within(cls, text: str, centre: str | None = None, name: str | None = None,
               directory=None) -> Boundary:
        """Return "local" as within a distance of a postcode ("5 miles of HX1 1QE").

        Parameters
        ----------
        text : str
            "5 miles", "8 km", or with its centre: "5 miles of HX1 1QE".
        centre : str, optional
            The organisation's own full postcode, when ``text`` does not give it.

        Raises
        ------
        InputError
            An unreadable distance, or a centre with no British grid reference.

        References
        ----------
        ONS Postcode Directory (November 2025): ``oseast1m``/``osnrth1m``, OS National Grid
        metres (Great Britain only; Northern Ireland's are Irish Grid and are not used).
        """
        from toolkit.inputs.directory import load_directory

        directory = directory or load_directory()
        distance = Distance.parse(text, centre, directory)
        return cls(name or distance.describe(), {kind: frozenset() for kind in KINDS},
                   frozenset(), None, "distance", (), distance, directory)

    def prepare(self, texts) -> None:
        """Place many full postcodes at once (a speed-up only; answers are the same)."""
        if self.directory is None:
            return
        fresh = {}
        for text in texts:
            if text not in self._memo:
                postcode = normalise_postcode(text, partial=False)
                if postcode is not None:
                    fresh[text] = postcode
        for text, placement in zip(fresh, self.directory.place_many(list(fresh.values())),
                                   strict=True):
            self._memo[text] = self._share_of_placement(placement)

    def share(self, text) -> float | None:
        """Return how much of the postcode in ``text`` is inside: 1, 0, a share, or None.

        A full postcode is 1 or 0. A district or sector wholly inside or outside is 1 or 0;
        one that straddles the boundary gives the share of its postcodes inside (the
        *share of the district's postcodes, not of its people*). None when it cannot be
        placed; :meth:`reason` says why.
        """
        return self.placement(text)[0]

    def reason(self, text) -> str | None:
        """Return why the postcode in ``text`` cannot be placed, or None when it can."""
        return self.placement(text)[1]

    def placement(self, text) -> tuple[float | None, str | None]:
        """Return ``(share inside, reason when unknown)`` for the postcode in ``text``."""
        key = text.text if isinstance(text, Postcode) else text
        if key in self._memo:
            return self._memo[key]
        postcode = text if isinstance(text, Postcode) else normalise_postcode(text)
        if self.directory is None:
            inside = self.contains(postcode)
            answer = (None if inside is None else float(inside),
                      None if inside is not None else _unknown_reason(text, postcode))
        elif postcode is None:
            answer = (None, _unknown_reason(text, postcode))
        elif postcode.kind == "full":
            answer = self._share_of_placement(self.directory.place(postcode))
        else:
            answer = self._share_of_part(postcode)
        self._memo[key] = answer
        return answer

    def _share_of_placement(self, placement) -> tuple[float | None, str | None]:
        if self.distance is not None:
            if placement.east is None:
                from toolkit.inputs.directory import NO_GRID

                return None, placement.reason or NO_GRID
            return float(self.distance.reaches(placement.east, placement.north)), None
        if placement.code is None:
            return None, placement.reason
        return float(placement.code in self.la_codes), None

    def _share_of_part(self, postcode: Postcode) -> tuple[float | None, str | None]:
        from toolkit.inputs.directory import SOURCE

        if postcode.kind == "area":
            return None, f"only the postcode area {postcode.area} is known: too coarse to place"
        if self.distance is not None:
            east, north, count = self.directory.grid_points(postcode)
            if not east.size:
                return None, (f"{postcode.text} has no postcodes with a British grid reference "
                              f"in the {SOURCE}" if count else f"{postcode.text} is not in the "
                                                                 f"{SOURCE}")
            inside = self.distance.reaches(east, north)
            return float(inside.sum()) / float(east.size), None
        counts = self.directory.counts(postcode)
        total = sum(counts.values())
        if not total:
            return None, f"{postcode.text} is not in the {SOURCE}"
        inside = sum(n for code, n in counts.items() if code in self.la_codes)
        return inside / total, None

    def describe(self) -> str:
        """Return the boundary in words: its name and the codes drawing it."""
        if self.kind == "authority":
            from toolkit.inputs.directory import SOURCE

            chosen = ", ".join(f"{c.name} ({c.code})" for c in self.choices)
            return f"{self.name}: {chosen}, {self.level}, {SOURCE}"
        if self.kind == "distance":
            return self.name
        parts = [code for kind in KINDS for code in sorted(self.codes.get(kind, ()))]
        if self.la_codes:
            parts.append("local authorities " + ", ".join(sorted(self.la_codes)))
        return f"{self.name}: {' '.join(parts)}"

    def contains(self, text) -> bool | None:
        """Return whether the postcode in ``text`` is inside the boundary.

        Returns
        -------
        bool or None
            True inside, False outside, None when ``text`` is blank, not a UK postcode, or
            too coarse to place (the district "BD7" when the boundary takes only "BD7 1").
        """
        if self.directory is not None:
            share = self.share(text)
            return None if share is None or 0.0 < share < 1.0 else bool(share)
        postcode = text if isinstance(text, Postcode) else normalise_postcode(text)
        if postcode is None or not postcode.in_uk:
            return None
        if self.la_codes and postcode.kind == "full":
            la_code = self.lookup.la_code(postcode) if self.lookup else None
            if la_code is not None:
                return la_code in self.la_codes or self._codes_contain(postcode) is True
        by_codes = self._codes_contain(postcode)
        if by_codes is True:
            return True
        if self.la_codes:  # not placed by the lookup: the authorities cannot be ruled out
            return None
        return by_codes

    def _codes_contain(self, postcode: Postcode) -> bool | None:
        """Test ``postcode`` against the codes alone (True, False, or None if too coarse)."""
        rank = _RANK[postcode.kind]
        for kind in KINDS[: rank + 1]:
            if postcode.code(kind) in self.codes.get(kind, ()):
                return True
        for kind in KINDS[rank + 1:]:
            own = postcode.code(postcode.kind)
            if any(_code_within(code, kind, own, postcode.kind)
                   for code in self.codes.get(kind, ())):
                return None
        return False


def split_names(names) -> list[str]:
    """Split council names or codes: "Calderdale; Kirklees", "E08000032 E08000033", a list."""
    if isinstance(names, str):
        parts = [p.strip() for p in re.split(r"[;,\n]+", names) if p.strip()]
        out = []
        for part in parts:
            words = part.split()
            if len(words) > 1 and all(re.fullmatch(r"[EWSNLM]\d{8}", w.upper()) for w in words):
                out.extend(words)
            else:
                out.append(part)
        return out
    return [str(n).strip() for n in names if str(n).strip()]


def _unknown_reason(text, postcode: Postcode | None) -> str:
    """Say why a postcode cannot be placed by its codes."""
    if postcode is None:
        return "blank or not a UK postcode" if not _clean(text) or is_placeholder(text) or \
            normalise_postcode(text) is None else "cannot be placed"
    return f"{postcode.text} is too coarse to place against this boundary"


_MILES = {"mile": 1609.344, "miles": 1609.344, "mi": 1609.344, "km": 1000.0,
          "kilometre": 1000.0, "kilometres": 1000.0, "kilometer": 1000.0,
          "kilometers": 1000.0}
_DISTANCE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*(?:(?:of|from|around)\s+(.+))?$",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Distance:
    """Within ``metres`` of a full postcode's grid point (OS National Grid, Great Britain).

    Attributes
    ----------
    amount, unit : float, str
        As the user gave it ("5", "miles").
    metres : float
    centre : str
        The full postcode measured from.
    east, north : int
        Its grid reference in metres.
    """

    amount: float
    unit: str
    metres: float
    centre: str
    east: int
    north: int

    @classmethod
    def parse(cls, text: str, centre: str | None, directory) -> Distance:
        """Read "5 miles" or "8 km of HX1 1QE" and find the centre's grid reference."""
        match = _DISTANCE_RE.match(str(text or ""))
        unit = match.group(2).lower() if match else ""
        if not match or unit not in _MILES:
            raise InputError(f"Distance {text!r} not read: write it like '5 miles' or '8 km' "
                             f"(optionally '5 miles of HX1 1QE').")
        where = match.group(3) or centre
        postcode = normalise_postcode(where, partial=False) if where else None
        if postcode is None:
            raise InputError(f"Distance {text!r} needs the full postcode it is measured from "
                             f"(such as '5 miles of HX1 1QE'); got {where!r}.")
        placed = directory.place(postcode)
        if placed.east is None:
            raise InputError(f"{postcode.full} has no British grid reference in the ONS "
                             f"Postcode Directory, so no distance can be measured from it.")
        amount = float(match.group(1))
        return cls(amount, unit, amount * _MILES[unit], postcode.full, placed.east,
                   placed.north)

    def reaches(self, east, north):
        """Return whether grid points (scalars or arrays, metres) are within the distance."""
        return (east - self.east) ** 2 + (north - self.north) ** 2 <= self.metres ** 2

    def describe(self) -> str:
        """Such as "within 5 miles of HX1 1QE"."""
        return f"within {self.amount:g} {self.unit} of {self.centre}"


def _code_within(code: str, kind: str, own: str, own_kind: str) -> bool:
    """Return whether a finer boundary ``code`` lies within the coarser postcode ``own``."""
    postcode = normalise_postcode(code)
    return postcode is not None and postcode.code(own_kind) == own


LABELS = ("local", "wider")


class NestedBoundaries:
    """Boundaries inside one another (district, county, region), reported together.

    ``classify`` answers with the first (innermost) boundary containing a postcode, else
    "rest_of_uk", "outside_uk" or "unknown".

    Parameters
    ----------
    boundaries : list of Boundary
        Innermost first.
    labels : list of str, optional
        Labels for the boundaries; default "local", "wider", then the boundaries' names.

    References
    ----------
    METHODS.md §1 (several nested boundaries reported together, as Preston reports Preston and
    Lancashire) and §2 (CLES: inside the boundary, in the region, elsewhere).
    """

    def __init__(self, boundaries: Iterable[Boundary], labels: Iterable[str] | None = None):
        self.boundaries = list(boundaries)
        if not self.boundaries:
            raise InputError("Nested boundaries need at least one boundary.")
        if labels is None:
            labels = [LABELS[i] if i < len(LABELS) else b.name
                      for i, b in enumerate(self.boundaries)]
        self.labels = list(labels)
        if len(self.labels) != len(self.boundaries):
            raise InputError("Give one label per boundary.")

    def shares(self, text) -> list[float | None]:
        """Return the postcode's share inside each boundary, innermost first (None: unknown)."""
        if outside_uk_reason(text):
            return [0.0 for _ in self.boundaries]
        return [b.share(text) for b in self.boundaries]

    def prepare(self, texts) -> None:
        """Place many full postcodes at once in every boundary (a speed-up only)."""
        texts = [t for t in set(texts) if isinstance(t, str)]
        for boundary in self.boundaries:
            boundary.prepare(texts)

    @property
    def categories(self) -> list[str]:
        """Every answer ``classify`` can give, innermost first."""
        return [*self.labels, "rest_of_uk", "outside_uk", "unknown"]

    def classify(self, text) -> str:
        """Return where the postcode in ``text`` lies.

        Returns
        -------
        str
            A boundary label ("local", "wider"), "rest_of_uk", "outside_uk" (Irish Eircode,
            Crown dependency, foreign address) or "unknown" (blank, placeholder, unreadable, or
            too coarse to place).
        """
        if outside_uk_reason(text):
            return "outside_uk"
        postcode = text if isinstance(text, Postcode) else normalise_postcode(text)
        if postcode is None:
            return "unknown"
        for label, boundary in zip(self.labels, self.boundaries, strict=True):
            inside = boundary.contains(postcode)
            if inside is None:
                return "unknown"
            if inside:
                return label
        return "rest_of_uk"
