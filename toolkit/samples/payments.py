"""Synthetic council payments files and supplier lists for the sample authorities.

The files are fictional and say so in their first (title) row. They are deliberately messy in
the ways real councils' files are (see the project's real-data notes and
:mod:`toolkit.spend.read`): title rows above the header, amounts written as text
("£1,234.00"), DD/MM/YYYY dates, credit notes (negative amounts), redacted personal data,
purchase-card rows, personal budgets, a voluntary-sector expense type, a payment to HMRC and to
a pension fund, a postcode pasted into a supplier's name, "Ltd"/"Limited" spelling
differences, suppliers inside and outside the area, and some the supplier list does not place.

References
----------
METHODS.md §2 (council payments files are messy; supplier postcodes rarely included, so a
supplier list the user keeps places suppliers).
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from toolkit.cell_safety import neutral_row
from toolkit.inputs.geography import Boundary, normalise_postcode
from toolkit.samples.places import real_postcode

_FAR_DISTRICTS = ("M1", "B1", "EC1A", "G2", "CF10", "NE1", "S1", "L1", "NG1", "PL1", "AB10",
                  "BT1", "EX1", "CB1", "OX1", "SO14", "LE1", "NR1", "BS1", "LS1", "HX1",
                  "SY1", "DT1", "E8", "BD1")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_TRADES = ("Building Services", "Cleaning", "Catering", "Print", "IT Solutions", "Transport",
           "Care Services", "Electrical", "Landscapes", "Plumbing & Heating", "Consulting",
           "Office Supplies", "Security", "Waste Management", "Engineering", "Roofing",
           "Training", "Legal Services", "Fleet Services", "Scaffolding")
_SURNAMES = ("Ashworth", "Brook", "Crossley", "Dawson", "Ellis", "Firth", "Greenwood",
             "Haigh", "Illingworth", "Jagger", "Kershaw", "Lumb", "Midgley", "Normanton",
             "Oldroyd", "Priestley", "Quarmby", "Riley", "Sutcliffe", "Thornber", "Uttley",
             "Varley", "Whiteley", "Yates")
_EXPENSE_TYPES = ("Private Contractors", "Equipment Furniture And Materials", "Services",
                  "Repairs And Maintenance", "Communications And Computers", "Agency Costs",
                  "Catering", "Printing Stationery And General Office Expenses")


def _random_postcode(rng: random.Random, code: str, inside=()) -> str:
    """Return a real full postcode inside an area, district or sector code.

    The seeded draws pick one of the directory's postcodes in the district (or sector),
    among those in the councils ``inside`` when given (see
    :func:`toolkit.samples.places.real_postcode`).
    """
    postcode = normalise_postcode(code)
    if postcode is None:
        raise ValueError(f"not a postcode code: {code!r}")
    letters = "".join(rng.choice(_INWARD_LETTERS) for _ in range(2))
    number = sum(_INWARD_LETTERS.index(c) * 20 ** i for i, c in enumerate(letters))
    if postcode.kind == "full":
        return postcode.full
    if postcode.kind == "sector":
        return real_postcode(postcode.sector, number, inside)
    district = postcode.district or f"{postcode.area}{rng.randint(1, 9)}"
    return real_postcode(district, number + 400 * rng.randint(0, 9), inside)


def _far_postcode(rng: random.Random, outside: list[Boundary]) -> str:
    """Return a made-up postcode outside every one of ``outside`` boundaries."""
    for _ in range(200):
        candidate = _random_postcode(rng, rng.choice(_FAR_DISTRICTS))
        if all(b.contains(candidate) is False for b in outside):
            return candidate
    raise ValueError("could not find a postcode outside the sample boundaries")


def _suppliers(rng: random.Random, authority_name: str, local: Boundary, wider: Boundary,
               local_codes: list[str], wider_codes: list[str], councils=((), ())
               ) -> list[dict]:
    """Return fictional suppliers: name, postcode, type, and how the sample treats them."""
    local_councils, wider_councils = councils
    place = authority_name.split()[0]
    suppliers = []
    names = set()

    def add(name, postcode, kind, listed=True, weight=1.0, expense=None):
        if name in names:
            return
        names.add(name)
        suppliers.append({"name": name, "postcode": postcode, "type": kind, "listed": listed,
                          "weight": weight, "expense": expense})

    for i in range(60):
        surname, trade = rng.choice(_SURNAMES), rng.choice(_TRADES)
        roll = rng.random()
        if roll < 0.45:
            postcode = _random_postcode(rng, rng.choice(local_codes), local_councils)
        elif roll < 0.7:
            postcode = _random_postcode(rng, rng.choice(wider_codes), wider_councils)
        else:
            postcode = _far_postcode(rng, [local, wider])
        kind = rng.choice(("SME", "SME", "SME", "large"))
        listed = i % 9 != 4  # some suppliers are missing from the list: they stay unknown
        add(f"{surname} {trade} Ltd", postcode, kind, listed, rng.uniform(0.3, 3.0))
    for name in (f"{place} Community Transport (fictional)", f"{place} Food Bank Trust",
                 f"{place} Carers Association", f"Friends of {place} Park CIC"):
        add(name, _random_postcode(rng, rng.choice(local_codes), local_councils), "VCSE", True,
            0.6, "Voluntary Associations")
    add(f"{place} Youth Music Society",
        _random_postcode(rng, rng.choice(local_codes), local_councils), "", False, 0.3)
    add("National Care Partnership Limited", _far_postcode(rng, [local, wider]), "large",
        True, 4.0)
    add("Northern Facilities Group plc", _far_postcode(rng, [local, wider]), "large", True, 5.0)
    add("Coastal Software Ltd", "D02 X285", "SME", True, 0.8)  # Irish Eircode: outside the UK
    return suppliers


def write_sample_payments(out_dir, authority_id: str, authority_name: str,
                          local_codes: list[str], wider_codes: list[str], seed: int,
                          councils=((), ())) -> tuple[Path, Path]:
    """Write a fictional, realistically messy payments file and supplier list.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created if absent).
    authority_id, authority_name : str
        The sample authority ("calderdale", "Calderdale").
    local_codes, wider_codes : list of str
        Postcode areas, districts or sectors of the local and wider boundaries.
    seed : int
        Random seed: the same seed writes the same files.
    councils : (list of str, list of str), optional
        The local and wider boundaries' council codes: suppliers said to be local (or in the
        wider area) get real postcodes of the districts above placed in those councils.

    Returns
    -------
    (payments_path, suppliers_path) : tuple of Path
        ``<id>_payments_sample.csv`` and ``<id>_suppliers_sample.csv``.

    References
    ----------
    METHODS.md §2 (council payments files; supplier lists).
    """
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    local = Boundary.from_codes("local", local_codes)
    wider = Boundary.from_codes("wider", wider_codes)
    suppliers = _suppliers(rng, authority_name, local, wider, list(local_codes),
                           list(wider_codes), councils)
    payments_path = out_dir / f"{authority_id}_payments_sample.csv"
    suppliers_path = out_dir / f"{authority_id}_suppliers_sample.csv"
    rows = _payment_rows(rng, suppliers, authority_name, list(local_codes), councils[0])
    with open(payments_path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)  # rows through neutral_row: no cell starts a formula
        writer.writerow([f"{authority_name} Council: payments over £500, April to June "
                         f"(FICTIONAL sample made by the Keep It Local toolkit, not real data)"])
        writer.writerow(["Published under the Local Government Transparency Code (sample)"])
        writer.writerow([])
        writer.writerow(["Body Name", "Payment Date", "Transaction Number", "Net Amount",
                         "Supplier Name", "Supplier ID", "Expense Type", "Service Area"])
        writer.writerows(neutral_row(row) for row in rows)
    with open(suppliers_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "postcode", "type"])
        for supplier in suppliers:
            if supplier["listed"]:
                writer.writerow(neutral_row([supplier["name"].replace(" Ltd", " Limited", 1)
                                             if rng.random() < 0.3 else supplier["name"],
                                             supplier["postcode"], supplier["type"]]))
    return payments_path, suppliers_path


def _money_text(rng: random.Random, pence: int) -> str:
    """Write pence as councils do: "£1,234.00", "1234.00" or "1,234.00"."""
    pounds = f"{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
    sign = "-" if pence < 0 else ""
    style = rng.random()
    if style < 0.4:
        return f"{sign}£{pounds}"
    if style < 0.7:
        return f"{sign}{pounds}"
    return f"{sign}{pounds.replace(',', '')}"


def _payment_rows(rng: random.Random, suppliers: list[dict], authority_name: str,
                  local_codes: list[str], local_councils=()) -> list[list[str]]:
    """Return the payment rows: ordinary payments plus each kind of mess, in date order."""
    body = f"{authority_name} Council (fictional)"
    start = date(2024, 4, 1)
    rows: list[tuple] = []
    weights = [s["weight"] for s in suppliers]
    ids = {s["name"]: f"S{10000 + i}" for i, s in enumerate(suppliers)}
    chosen = suppliers + rng.choices(suppliers, weights, k=420 - len(suppliers))
    for supplier in chosen:  # every supplier at least once
        pence = int(rng.lognormvariate(8.0, 1.1) * 100) + 50000
        expense = supplier["expense"] or rng.choice(_EXPENSE_TYPES)
        rows.append((rng.randint(0, 90), pence, supplier["name"], ids[supplier["name"]],
                     expense, rng.choice(("Adults", "Children", "Highways", "Corporate"))))
    for _ in range(6):  # credit notes
        supplier = rng.choice(suppliers[:20])
        rows.append((rng.randint(0, 90), -rng.randint(50000, 300000), supplier["name"],
                     ids[supplier["name"]], "Private Contractors", "Corporate"))
    for _ in range(25):  # redacted personal data
        rows.append((rng.randint(0, 90), rng.randint(50000, 250000), "REDACTED PERSONAL DATA",
                     "", "Foster Payments", "Children"))
    for merchant in ("AMAZON MARKETPLACE", "TRAINLINE", "TESCO STORES"):  # purchase cards
        rows.append((rng.randint(0, 90), rng.randint(50100, 90000), merchant, "",
                     "Purchase Card", "Corporate"))
    for _ in range(3):
        rows.append((rng.randint(0, 90), rng.randint(500000, 2000000),
                     "Direct Payments - Adults", "", "Personal Budgets", "Adults"))
    rows.append((20, 1254300, "HM Revenue & Customs", "S90001", "Tax", "Corporate"))
    rows.append((21, 8812000, "West Riding Pension Fund (fictional)", "S90002",
                 "Pension Contributions", "Corporate"))
    rows.append((22, 3400000, f"{authority_name} and District NHS Foundation Trust (fictional)",
                 "S90003", "Contributions To Other Bodies", "Adults"))
    premises = _random_postcode(rng, rng.choice(local_codes), local_councils)
    rows.append((30, 120000, f"Town Hall Catering Services {premises}", "S90004", "Catering",
                 "Corporate"))
    rows.append((31, 98000, "VARIOUS", "", "Miscellaneous Expenses", "Corporate"))
    rows.sort(key=lambda r: (r[0], r[2]))
    out = []
    for number, (day, pence, name, supplier_id, expense, service) in enumerate(rows, start=1):
        when = start + timedelta(days=day)
        out.append([body, when.strftime("%d/%m/%Y"), f"TX{number:06d}", _money_text(rng, pence),
                    name, supplier_id, expense, service])
    return out

