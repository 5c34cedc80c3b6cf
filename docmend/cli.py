"""The ``docmend`` console script: the implementation's command line, reached through :mod:`docmend`."""

from __future__ import annotations

from docmend import _implementation


def main() -> None:
    """Run the ``docmend`` command."""
    _implementation.submodule("cli").main()
