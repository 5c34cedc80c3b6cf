"""Help text that reads as a person expects: flags shown as flags, repeatable values as ``<path>``.

Typer (0.20 and later) prints a type for every parameter — ``--resume <bool>``, ``--rules <list[Path]>`` —
although ``--resume`` takes no value. :class:`PlainHelpGroup` gives each flag an empty metavar and each
list-valued parameter the name of one element, so ``docmend corpus --help`` shows ``--resume`` alone
and ``--rules <path>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from typer.core import TyperGroup


def _shown_type(label: str | None) -> Callable[[Any], str | None]:
    return lambda ctx: label


def plain_metavars(command: Any) -> None:
    """Show the flags of ``command`` (``--help`` included) without a type, its list parameters as ``<element>``."""
    for param in command.params:
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(param, "is_flag", False):
            param.display_type_rich = _shown_type(None)
        elif descriptor is not None and getattr(descriptor, "is_list", False):
            element = get_args(descriptor.annotation)
            name = getattr(element[0], "__name__", "value") if element else "value"
            param.display_type_rich = _shown_type(f"<{name.lower()}>")
    make_help_option = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.display_type_rich = _shown_type(None)
        return option

    command.get_help_option = get_help_option


class PlainHelpGroup(TyperGroup):
    """A Typer group whose commands' help shows flags as flags (see :func:`plain_metavars`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_metavars(self)
        for command in self.commands.values():
            plain_metavars(command)
