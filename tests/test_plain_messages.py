"""Inputs that once gave a traceback give one plain message naming what to do.

Each bad input is made the way a user would make it: a payments file with headings only, a
folder given as a file, CSV files saved by Excel as "Unicode text" (UTF-16), a settings
file saved by Notepad as "ANSI" (Windows-1252), a workbook saved with a password, an
output folder on a read-only or full disk (the OSError is injected where the file is
written, since tests cannot mount file systems).
"""

from __future__ import annotations

import codecs
import errno
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.registry import load_registry
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import CFB_SIGNATURE, read_workbook

ROOT = Path(__file__).resolve().parents[1]
RIVERSIDE = ROOT / "book" / "data" / "riverside"
PAYMENTS = ROOT / "data" / "samples" / "bradford" / "bradford_payments_sample.csv"


def run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# ------------------------------------------------------------------------ payments files

def test_a_payments_file_with_headings_only(tmp_path, capsys):
    path = tmp_path / "april.csv"
    path.write_text("Payment Date,Net Amount,Supplier Name\n", encoding="utf-8")
    code, err = run(capsys, "spend", path)
    assert code == 2
    assert "april.csv (header on line 1)" in err and "no payments below them" in err


def test_one_empty_month_among_others_is_a_warning_not_a_stop(tmp_path):
    from toolkit.spend.read import read_payments

    empty = tmp_path / "may.csv"
    empty.write_text("Payment Date,Net Amount,Supplier Name\n", encoding="utf-8")
    payments = read_payments([PAYMENTS, empty])
    assert any(p.file == "may.csv" and "no payment rows" in p.message
               for p in payments.report.warnings)


def test_a_folder_given_as_a_payments_file(tmp_path, capsys):
    (tmp_path / "payments").mkdir()
    code, err = run(capsys, "spend", tmp_path / "payments")
    assert code == 2 and "this is a folder, not a payments file" in err


# --------------------------------------------------------------------------- encodings

def utf16_copy(folder: Path, bom: bool) -> Path:
    shutil.copytree(RIVERSIDE, folder)
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        path.write_bytes((codecs.BOM_UTF16_LE if bom else b"") + text.encode("utf-16-le"))
    return folder


@pytest.mark.parametrize("bom", [True, False])
def test_a_csv_folder_saved_as_utf16_reads_as_the_same_workbook(tmp_path, bom):
    wide = read_workbook(utf16_copy(tmp_path / "wide", bom))
    plain = read_workbook(RIVERSIDE)
    assert not wide.report.errors
    for key in ("income", "spending", "staff"):
        pd.testing.assert_frame_equal(wide.table(key), plain.table(key))
    assert any("UTF-16" in p.message for p in wide.report.notices)


def test_a_csv_holding_nul_bytes_is_refused_plainly(tmp_path):
    folder = tmp_path / "book"
    shutil.copytree(RIVERSIDE, folder)
    (folder / "income.csv").write_bytes(b"source,amount\nGrant,\x00100\n")
    with pytest.raises(InputError, match="income.csv: this file holds NUL bytes"):
        read_workbook(folder)


