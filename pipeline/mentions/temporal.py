"""Temporal expressions: every date, period and relative time in the text, normalised by the period grammar.

The Matcher (rules/temporal.jsonl) proposes candidate spans; prefix phrases just before a
candidate ("by", "by the end of", "from", "the", "early") may join it (rules/mentions.yaml);
overlapping candidates resolve to the longest one that the period grammar (rules/periods.yaml)
can read. An expression without a
year ("17 May", "Q3") takes it from another dated expression of its paragraph, else from the
publication date; a relative one ("the next 3 years") is anchored to the publication date.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterator, Optional

from ..periods import Period, grammar
from .nlp import Matchers, WindowDoc


@dataclass(frozen=True, init=False)
class Expression:
    """A resolved temporal expression: its span, the pattern that found it and the period it names."""

    char_start: int
    char_end: int
    paragraph: int  # index into the paragraph list given to find_expressions
    rule_id: str
    period: Period

    def __init__(self, char_start: int, char_end: int, paragraph: int, rule_id: str, period: Period):
        # The fields in one update of the instance dict, as quantities.Reading sets its own: a frozen dataclass
        # sets them one by one through object.__setattr__, three times slower (an expression per occurrence).
        self.__dict__.update(char_start=char_start, char_end=char_end, paragraph=paragraph, rule_id=rule_id,
                             period=period)


def chain_starts(at: int, depth: int, ending: dict[int, list[int]], max_chain: int) -> Iterator[int]:
    """Yield `at` and the starts of the prefix phrases chained before it (`ending`: phrase starts by end), at most
    `max_chain` deep."""
    # A module function, not a closure: a recursive closure is a reference cycle that keeps the document's
    # objects alive until the cyclic collector runs.
    yield at
    if depth < max_chain:
        for s in ending.get(at, ()):
            yield from chain_starts(s, depth + 1, ending, max_chain)


def candidates(m: Matchers, wd: WindowDoc) -> tuple[list[tuple[int, int, int, int, str, int]], list[tuple[int, int]]]:
    """Return candidates (-length, char_start, rank, char_end, rule_id, paragraph) and veto spans (char_start,
    char_end). Sorted, the candidates come longest first, then in reading order, then in rule order.

    Each match is a candidate, and so is each chain of prefix phrases that ends where it starts. A chain lies
    in its match's run (the token before a run is none of its phrases'), so the candidates of a distinct run
    are found once, as token indexes in it, and placed at each occurrence. The matches are read in any order
    (m.temporal_starts gives them group by group): the candidates are sorted, the vetoes only mark text.
    """
    return placed(wd, run_candidates(m, wd))


def placed(wd: WindowDoc, local: list[Optional[tuple[list, list]]]) -> tuple[list, list]:
    """Return the candidates and vetoes of the distinct runs (`local`, see run_candidates) placed at every
    occurrence, as candidates returns them."""
    found, vetoes = [], []
    char_starts, char_ends, para = wd.starts, wd.ends, wd.para
    for i, u in wd.runs:
        run = local[u]
        if run is None:
            continue
        p = para[i]
        vetoes += [(char_starts[i + s], char_ends[i + e - 1]) for s, e in run[1]]
        found += [(char_starts[i + h] - char_ends[i + last], char_starts[i + h], rank, char_ends[i + last], rule_id, p)
                  for h, last, rank, rule_id in run[0]]
    return found, vetoes


def run_candidates(m: Matchers, wd: WindowDoc) -> list[Optional[tuple[list, list]]]:
    """Return, per distinct run, None when no temporal rule matches in it, else (candidates, vetoes) as token indexes
    from the run's first token: candidates (first token, last token, rank, rule_id), vetoes (start, end)."""
    max_chain = m.rules.max_prefix_chain
    words, order_of = wd.words, m.order_of

    # The temporal rules matched by start group try fewer patterns per token than m.temporal does.
    in_runs = (m.temporal_starts.in_runs(wd, m.rule_of) if m.temporal_starts is not None
               else wd.in_runs(m.temporal, m.rule_of))
    local: list[Optional[tuple[list, list]]] = []  # per distinct run: its candidates and vetoes, or None
    for u, (matches, phrases) in enumerate(zip(in_runs, wd.in_runs(m.prefixes, m.phrase_label))):
        if not matches:
            local.append(None)
            continue
        base = wd.at[u]
        ending: dict[int, list[int]] = {}
        for _, s, e in phrases:
            ending.setdefault(e, []).append(s)
        firsts: dict[int, set[int]] = {}  # the chain starts of a token, found once: many matches share a start
        cands, vetoes = [], []
        for rule, s, e in matches:
            while e - s > 1 and words[base + e - 1] in (".", ","):
                e -= 1  # "by 21 June." ends at June: a dot belongs to an expression only inside it ("Sept. 2021")
            if rule.role == "veto":
                vetoes.append((s, e))
                continue
            if s not in firsts:
                firsts[s] = set(chain_starts(s, 0, ending, max_chain))
            cands += [(h, e - 1, order_of[rule.id], rule.id) for h in firsts[s]]  # (first token, last token, ...)
        local.append((cands, vetoes))
    return local


