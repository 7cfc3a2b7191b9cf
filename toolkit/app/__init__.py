"""The evidence app: Voilà pages, each a notebook of ipywidgets over toolkit calls (floor 6).

The app wing sits on floor 6 beside :mod:`toolkit.commands`; it may use every wing below
(inputs, measures, spend, imports, appraisal, packs) and nothing above. The command
``keepitlocal app`` starts its server as a separate process (``python -m
toolkit.app.server``), so the two wings of floor 6 never import each other.

Modules
-------
session
    ``session_folder()`` (this kernel's own temporary folder, removed when the kernel ends),
    ``safe_name(upload_name, suffix)`` (an upload's name never becomes a path),
    ``remove_dead_sessions()`` (run at server start).
uploads
    ``read_upload(value, kinds, limit_mb=None) -> Upload``: an ipywidgets ``FileUpload``
    value checked by size and content, written into the session folder; ``UploadError``.
downloads
    ``download_link(path, label) -> str`` (an HTML anchor carrying the file's bytes) and
    ``zip_pack(folder) -> Path`` (a pack's HTML, PDF and CSV tables in one zip).
messages
    ``show_problems(report) -> str`` (a Report's problems as escaped HTML, errors first),
    ``guarded(callback)`` (a widget callback whose errors become messages on the page),
    ``message_area()`` (the page's default place for those messages).
server
    The Voilà server's settings and start (``python -m toolkit.app.server``): loopback by
    default, a token for any other address, upload limits, the app's own offline template.
pages/
    The notebooks Voilà serves: ``index.ipynb``, ``organisation.ipynb``,
    ``spending.ipynb``, ``options.ipynb``.
"""
