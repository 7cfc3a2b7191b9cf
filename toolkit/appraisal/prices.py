"""Cash prices to real prices for an options appraisal, with HM Treasury's GDP deflator.

The Green Book's discount rate is a real rate, so a contract's cash prices are deflated to
the prices of the contract's first year before they are discounted (METHODS §8, "prices in
real terms").

References
----------
METHODS §8 (discount multi-year flows with prices in real terms: deflate cash prices with
the price index before applying the Green Book's real discount rate).
HM Treasury, "GDP deflators at market prices, and money GDP", December 2025 (Quarterly
National Accounts) update, Open Government Licence v3.0 (shipped as
``toolkit/data/gdp_deflator_hmt_2025-12.csv``; see its README beside it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from toolkit.resources import data_file

#: The shipped deflator series (calendar years, 2024 = 100).
DEFLATOR_FILE = "gdp_deflator_hmt_2025-12.csv"
#: Its source, as every label that uses it names it.
DEFLATOR_SOURCE = ("HM Treasury GDP deflator at market prices, December 2025 (QNA) update, "
                   "2024 = 100 (OGL v3.0)")


@dataclass(frozen=True)
class Deflator:
    """A GDP deflator series by calendar year.

    Attributes
    ----------
    levels : dict of int to float
        The deflator in each year with an outturn.
    source : str
    """

    levels: dict[int, float]
    source: str

    @property
    def latest_year(self) -> int:
        """The last year with an outturn."""
        return max(self.levels)

    @property
    def latest_growth(self) -> float:
        """The growth of the deflator in its latest year (such as 2023 to 2024)."""
        last = self.latest_year
        return self.levels[last] / self.levels[last - 1] - 1

    def level(self, year: int, growth: float) -> float:
        """Return the deflator in ``year``, carried forward at ``growth`` after the outturn.

        Parameters
        ----------
        year : int
            A calendar year (before the series starts is an error).
        growth : float
            The growth a year assumed for years after :attr:`latest_year`.
        """
        if year in self.levels:
            return self.levels[year]
        if year < min(self.levels):
            raise ValueError(f"The GDP deflator starts in {min(self.levels)}; {year} is before "
                             "it.")
        return self.levels[self.latest_year] * (1 + growth) ** (year - self.latest_year)


@lru_cache(maxsize=1)
def gdp_deflator() -> Deflator:
    """Return HM Treasury's GDP deflator, shipped with the toolkit (2024 = 100).

    Returns
    -------
    Deflator
    """
    with data_file(DEFLATOR_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    levels = {int(r["year"]): float(r["gdp_deflator_2024_eq_100"]) for r in rows}
    return Deflator(levels, DEFLATOR_SOURCE)


def real_price_factors(first_year: int, years: int, growth: float) -> list[float]:
    """Return the factor turning each year's cash price into prices of the first year.

    Parameters
    ----------
    first_year : int
        The calendar year of the contract's first year (its prices are the base).
    years : int
        How many years the contract runs.
    growth : float
        The deflator's growth a year after its latest outturn (assumed).

    Returns
    -------
    list of float
        ``D(first_year) / D(first_year + t - 1)`` for t = 1 .. years: real price = cash
        price times the factor (1 in year 1).

    References
    ----------
    METHODS §8; HM Treasury reference-data note: value_in_year_t = value_in_base_year *
    deflator_t / deflator_base.
    """
    deflator = gdp_deflator()
    base = deflator.level(first_year, growth)
    return [base / deflator.level(first_year + t, growth) for t in range(years)]
