"""Load and validate rule files: the data that tells each stage what to look for.

Rules live in TOML files, one per site under ``rules/sites/`` and shared ones under
``rules/common/``. Layers merge like dateparser's language data: the packaged rules first, then
each ``--rules DIR`` on top (a file with the same relative path replaces the packaged one, a new
file adds to them). Any problem raises :class:`RuleError` naming the file and the key.

A site file looks like::

    [site]
    id = "diyiwenku"
    name = "第一文库网"
    aliases = ["第一文库"]
    domains = ["wenku1.com"]

    [[rule]]
    id = "diyiwenku.share-header"
    kind = "line"            # line | span | tail
    description = "The share header the site puts above every preview."
    pattern = '''《(?P<title>.+?)》由会员分享.*第一文库网上搜索。?'''
    title_group = "title"
    [[rule.example]]
    before = "《X.docx》由会员分享,可在线阅读,更多相关《X.docx》请在第一文库网上搜索。\\n正文。"
    after = "正文。"

``line`` rules remove each whole line the pattern *fully* matches (after trimming spaces);
``span`` rules replace each match with ``replace`` (default: nothing); ``tail`` rules drop
everything from the first match to the end of the text. Common files hold stage settings in
named tables (``[headings]``, ``[punctuation]``, …) and may also carry ``[[rule]]`` and
``[[example]]`` entries.
"""

from __future__ import annotations

import re
import re._parser as re_parser
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from .errors import RuleError

RULE_KINDS = ("line", "span", "tail")
STAGES = ("boilerplate", "page_artefacts", "paragraphs", "normalise", "damage", "restore")


def packaged_rules_dir() -> Path:
    """The rules shipped with docmend: inside the installed package, or the checkout's ``rules/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "common").is_dir():
            return candidate
    raise RuleError(here / "rules", None, "the packaged rules are missing; reinstall docmend")


@dataclass(frozen=True, slots=True)
class Example:
    """A before/after pair that a test runs through the rule's stage."""

    before: str
    after: str
    stage: str
    rule_id: str | None
    path: Path


@dataclass(frozen=True, slots=True)
class Rule:
    """One matcher: what it finds, what it does, and why (its description is the edit's reason)."""

    id: str
    kind: str
    stage: str
    description: str
    pattern: regex.Pattern[str]
    replace: str
    title_group: str | None
    site: str | None
    path: Path
    examples: tuple[Example, ...] = ()
    literals: tuple[str, ...] | None = None

    def may_match(self, text: str) -> bool:
        """False when ``text`` lacks every literal a match needs (a cheap skip), else True."""
        return self.literals is None or any(literal in text for literal in self.literals)


RE_PROPERTY = regex.compile(r"\\[pP]\{[^}]*\}")
Literals = tuple[str, ...]


