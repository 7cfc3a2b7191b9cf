"""Seeded generator of the fictional sample data under ``data/samples/``.

The six Keep it Local pilot authorities (Bradford, Bristol, Calderdale, Dorset, Hackney,
Shropshire) are real: their names and ONS codes are real, the registry's boundaries are the
councils themselves (and a wider area as a list of councils), placed with the ONS Postcode
Directory, and suppliers' postcodes are real ones picked from it. Staff home districts come
from postcode districts near each council, so some straddle its boundary (partly local).
Every organisation, person and figure in the sample workbooks is made up, and marked
fictional.
Run ``keepitlocal samples`` to make them again; the same seed gives the same files.

The samples vary as real ones do: sizes from about £60,000 to £2m a year, different mixes
of contracts, grants, trading and donations, thin reserves, a survey with few responses, a
missing optional sheet, two financial years for some organisations, and tenants in some
organisations' buildings. Deliberately broken workbooks go to ``broken/`` for tests and
for the course.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml

from toolkit.inputs.registry import slugify
from toolkit.inputs.schema import PAY_BANDS, SPENDING_CATEGORIES, TENANT_SECTORS
from toolkit.inputs.workbook import write_workbook
from toolkit.samples import DEFAULT_SEED
from toolkit.samples.places import real_postcode

FINANCIAL_YEARS = ("2023-24", "2024-25")


@dataclass(frozen=True)
class SampleAuthority:
    """A real pilot authority with fictional anchors."""

    id: str
    name: str
    ons_code: str
    london: bool
    local_name: str
    local: tuple[str, ...]
    wider_name: str
    wider: tuple[str, ...]
    anchors: tuple[str, ...]
    wider_councils: tuple[str, ...] = ()
    wider_level: str = "county"


def _districts(area: str, numbers) -> tuple[str, ...]:
    return tuple(f"{area}{n}" for n in numbers)


# Wider boundaries as lists of 2025 council codes (ONS): West Yorkshire's five districts; the
# West of England combined authority's three councils; Dorset (BCP and Dorset); Greater
# London's 33 (City of London E09000001 and the boroughs); Shropshire with Telford and Wrekin.
WEST_YORKSHIRE = ("E08000032", "E08000033", "E08000034", "E08000035", "E08000036")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


AUTHORITIES = (
    SampleAuthority(
        "bradford", "Bradford", "E08000032", False, "Bradford district",
        _districts("BD", [*range(1, 19), 20, 21, 22]) + ("LS29",),
        "West Yorkshire", ("BD", "HX", "HD", "LS", "WF"),
        ("Manningham Community Trust", "Keighley Valley Partnership",
         "Holme Wood Neighbourhood Centre", "Shipley Riverside Development Trust"),
        WEST_YORKSHIRE, "combined authority",
    ),
    SampleAuthority(
        "bristol", "Bristol", "E06000023", False, "City of Bristol",
        _districts("BS", [*range(1, 12), 13, 14, 15, 16]),
        "West of England", ("BS", "BA"),
        ("Easton Community Works", "Knowle West Settlement", "Southmead Development Trust"),
        ("E06000022", "E06000023", "E06000025"), "combined authority",
    ),
    SampleAuthority(
        "calderdale", "Calderdale", "E08000033", False, "Calderdale",
        _districts("HX", range(1, 8)) + ("HD6", "OL14"),
        "West Yorkshire", ("BD", "HX", "HD", "LS", "WF", "OL14"),
        ("Halifax Northgate Centre", "Todmorden Hillside Trust", "Brighouse Canal Community",
         "Sowerby Bridge Hub"),
        WEST_YORKSHIRE, "combined authority",
    ),
    SampleAuthority(
        "dorset", "Dorset", "E06000059", False, "Dorset Council area",
        _districts("DT", range(1, 12)) + ("BH16", "BH18", "BH19", "BH20", "BH21", "BH31",
                                          "SP7", "SP8"),
        "Dorset county", ("DT", "BH", "SP7", "SP8"),
        ("Bridport Harbour Community Trust", "Portland Stone Partnership",
         "Blandford Vale Community Hub"),
        ("E06000058", "E06000059"), "county",
    ),
    SampleAuthority(
        "hackney", "Hackney", "E09000012", True, "London Borough of Hackney",
        ("E2", "E5", "E8", "E9", "N1", "N16"),
        "London", ("E", "EC", "N", "NW", "SE", "SW", "W", "WC"),
        ("Dalston Lane Settlement", "Homerton Community Association",
         "Stamford Hill Neighbourhood Trust", "Hoxton Street Collective",
         "Clapton Common Centre"),
        tuple(f"E0900{n:04d}" for n in range(1, 34)), "region",
    ),
    SampleAuthority(
        "shropshire", "Shropshire", "E06000051", False, "Shropshire Council area",
        _districts("SY", range(1, 14)) + ("TF9", "TF11", "TF12", "TF13", "WV15", "WV16",
                                          "DY14"),
        "Shropshire and Telford", ("SY", "TF", "WV15", "WV16", "DY14"),
        ("Ludlow Market Community Trust", "Oswestry Borderland Centre",
         "Bishop's Castle Community Hub"),
        ("E06000051", "E06000020"), "county",
    ),
)

NON_LOCAL_POSTCODES = ("M1 1AE", "B1 1BB", "EC1A 1BB", "LS1 4DY", "NE1 4ST", "RG1 1AF",
                       "MK9 2AH", "CF10 1EP", "G2 1DY", "SO14 3TL", "NG1 5FW", "D02 X285")
NATIONAL_SUPPLIERS = ("Brightstar Office Supplies Ltd", "Northern Utilities plc",
                      "Nationwide Facilities Services Ltd", "CloudDesk Software Ltd",
                      "Albion Insurance Group plc", "Swift Print Solutions Ltd",
                      "Fleet Lease UK Ltd", "Catering Wholesale Direct Ltd")
LOCAL_SUPPLIER_STEMS = ("Bakery", "Builders", "Print Shop", "Garage", "Cleaning Co-operative",
                        "Accountants", "Grocers", "Joinery", "IT Support", "Community Catering",
                        "Youth Theatre CIC", "Food Bank")
ROLES = ("Centre manager", "Youth worker", "Community development worker", "Finance officer",
         "Cafe assistant", "Caretaker", "Receptionist", "Advice worker", "Project coordinator",
         "Cleaner", "Activities coordinator")
#: Income types the sample organisations mark as funding their outcomes (SROI inputs).
SROI_FUNDING_TYPES = ("public contract", "public grant", "other grant")
OUTCOMES = (
    ("Young people with improved confidence", "Young people", 1800.0, 2022),
    ("Residents moved into employment", "Unemployed residents", 9000.0, 2021),
    ("Older people less isolated", "Older residents", 1200.0, 2022),
    ("Families with improved food security", "Families", 600.0, 2023),
)


def _income(rng: random.Random, size: float, authority: SampleAuthority) -> list[dict]:
    council = f"{authority.name} Council"
    mixes = [("public contract", council, "Community services contract"),
             ("public contract", "NHS Integrated Care Board (fictional)", "Social prescribing"),
             ("public grant", council, "Neighbourhood grant"),
             ("other grant", "National Lottery Community Fund", "Reaching Communities grant"),
             ("other grant", "Local Community Foundation (fictional)", "Small grants"),
             ("trading", "Room hire customers", "Room hire"),
             ("trading", "Cafe customers", "Cafe sales"),
             ("donations", "Individual donors", "Donations"),
             ("investment", "Bank", "Interest")]
    rng.shuffle(mixes)
    chosen = mixes[: rng.randint(4, 8)]
    weights = [rng.uniform(0.2, 1.0) * (3 if t == "public contract" else 1) for t, _, _ in chosen]
    total = sum(weights)
    rows = [{"source": src, "payer": payer, "type": typ, "amount": round(size * w / total, 2),
             "in_lm3": True, "in_sroi": typ in SROI_FUNDING_TYPES}
            for (typ, payer, src), w in zip(chosen, weights, strict=True)]
    return rows


def _suppliers(rng: random.Random, authority: SampleAuthority, spend: float) -> list[dict]:
    town = authority.name
    rows = []
    count = rng.randint(12, 30)
    for index in range(count):
        local = rng.random() < rng.uniform(0.35, 0.75)
        if local:
            name = f"{town} {rng.choice(LOCAL_SUPPLIER_STEMS)} {index + 1} (fictional)"
            district = rng.choice(authority.local)
            draws = (rng.randint(1, 9), rng.choice(INWARD_LETTERS), rng.choice(INWARD_LETTERS))
            postcode = real_postcode(district, _number(draws), [authority.ons_code])
        else:
            name = f"{rng.choice(NATIONAL_SUPPLIERS)} (fictional)"
            postcode = rng.choice(NON_LOCAL_POSTCODES)
        if rng.random() < 0.08:
            postcode = None  # location not known: counted as unknown, never guessed
        rows.append({"supplier": name, "supplier_postcode": postcode,
                     "category": rng.choice(SPENDING_CATEGORIES), "amount": 0.0})
    weights = [rng.paretovariate(1.5) for _ in rows]
    for row, weight in zip(rows, weights, strict=True):
        row["amount"] = round(spend * weight / sum(weights), 2)
    if rng.random() < 0.5:
        rows.append({"supplier": rows[0]["supplier"], "supplier_postcode":
                     rows[0]["supplier_postcode"], "category": rows[0]["category"],
                     "amount": -round(rows[0]["amount"] * 0.05, 2)})  # a refund
    return rows


def _number(draws) -> int:
    """Turn the draws that once made up an inward code into one number (picks a postcode)."""
    digit, first, second = draws
    return (digit * 20 + INWARD_LETTERS.index(first)) * 20 + INWARD_LETTERS.index(second)


def _staff(rng: random.Random, authority: SampleAuthority, pay_budget: float) -> list[dict]:
    rows, spent = [], 0.0
    while spent < pay_budget:
        fte = rng.choice((1.0, 1.0, 0.8, 0.6, 0.5, 0.4))
        salary = rng.uniform(21000, 42000)
        local = rng.random() < 0.7
        district = rng.choice(authority.local) if local else rng.choice(
            ("LS6", "M20", "S10", "WF1", "HD1", "BA1", "GL1", "BH1", "E17", "TF1", "SY14"))
        pay = round(min(salary * fte, pay_budget - spent + 500), 2)
        rows.append({"role": rng.choice(ROLES), "fte": fte, "gross_pay": max(pay, 6000.0),
                     "home_district": district, "living_wage": rng.random() < 0.85})
        spent += max(pay, 6000.0)
    return rows


def _band(pay: float) -> str:
    limits = (10000, 20000, 30000, 40000, 50000)
    for band, limit in zip(PAY_BANDS, limits, strict=False):
        if pay < limit:
            return band
    return PAY_BANDS[-1]


def _staff_survey(rng: random.Random, staff: list[dict], thin: bool) -> list[dict]:
    count = rng.randint(2, 3) if thin else max(5, int(len(staff) * rng.uniform(0.5, 0.9)))
    chosen = [rng.choice(staff) for _ in range(min(count, max(len(staff), count)))]
    return [{"pay_band": _band(s["gross_pay"] / max(s["fte"], 0.1) * s["fte"]),
             "local_share": round(rng.betavariate(5, 3), 2)} for s in chosen]


def _supplier_survey(rng: random.Random, spending: list[dict],
                     authority: SampleAuthority) -> list[dict]:
    local = [s for s in spending
             if s["supplier_postcode"] and s["supplier_postcode"].split()[0] in authority.local
             and s["amount"] > 0]
    names = sorted({s["supplier"] for s in local})
    rng.shuffle(names)
    return [{"supplier": n, "local_share": round(rng.betavariate(4, 4), 2)}
            for n in names[: rng.randint(2, max(2, len(names)))]]


def _outcomes(rng: random.Random) -> list[dict]:
    rows = []
    for outcome, stakeholder, value, year in rng.sample(OUTCOMES, rng.randint(2, 4)):
        rows.append({"outcome": outcome, "stakeholder": stakeholder,
                     "quantity": float(rng.randint(10, 120)), "value": value, "price_year": year,
                     "deadweight": round(rng.uniform(0.1, 0.4), 2),
                     "displacement": round(rng.uniform(0, 0.1), 2),
                     "attribution": round(rng.uniform(0.1, 0.35), 2),
                     "drop_off": round(rng.uniform(0.2, 0.5), 2),
                     "benefit_period": rng.randint(1, 3)})
    return rows


def _tenants(rng: random.Random, authority: SampleAuthority) -> tuple[list[dict], list[dict]]:
    tenants = []
    for index in range(rng.randint(2, 6)):
        known_gva = rng.random() < 0.3
        turnover = round(rng.uniform(40000, 600000), 2)
        tenants.append({"organisation": f"Tenant {index + 1} of {authority.name} (fictional)",
                        "sector": rng.choice(TENANT_SECTORS),
                        "fte": round(rng.uniform(1, 12), 1),
                        "turnover": None if known_gva else turnover,
                        "gva": round(turnover * 0.45, 2) if known_gva else None,
                        "local": rng.random() < 0.8})
    assets = [{"asset": "Main community building", "floor_area": float(rng.randint(300, 2500)),
               "hours_in_use": float(rng.randint(40, 80)),
               "visits": float(rng.randint(5000, 60000))}]
    return tenants, assets


def organisation_tables(rng: random.Random, authority: SampleAuthority, name: str,
                        org_id: str, year: str, profile: dict) -> dict[str, list[dict]]:
    """Return the tables of one fictional organisation's workbook for one year.

    Parameters
    ----------
    rng : random.Random
        Seeded generator.
    authority : SampleAuthority
    name, org_id, year : str
    profile : dict
        ``size`` (income, £), ``thin_reserves``, ``thin_survey``, ``tenants`` flags.
    """
    size = profile["size"]
    income = _income(rng, size, authority)
    total_income = sum(r["amount"] for r in income)
    expenditure = total_income * rng.uniform(0.93, 1.04)
    staff_share = rng.uniform(0.5, 0.7)
    staff = _staff(rng, authority, expenditure * staff_share / 1.12)
    staff_costs = round(sum(s["gross_pay"] for s in staff) * 1.12, 2)
    spending = _suppliers(rng, authority, max(expenditure - staff_costs, size * 0.1))
    expenditure = round(sum(s["amount"] for s in spending) + staff_costs, 2)
    months = rng.uniform(0.8, 2.0) if profile["thin_reserves"] else rng.uniform(3.5, 9)
    fixed = round(size * rng.uniform(0.2, 1.2), 2) if profile["tenants"] else round(
        size * rng.uniform(0, 0.3), 2)
    designated = round(expenditure * rng.uniform(0, 0.05), 2)
    unrestricted = round(expenditure / 12 * months + fixed + designated, 2)
    restricted = round(total_income * rng.uniform(0.02, 0.2), 2)
    tables = {
        "about": [{"name": name, "org_id": org_id, "la_code": authority.ons_code,
                   "financial_year": year, "fictional": True,
                   "postcode": real_postcode(authority.local[len(name) % len(authority.local)],
                                             sum(map(ord, org_id)), [authority.ons_code])}],
        "income": income,
        "spending": spending,
        "staff": staff,
        "staff_survey": _staff_survey(rng, staff, profile["thin_survey"]),
        "supplier_survey": _supplier_survey(rng, spending, authority),
        "volunteers": [{"activity": a, "hours": float(rng.randint(100, 3000)),
                        "hourly_wage": w}
                       for a, w in rng.sample([("Befriending", None), ("Cafe", 12.60),
                                               ("Trustee board", None),
                                               ("Youth club", 13.0)], 2)],
        "outcomes": _outcomes(rng),
        "balance": [{"total_income": round(total_income, 2), "total_expenditure": expenditure,
                     "staff_costs": staff_costs, "unrestricted_funds": unrestricted,
                     "designated_funds": designated, "fixed_assets_own_use": fixed,
                     "designated_hold_fixed_assets": False,
                     "restricted_funds": restricted,
                     "net_assets": round(unrestricted + restricted, 2)}],
    }
    if profile["tenants"]:
        tables["tenants"], tables["assets"] = _tenants(rng, authority)
    return tables


def _drop_sheet(path: Path, sheet: str) -> None:
    book = openpyxl.load_workbook(path)
    del book[sheet]
    book.save(path)


def _profile(rng: random.Random, index: int) -> dict:
    return {"size": rng.choice((60_000, 150_000, 320_000, 650_000, 1_200_000, 2_000_000))
            * rng.uniform(0.85, 1.15),
            "thin_reserves": index == 1, "thin_survey": index == 2,
            "tenants": index in (0, 3), "drop_survey": index == 3,
            "years": FINANCIAL_YEARS if index == 0 else FINANCIAL_YEARS[-1:]}


def write_samples(out: str | Path, seed: int = DEFAULT_SEED) -> Path:
    """Write every sample workbook, payments file and the registry under ``out``.

    Parameters
    ----------
    out : path-like
        The samples folder (``data/samples``).
    seed : int
        Random seed; the same seed makes the same files.

    Returns
    -------
    Path
        The registry file written.
    """
    out = Path(out)
    rng = random.Random(seed)
    registry = {"fictional": True,
                "note": "Real authorities with fictional organisations and figures, made by "
                        "'keepitlocal samples'. Boundaries are councils by their ONS codes, "
                        "placed with the ONS Postcode Directory (November 2025); suppliers' "
                        "postcodes are real ones picked from it. A boundary can also be a "
                        "list of postcode districts (postcodes: [HX1, HX2]).",
                "authorities": []}
    for authority in AUTHORITIES:
        folder = out / authority.id
        folder.mkdir(parents=True, exist_ok=True)
        organisations = []
        for index, name in enumerate(authority.anchors):
            org_id = slugify(name)
            profile = _profile(rng, index)
            books = []
            for year in profile["years"]:
                path = folder / f"{org_id}_{year}.xlsx"
                write_workbook(path, organisation_tables(
                    rng, authority, f"{name} (fictional)", org_id, year, profile))
                if profile["drop_survey"]:
                    _drop_sheet(path, "Supplier survey")
                books.append(f"{authority.id}/{path.name}")
            organisations.append({"id": org_id, "workbooks": books})
        entry = {"id": authority.id, "name": authority.name, "ons_code": authority.ons_code,
                 "london": authority.london,
                 "boundaries": [{"name": authority.local_name,
                                 "local_authorities": [authority.ons_code],
                                 "level": "district"},
                                {"name": authority.wider_name,
                                 "local_authorities": list(authority.wider_councils),
                                 "level": authority.wider_level}],
                 "organisations": organisations}
        entry.update(_payments(folder, authority, rng.randint(0, 10**6)))
        registry["authorities"].append(entry)
    registry_path = out / "authorities.yml"
    header = ("# Sample authority registry: made by 'keepitlocal samples'. "
              "All organisations are fictional.\n")
    registry_path.write_text(header + yaml.safe_dump(registry, sort_keys=False, width=100,
                                                      default_flow_style=None),
                             encoding="utf-8")
    write_broken(out / "broken", rng)
    return registry_path


def _payments(folder: Path, authority: SampleAuthority, seed: int) -> dict:
    """Write the authority's synthetic payments file and supplier list.

    Returns the registry keys pointing at them (none if the spend module is absent).
    """
    try:
        from toolkit.samples.payments import write_sample_payments
    except ImportError:
        return {}
    payments, suppliers = write_sample_payments(
        folder, authority.id, authority.name, list(authority.local), list(authority.wider),
        seed, councils=([authority.ons_code], list(authority.wider_councils)))
    return {"spending_files": [f"{authority.id}/{Path(payments).name}"],
            "supplier_list": f"{authority.id}/{Path(suppliers).name}"}


BROKEN = {
    "missing-sheet.xlsx": "The Income sheet has been deleted.",
    "text-in-numbers.xlsx": "An amount reads 'about £500' and an FTE reads 'lots'.",
    "impossible-percentages.xlsx": "A staff survey answer of 150% and a deadweight of 120%.",
    "renamed-columns.xlsx": "The Spending sheet's 'Amount (£)' column was renamed 'Value' and "
                            "its columns reordered.",
    "negative-income.xlsx": "A negative income amount and a local authority code that is not "
                            "an ONS code.",
    "merged-cells.xlsx": "Two staff rows have merged cells in the Role column.",
    "not-a-workbook.xlsx": "A text file named .xlsx.",
}


def write_broken(folder: Path, rng: random.Random) -> None:
    """Write deliberately broken workbooks, each with one kind of mistake, and a README."""
    folder.mkdir(parents=True, exist_ok=True)
    authority = AUTHORITIES[0]
    profile = {"size": 200_000.0, "thin_reserves": False, "thin_survey": False,
               "tenants": False}
    base = organisation_tables(rng, authority, "Broken Example Trust (fictional)",
                               "broken-example-trust", "2024-25", profile)
    for name in BROKEN:
        path = folder / name
        if name == "not-a-workbook.xlsx":
            path.write_text("This is not a spreadsheet.\n", encoding="utf-8")
            continue
        write_workbook(path, base)
        book = openpyxl.load_workbook(path)
        _break(name, book)
        book.save(path)
    lines = ["# Deliberately broken workbooks", "",
             "Each file has one kind of mistake, for tests and for the course's exercises on "
             "`keepitlocal check`. All figures are fictional.", ""]
    lines += [f"- `{name}`: {what}" for name, what in BROKEN.items()]
    (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _break(name: str, book) -> None:
    if name == "missing-sheet.xlsx":
        del book["Income"]
    elif name == "text-in-numbers.xlsx":
        book["Spending"]["D3"] = "about £500"
        book["Staff"]["B2"] = "lots"
    elif name == "impossible-percentages.xlsx":
        book["Staff survey"]["B2"] = "150%"
        book["Outcomes"]["G2"] = 1.2
    elif name == "renamed-columns.xlsx":
        sheet = book["Spending"]
        sheet["D1"] = "Value"
        sheet.move_range("A1:A200", cols=5)
        sheet.delete_cols(1)
    elif name == "negative-income.xlsx":
        book["Income"]["D2"] = -5000
        book["About"]["C2"] = "Bradford"
    elif name == "merged-cells.xlsx":
        book["Staff"].merge_cells("A2:A3")
