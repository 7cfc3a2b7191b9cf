"""The app's own parts, without a browser: session folders, uploads, downloads, messages.

Browser tests of the running app are in ``tests/test_app_browser.py``.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from toolkit.app import downloads, messages, session, uploads
from toolkit.inputs.errors import InputError, Report

WORKBOOK = SAMPLES / "bradford" / "manningham-community-trust_2024-25.xlsx"
PAYMENTS = SAMPLES / "bradford" / "bradford_payments_sample.csv"


@pytest.fixture(autouse=True)
def own_sessions(tmp_path, monkeypatch):
    """Every test gets its own sessions folder and a fresh session."""
    monkeypatch.setenv(session.ROOT_VARIABLE, str(tmp_path / "sessions"))
    monkeypatch.setattr(session, "_folder", None)
    return tmp_path / "sessions"


def entry(name: str, content: bytes) -> tuple[dict, ...]:
    """A FileUpload value as ipywidgets 8 gives it."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": 0},)


# --- session ------------------------------------------------------------------------------

def test_the_session_folder_is_made_once_inside_the_sessions_root(own_sessions):
    folder = session.session_folder()
    assert folder.is_dir() and folder.parent == own_sessions
    assert session.owner_pid(folder) == os.getpid()
    assert session.session_folder() == folder
    assert folder.stat().st_mode & 0o077 == 0


