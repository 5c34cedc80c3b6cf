"""Imports put off until first use, so that ``docmend clean x.txt`` does not load what only another path
needs (rapidfuzz serves restoration against a reference)."""

from __future__ import annotations

import importlib
from typing import Any


class LazyAttribute:
    """Stands for ``module.name`` until first used; then imports it and puts it in ``namespace`` under
    ``alias`` in its own place, so later uses cost nothing.

    >>> space: dict[str, Any] = {}
    >>> space["sqrt"] = LazyAttribute(space, "sqrt", "math", "sqrt")
    >>> space["sqrt"].__name__, space["sqrt"](9.0)
    ('sqrt', 3.0)
    """

    def __init__(self, namespace: dict[str, Any], alias: str, module: str, name: str) -> None:
        self._target = (namespace, alias, module, name)

    def _load(self) -> Any:
        namespace, alias, module, name = self._target
        real = getattr(importlib.import_module(module), name)
        namespace[alias] = real
        return real

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._load()(*args, **kwargs)