def required_literals(pattern: str) -> Literals | None:
    r"""Literals of which every match of ``pattern`` contains at least one, or None if unsure.

    Used to skip a rule cheaply on text (or lines) that cannot match it. Literal runs count at the
    top level, inside plain groups, positive look-arounds and repeats of at least one; an
    alternation counts when every branch has its own literals. The answer is sound: a match without
    them is impossible.

    >>> required_literals(r"《.+?》由会员分享.*第一文库网上搜索")
    ('第一文库网上搜索',)
    >>> required_literals(r"(?:道客巴巴|豆丁网)\s*版权所有")
    ('版权所有',)
    >>> required_literals(r"关于我们|联系我们")
    ('关于我们', '联系我们')
    >>> required_literals(r"免[费費]下[载載]")
    ('免费下载', '免费下載', '免費下载', '免費下載')
    """
    # \p{Han} and friends are single characters: for this analysis any character will do
    try:
        parsed = re_parser.parse(RE_PROPERTY.sub(".", pattern))
    except (re.error, ValueError, OverflowError, RecursionError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _required(list(parsed))
    return found if found and min(len(lit) for lit in found) >= 2 else None


def _score(literals: Literals | None) -> int:
    return min(len(lit) for lit in literals) if literals else 0


MAX_LITERAL_VARIANTS = 16


def _class_chars(op: object, arg: object) -> list[str] | None:
    """The characters of a small character class of plain characters (``[载載]``), else None."""
    if op is not re_parser.IN or not isinstance(arg, list) or len(arg) > 4:
        return None
    chars = [chr(value) for kind, value in arg if kind is re_parser.LITERAL and isinstance(value, int)]
    return chars if len(chars) == len(arg) else None


def _required(items: list[tuple[object, object]]) -> Literals | None:
    """The best any-of literal set for a sequence of parsed items (see required_literals).

    A small class of characters multiplies the literal run it is part of: ``下[载載]`` gives
    ``('下载', '下載')`` (the traditional variants the rules allow would otherwise cut every run short).
    """
    best: Literals | None = None
    run: list[str] = [""]

    def consider(candidate: Literals | None) -> None:
        nonlocal best
        if candidate and (best is None or _score(candidate) > _score(best)):
            best = candidate

    def flush() -> None:
        nonlocal run
        if run[0]:
            consider(tuple(dict.fromkeys(run)))
        run = [""]

    for op, arg in items:
        if op is re_parser.LITERAL and isinstance(arg, int):
            run = [prefix + chr(arg) for prefix in run]
            continue
        chars = _class_chars(op, arg)
        if chars is not None:
            if len(run) * len(chars) <= MAX_LITERAL_VARIANTS:
                run = [prefix + char for prefix in run for char in chars]
                continue
            flush()
            run = chars
            continue
        flush()
        if op is re_parser.SUBPATTERN and isinstance(arg, tuple) and arg[1] == 0 and arg[2] == 0:
            consider(_required(list(arg[3])))
        elif op in (re_parser.MAX_REPEAT, re_parser.MIN_REPEAT) and isinstance(arg, tuple) and arg[0] >= 1:
            consider(_required(list(arg[2])))
        elif op is re_parser.ASSERT and isinstance(arg, tuple):
            # a positive look-around: its text must be there too (in the line or text searched)
            consider(_required(list(arg[1])))
        elif op is re_parser.BRANCH and isinstance(arg, tuple):
            branches = [_required(list(branch)) for branch in arg[1]]
            if all(branches):
                consider(tuple(dict.fromkeys(lit for branch in branches if branch for lit in branch)))
    flush()
    return best


@dataclass(frozen=True, slots=True)
class Site:
    """A document-sharing site whose pages docmend knows."""

    id: str
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    path: Path
    rule_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class RuleSet:
    """Every rule, site and stage setting loaded from the layered rule directories."""

    rules: list[Rule] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def for_stage(self, stage: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.stage == stage]

    def setting(self, table: str, key: str, default: Any = None) -> Any:
        """A stage setting from the common files, e.g. ``setting("headings", "patterns")``."""
        return self.settings.get(table, {}).get(key, default)

    def only(self, rule_id: str) -> RuleSet:
        """A copy holding just one rule (and all settings): used to run a rule's own examples."""
        chosen = [rule for rule in self.rules if rule.id == rule_id]
        return RuleSet(chosen, self.sites, self.settings, [], self.files)


def _compile(path: Path, key: str, pattern: Any) -> regex.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(path, key, "pattern must be a non-empty string")
    try:
        return regex.compile(pattern, regex.V0)
    except regex.error as err:
        raise RuleError(path, key, f"bad regular expression: {err}") from None


def compile_patterns(path: Path, key: str, patterns: Any) -> list[regex.Pattern[str]]:
    """Compile a list of patterns from a settings table, naming the file and key on error."""
    if not isinstance(patterns, list):
        raise RuleError(path, key, "expected a list of patterns")
    return [_compile(path, f"{key}[{i}]", p) for i, p in enumerate(patterns)]


def _examples(path: Path, raw: Any, stage: str, rule_id: str | None, key: str) -> list[Example]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RuleError(path, key, "examples must be an array of tables")
    out = []
    for i, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("before"), str)
            or not isinstance(item.get("after"), str)
        ):
            raise RuleError(path, f"{key}[{i}]", "an example needs string 'before' and 'after'")
        out.append(Example(item["before"], item["after"], str(item.get("stage", stage)), rule_id, path))
    return out


