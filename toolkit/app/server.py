"""The app's Voilà server: its settings, its safety and its start (`python -m toolkit.app.server`).

``keepitlocal app`` runs this module in a process of its own. What it sets, and why:

- It serves the notebooks in ``toolkit/app/pages/`` with the app's own template (Voilà's lab
  template without its CDN links, see ``toolkit/app/share/voila/templates/keepitlocal``),
  found by putting ``toolkit/app/share`` first on ``JUPYTER_PATH``. ``/`` goes to the index.
- It listens on 127.0.0.1 unless told another address; any other address needs the token
  given in ``KEEPITLOCAL_APP_TOKEN`` (``keepitlocal app`` makes one with ``secrets``).
- ipywidgets' ``FileUpload`` sends a file over the kernel's websocket, whose default limit in
  Tornado is 10 MiB: the websocket message limit, and the HTTP body and buffer sizes, are set
  to the ``app.max_upload_mb`` setting plus a margin (base64 and the message's own fields), so
  a file up to the limit arrives and :func:`toolkit.app.uploads.read_upload` can answer one
  over it with a message; the template refuses a file over the limit before it is sent.
- Voilà shows no tracebacks (``show_tracebacks=False``), reads no ``voila.json`` from the
  working folder, and serves no files of its own (an empty file allow-list).
- Kernels idle for ``app.idle_minutes`` are culled (their folders go with them); at start,
  the folders of kernels that died are removed. ``app.preheated_kernels`` kernels per page
  are kept started and waiting (Voilà's preheated pool), the index page excepted.
- For a training room, ``app.room_sessions`` (``keepitlocal app --room N``) keeps that many
  kernels of the organisation page started and its page run before the room arrives, and
  waits ``ROOM_REFILL_SECONDS`` before starting replacements, so that the room's first
  minute goes to the room's own work rather than to starting kernels for people not there.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from toolkit import resources
from toolkit.app.session import remove_dead_sessions

#: Environment variable holding the token for a server on any address but loopback.
TOKEN_VARIABLE = "KEEPITLOCAL_APP_TOKEN"

#: Addresses counted as this machine only.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: Extra room on the upload limit: base64 makes a file a third larger on the websocket,
#: and the message carries its own fields.
WEBSOCKET_FACTOR = 4 / 3
WEBSOCKET_MARGIN_BYTES = 4 * 1024 * 1024

#: The only JupyterLab extensions the pages load: the widgets (Voilà's widget manager, for
#: ipywidgets 8) and code highlighting. Others a developer installed (jupytext, the
#: JupyterLab preview) are not loaded; they fail outside JupyterLab.
LAB_EXTENSIONS = ("@voila-dashboards/widgets-manager8", "@jupyter-widgets/jupyterlab-manager",
                  "jupyterlab_pygments")

#: The page a browser is sent to first.
INDEX_PAGE = "index.ipynb"


def pages_folder() -> Path:
    """Return the folder of the app's notebooks (``toolkit/app/pages``)."""
    return resources.package_folder() / "app" / "pages"


def share_folder() -> Path:
    """Return the folder put on ``JUPYTER_PATH`` for the app's template."""
    return resources.package_folder() / "app" / "share"


