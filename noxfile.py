"""nox sessions: ``nox -s tests`` runs the test suite in a fresh virtualenv, ``nox -s lint`` runs ruff."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
LINTED = ("docmend", "pipeline", "tests", "bench", "scripts", "noxfile.py")


@nox.session
def tests(session: nox.Session) -> None:
    """Install docmend with its test extra, run ruff over the code, then pytest."""
    session.install(".[test]")
    session.run("ruff", "check", *LINTED)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check over the package, tests and benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", *LINTED)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (not part of the tests)."""
    session.install(".[test,bench]")
    session.run("python", "bench/bench_clean.py", *session.posargs)
