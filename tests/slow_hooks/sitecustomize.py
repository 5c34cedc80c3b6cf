"""Test hook, loaded by every Python process of a test's ``docmend`` run (tests put this folder on PYTHONPATH).

Makes cleaning slow on purpose, deterministically, so the time-limit tests do not race real work:

* ``DOCMEND_TEST_FIRST_CLEAN_SLEEP=S``: the first ``clean_text`` call of each process sleeps S seconds
  first (a one-off warm-up cost, like loading the dictionaries);
* a document whose file name starts with ``sleep-`` sleeps 600 s in ``clean_file`` (far past any limit).
"""

from __future__ import annotations

import os


def _install() -> None:
    import time
    from pathlib import Path

    import pipeline.runner as runner

    first_sleep = float(os.environ.get("DOCMEND_TEST_FIRST_CLEAN_SLEEP") or 0)
    real_clean_text, real_clean_file = runner.clean_text, runner.clean_file
    state = {"first": True}

    def clean_text(*args, **kwargs):
        if state["first"]:
            state["first"] = False
            time.sleep(first_sleep)
        return real_clean_text(*args, **kwargs)

    def clean_file(path, **kwargs):
        if Path(path).name.startswith("sleep-"):
            time.sleep(600)
        return real_clean_file(path, **kwargs)

    runner.clean_text = clean_text
    runner.clean_file = clean_file


if os.environ.get("DOCMEND_TEST_HOOKS"):
    _install()
