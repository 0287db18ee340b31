"""Rule files as tests change them: a copy of a shipped rule file, edited, loaded as the pipeline loads it.

Used by the rule-validation tests of the HTML, Markdown and milestone-table rules.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Union

import pytest
import yaml

from pipeline.rules import RULES_DIR, RuleError, load_ruleset


def shipped(name: str) -> Any:
    """Return the parsed content of the rule file `name` in rules/."""
    return yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))


def rule_problems(tmp_path: Path, name: str, schema: type, check: Callable, content: Union[dict, str]) -> list[str]:
    """Return the problems that loading rule file `name` holding `content` (data, or YAML text) reports
    together; fail the test when it loads without any."""
    text = content if isinstance(content, str) else yaml.safe_dump(content)
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_ruleset(name, schema, check, rules_dir=tmp_path)
    return err.value.problems