def test_a_settings_file_saved_as_windows_1252(tmp_path, capsys):
    path = tmp_path / "ours.yml"
    path.write_bytes("lm3:\n  seed: 7  # caf\u00e9 survey\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        load_settings(path)
    assert "row 2" in str(caught.value) and "Save it again with the encoding UTF-8" in str(
        caught.value)
    code, err = run(capsys, "lm3", RIVERSIDE, "--settings", path)
    assert code == 2 and "not saved as UTF-8" in err


def test_a_registry_saved_as_windows_1252(tmp_path, capsys):
    path = tmp_path / "authorities.yml"
    path.write_bytes("# Caf\u00e9 network\nauthorities: []\n".encode("cp1252"))
    with pytest.raises(InputError, match="registry file is not saved as UTF-8"):
        load_registry(path)
    code, err = run(capsys, "packs", "--registry", path, "--out", tmp_path / "out")
    assert code == 2 and "row 1" in err


# ------------------------------------------------------------------------------- ids

def test_an_id_with_a_trailing_newline_is_refused(tmp_path):
    shutil.copy(RIVERSIDE / "about.csv", tmp_path / "about.csv")
    path = tmp_path / "r.yml"
    path.write_text('authorities:\n  - id: "calderdale\\n"\n    name: C\n'
                    '    ons_code: "E08000033\\n"\n    organisations: []\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_registry(path)
    assert "authorities[0].id" in str(caught.value)
    assert "authorities[0].ons_code" in str(caught.value)


def test_top_must_be_positive(capsys):
    for top in ("0", "-5"):
        with pytest.raises(SystemExit) as stop:
            main(["spend", str(PAYMENTS), "--top", top])
        assert stop.value.code == 2
        assert "argument --top: must be 1 or more" in capsys.readouterr().err


# ------------------------------------------------------------------ protected workbooks

def cfb_file(path: Path, streams: list[str]) -> Path:
    """Write the start of an OLE2 compound file: its header and one directory sector."""
    header = CFB_SIGNATURE + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += bytes(512 - len(header))
    directory = b""
    for name in ["Root Entry", *streams]:
        encoded = (name + "\x00").encode("utf-16-le")
        directory += encoded + bytes(64 - len(encoded)) + len(encoded).to_bytes(2, "little")
        directory += bytes(128 - 66)
    path.write_bytes(header + directory + bytes(512 - len(directory) % 512))
    return path


def test_a_password_protected_workbook_says_so(tmp_path, capsys):
    # msoffcrypto-tool is not installed here, so the encrypted file's container is crafted:
    # an OLE2 header and a directory naming the streams Excel writes (MS-OFFCRYPTO 2.3.4).
    path = cfb_file(tmp_path / "our-year.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    with pytest.raises(InputError, match="this workbook is password-protected") as caught:
        read_workbook(path)
    assert "zip" not in str(caught.value)
    code, err = run(capsys, "check", path)
    assert code == 2 and "password-protected" in err
    with pytest.raises(InputError, match="password-protected"):
        from toolkit.spend.read import read_payments_file

        read_payments_file(path)


def test_an_old_xls_named_xlsx_says_what_to_do(tmp_path):
    path = cfb_file(tmp_path / "old.xlsx", ["Workbook"])
    with pytest.raises(InputError, match=r"Excel 97-2003 workbook \(\.xls\)"):
        read_workbook(path)


# ------------------------------------------------------------- read-only and full disks

def failing(number: int):
    def fail(self, *args, **kwargs):
        raise OSError(number, os.strerror(number), str(args[0]) if args else "file")

    return fail


@pytest.mark.parametrize("number, words", [(errno.EROFS, "the disk is read-only"),
                                           (errno.ENOSPC, "the disk is full")])
def test_writing_the_template_to_a_read_only_or_full_disk(tmp_path, capsys, monkeypatch,
                                                          number, words):
    import openpyxl

    monkeypatch.setattr(openpyxl.Workbook, "save", failing(number))
    code, err = run(capsys, "template", tmp_path / "our-year.xlsx")
    assert code == 2 and words in err and "our-year.xlsx" in err


@pytest.mark.parametrize("number, words", [(errno.EROFS, "read-only"),
                                           (errno.ENOSPC, "disk is full")])
def test_writing_unplaced_suppliers_to_a_read_only_or_full_disk(tmp_path, capsys, monkeypatch,
                                                               number, words):
    monkeypatch.setattr(pd.DataFrame, "to_csv", failing(number))
    code, err = run(capsys, "spend", PAYMENTS, "--unplaced-out", tmp_path / "u.csv")
    assert code == 2 and words in err and "u.csv" in err


def test_unplaced_out_pointing_at_a_folder(tmp_path, capsys):
    code, err = run(capsys, "spend", PAYMENTS, "--unplaced-out", tmp_path)
    assert code == 2 and "it is a folder, not a file" in err
