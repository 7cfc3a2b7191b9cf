"""The committed samples are exactly what the seeded generator makes (`keepitlocal samples`).

A change to the generator, the template or the schema that would change a sample must come
with the regenerated samples (`make samples`) in the same commit, so that anyone can make the
course's and the tests' data again from the code.
"""

from __future__ import annotations

import zipfile

import openpyxl

from conftest import SAMPLES
from toolkit.samples.organisations import write_samples


def workbook_content(path) -> dict:
    """A workbook's sheets, cell values and cell checks: what a reader sees, not zip bytes."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: {
        "state": sheet.sheet_state,
        "cells": [list(row) for row in sheet.iter_rows(values_only=True)],
        "checks": sorted((str(c.sqref), c.type or "", c.formula1 or "", c.promptTitle or "",
                          c.prompt or "") for c in sheet.data_validations.dataValidation),
    } for sheet in book.worksheets}


def test_committed_samples_are_what_the_generator_makes(tmp_path):
    write_samples(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(made) > 40
    differ = []
    for relative in made:
        committed = SAMPLES / relative
        if not committed.is_file():
            differ.append(f"{relative}: made by the generator, not committed")
        elif relative.suffix == ".xlsx" and zipfile.is_zipfile(committed):
            if workbook_content(committed) != workbook_content(tmp_path / relative):
                differ.append(f"{relative}: content differs")
        elif committed.read_bytes() != (tmp_path / relative).read_bytes():
            differ.append(f"{relative}: differs")
    assert not differ, "run `make samples` and commit the result:\n" + "\n".join(differ)
