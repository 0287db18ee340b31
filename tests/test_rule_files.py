"""The rule loader reads YAML with libyaml when it can: it must read every rule file exactly as the pure-Python loader."""
from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from pipeline.rules import read_rule_file

RULE_FILES = sorted((ROOT / "rules").glob("*.yaml"))


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_fast_loader_reads_the_rules_like_the_reference_loader(path):
    assert read_rule_file(path) == yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
