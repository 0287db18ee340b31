"""Rule files: read `rules/` once, validate each file strictly, report every problem together.

Like spaCy's SpanRuler patterns, a rule is plain data with an `id`. Each rule file has
a pydantic schema; loading collects all problems of all files into one `RuleError`.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, ValidationError

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


class RuleError(ValueError):
    """One or more rule files are invalid; `problems` lists every one of them."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid rules:\n  " + "\n  ".join(problems))


class StrictModel(BaseModel):
    """Base for rule schemas: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_rule_file(path: Path) -> Any:
    """Return the parsed content of one YAML or JSONL rule file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("//")]
    import yaml  # only the rule loader needs YAML

    # libyaml's loader when PyYAML has it: the same SafeConstructor, about 8x faster than the
    # pure-Python parser, which was a tenth of a cold `planextract extract`.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def check_regexes(items: dict[str, str], problems: list[str], where: str, flags: int = 0) -> None:
    """Append a problem for every pattern in `items` that does not compile.

    Pass the flags the rules are matched with: `re` keeps each compiled pattern, so the rules'
    own compile of it is then free (compiling is most of the cost of loading a rule file).
    """
    for key, pattern in items.items():
        try:
            re.compile(pattern, flags)
        except re.error as exc:
            problems.append(f"{where}: {key}: bad regex {pattern!r}: {exc}")


def unique_ids(ids: list[str], problems: list[str], where: str) -> None:
    """Append a problem for every rule id that is used twice."""
    seen: set[str] = set()
    for rid in ids:
        if rid in seen:
            problems.append(f"{where}: duplicate rule id {rid!r}")
        seen.add(rid)


def load_ruleset(name: str, schema: type[BaseModel], check: Callable[[Any, list[str]], None] | None = None,
                 rules_dir: Path | None = None) -> Any:
    """Return `rules/<name>` validated against `schema`; raise RuleError listing every problem."""
    path = (rules_dir or RULES_DIR) / name
    problems: list[str] = []
    try:
        data = read_rule_file(path)
    except FileNotFoundError:
        raise RuleError([f"{path}: missing rule file"]) from None
    except Exception as exc:  # malformed YAML/JSON: one line naming the file
        raise RuleError([f"{path}: cannot parse: {exc}".splitlines()[0]]) from None
    try:
        if isinstance(data, list):
            model = [schema.model_validate(item) for item in data]
        else:
            model = schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{path.name}: {loc}: {err['msg']}")
        raise RuleError(problems) from None
    if check is not None:
        check(model, problems)
    if problems:
        raise RuleError([f"{path.name}: {p}" for p in problems])
    return model