def test_the_session_folder_goes_when_its_process_ends(own_sessions):
    code = ("from toolkit.app.session import session_folder; "
            "f = session_folder(); (f / 'x.csv').write_text('a,b'); print(f)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    folder = Path(done.stdout.strip())
    assert folder.parent == own_sessions and not folder.exists()


def test_folders_of_dead_processes_are_removed_and_live_ones_kept(own_sessions):
    mine = session.session_folder()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = own_sessions / f"session-{child.pid}-abc"
    dead.mkdir()
    (dead / "upload.xlsx").write_bytes(b"x")
    other = own_sessions / "not-a-session"
    other.mkdir()
    assert session.remove_dead_sessions() == [dead]
    assert mine.is_dir() and other.is_dir() and not dead.exists()


@pytest.mark.parametrize(("name", "suffix", "expected"), [
    ("Our Year (final).xlsx", ".xlsx", "our-year-final.xlsx"),
    ("../../etc/passwd", "csv", "passwd.csv"),
    ("C:\\Users\\Ann\\Payments 2024.CSV", ".csv", "payments-2024.csv"),
    ("....", ".xlsx", "upload.xlsx"),
    ("report.exe", ".xlsx", "report.xlsx"),
    ("..", "csv", "upload.csv"),
])
def test_safe_names_are_slugs_with_the_recognised_suffix(name, suffix, expected):
    assert session.safe_name(name, suffix) == expected


def test_a_safe_name_is_never_a_path_and_never_long():
    name = session.safe_name("/" + "a/" * 50 + "ü" * 300 + "b" * 300 + ".xlsx", "xlsx")
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert len(name) <= session.LONGEST_NAME + len(".xlsx")
    with pytest.raises(ValueError):
        session.safe_name("a", "../x")


# --- uploads ------------------------------------------------------------------------------

def test_a_workbook_is_saved_under_its_safe_name_in_the_session_folder():
    content = WORKBOOK.read_bytes()
    upload = uploads.read_upload(entry("../Manningham 2024.xlsx", content), ("xlsx",))
    assert upload.path == session.session_folder() / "manningham-2024.xlsx"
    assert upload.path.read_bytes() == content
    assert (upload.kind, upload.size, upload.name) == ("xlsx", len(content),
                                                       "../Manningham 2024.xlsx")


def test_content_not_name_decides_the_kind():
    upload = uploads.read_upload(entry("payments.xlsx", PAYMENTS.read_bytes()),
                                 ("xlsx", "csv"))
    assert upload.kind == "csv" and upload.path.suffix == ".csv"
    with pytest.raises(uploads.UploadError, match="is an Excel workbook, not a CSV"):
        uploads.read_upload(entry("payments.csv", WORKBOOK.read_bytes()), ("csv",))


def test_a_table_below_title_lines_is_a_csv_and_prose_is_not():
    titled = b"Account Transactions\nCommunity Books\nFor the year 2024-25\n\n" \
             b"Date,Payee,Net\n01/04/2024,Canal Mill,3000.00\n"
    assert uploads.read_upload(entry("export.csv", titled), ("csv",)).kind == "csv"
    prose = b"".join(b"A line of a letter with no columns at all\n" for _ in range(20))
    with pytest.raises(uploads.UploadError, match="text without commas"):
        uploads.read_upload(entry("letter.csv", prose + b"a late line, with a comma\n"),
                            ("csv",))


def test_a_text_file_named_xlsx_is_refused_with_a_message():
    content = (SAMPLES / "broken" / "not-a-workbook.xlsx").read_bytes()
    with pytest.raises(uploads.UploadError) as caught:
        uploads.read_upload(entry("not-a-workbook.xlsx", content), ("xlsx",))
    assert "'not-a-workbook.xlsx' is" in str(caught.value)
    assert "not an Excel workbook (.xlsx)" in str(caught.value)
    assert isinstance(caught.value, InputError)
    assert not list(session.session_folder().iterdir())


def test_a_password_protected_workbook_is_named_as_such():
    # An OLE compound file (its signature) with a directory entry named EncryptedPackage.
    content = uploads.OLE_SIGNATURE + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(uploads.UploadError, match="password-protected.*remove the password"):
        uploads.read_upload(entry("locked.xlsx", content), ("xlsx",))
    with pytest.raises(uploads.UploadError, match="Excel 97-2003.*save it as an .xlsx"):
        uploads.read_upload(entry("old.xls", uploads.OLE_SIGNATURE + bytes(504)), ("xlsx",))


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(uploads.UploadError, match="zip file that is not an Excel workbook"):
        uploads.read_upload(entry("letter.xlsx", buffer.getvalue()), ("xlsx",))


def test_the_size_limit_is_the_setting_unless_given():
    assert uploads.max_upload_mb() == 50
    content = PAYMENTS.read_bytes()
    limit = len(content) / 1_000_000 / 2
    with pytest.raises(uploads.UploadError, match=f"takes files of up to {limit:g} MB"):
        uploads.read_upload(entry("big.csv", content), ("csv",), limit_mb=limit)
    assert uploads.read_upload(entry("ok.csv", content), ("csv",),
                               limit_mb=2 * limit).size == len(content)


def test_empty_missing_and_several_files_get_messages():
    with pytest.raises(uploads.UploadError, match="is empty"):
        uploads.read_upload(entry("a.csv", b""), ("csv",))
    with pytest.raises(uploads.UploadError, match="No file was chosen"):
        uploads.read_upload((), ("csv",))
    two = entry("a.csv", b"a,b\n1,2\n") + entry("b.csv", b"a,b\n1,2\n")
    with pytest.raises(uploads.UploadError, match="2 files were chosen"):
        uploads.read_upload(two, ("csv",))


def test_csv_in_windows_1252_and_without_delimiters():
    text = "Supplier;Amount\nCaf\xe9 R\xeave;12,50\n".encode("cp1252")
    upload = uploads.read_upload(entry("cafe.csv", text), ("csv",))
    assert upload.encoding == "cp1252"
    with pytest.raises(uploads.UploadError, match="text without commas"):
        uploads.read_upload(entry("notes.csv", b"just some words\nand more\n"), ("csv",))
    with pytest.raises(uploads.UploadError, match="not a workbook or a text file"):
        uploads.read_upload(entry("x.csv", bytes(range(256)) * 4), ("csv",))


def test_several_files_with_one_safe_name_are_all_kept():
    value = entry("Payments.csv", b"a,b\n1,2\n") + entry("payments!.csv", b"a,b\n3,4\n")
    saved = uploads.read_uploads(value, ("csv",))
    assert [u.path.name for u in saved] == ["payments.csv", "payments-2.csv"]
    assert [u.path.read_bytes() for u in saved] == [b"a,b\n1,2\n", b"a,b\n3,4\n"]


def test_one_bad_file_among_several_saves_none():
    value = entry("a.csv", b"a,b\n1,2\n") + entry("b.csv", b"")
    with pytest.raises(uploads.UploadError, match="'b.csv' is empty"):
        uploads.read_uploads(value, ("csv",))
    assert not list(session.session_folder().iterdir())


# --- downloads ----------------------------------------------------------------------------

def test_a_download_link_carries_the_files_bytes(tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(b"%PDF-1.7 \x00\xff bytes")
    link = downloads.download_link(path, "Download <the> PDF")
    match = re.fullmatch(r'<a class="kil-download" download="pack.pdf" '
                         r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)">(.*)</a>', link)
    assert match, link
    assert base64.b64decode(match.group(1)) == path.read_bytes()
    assert html.unescape(match.group(2)) == "Download <the> PDF"


def test_a_missing_or_huge_file_gets_a_message(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="was not made"):
        downloads.download_link(tmp_path / "none.zip", "x")
    path = tmp_path / "big.zip"
    path.write_bytes(bytes(3000))
    monkeypatch.setattr(downloads, "LARGEST_LINK_MB", 0.002)
    with pytest.raises(InputError, match="too large to download"):
        downloads.download_link(path, "x")


def test_a_pack_zip_holds_its_html_pdf_and_tables(tmp_path):
    folder = tmp_path / "pack"
    (folder / "tables").mkdir(parents=True)
    (folder / "pack.html").write_text("<html></html>")
    (folder / "pack.pdf").write_bytes(b"%PDF-1.7")
    (folder / "tables" / "lm3.csv").write_text("a,b\n")
    (folder / "run.log").write_text("not in the zip")
    zipped = downloads.zip_pack(folder)
    assert zipped == folder / "pack.zip"
    with zipfile.ZipFile(zipped) as archive:
        assert sorted(archive.namelist()) == ["pack.html", "pack.pdf", "tables/lm3.csv"]
        assert archive.read("tables/lm3.csv") == b"a,b\n"
    assert downloads.zip_pack(folder) == zipped  # made again, not zipped into itself
    with zipfile.ZipFile(zipped) as archive:
        assert "pack.zip" not in archive.namelist()
    with pytest.raises(InputError, match="no HTML, PDF or CSV"):
        downloads.zip_pack(tmp_path / "empty")


# --- messages -----------------------------------------------------------------------------

def test_problems_are_listed_errors_first_with_their_place_and_escaped():
    report = Report()
    report.warning("Odd <b>total</b>.", file="/tmp/sessions/session-1-x/our.xlsx",
                   sheet="Income", row=4, column="Amount")
    report.error("Not a number.", file="/tmp/s/our.xlsx", sheet="Spending", row=7,
                 column="Amount (£)", value="ten", expected="a sum of money")
    shown = messages.show_problems(report)
    assert shown.index("Error") < shown.index("Warning")
    assert "our.xlsx, sheet &#x27;Spending&#x27;, row 7, column &#x27;Amount (£)&#x27;" in shown
    assert "/tmp/" not in shown and "<b>" not in shown and "&lt;b&gt;total" in shown
    assert "Found: &#x27;ten&#x27;. Expected: a sum of money." in shown
    assert "1 error(s) to fix, 1 warning(s)" in shown and "Fix the errors" in shown
    assert "No problems found" in messages.show_problems(Report())


class Place:
    value = "old message"


def test_guarded_shows_an_input_error_as_its_message():
    place = Place()

    @messages.guarded(into=place)
    def upload(change):
        raise InputError("The workbook <has> 2 errors")

    assert upload({"new": 1}) is None
    assert "The workbook &lt;has&gt; 2 errors" in place.value and 'role="alert"' in place.value


def test_guarded_logs_an_unexpected_error_without_its_message(capfd):
    place = Place()

    @messages.guarded(into=place)
    def compute():
        raise KeyError("Jane Smith, 12 High Street")

    compute()
    assert "did not expect (KeyError)" in place.value and "Jane" not in place.value
    logged = capfd.readouterr().err
    assert "unexpected KeyError" in logged and "test_app.py" in logged
    assert "Jane" not in logged and "High Street" not in logged


def test_guarded_clears_the_last_message_and_returns_the_result():
    place = Place()
    ok = messages.guarded(into=place)(lambda x: x * 2)
    assert ok(21) == 42 and place.value == ""


def test_the_default_message_area_is_one_widget():
    pytest.importorskip("ipywidgets")
    area = messages.message_area()
    assert area is messages.message_area()
    messages.guarded(lambda: 1 / 0)()
    assert "ZeroDivisionError" in area.value


# --- server and command -------------------------------------------------------------------

def test_the_servers_limits_follow_the_upload_setting():
    from toolkit.app.server import ServerOptions, voila_config

    options = ServerOptions(max_upload_mb=50, idle_minutes=0.5, preheated_kernels=2)
    config = voila_config(options)
    limit = config.Voila.tornado_settings["websocket_max_message_size"]
    # base64 makes 50 MB into 66.7 MB on the websocket: the limit must hold that, and
    # be above Tornado's 10 MiB default.
    assert limit >= 50_000_000 * 4 / 3 > 10 * 2**20
    assert config.VoilaConfiguration.resources["kil_max_upload_bytes"] == 50_000_000
    assert config.VoilaConfiguration.show_tracebacks is False
    # nbclient's default of 4 s dropped a page's widgets when a room's sessions started at
    # once (bench_app: 13 of 14 sessions never drew their page); minutes, not seconds
    assert config.VoilaExecutor.iopub_timeout >= 120
    assert config.VoilaConfiguration.file_allowlist == []
    assert config.MappingKernelManager.cull_idle_timeout == 30
    assert config.VoilaConfiguration.preheat_kernel and \
        config.VoilaConfiguration.default_pool_size == 2
    assert config.Voila.ip == "127.0.0.1" and config.Voila.token is None


def test_an_address_off_loopback_without_a_token_is_refused():
    from toolkit.app.server import ServerOptions, check_options

    check_options(ServerOptions(ip="127.0.0.1"))
    check_options(ServerOptions(ip="0.0.0.0", token="x" * 32))
    with pytest.raises(InputError, match="needs a token"):
        check_options(ServerOptions(ip="0.0.0.0"))
    with pytest.raises(InputError, match="needs a token"):
        check_options(ServerOptions(ip="192.168.1.5", token="short"))


def test_the_app_template_fetches_nothing_off_the_machine():
    from toolkit.app.server import share_folder

    template = share_folder() / "voila" / "templates" / "keepitlocal" / "index.html.j2"
    text = template.read_text(encoding="utf-8")
    # The two CDN links of Voilà's lab template are removed, by their exact text.
    lab = (Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates" / "lab"
           / "index.html.j2")
    if lab.is_file():
        links = [line.strip() for line in lab.read_text().splitlines() if "cdn.jsdelivr" in line]
        assert links and all(link in text for link in links)


def test_the_command_prints_the_room_address_with_its_token():
    from toolkit.commands import app

    text = app.sharing_text("192.168.1.5", 8866, "abc123")
    assert "http://192.168.1.5:8866/voila/render/index.ipynb?token=abc123" in text
    assert "Ctrl-C" in text and "only with the room" in text
    args = type("Args", (), {"ip": "0.0.0.0", "port": 9000, "no_browser": True,
                             "settings": None, "room": None})()
    command = app.server_command(args)
    assert command[1:3] == ["-m", "toolkit.app.server"] and "--no-browser" in command
    assert not any("token" in part for part in command)  # the token goes in the environment
    assert "--room" not in command
    args.room = 20
    command = app.server_command(args)
    assert command[command.index("--room") + 1] == "22"  # two spare pages


@pytest.mark.parametrize("people", [0, -3, 61])
def test_a_room_of_no_one_or_too_many_is_refused_in_words(people):
    from toolkit.commands import app

    args = type("Args", (), {"ip": "127.0.0.1", "port": 9000, "no_browser": True,
                             "settings": None, "room": people})()
    with pytest.raises(InputError, match="--room must be from 1 to 60 people"):
        app.run(args)


def test_a_room_pools_the_organisation_page_and_waits_before_replacing(tmp_path):
    from toolkit.app.server import ServerOptions, options_from_argv, voila_config

    config = voila_config(ServerOptions(preheated_kernels=0, room_sessions=22))
    assert config.VoilaConfiguration.preheat_kernel
    assert config.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 0}, "organisation.ipynb": {"pool_size": 22}}
    assert config.VoilaKernelManager.fill_delay >= 30
    single = voila_config(ServerOptions(preheated_kernels=1))
    assert "kernel_pools_config" not in single.VoilaKernelManager
    assert "fill_delay" not in single.VoilaKernelManager
    settings = tmp_path / "settings.yml"
    settings.write_text("app:\n  room_sessions: 12\n")
    assert options_from_argv(["--settings", str(settings)]).room_sessions == 12
    assert options_from_argv(["--settings", str(settings), "--room", "5"]).room_sessions == 5
    assert options_from_argv([]).room_sessions == 0


