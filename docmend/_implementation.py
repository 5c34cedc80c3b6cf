"""Where docmend's implementation package comes from, under a name no user module can shadow.

Installed from a wheel, the implementation is ``docmend/_pipeline`` (the wheel maps ``pipeline/`` there), a
plain subpackage. In a source checkout or an editable install it is the ``pipeline/`` folder beside this
package: imported as ``pipeline`` when that name resolves to it (the tests use that name, and one copy of
each module must exist), otherwise — a user's own ``pipeline.py`` or ``pipeline/`` comes first on the
path — loaded under the private name ``docmend._pipeline``. The implementation imports itself with
relative imports only, so it works under either name.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

PRIVATE_NAME = "docmend._pipeline"
SOURCE_NAME = "pipeline"


def _source_folder() -> Path:
    return Path(__file__).resolve().parent.parent / SOURCE_NAME


def _is_ours(module_origin: str | None, folder: Path) -> bool:
    return module_origin is not None and Path(module_origin).resolve().parent == folder


def load() -> ModuleType:
    """The implementation package (imported once)."""
    if PRIVATE_NAME in sys.modules:
        return sys.modules[PRIVATE_NAME]
    installed = Path(__file__).resolve().parent / "_pipeline"
    if (installed / "__init__.py").is_file():
        return importlib.import_module(PRIVATE_NAME)
    folder = _source_folder()
    if not (folder / "__init__.py").is_file():
        raise ImportError(f"docmend's implementation is missing (no {installed} and no {folder}); reinstall docmend")
    loaded = sys.modules.get(SOURCE_NAME)
    if loaded is not None and _is_ours(getattr(loaded, "__file__", None), folder):
        return loaded
    if loaded is None:
        spec = importlib.util.find_spec(SOURCE_NAME)
        if spec is not None and _is_ours(spec.origin, folder):
            return importlib.import_module(SOURCE_NAME)
    spec = importlib.util.spec_from_file_location(
        PRIVATE_NAME, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PRIVATE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[PRIVATE_NAME]
        raise
    return module


def submodule(name: str) -> ModuleType:
    """One module of the implementation: ``submodule("runner")``."""
    return importlib.import_module(f"{load().__name__}.{name}")
