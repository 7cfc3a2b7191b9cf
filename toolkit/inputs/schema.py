"""The organisation workbook's tables: one definition used to write, read and check them.

Every sheet of the workbook (and every CSV file of its folder twin) is described here
once. The template writer, the reader and the checks all take their column names,
kinds and allowed values from this module, so they cannot drift apart.

Column kinds
------------
``text``      free text, stripped.
``id``        short identifier, stripped.
``money``     pounds; accepts ``1234.5``, ``"£1,234.50"``; stored as float pounds.
``number``    any real number (FTE, hours, quantities).
``integer``   whole number (years).
``percent``   a share; stored as a fraction from 0 to 1 (see ``toolkit.inputs.cells``).
``yesno``     "yes"/"no" (also y/n, true/false, 1/0); stored as bool.
``choice``    one of ``choices``.
``district``  a UK postcode district (outward code); a full postcode is cut to it.
``postcode``  a UK postcode, full or partial, normalised; kept as written when not UK.
``year``      a year such as 2024.
``fyear``     a financial year such as "2024-25".
"""

from __future__ import annotations

from dataclasses import dataclass, field

INCOME_TYPES = (
    "public contract",
    "public grant",
    "other grant",
    "trading",
    "donations",
    "investment",
)

#: Income types that come from many payers, so are never treated as one payer in HHI.
MANY_PAYER_INCOME_TYPES = ("trading", "donations")

SPENDING_CATEGORIES = (
    "premises",
    "utilities",
    "food and catering",
    "professional services",
    "IT and telecoms",
    "equipment and supplies",
    "transport",
    "marketing and printing",
    "insurance",
    "training",
    "subcontracted services",
    "grants to local groups",
    "other",
)

PAY_BANDS = (
    "under £10,000",
    "£10,000 to £19,999",
    "£20,000 to £29,999",
    "£30,000 to £39,999",
    "£40,000 to £49,999",
    "£50,000 or more",
)

#: Midpoint of each pay band in pounds, used to weight staff survey replies (METHODS §1).
#: The open-ended top band is given the midpoint of £50,000 to £70,000: an assumption,
#: shown in every pack's assumptions table through ``toolkit.inputs.settings``.
PAY_BAND_MIDPOINTS = {
    "under £10,000": 5_000.0,
    "£10,000 to £19,999": 15_000.0,
    "£20,000 to £29,999": 25_000.0,
    "£30,000 to £39,999": 35_000.0,
    "£40,000 to £49,999": 45_000.0,
    "£50,000 or more": 60_000.0,
}

TENANT_SECTORS = (
    "health and social care",
    "education",
    "arts and culture",
    "retail",
    "food and hospitality",
    "professional services",
    "charity and community",
    "creative and digital",
    "manufacturing and crafts",
    "other",
)


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    key : str
        Name used in code and in the pandas table.
    header : str
        Header written in row 1 of the sheet (units inside it, such as "Amount (£)").
    kind : str
        One of the kinds listed in the module docstring.
    required : bool
        Whether every data row must give a value.
    help : str
        One line for the instructions sheet and for error messages.
    choices : tuple of str
        Allowed values for ``choice`` columns (matched without regard to case).
    minimum, maximum : float or None
        Bounds for numeric kinds; ``None`` for no bound.
    aliases : tuple of str
        Other header texts accepted on reading (renamed columns).
    free_text : bool
        Whether people describe things here in their own words (an activity, an outcome):
        full postcodes, emails and phone numbers typed here are taken out on reading
        (:mod:`toolkit.inputs.personal`).
    """

    key: str
    header: str
    kind: str
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    free_text: bool = False


@dataclass(frozen=True)
class Table:
    """One sheet of the workbook.

    Parameters
    ----------
    key : str
        Name used in code, and the CSV file's stem in a CSV folder (``income.csv``).
    sheet : str
        Sheet name in the Excel workbook.
    columns : tuple of Column
    required : bool
        Whether the sheet must be present. Optional sheets may be absent; the measures
        that need them are then marked "not evidenced".
    single_row : bool
        Whether the table holds exactly one data row (about, balance).
    help : str
        What the sheet is for, in plain English, for the instructions sheet.
    personal : bool
        Whether each row is about one person (staff, staff survey): messages about its
        cells name the cell, never its content.
    """

    key: str
    sheet: str
    columns: tuple[Column, ...]
    required: bool = True
    single_row: bool = False
    help: str = ""
    example: tuple[tuple, ...] = field(default=())
    personal: bool = False

    def column(self, key: str) -> Column:
        """Return the column whose key is ``key``."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"table {self.key!r} has no column {key!r}")

    @property
    def keys(self) -> list[str]:
        """Column keys in sheet order."""
        return [col.key for col in self.columns]


