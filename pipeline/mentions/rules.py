"""Mention rules: token classes (rules/mentions.yaml), token patterns (rules/temporal.jsonl,
rules/quantities.jsonl) and quantity vocabularies (rules/quantities.yaml), validated strictly.

Classes draw their words from the vocabularies of the other rule files ("from: periods.months"),
so a month name or a number word is defined once. `load_mention_rules` reads and checks every
file, collecting all problems into one RuleError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Optional

from pydantic import ConfigDict, Field, model_validator

from ..numbers import number_words
from ..periods import grammar
from ..rules import RuleError, StrictModel, load_ruleset, unique_ids
from .spacy_import import import_spacy


class ClassDef(StrictModel):
    """One token class: exactly one of words, from, regex or union."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    words: Optional[list[str]] = None
    from_: Optional[list[str]] = Field(None, alias="from")
    drop: list[str] = []
    regex: Optional[str] = None
    union: Optional[list[str]] = None

    @model_validator(mode="after")
    def _one_source(self):
        given = [k for k in ("words", "from_", "regex", "union") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of words, from, regex, union (got {given or 'none'})")
        return self


class Window(StrictModel):
    anchors: list[str]
    digits: str
    before: int
    after: int


class Windows(StrictModel):
    temporal: Window
    quantity: Window


class Prefixes(StrictModel):
    words: list[str]
    from_: list[str] = Field(alias="from")
    max_chain: int
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MentionFile(StrictModel):
    version: int
    classes: dict[str, ClassDef]
    temporal_prefixes: Prefixes
    windows: Windows


class TokenRule(StrictModel):
    """One line of a pattern file: a spaCy token pattern with an id and a role."""

    id: str
    role: Literal["expression", "veto", "quantity", "trap"]
    pattern: list[dict[str, Any]]
    names: bool = False  # a trap whose numbers are names everywhere in the document ("NHS 111")


class _Combine(StrictModel):
    id: str
    openers: list[str]
    joiners: list[str]
    ascending: bool


class _Subjects(StrictModel):
    max_words: int
    of_words: list[str]
    of_skip: list[str]
    joiners: list[str]
    immediate_units: list[str]
    of_units: list[str]
    leading_skip: list[str]
    count_needs_plural: bool
    irregular_plurals: list[str]
    not_plural: list[str]
    verb_endings: list[str]
    stop_words: list[str]


class _Traps(StrictModel):
    label_words: list[str]
    name_year_heads: list[str]
    bare_count_needs: list[Literal["subject", "thousands_separator", "following_date"]]
    ambiguous_number_words: list[str]
    name_min_digits: int
    descending_pair_is_names: bool


class _PluralNumbers(StrictModel):
    id: str
    suffixes: list[str]
    followers: list[str]
    thousands_separator_suffices: bool
    currency_suffices: bool
    comparator: Literal["at_least", "more_than", "less_than", "up_to", "approximately"]


class _Fractions(StrictModel):
    denominators: dict[str, int]
    followers: list[str]
    one_part: list[str]  # fraction words of one part: "a third of", "a quarter of"
    articles: list[str]  # words for one before such a word
    alone: list[str]  # those that are a share without an article: "half of"
    time_class: str  # a class of rules/mentions.yaml: after "of", a span of time ("half of the year")
    time_skip: list[str]
    part_heads: list[str]  # before a fraction word alone, they name a part ("the first half")


class QuantityVocab(StrictModel):
    version: int
    currencies: dict[str, str]
    units: dict[str, list[str]]
    ratio_words: list[str]
    unit_phrases: dict[str, list[str]]
    duration_abbreviations: dict[str, str]
    compound_only_abbreviations: list[str]
    duration_seconds: dict[str, int]
    multiplier_words: dict[str, float]
    fold_words: list[str]
    plural_numbers: _PluralNumbers
    fractions: _Fractions
    comparators: dict[Literal["at_least", "more_than", "less_than", "up_to", "approximately"], list[str]]
    comparator_fillers: list[str]
    trailing_comparators: dict[Literal["at_least", "more_than", "less_than", "up_to", "approximately"], list[str]]
    prepositional_comparators: list[str]
    prepositional_comparator_units: list[str]
    comparator_units: dict[str, list[str]]
    combine: list[_Combine]
    subjects: _Subjects
    traps: _Traps


@dataclass(frozen=True)
class TokenClass:
    """A compiled token class: membership of a token text."""

    name: str
    words: frozenset[str]  # lower-case words (word classes)
    regexes: tuple[re.Pattern, ...]  # token shapes (regex classes)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # a text's membership, once known

    def __contains__(self, text: str) -> bool:
        known = self.memo.get(text)
        if known is None:
            known = self.memo[text] = text.lower() in self.words or any(r.match(text) for r in self.regexes)
        return known


@dataclass(frozen=True)
class MentionRules:
    """Everything the mention matchers need, validated."""

    classes: dict[str, TokenClass]
    windows: Windows
    temporal_prefixes: tuple[str, ...]
    max_prefix_chain: int
    temporal: tuple[TokenRule, ...]
    quantity: tuple[TokenRule, ...]
    vocab: QuantityVocab


def resolve_refs(refs: list[str], sources: dict[str, Any], problems: list[str], where: str) -> list[str]:
    """Return the vocabulary entries (phrases, as written) that `refs` ("periods.months") point to."""
    out: list[str] = []
    for ref in refs:
        node: Any = sources
        try:
            for key in ref.split("."):
                node = node[int(key)] if isinstance(node, list) else node[key]
            out.extend(_vocabulary(node))
        except (KeyError, IndexError, ValueError) as exc:
            problems.append(f"{where}: from {ref!r}: {exc}")
    return out


def _vocabulary(node: Any) -> list[str]:
    """Return the strings of a vocabulary node: list items, or a dict's keys (its list items when it maps to lists)."""
    if isinstance(node, dict):
        if node and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in node.values()):
            return [x for v in node.values() for x in v]
        return [str(k) for k in node]
    if isinstance(node, list):
        return [str(x) for x in node]
    raise KeyError("not a vocabulary (a list or a mapping)")