@dataclass(frozen=True)
class ServerOptions:
    """What the server is asked to do.

    Parameters
    ----------
    ip : str
        Address to listen on; 127.0.0.1 keeps the app to this machine.
    port : int
        Port to listen on.
    open_browser : bool
        Whether to open the index page in this machine's browser.
    token : str
        The token a browser must give; empty only on loopback.
    max_upload_mb : float
        The ``app.max_upload_mb`` setting.
    idle_minutes : float
        The ``app.idle_minutes`` setting (0 culls at once, for tests: use a few seconds).
    preheated_kernels : int
        The ``app.preheated_kernels`` setting.
    room_sessions : int
        The ``app.room_sessions`` setting: kernels of the organisation page kept ready for a
        training room (0: none beyond ``preheated_kernels``).
    pages : pathlib.Path, optional
        A folder of notebooks to serve instead of the app's own (the browser tests' probe).
    """

    ip: str = "127.0.0.1"
    port: int = 8866
    open_browser: bool = True
    token: str = ""
    max_upload_mb: float = 50
    idle_minutes: float = 60
    preheated_kernels: int = 1
    room_sessions: int = 0
    pages: Path | None = None

    @property
    def websocket_limit(self) -> int:
        """The largest websocket message or HTTP body accepted, in bytes."""
        return int(self.max_upload_mb * 1_000_000 * WEBSOCKET_FACTOR) + WEBSOCKET_MARGIN_BYTES

    @property
    def index_url(self) -> str:
        """The index page's address, with the token when there is one."""
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        query = f"?token={self.token}" if self.token else ""
        return f"http://{host}:{self.port}/voila/render/{INDEX_PAGE}{query}"


def check_options(options: ServerOptions) -> None:
    """Refuse a server off loopback without a token.

    Raises
    ------
    toolkit.inputs.errors.InputError
    """
    from toolkit.inputs.errors import InputError

    if options.ip not in LOOPBACK and len(options.token) < 16:
        raise InputError(f"Serving on {options.ip} lets other machines in: it needs a token "
                         "of at least 16 characters (keepitlocal app makes one).")


def voila_config(options: ServerOptions):
    """Return the traitlets ``Config`` for Voilà from the server's options.

    Parameters
    ----------
    options : ServerOptions

    Returns
    -------
    traitlets.config.Config
    """
    from traitlets.config import Config

    cull_seconds = max(int(options.idle_minutes * 60), 1)
    config = Config()
    config.Voila.ip = options.ip
    config.Voila.port = options.port
    config.Voila.port_retries = 0
    config.Voila.open_browser = options.open_browser
    config.Voila.token = options.token or None
    config.Voila.config_file_paths = []
    config.Voila.tornado_settings = {
        "websocket_max_message_size": options.websocket_limit,
        "websocket_ping_interval": 30,
    }
    config.VoilaConfiguration.template = "keepitlocal"
    config.VoilaConfiguration.show_tracebacks = False
    config.VoilaConfiguration.file_allowlist = []
    config.VoilaConfiguration.extension_allowlist = list(LAB_EXTENSIONS)
    config.VoilaConfiguration.resources = {
        "kil_max_upload_bytes": int(options.max_upload_mb * 1_000_000)}
    # nbclient waits 4 s for a cell's output after the kernel says it is done, then drops
    # it: with a room of sessions starting at once on 2 cores, a page lost its widgets so.
    config.VoilaExecutor.iopub_timeout = IOPUB_SECONDS
    # A page's kernel client waits for each message in slices: pyzmq can miss a wake-up,
    # and the page would then wait out the whole timeout (toolkit.packs.kernel_client).
    config.AsyncKernelManager.client_class = KERNEL_CLIENT_CLASS
    config.VoilaConfiguration.preheat_kernel = options.preheated_kernels > 0
    config.VoilaConfiguration.default_pool_size = max(options.preheated_kernels, 0)
    config.VoilaKernelManager.preheat_denylist = [INDEX_PAGE]
    if options.room_sessions > 0:
        config.VoilaConfiguration.preheat_kernel = True
        config.VoilaKernelManager.kernel_pools_config = room_pools(options)
        config.VoilaKernelManager.fill_delay = ROOM_REFILL_SECONDS
    config.MappingKernelManager.cull_idle_timeout = cull_seconds
    config.MappingKernelManager.cull_interval = max(min(cull_seconds // 2, 60), 1)
    config.MappingKernelManager.cull_connected = True
    return config


#: How long a page's kernel may take to send a cell's output after running it (seconds).
IOPUB_SECONDS = 300

#: The kernel client of every page (:class:`toolkit.packs.kernel_client.SlicedKernelClient`),
#: named by its path so that building the server's settings imports no Jupyter package.
KERNEL_CLIENT_CLASS = "toolkit.packs.kernel_client.SlicedKernelClient"

#: The page a training room opens first (the course's own-pack session).
ROOM_PAGE = "organisation.ipynb"

#: With a room, how long Voilà waits before starting a kernel to replace one taken (seconds).
ROOM_REFILL_SECONDS = 60


def room_pools(options: ServerOptions) -> dict:
    """Return Voilà's ``kernel_pools_config`` for a training room.

    ``options.room_sessions`` kernels wait on the organisation page, each with the page
    already run; every other page keeps ``options.preheated_kernels``.

    Parameters
    ----------
    options : ServerOptions

    Returns
    -------
    dict
        Pool size by page name, with ``"default"`` for the other pages.
    """
    return {"default": {"pool_size": max(options.preheated_kernels, 0)},
            ROOM_PAGE: {"pool_size": max(options.room_sessions, options.preheated_kernels)}}


def make_app_class():
    """Return the Voilà application class of the app (imports Voilà, so only when serving)."""
    from tornado.web import RedirectHandler
    from voila.app import Voila

    class AppServer(Voila):
        """Voilà with the app's body limits, its index at ``/`` and its browser opening."""

        options: ServerOptions = ServerOptions()

        def init_handlers(self):
            index = f"{self.server_url}voila/render/{INDEX_PAGE}"
            return [(self.server_url, RedirectHandler, {"url": index})] + \
                super().init_handlers()

        def listen(self):
            limit = self.options.websocket_limit
            listen = self.app.listen
            self.app.listen = lambda port, address: listen(
                port, address, max_body_size=limit, max_buffer_size=limit + 1024 * 1024)
            super().listen()

        def launch_browser(self):
            url = self.options.index_url
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    return AppServer


def serve(options: ServerOptions) -> None:
    """Start the app's server and serve until stopped (Ctrl-C).

    Parameters
    ----------
    options : ServerOptions
    """
    check_options(options)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(share_folder()), *filter(None, [os.environ.get("JUPYTER_PATH")])])
    remove_dead_sessions()
    app_class = make_app_class()
    app_class.options = options
    app = app_class.instance(config=voila_config(options))
    app.initialize([str(options.pages or pages_folder())])
    signal.signal(signal.SIGTERM, _stop_gracefully)
    app.start()


