"""Compiled rule patterns kept between processes, so that loading the rules takes milliseconds.

Compiling the few hundred patterns of the rule files was most of a process's start (and of every corpus
worker's): the ``regex`` module parses a pattern in Python before its C core builds the matcher. What
the parser hands the C core (:func:`regex._regex.compile`'s arguments: the pattern, its flags, a list
of op-codes and the group tables) is plain data, so it is written once per rule file to
``~/.cache/docmend/patterns-<digest>.marshal`` (the folder of :func:`pipeline.tables.cache_dir`) and
handed straight to the C core next time, with each pattern's required literals
(:func:`pipeline.rules.required_literals`). The digest covers the file's text, the ``regex`` and Python
versions and this cache's format, so an edited file or another ``regex`` compiles afresh.

Nothing depends on the cache: a missing, unreadable, corrupt or unwritable one means the patterns are
compiled as before (a file is written beside and renamed, so two processes writing at once leave one
whole file). ``DOCMEND_PATTERN_CACHE=0`` turns it off.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex

try:
    import regex._main as regex_main
except ImportError:  # a regex laid out otherwise: nothing is cached
    regex_main = None

CACHE_FORMAT = 1
Entry = tuple[tuple[Any, ...], tuple[str, ...] | None]  # the C core's arguments, the required literals


def enabled() -> bool:
    """Whether compiled patterns are cached (``DOCMEND_PATTERN_CACHE=0`` turns it off)."""
    return regex_main is not None and os.environ.get("DOCMEND_PATTERN_CACHE", "1") != "0"


class _Recorder:
    """Stands in for ``regex._regex`` while one thread compiles: keeps that thread's ``compile`` arguments."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.owner = threading.get_ident()
        self.arguments: tuple[Any, ...] | None = None

    def compile(self, *arguments: Any) -> Any:
        if threading.get_ident() == self.owner:
            self.arguments = arguments
        return self.core.compile(*arguments)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.core, name)


_RECORDING = threading.Lock()


def compile_recorded(pattern: str, flags: int) -> tuple[regex.Pattern[str], tuple[Any, ...] | None]:
    """``regex.compile(pattern, flags)`` (errors as it raises them) and the arguments it gave the C core
    (None if they could not be seen)."""
    if regex_main is None:
        return regex.compile(pattern, flags), None
    with _RECORDING:
        core = regex_main._regex
        recorder = _Recorder(core)
        regex_main._regex = recorder
        try:
            compiled = regex.compile(pattern, flags, cache_pattern=False)
        except TypeError:  # a regex without ``cache_pattern``: compiled below, nothing recorded
            compiled = None
        finally:
            regex_main._regex = core
    if compiled is None:
        return regex.compile(pattern, flags), None
    arguments = recorder.arguments
    if arguments is None or len(arguments) < 2 or arguments[0] != pattern or arguments[1] & regex.LOCALE:
        return compiled, None
    arguments = _plain(arguments)
    try:
        marshal.dumps(arguments)
    except ValueError:  # something marshal cannot write: this pattern is compiled each time
        return compiled, None
    return compiled, arguments


def _plain(value: Any) -> Any:
    """``value`` with every int subclass (the flags are enums) as a plain int, so that marshal can write it."""
    if isinstance(value, bool) or type(value) in (int, str, float, type(None)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple, frozenset, set)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    return value


class PatternCache:
    """The compiled patterns of one rule file: read from the cache, and written back when new ones were compiled.

    >>> cache = PatternCache("id = 1", enabled=False)
    >>> pattern, literals = cache.compile(r"第\\d+页", 0, lambda compiled: ("第",))
    >>> bool(pattern.fullmatch("第3页")), literals
    (True, ('第',))
    """

    def __init__(self, text: str, *, enabled: bool = True) -> None:
        """The cache entry of a rule file whose text is ``text`` (nothing is read when not ``enabled``)."""
        self.enabled = enabled
        self.path: Path | None = None
        self.entries: dict[tuple[str, int], Entry] = {}
        self.changed = False
        if not enabled:
            return
        from .tables import cache_dir  # not at import: it loads numpy

        key = f"{CACHE_FORMAT}|{regex.__version__}|{sys.version}|{text}"
        self.path = cache_dir() / f"patterns-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}.marshal"
        try:
            loaded = marshal.loads(self.path.read_bytes())
            if isinstance(loaded, dict):
                self.entries = loaded
        except (OSError, EOFError, ValueError, TypeError):
            pass

    def compile(
        self, pattern: str, flags: int, literals_of: Callable[[regex.Pattern[str]], tuple[str, ...] | None]
    ) -> tuple[regex.Pattern[str], tuple[str, ...] | None]:
        """The compiled ``pattern`` and its required literals (``literals_of(compiled)``), from the cache
        when it holds them; a bad pattern raises ``regex.error`` as :func:`regex.compile` does."""
        entry = self.entries.get((pattern, int(flags)))
        if entry is not None:
            try:
                arguments, literals = entry
                return regex_main._regex.compile(*arguments), literals
            except Exception:  # an entry this regex cannot take: compile afresh
                pass
        if not self.enabled:
            compiled = regex.compile(pattern, flags)
            return compiled, literals_of(compiled)
        compiled, arguments = compile_recorded(pattern, flags)
        literals = literals_of(compiled)
        if arguments is not None:
            self.entries[(pattern, int(flags))] = (arguments, literals)
            self.changed = True
        return compiled, literals

    def save(self) -> None:
        """Write the entries if new ones were compiled (silently nothing where the cache cannot be written)."""
        if not self.changed or self.path is None:
            return
        try:
            data = marshal.dumps(self.entries)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".patterns.", suffix=".marshal", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, ValueError):
            pass
        self.changed = False