def find_expressions(m: Matchers, text: str, wd: WindowDoc, published: Optional[date],
                     context_of: Optional[dict[int, list[int]]] = None) -> tuple[list[Expression], list[Expression]]:
    """Return (expressions, unanchored) of a window doc, in reading order, each read by the period grammar.

    Longest candidate first; a candidate overlapping an accepted one or a veto is dropped; one the grammar
    cannot read gives way to the shorter candidates inside it. `unanchored` are expressions that need a
    year or an anchor that neither the paragraph nor the document gives. `context_of` lists, for a
    paragraph, the other paragraphs (in order) whose dates may lend it a missing year.
    """
    g = grammar()
    # Shape check only: any day stands in for an anchor here; the real anchor is applied below.
    probe = published or date(2000, 1, 1)
    local = run_candidates(m, wd)
    spans = run_spans(wd, local)
    out: list[Expression] = []
    if spans is None:  # runs that share text (widened windows overlap): their candidates compete, all at once
        found, vetoes = placed(wd, local)
        out = [Expression(cs, ce, para, rule_id, period)
               for cs, ce, rule_id, period, para in chosen(g, text, probe, found, vetoes)]
    else:
        # A run's candidates lie in its text and compete with no other run's: a run that recurs with the same
        # text (the same distinct run: same tokens and tests) gives the same expressions, chosen once.
        char_starts, char_ends, para = wd.starts, wd.ends, wd.para
        memo: dict[tuple[int, str], list[tuple[int, int, str, Period]]] = {}
        for i, u, a, b in spans:
            key = (u, text[a:b])
            got = memo.get(key)
            if got is None:
                cands, run_vetoes = local[u]
                found = [(char_starts[i + h] - char_ends[i + last], char_starts[i + h] - a, rank,
                          char_ends[i + last] - a, rule_id, 0) for h, last, rank, rule_id in cands]
                vetoes = [(char_starts[i + s] - a, char_ends[i + e - 1] - a) for s, e in run_vetoes]
                got = memo[key] = [x[:4] for x in chosen(g, key[1], probe, found, vetoes)]
            p = para[i]
            out += [Expression(a + cs, a + ce, p, rule_id, period) for cs, ce, rule_id, period in got]
    out.sort(key=lambda x: x.char_start)
    resolved, unanchored = [], []
    by_para: dict[int, list[Expression]] = {}
    for x in out:
        if x.period.resolution == "explicit" and not x.period.is_relative and x.period.start is not None:
            by_para.setdefault(x.paragraph, []).append(x)
    for x in out:
        y = anchored(g, x, by_para, (context_of or {}).get(x.paragraph, []), text, published)
        (resolved if y is not None else unanchored).append(y if y is not None else x)
    return resolved, unanchored


def run_spans(wd: WindowDoc, local: list[Optional[tuple[list, list]]]) -> Optional[list[tuple[int, int, int, int]]]:
    """Return (index of its first token, distinct run, char start, char end) of each run with candidates (`local`,
    per distinct run), in reading order; None when two of them overlap in the text (windows widened into each other)."""
    first, n_doc = wd.first, len(wd.distinct)
    starts, ends = wd.starts, wd.ends
    out = []
    before = -1  # where the run before ends
    for i, u in wd.runs:
        if local[u] is None:
            continue
        size = (first[u + 1] if u + 1 < len(first) else n_doc) - first[u] - 1  # a separator after each run
        a, b = starts[i], ends[i + size - 1]
        if a < before:
            return None
        before = b
        out.append((i, u, a, b))
    return out


def chosen(g, text: str, probe: date, found: list[tuple[int, int, int, int, str, int]],
           vetoes: list[tuple[int, int]]) -> list[tuple[int, int, str, Period, int]]:
    """Return (char_start, char_end, rule_id, period, paragraph) of the candidates `found` (see candidates) that are
    taken, in reading order: longest first, none overlapping one taken before or a veto, each read by the grammar."""
    found.sort()  # longest first: two candidates alike up to the rank are the same candidate
    taken = bytearray(len(text) + 1)  # 1 where an accepted expression or a veto lies
    for a, b in vetoes:
        taken[a:b] = b"\x01" * (b - a)
    out = []
    seen: set[tuple[int, int]] = set()
    for _, cs, _, ce, rule_id, para in found:
        if (cs, ce) in seen or taken.find(1, cs, ce) >= 0:
            continue
        seen.add((cs, ce))
        period = g.parse(text[cs:ce], published=probe)
        if period is None or period.is_tbc:
            continue
        taken[cs:ce] = b"\x01" * (ce - cs)
        out.append((cs, ce, rule_id, period, para))
    out.sort()
    return out


def anchored(g, x: Expression, explicit: dict[int, list[Expression]], others: list[int], text: str,
             published: Optional[date]) -> Optional[Expression]:
    """Return `x` re-read with its real anchor when it has no year of its own; None when it has no anchor.

    The anchor is the nearest dated expression before it in its paragraph, else the first after it,
    else the last of the first paragraph in `others` that has one; failing all, the publication date.
    """
    if x.period.is_relative:
        return x if published is not None else None
    if x.period.resolution == "explicit":
        return x
    own = explicit.get(x.paragraph, [])
    before = [y for y in own if y.char_end <= x.char_start]
    after = [y for y in own if y.char_start >= x.char_end]
    ctx = before[-1] if before else after[0] if after else None
    for other in others:
        if ctx is not None:
            break
        if explicit.get(other):
            ctx = explicit[other][-1]
    context = (ctx.period.start, ctx.period.end) if ctx else None
    period = g.parse(text[x.char_start:x.char_end], context=context, published=published)
    return replace(x, period=period) if period is not None else None