def _sources(vocab: QuantityVocab) -> dict[str, Any]:
    return {"periods": grammar().rules.model_dump(), "numbers": number_words().data.model_dump(),
            "quantities": vocab.model_dump()}


def compile_classes(defs: dict[str, ClassDef], sources: dict[str, Any], problems: list[str]) -> dict[str, TokenClass]:
    """Return the compiled token classes; append a problem for every bad reference or regex."""
    out: dict[str, TokenClass] = {}

    def build(name: str, trail: tuple[str, ...]) -> TokenClass:
        if name in out:
            return out[name]
        if name in trail:
            problems.append(f"classes.{name}: union refers to itself")
            return TokenClass(name, frozenset(), ())
        d = defs[name]
        words: set[str] = set()
        regexes: list[re.Pattern] = []
        if d.words is not None:
            words = {w.lower() for w in d.words}
        elif d.from_ is not None:
            for entry in resolve_refs(d.from_, sources, problems, f"classes.{name}"):
                words.update(entry.lower().split())
            words -= {w.lower() for w in d.drop}
        elif d.regex is not None:
            try:
                regexes = [re.compile(d.regex)]
            except re.error as exc:
                problems.append(f"classes.{name}: bad regex {d.regex!r}: {exc}")
        else:
            for part in d.union or []:
                if part not in defs:
                    problems.append(f"classes.{name}: union of unknown class {part!r}")
                    continue
                sub = build(part, trail + (name,))
                words |= sub.words
                regexes.extend(sub.regexes)
        out[name] = TokenClass(name, frozenset(words), tuple(regexes))
        return out[name]

    for name in defs:
        build(name, ())
    return out


_REF = re.compile(r"^@(?P<name>[a-z_][a-z0-9_]*)$")


def class_refs(pattern: list[dict[str, Any]]) -> list[str]:
    """Return the class names a token pattern refers to ("@month")."""
    refs = []
    for token in pattern:
        for value in token.values():
            if isinstance(value, dict):
                for op, arg in value.items():
                    if isinstance(arg, str) and _REF.match(arg):
                        refs.append(arg[1:])
    return refs


def check_token_rules(rules: list[TokenRule], classes: dict[str, Any], roles: set[str], where: str,
                      problems: list[str]) -> None:
    """Append a problem for every bad id, role, class reference or spaCy pattern in `rules`."""
    import_spacy()  # the extract path imports spaCy; the CLI does not
    from spacy.schemas import validate_token_pattern

    unique_ids([r.id for r in rules], problems, where)
    for r in rules:
        if r.role not in roles:
            problems.append(f"{where}: {r.id}: role {r.role!r} not one of {sorted(roles)}")
        for name in class_refs(r.pattern):
            if name not in classes:
                problems.append(f"{where}: {r.id}: unknown class @{name}")
        plain = [{k: ({op: ([a] if isinstance(a, str) and op in ("IN", "NOT_IN") else a) for op, a in v.items()}
                      if isinstance(v, dict) else v) for k, v in t.items()} for t in r.pattern]
        for err in validate_token_pattern(plain):
            problems.append(f"{where}: {r.id}: {err}")
        if not r.pattern or any(not t for t in r.pattern):
            problems.append(f"{where}: {r.id}: empty pattern or wildcard token (a pattern may not skip tokens)")


