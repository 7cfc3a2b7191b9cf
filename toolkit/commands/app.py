"""``keepitlocal app``: start the evidence app (Voilà) in the browser.

The server runs in a process of its own (``python -m toolkit.app.server``), so this module
imports nothing of the app wing (floor 6, beside the commands) and nothing heavy.
On 127.0.0.1 (the default) the app is for this machine only. Any other address (``--ip``,
such as ``0.0.0.0`` for a training room) gets a token made with :mod:`secrets`, passed to
the server in its environment (not on its command line, where other users could read it),
and printed with the address to share.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

from toolkit.inputs.errors import InputError

NAME = "app"
HELP = "Start the evidence app in your browser (your pack, council spending, options)."

#: Addresses that keep the app to this machine.
LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: Pages kept ready beyond the room's head count, for a reload or a late arrival.
ROOM_SPARE = 2

#: The largest room the app gets ready for (each waiting page holds about 110 MB).
MOST_ROOM = 60

#: The environment variable the server reads its token from (see toolkit.app.server).
TOKEN_VARIABLE = "KEEPITLOCAL_APP_TOKEN"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's options to ``parser``."""
    parser.add_argument("--port", type=int, default=8866,
                        help="port to serve on (default 8866)")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open the browser (open the address printed instead)")
    parser.add_argument("--ip", default="127.0.0.1", metavar="ADDRESS",
                        help="address to serve on (default 127.0.0.1: this machine only); "
                             "another, such as 0.0.0.0 for a training room, needs the token "
                             "the command prints")
    parser.add_argument("--room", type=int, default=None, metavar="PEOPLE",
                        help="get ready for a training room of this many people: their pages "
                             "are started before they arrive (about 210 MB of memory each; "
                             "the app.room_sessions setting)")
    parser.add_argument("--settings", type=Path, default=None,
                        help="settings file (app.max_upload_mb, app.idle_minutes, "
                             "app.preheated_kernels and every assumption)")


def room_address(ip: str) -> str:
    """Return the address other machines use: ``ip``, or this machine's for ``0.0.0.0``.

    For an address that means every interface, the machine's own address on its network is
    found by opening a UDP socket towards a private address (no packet is sent).
    """
    if ip not in ("0.0.0.0", "::", ""):
        return ip
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def sharing_text(ip: str, port: int, token: str) -> str:
    """Return what to tell a training room: the address with its token, and how to share it."""
    host = room_address(ip)
    host = f"[{host}]" if ":" in host else host
    url = f"http://{host}:{port}/voila/render/index.ipynb?token={token}"
    return (f"The app is open to other machines on this network ({ip}).\n"
            f"Share this address with the room, for example on the board or in the chat:\n\n"
            f"    {url}\n\n"
            "Anyone with it can use the app, so share it only with the room. Each person "
            "works in a folder of their own, removed when they close the page. Stop the "
            "app with Ctrl-C when the session ends; starting it again makes a new token.")


def server_command(args: argparse.Namespace) -> list[str]:
    """Return the command line that starts the server in this Python."""
    command = [sys.executable, "-m", "toolkit.app.server", "--ip", args.ip,
               "--port", str(args.port)]
    if args.no_browser:
        command.append("--no-browser")
    if args.settings is not None:
        command += ["--settings", str(Path(args.settings).resolve())]
    if args.room is not None:
        command += ["--room", str(args.room + ROOM_SPARE)]
    return command


def run(args: argparse.Namespace) -> int:
    """Start the server and wait until it stops (Ctrl-C); return its exit code."""
    if not 0 < args.port < 65536:
        raise InputError(f"--port must be from 1 to 65535, not {args.port}.")
    if args.room is not None and not 1 <= args.room <= MOST_ROOM:
        raise InputError(f"--room must be from 1 to {MOST_ROOM} people, not {args.room}.")
    if args.settings is not None and not Path(args.settings).is_file():
        raise InputError(f"The settings file {args.settings} does not exist.")
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    if args.ip in LOOPBACK:
        print(f"Starting the app on this machine only: http://127.0.0.1:{args.port}/ "
              "(Ctrl-C stops it).", flush=True)
    else:
        env[TOKEN_VARIABLE] = secrets.token_urlsafe(24)
        print(sharing_text(args.ip, args.port, env[TOKEN_VARIABLE]), flush=True)
    if args.room is not None:
        print(f"Getting the app ready for {args.room} people: {args.room + ROOM_SPARE} copies "
              "of 'Your organisation's pack' (two spare) start now and are ready within a "
              f"minute; they need about {(args.room + ROOM_SPARE) * 190 / 1000:.1f} GB of "
              "memory in use.", flush=True)
    server = subprocess.Popen(server_command(args), env=env)
    # Ctrl-C reaches the server too (one process group); a SIGTERM to this command is passed
    # on, so the server never outlives it.
    signal.signal(signal.SIGTERM, lambda signum, frame: server.terminate())
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.wait()
        print("The app has stopped.")
        return 0