PCT = {"minimum": 0.0, "maximum": 1.0}

TABLES: tuple[Table, ...] = (
    Table(
        "about",
        "About",
        (
            Column("name", "Organisation name", "text", help="Your organisation's name."),
            Column("org_id", "Organisation id", "id",
                   help="A short id with no spaces, such as 'manningham-trust'."),
            Column("la_code", "Local authority code", "id",
                   help="The ONS code of the council area you mainly work in, such as E08000032."),
            Column("financial_year", "Financial year", "fyear",
                   help="The year these figures cover, such as 2024-25."),
            Column("fictional", "Fictional sample (yes/no)", "yesno", required=False,
                   help="'yes' only for made-up training data."),
            Column("take_home_share", "Take-home pay as a share of gross pay (%)", "percent",
                   required=False, minimum=0.0, maximum=1.0,
                   help="From your payroll: the year's net pay over gross pay. Blank uses "
                        "the assumed setting."),
            Column("postcode", "Your postcode", "postcode", required=False,
                   help="Your main premises' full postcode, such as HX1 1QE: used when local "
                        "is a distance from you."),
        ),
        single_row=True,
        help="Who you are and which year this workbook describes. One row.",
    ),
    Table(
        "income",
        "Income",
        (
            Column("source", "Source", "text",
                   help="What the money is for, such as 'Youth services contract'."),
            Column("payer", "Payer", "text",
                   help="Who pays it. Use the same name every time for the same payer."),
            Column("type", "Type", "choice", choices=INCOME_TYPES,
                   help="Pick from the list."),
            Column("amount", "Amount (£)", "money", minimum=0.0,
                   help="Income received in the year, in pounds."),
            Column("in_lm3", "Include in LM3 (yes/no)", "yesno", required=False,
                   help="'no' to leave this line out of the income studied. Blank means yes."),
            Column("in_sroi", "Funds the outcomes: an SROI input (yes/no)", "yesno",
                   required=False,
                   help="'yes' for the contracts or grants that pay for the outcomes in your "
                        "Outcomes sheet. If every line is blank, contracts and grants are "
                        "taken (labelled assumed)."),
        ),
        help="Every source of income in the year, one line each.",
    ),
    Table(
        "spending",
        "Spending",
        (
            Column("supplier", "Supplier", "text", help="Who you paid."),
            Column("supplier_postcode", "Supplier postcode", "postcode", required=False,
                   help="Where the supplier is based. Blank if you do not know."),
            Column("category", "Category", "choice", choices=SPENDING_CATEGORIES,
                   help="Pick from the list."),
            Column("amount", "Amount (£)", "money",
                   help="Spent with this supplier in the year (not staff pay). "
                        "A refund may be negative."),
        ),
        help="Non-staff spending by supplier for the year.",
    ),
    Table(
        "staff",
        "Staff",
        (
            Column("role", "Role", "text", help="Job title. No names, please.",
                   free_text=True),
            Column("fte", "FTE", "number", minimum=0.0, maximum=1.5,
                   help="Full-time equivalent: 1 for full time, 0.5 for half time."),
            Column("gross_pay", "Gross pay (£ a year)", "money", minimum=0.0,
                   help="Pay before tax for the year."),
            Column("home_district", "Home postcode district", "district", required=False,
                   help="The first half of the home postcode only, such as BD8."),
            Column("living_wage", "Paid at least the real Living Wage (yes/no)", "yesno",
                   required=False, help="Hourly pay at or above the real Living Wage."),
        ),
        help="One line per member of staff (or per post).",
        personal=True,
    ),
    Table(
        "staff_survey",
        "Staff survey",
        (
            Column("pay_band", "Pay band", "choice", choices=PAY_BANDS, required=False,
                   help="The respondent's pay band. Optional: without it answers are "
                        "weighted equally."),
            Column("local_share", "Share of take-home pay spent locally (%)", "percent",
                   maximum=1.0, minimum=0.0,
                   help="Their answer, from 0% to 100%."),
            Column("lives_locally", "Lives in the area (yes/no)", "yesno", required=False,
                   help="Whether the respondent lives in the area. Only residents' answers "
                        "are used for local staff."),
            Column("home_district", "Home postcode district", "district", required=False,
                   help="Or the respondent's postcode district (such as HX1); it decides "
                        "where they live when given."),
        ),
        required=False,
        help="Anonymous answers from staff about where they spend their pay.",
        personal=True,
    ),
    Table(
        "supplier_survey",
        "Supplier survey",
        (
            Column("supplier", "Supplier", "text",
                   help="As named in the Spending sheet. Capitals, punctuation, "
                        "'Ltd' or 'Limited' and a leading 'The' do not matter."),
            Column("spending_local", "Share of their spending with local businesses (%)",
                   "percent", maximum=1.0, minimum=0.0, required=False,
                   help="nef's first question: of what they spend on goods and services, "
                        "the share with businesses based in the area."),
            Column("wages_local", "Share of their wage bill paid to local staff (%)",
                   "percent", maximum=1.0, minimum=0.0, required=False,
                   help="nef's second question: the share of their wage bill paid to staff "
                        "who live in the area."),
            Column("staff_cost_share", "Staff costs as a share of their costs (%)", "percent",
                   maximum=1.0, minimum=0.0, required=False,
                   help="Their split of costs between staff and the rest. Blank uses the "
                        "setting lm3.supplier_staff_cost_share (assumed)."),
            Column("local_share", "Share of income spent locally (%)", "percent",
                   maximum=1.0, minimum=0.0, required=False,
                   help="Or one combined answer: the share of what you pay them that they "
                        "spend on local staff and local suppliers."),
        ),
        required=False,
        help="Answers from suppliers about where they re-spend what you pay them.",
    ),
    Table(
        "volunteers",
        "Volunteers",
        (
            Column("activity", "Activity", "text", help="What volunteers do.",
                   free_text=True),
            Column("hours", "Hours (a year)", "number", minimum=0.0,
                   help="Total volunteer hours in the year for this activity."),
            Column("hourly_wage", "Equivalent hourly wage (£)", "money", required=False,
                   minimum=0.0,
                   help="Pay of an equivalent paid role. Blank uses the setting."),
        ),
        required=False,
        help="Volunteer time by activity.",
    ),
    Table(
        "outcomes",
        "Outcomes",
        (
            Column("outcome", "Outcome", "text", help="The change for people.",
                   free_text=True),
            Column("stakeholder", "Stakeholder", "text", help="Who experiences it.",
                   free_text=True),
            Column("quantity", "Quantity", "number", minimum=0.0,
                   help="How many people (or units) in the year."),
            Column("proxy_id", "Proxy value id", "id", required=False,
                   help="An id from the proxy value library or your own file."),
            Column("value", "Value (£ per unit)", "money", required=False, minimum=0.0,
                   help="Your own value, if no proxy id."),
            Column("price_year", "Price year", "year", required=False,
                   help="The year your own value is priced in."),
            Column("deadweight", "Deadweight (%)", "percent", **PCT,
                   help="Share that would have happened anyway."),
            Column("displacement", "Displacement (%)", "percent", **PCT,
                   help="Share pushed elsewhere."),
            Column("attribution", "Attribution (%)", "percent", **PCT,
                   help="Share owed to others."),
            Column("drop_off", "Drop-off (%)", "percent", **PCT,
                   help="Share that fades each year after the first."),
            Column("benefit_period", "Benefit period (years)", "integer",
                   help="How many years the outcome lasts."),
            Column("start_year", "Start year", "year", required=False,
                   help="First year of the outcome. Blank means the analysis year."),
        ),
        required=False,
        help="Social outcomes, for social value.",
    ),
    Table(
        "balance",
        "Balance",
        (
            Column("total_income", "Total income (£)", "money", minimum=0.0,
                   help="From your accounts."),
            Column("total_expenditure", "Total expenditure (£)", "money", minimum=0.0,
                   help="From your accounts."),
            Column("staff_costs", "Staff costs (£)", "money", minimum=0.0,
                   help="Gross pay plus employer costs."),
            Column("unrestricted_funds", "Unrestricted funds (£)", "money",
                   help="Total unrestricted funds at the year end."),
            Column("designated_funds", "Designated funds (£)", "money", minimum=0.0,
                   help="Unrestricted funds you have set aside for a purpose."),
            Column("fixed_assets_own_use", "Fixed assets used for own work (£)", "money",
                   minimum=0.0,
                   help="Buildings and equipment you use (funded from unrestricted funds)."),
            Column("designated_hold_fixed_assets",
                   "Designated funds hold the fixed assets (yes/no)", "yesno", required=False,
                   help="'yes' if your designated funds include a fund for the fixed assets "
                        "above, so they are not taken off twice. Blank if you do not know."),
            Column("restricted_funds", "Restricted funds (£)", "money", minimum=0.0,
                   help="Funds donors restricted to a purpose."),
            Column("net_assets", "Net assets (£)", "money",
                   help="Total funds: net assets on the balance sheet."),
        ),
        single_row=True,
        help="Year-end figures from your annual accounts. One row.",
    ),
    Table(
        "tenants",
        "Tenants",
        (
            Column("organisation", "Organisation", "text",
                   help="A business or group based in your building."),
            Column("sector", "Sector", "choice", choices=TENANT_SECTORS,
                   help="Pick from the list."),
            Column("fte", "FTE employed", "number", required=False, minimum=0.0,
                   help="Their staff in your building, full-time equivalent."),
            Column("turnover", "Turnover (£ a year)", "money", required=False, minimum=0.0,
                   help="If known."),
            Column("gva", "GVA (£ a year)", "money", required=False, minimum=0.0,
                   help="Gross value added, if they know it."),
            Column("local", "Local (yes/no)", "yesno", required=False,
                   help="Whether they are based in the local area."),
        ),
        required=False,
        help="Organisations housed in your buildings (for enabled jobs and GVA).",
    ),
    Table(
        "assets",
        "Assets",
        (
            Column("asset", "Building or space", "text", help="Name of the building or room."),
            Column("floor_area", "Floor area (m²)", "number", required=False, minimum=0.0,
                   help="Square metres."),
            Column("hours_in_use", "Hours in use a week", "number", required=False,
                   minimum=0.0, maximum=168.0, help="Typical week."),
            Column("visits", "Users or visits a year", "number", required=False, minimum=0.0,
                   help="Estimated visits a year."),
        ),
        required=False,
        help="Buildings and spaces you run.",
    ),
)

TABLES_BY_KEY: dict[str, Table] = {table.key: table for table in TABLES}
TABLES_BY_SHEET: dict[str, Table] = {table.sheet.casefold(): table for table in TABLES}
INSTRUCTIONS_SHEET = "Instructions"


def table(key: str) -> Table:
    """Return the table definition whose key is ``key``."""
    try:
        return TABLES_BY_KEY[key]
    except KeyError:
        raise KeyError(f"no table {key!r}; tables are {', '.join(TABLES_BY_KEY)}") from None