def _stop_gracefully(signum, frame) -> None:
    """Stop the server's loop on SIGTERM, so that Voilà shuts its kernels down in order."""
    from tornado.ioloop import IOLoop

    loop = IOLoop.current()
    loop.add_callback_from_signal(loop.stop)


def options_from_argv(argv: list[str] | None = None) -> ServerOptions:
    """Read the server's options from its command line, the settings and the environment."""
    from toolkit.inputs.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m toolkit.app.server")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--settings", default=None)
    parser.add_argument("--idle-seconds", type=float, default=None,
                        help="cull idle sessions after this many seconds (for tests)")
    parser.add_argument("--room", type=int, default=None,
                        help="kernels of the organisation page kept ready for a training room")
    parser.add_argument("--pages", default=None,
                        help="serve the notebooks of this folder instead (for tests)")
    args = parser.parse_args(argv)
    settings = load_settings(args.settings)
    idle = settings.value("app.idle_minutes") if args.idle_seconds is None \
        else args.idle_seconds / 60
    return ServerOptions(
        ip=args.ip, port=args.port, open_browser=not args.no_browser,
        token=os.environ.get(TOKEN_VARIABLE, ""),
        max_upload_mb=float(settings.value("app.max_upload_mb")), idle_minutes=float(idle),
        preheated_kernels=int(settings.value("app.preheated_kernels")),
        room_sessions=int(settings.value("app.room_sessions")) if args.room is None
        else args.room,
        pages=Path(args.pages).resolve() if args.pages else None)


def main(argv: list[str] | None = None) -> int:
    """Serve the app; return 1 with a plain message when its options are refused."""
    from toolkit.inputs.errors import InputError

    try:
        serve(options_from_argv(argv))
    except InputError as exc:
        print(f"keepitlocal app: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