def _check_vocab(v: QuantityVocab, problems: list[str]) -> None:
    unique_ids([c.id for c in v.combine], problems, "combine")
    units = set(v.units) | {"count", "ratio"} | set(v.currencies.values())
    for phrase_unit in v.unit_phrases:
        if phrase_unit not in v.units:
            problems.append(f"unit_phrases: unknown unit {phrase_unit!r}")
    for suffix in v.plural_numbers.suffixes:
        if suffix not in v.duration_abbreviations:
            problems.append(f"plural_numbers.suffixes: {suffix!r} is no duration abbreviation (no pattern finds it)")
    for abbr, unit in v.duration_abbreviations.items():
        if unit not in v.duration_seconds:
            problems.append(f"duration_abbreviations.{abbr}: {unit!r} has no duration_seconds")
    for word, allowed in v.comparator_units.items():
        for u in allowed:
            if u not in units:
                problems.append(f"comparator_units.{word}: unknown unit {u!r}")
    for where, listed in (("subjects", v.subjects.immediate_units + v.subjects.of_units),
                          ("prepositional_comparator_units", v.prepositional_comparator_units)):
        for u in listed:
            if u not in units:
                problems.append(f"{where}: unknown unit {u!r}")
    fr = v.fractions
    for key, words in (("one_part", fr.one_part), ("alone", fr.alone)):
        for w in words:
            if w not in fr.denominators:
                problems.append(f"fractions.{key}: {w!r} is not a fraction word of fractions.denominators")
    for w in fr.alone:
        if w not in fr.one_part:
            problems.append(f"fractions.alone: {w!r} is not in fractions.one_part")
    spellings = [s.lower() for spell in v.units.values() for s in spell]
    dup = sorted({s for s in spellings if spellings.count(s) > 1})
    if dup:
        problems.append(f"units: spellings listed twice: {dup}")


def load_mention_rules(rules_dir=None) -> MentionRules:
    """Return the validated mention rules; raise RuleError listing every problem of every file."""
    problems: list[str] = []
    loaded: dict[str, Any] = {}
    for key, name, schema, check in (("file", "mentions.yaml", MentionFile, None),
                                     ("vocab", "quantities.yaml", QuantityVocab, _check_vocab),
                                     ("temporal", "temporal.jsonl", TokenRule, None),
                                     ("quantity", "quantities.jsonl", TokenRule, None)):
        try:
            loaded[key] = load_ruleset(name, schema, check, rules_dir=rules_dir)
        except RuleError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RuleError(problems)
    file, vocab = loaded["file"], loaded["vocab"]
    sources = _sources(vocab)
    classes = compile_classes(file.classes, sources, problems)
    prefixes = file.temporal_prefixes.words + resolve_refs(file.temporal_prefixes.from_, sources, problems,
                                                           "temporal_prefixes")
    check_token_rules(loaded["temporal"], classes, {"expression", "veto"}, "temporal.jsonl", problems)
    check_token_rules(loaded["quantity"], classes, {"quantity", "trap"}, "quantities.jsonl", problems)
    if vocab.fractions.time_class not in classes:
        problems.append(f"quantities.yaml: fractions.time_class: unknown class {vocab.fractions.time_class!r}")
    for name in file.windows.temporal.anchors + file.windows.quantity.anchors:
        if name not in classes:
            problems.append(f"mentions.yaml: windows: unknown class {name!r}")
        elif classes[name].regexes:
            problems.append(f"mentions.yaml: windows: anchor class {name!r} must be a word class")
    for name in (file.windows.temporal.digits, file.windows.quantity.digits):
        if name not in classes or not classes[name].regexes:
            problems.append(f"mentions.yaml: windows: digits class {name!r} must be a regex class")
    if problems:
        raise RuleError(problems)
    return MentionRules(classes, file.windows, tuple(sorted(set(prefixes))), file.temporal_prefixes.max_chain,
                        tuple(loaded["temporal"]), tuple(loaded["quantity"]), vocab)


@lru_cache(maxsize=None)
def mention_rules() -> MentionRules:
    """Return the process-wide validated mention rules."""
    return load_mention_rules()
