"""Read YAML quickly with libyaml, keeping PyYAML's own messages for YAML that does not parse.

PyYAML's pure-Python loader takes about 20 ms for the shipped settings file, and a pack reads
several YAML files (defaults, registry, markers), so every pack, app page and payments file
paid for it. libyaml's loader (``yaml.CSafeLoader``, in PyYAML's wheels) reads the same text
to the same values about ten times faster. Its error messages are worded differently, so
YAML that does not parse is read again by the pure-Python loader, whose messages (and line
marks) the toolkit's messages and tests are written against.

Offers
------
safe_load(stream)
    As ``yaml.safe_load``: the same values, the same exceptions and messages.
"""

from __future__ import annotations

import yaml

#: libyaml's safe loader when PyYAML was built with it, else the pure-Python one.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream):
    """Return the Python value of a YAML document, as ``yaml.safe_load`` does.

    Parameters
    ----------
    stream : str, bytes or file object
        The YAML text, or an open file.

    Returns
    -------
    object
        The document's value (None for an empty document).

    Raises
    ------
    yaml.YAMLError
        When the text is not valid YAML: raised by PyYAML's pure-Python loader, so that the
        problem and its line are worded as ``yaml.safe_load`` words them.
    UnicodeDecodeError
        When a file or bytes are not UTF-8.
    """
    text = stream.read() if hasattr(stream, "read") else stream
    try:
        return yaml.load(text, Loader=FAST_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if FAST_LOADER is yaml.SafeLoader:
            raise
    return yaml.safe_load(text)