# --- pack downloads -----------------------------------------------------------------------

def fake_summary(tmp_path, status, files, reason=""):
    from toolkit.packs.runner import PackResult, RunSummary

    folder = tmp_path / "organisations"
    folder.mkdir(exist_ok=True)
    outputs = {}
    for name in files:
        (folder / name).write_text(f"content of {name}")
        kind = Path(name).suffix.lstrip(".")
        if kind == "csv":
            outputs.setdefault("tables", []).append(f"organisations/{name}")
        else:
            outputs[kind] = f"organisations/{name}"
    result = PackResult(id="organisation/riverside", kind="organisation", slug="riverside",
                        status=status, title="Riverside <Trust>", reason=reason,
                        outputs=outputs)
    return RunSummary(results=[result], seconds=1.0, out_dir=tmp_path, workers=0)


def test_a_made_pack_offers_html_pdf_and_a_zip_of_everything(tmp_path):
    summary = fake_summary(tmp_path, "ok", ["riverside.html", "riverside.pdf",
                                            "riverside__lm3.csv"])
    shown = downloads.pack_downloads(summary)
    assert "Riverside &lt;Trust&gt;" in shown
    assert 'download="riverside.html"' in shown and 'download="riverside.pdf"' in shown
    assert 'download="riverside.zip"' in shown and "Pango" not in shown
    with zipfile.ZipFile(tmp_path / "riverside.zip") as archive:
        assert sorted(archive.namelist()) == ["riverside.html", "riverside.pdf",
                                              "riverside__lm3.csv"]


def test_a_pack_without_pdf_says_how_to_get_one(tmp_path):
    summary = fake_summary(tmp_path, "html-only", ["riverside.html", "riverside__lm3.csv"])
    shown = downloads.pack_downloads(summary)
    assert 'download="riverside.html"' in shown and "A4 PDF" not in shown.split("kil-warning")[0]
    assert "print it from your browser to PDF" in shown and "install Pango" in shown


def test_a_failed_pack_shows_its_reason(tmp_path):
    summary = fake_summary(tmp_path, "failed", [], reason="The workbook has 2 error(s): <x>")
    shown = downloads.pack_downloads(summary)
    assert "kil-error" in shown and "2 error(s): &lt;x&gt;" in shown
    assert "download=" not in shown


def test_the_app_command_refuses_a_bad_port_or_settings_file(tmp_path, capsys):
    from toolkit import cli

    assert cli.main(["app", "--port", "70000", "--no-browser"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err
    assert cli.main(["app", "--settings", str(tmp_path / "none.yml"), "--no-browser"]) == 2
    assert "does not exist" in capsys.readouterr().err