def _rule(path: Path, raw: Any, index: int, site: str | None, default_stage: str) -> Rule:
    key = f"rule[{index}]"
    if not isinstance(raw, dict):
        raise RuleError(path, key, "a rule must be a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not regex.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rule_id):
        raise RuleError(path, key, "each rule needs an id of lower-case letters, digits, '.', '-' or '_'")
    key = f"rule {rule_id}"
    unknown = set(raw) - {"id", "kind", "stage", "description", "pattern", "replace", "title_group", "example"}
    if unknown:
        raise RuleError(path, key, f"unknown keys: {', '.join(sorted(unknown))}")
    kind = raw.get("kind", "line")
    if kind not in RULE_KINDS:
        raise RuleError(path, key, f"kind must be one of {', '.join(RULE_KINDS)}, not {kind!r}")
    stage = raw.get("stage", default_stage)
    if stage not in STAGES:
        raise RuleError(path, key, f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise RuleError(path, key, "each rule needs a description (it becomes the reason of its edits)")
    pattern = _compile(path, key, raw.get("pattern"))
    replace = raw.get("replace", "")
    if not isinstance(replace, str):
        raise RuleError(path, key, "replace must be a string")
    title_group = raw.get("title_group")
    if title_group is not None and title_group not in pattern.groupindex:
        raise RuleError(path, key, f"title_group {title_group!r} is not a named group of the pattern")
    examples = _examples(path, raw.get("example"), stage, rule_id, f"{key}.example")
    return Rule(
        rule_id,
        kind,
        stage,
        description.strip(),
        pattern,
        replace,
        title_group,
        site,
        path,
        tuple(examples),
        required_literals(pattern.pattern) if not pattern.flags & regex.IGNORECASE else None,
    )


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(path, key, "expected a list of strings")
    return tuple(value)


def parse_rule_file(path: Path) -> tuple[Site | None, list[Rule], dict[str, dict[str, Any]], list[Example]]:
    """Read one TOML rule file: its site (if any), rules, settings tables and file-level examples."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RuleError(path, None, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise RuleError(path, None, f"not valid TOML: {err}") from None
    except OSError as err:
        raise RuleError(path, None, f"cannot be read: {err.strerror}") from None
    site: Site | None = None
    raw_site = data.pop("site", None)
    default_stage = "boilerplate"
    if raw_site is not None:
        if (
            not isinstance(raw_site, dict)
            or not isinstance(raw_site.get("id"), str)
            or not isinstance(raw_site.get("name"), str)
        ):
            raise RuleError(path, "site", "[site] needs string 'id' and 'name'")
        site = Site(
            raw_site["id"],
            raw_site["name"],
            _strings(path, "site.aliases", raw_site.get("aliases")),
            _strings(path, "site.domains", raw_site.get("domains")),
            path,
        )
    else:
        default_stage = str(data.pop("stage", "boilerplate"))
        if default_stage not in STAGES:
            raise RuleError(path, "stage", f"stage must be one of {', '.join(STAGES)}")
    raw_rules = data.pop("rule", [])
    if not isinstance(raw_rules, list):
        raise RuleError(path, "rule", "rules must be written as [[rule]] tables")
    rules = [_rule(path, raw, i, site.id if site else None, default_stage) for i, raw in enumerate(raw_rules)]
    examples = _examples(path, data.pop("example", None), default_stage, None, "example")
    settings: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            raise RuleError(path, key, "top-level settings must be tables")
        settings[key] = value
    if site is not None:
        site = Site(site.id, site.name, site.aliases, site.domains, path, tuple(r.id for r in rules))
    return site, rules, settings, examples


def _rule_files(directory: Path) -> dict[str, Path]:
    if not directory.is_dir():
        raise RuleError(directory, None, "rules directory does not exist")
    return {p.relative_to(directory).as_posix(): p for p in sorted(directory.rglob("*.toml"))}


def load_rules(extra_dirs: Sequence[Path | str] = (), *, include_packaged: bool = True) -> RuleSet:
    """Load the packaged rules and any extra layers on top; validate everything.

    Raises RuleError for a malformed file, a duplicate rule or site id, or a bad pattern.
    """
    layers = ([packaged_rules_dir()] if include_packaged else []) + [Path(d) for d in extra_dirs]
    return _load(tuple(p.resolve() for p in layers))


@lru_cache(maxsize=8)
def _load(layers: tuple[Path, ...]) -> RuleSet:
    files: dict[str, Path] = {}
    for layer in layers:
        files.update(_rule_files(layer))
    ruleset = RuleSet()
    seen_rules: dict[str, Path] = {}
    seen_sites: dict[str, Path] = {}
    for rel in sorted(files):
        path = files[rel]
        site, rules, settings, examples = parse_rule_file(path)
        if site is not None:
            if site.id in seen_sites:
                raise RuleError(path, "site.id", f"site {site.id!r} is also defined in {seen_sites[site.id]}")
            seen_sites[site.id] = path
            ruleset.sites.append(site)
        for rule in rules:
            if rule.id in seen_rules:
                raise RuleError(path, f"rule {rule.id}", f"duplicate rule id (also in {seen_rules[rule.id]})")
            seen_rules[rule.id] = path
            ruleset.rules.append(rule)
            ruleset.examples.extend(rule.examples)
        for table, values in settings.items():
            ruleset.settings.setdefault(table, {}).update(values)
        ruleset.examples.extend(examples)
        ruleset.files.append(path)
    return ruleset


def iter_rule_summaries(ruleset: RuleSet) -> Iterable[tuple[str, str, str, str]]:
    """(file, site, rule id, description) for each rule, for ``docmend rules``."""
    for rule in ruleset.rules:
        yield (rule.path.name, rule.site or "common", rule.id, rule.description)
