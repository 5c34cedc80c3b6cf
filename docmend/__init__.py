"""docmend: turn documents scraped from Chinese document-sharing sites back into clean, complete text.

The Python API (the command line is ``docmend``)::

    >>> import docmend
    >>> result = docmend.clean("第 1 页 共 2 页\\n坚持以人民为中心的发展思想。")
    >>> result.text
    '坚持以人民为中心的发展思想。'
    >>> [edit["rule"] for edit in result.edits]
    ['damage.letter-spaced-heading', 'page.number-of-total']
    >>> result.quality["lang"], result.quality["script"]
    ('zh', 'Hans')

* :func:`clean` — a string (``reference=`` another version's text, to restore masked spans);
* :func:`clean_file` — a TXT (any encoding), HTML, DOCX or PDF file;
* :func:`clean_records` — a stream of dicts (``text``/``id`` fields; the other fields kept under ``metadata``).

Each returns or yields what ``docmend clean`` / ``docmend corpus`` write; :class:`CleanResult` holds
``text``, ``title``, ``edits``, ``suggestions``, ``quality``, ``status`` and ``warnings``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from docmend import _implementation

_api = _implementation.submodule("api")
_errors = _implementation.submodule("errors")

CleanResult = _api.CleanResult
clean = _api.clean
clean_file = _api.clean_file
clean_records = _api.clean_records
DocmendError = _errors.DocmendError
IngestError = _errors.IngestError

try:
    __version__ = version("docmend")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["CleanResult", "DocmendError", "IngestError", "__version__", "clean", "clean_file", "clean_records"]
