"""Quantities: money, percentages, counts, speeds, sizes, durations and multipliers in the text.

The Matcher (rules/quantities.jsonl) proposes candidates and traps. A candidate is read from
its tokens' classes (currency, amount, scale, unit); overlapping candidates resolve to the
longest; a candidate whose amount lies in a trap, or in a (non-relative) temporal expression,
is not a quantity. Comparators are read from the phrases around the amount, two amounts may
combine into a change or a range, and the counted thing (subject) is read after the amount.
The settings of rules/quantities.yaml (traps, subjects) decide what a bare number needs.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from math import gcd
from operator import attrgetter, itemgetter
from typing import Any, Optional

from ..numbers import number_words
from .nlp import Matchers, WindowDoc

# A subject's words: letters and digits, glued ("2D") or joined by single hyphens ("cross-cutting"); else one character.
WORD_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")


@dataclass(frozen=True, init=False)
class Reading:
    """What a candidate's tokens say: the value and how it was written."""

    value: float
    unit: str
    multiplier: Optional[float]
    amount: tuple[int, int]  # token range of the written number(s)
    is_bare: bool  # a plain count: no currency, scale or unit
    in_words: bool
    has_decimal: bool
    has_separator: bool
    comparator: Optional[str] = None  # one the written form gives ("1,000s of": at_least)
    counts_of: bool = False  # the counted thing follows "of" ("1,000s of downloads", "three quarters of trusts")
    rule_id: Optional[str] = None  # a vocabulary rule that read the candidate its own way (plural_numbers)
    fraction: str = ""  # "counted" ("three quarters of"), "alone" ("half of", "a third of"), else ""

    def __init__(self, value: float, unit: str, multiplier: Optional[float], amount: tuple[int, int], is_bare: bool,
                 in_words: bool, has_decimal: bool, has_separator: bool, comparator: Optional[str] = None,
                 counts_of: bool = False, rule_id: Optional[str] = None, fraction: str = ""):
        # The fields as the generated __init__ sets them, in one update of the instance dict: a frozen
        # dataclass sets them one by one through object.__setattr__, three times slower (every reading is new).
        self.__dict__.update(value=value, unit=unit, multiplier=multiplier, amount=amount, is_bare=is_bare,
                             in_words=in_words, has_decimal=has_decimal, has_separator=has_separator,
                             comparator=comparator, counts_of=counts_of, rule_id=rule_id, fraction=fraction)


@dataclass
class Quantity:
    """One quantity: its spans, the reading, and what was read around it."""

    start: int  # char span of the text (comparator or opener included)
    end: int
    core_start: int  # char span of amount_text
    core_end: int
    tok_start: int
    tok_end: int
    paragraph: int
    rule_id: str
    reading: Reading
    value_from: Optional[float] = None
    comparator: Optional[str] = None
    subject: Optional[str] = None


class QuantityReader:
    """Interprets candidate tokens with the vocabularies of rules/quantities.yaml.

    It remembers what it read (the reading of a candidate's tokens, the subject after an amount) for one
    document, which repeats its numbers and phrases: one reader per document, so memory stays bounded
    over an archive and a repeated document is read again, not looked up.
    """

    def __init__(self, m: Matchers):
        self.readings: dict[Any, Optional[Reading]] = {}  # see read_at
        self.subjects: dict[tuple[str, bool], Optional[tuple[int, int, bool]]] = {}
        v = m.rules.vocab
        self.m, self.v = m, v
        c = m.rules.classes
        self.number, self.number_word = c["number"], c["number_word"]
        self.currency = {k.lower(): code for k, code in v.currencies.items()}
        self.unit_of = {s.lower(): unit for unit, spellings in v.units.items() for s in spellings}
        self.scales = number_words().data.scales
        self.suffixes = number_words().data.scale_suffixes
        self.durations = v.duration_abbreviations
        self.fold = {w.lower() for w in v.fold_words}
        self.multiplier_words = v.multiplier_words
        self.ratio_words = {w.lower() for w in v.ratio_words}
        s = v.subjects
        self.stop = {w.lower() for w in s.stop_words}
        self.joiners = {w.lower() for w in s.joiners}
        self.of_words = {w.lower() for w in s.of_words}
        self.leading_skip = {w.lower() for w in s.leading_skip}
        self.irregular = {w.lower() for w in s.irregular_plurals}
        self.not_plural = {w.lower() for w in s.not_plural}
        self.verb_endings = [(e, "e" + e) for e in s.verb_endings]
        self.plural_numbers = v.plural_numbers
        fr = v.fractions
        self.denominators = {w.lower(): d for w, d in fr.denominators.items()}
        self.one_part, self.alone, self.articles, self.of_skip, self.time_skip, self.part_heads = (
            {w.lower() for w in words} for words in (fr.one_part, fr.alone, fr.articles, s.of_skip, fr.time_skip,
                                                     fr.part_heads))

    def read_at(self, words: list[str], spaces: list[bool], s: int, e: int) -> Optional[Reading]:
        """Return the Reading of the candidate words[s:e] (see `read`), read once per document.

        A one-token candidate is remembered by its word alone: `read` looks at the trailing-space flags and
        the follower only for a token after the amount, and one token leaves none after it; but a fraction
        word alone is a share only before its follower ("half of trusts", not "half an hour").
        """
        one = e - s == 1 and words[s].lower() not in self.alone
        follower = "" if one or e >= len(words) else words[e].lower()
        key = words[s] if one else (tuple(words[s:e]), tuple(spaces[s:e]), follower)
        if key not in self.readings:
            self.readings[key] = self.read(words[s:e], spaces[s:e], follower)
        return self.readings[key]

    def is_amount_token(self, t: str) -> bool:
        return t in self.number or t.lower() in self.number_word

    def read(self, words: list[str], spaces: list[bool], follower: str = "") -> Optional[Reading]:
        """Return the Reading of one candidate's tokens, or None when they do not make a quantity.

        `follower` is the lower-case token after the candidate ("of" makes "1,000s" a plural, not seconds)."""
        n, i = len(words), 0
        low = list(map(str.lower, words))
        number, number_word = self.number, self.number_word
        if n == 1 and low[0] in self.multiplier_words:
            return Reading(float(self.multiplier_words[low[0]]), "multiplier", None, (0, 1), False, True, False, False)
        if low[-1] in self.one_part and not (words[0] in number or low[0] in number_word):
            return self.fraction_alone(low, follower)
        currency = self.currency.get(low[0]) if words[0] not in number else None
        if currency:
            i = 1
        compound = self.compound_duration(words, low, i)
        if compound is not None:
            return compound
        j = i
        while j < n and (words[j] in number or low[j] in number_word or low[j] in ("-", "and") and j > i):
            j += 1
        while j > i and low[j - 1] in ("-", "and"):
            j -= 1
        if j == i:
            return None
        amount = words[i:j]
        written = "".join(amount)  # a dot or a comma in it is one token's
        value, multiplier = self.amount_value(amount)
        if value is None:
            return None
        ratio = self.ratio(words, low, j, value)
        if ratio is not None:
            return ratio
        k, unit = j, None
        if k < n and low[k] in self.suffixes and not spaces[k - 1] and multiplier is None:
            multiplier = float(self.suffixes[low[k]])
            value *= multiplier
            k += 1
        if k < n and low[k] == "-" and k + 1 < n:
            k += 1
        if k < n:
            if low[k] in self.currency and not currency:
                currency = self.currency[low[k]]
            elif low[k] in self.unit_of:
                unit = self.unit_of[low[k]]
            elif low[k] == "per" and k + 1 < n and low[k + 1] == "cent":
                unit, k = "percent", k + 1
            elif low[k] in self.fold:
                unit = "multiplier"
            elif low[k] in self.denominators:
                return self.fraction(value, self.denominators[low[k]], follower, amount, (i, j), k + 1 == n)
            elif low[k] in self.plural_numbers.suffixes and not spaces[k - 1] \
                    and self.is_plural(amount, follower, currency is not None):
                if multiplier is not None or k + 1 != n:
                    return None
                pn = self.plural_numbers
                # A count keeps the plural's id (its pattern is a duration's); a sum keeps its pattern's.
                return Reading(value, currency or "count", None, (i, j), not currency, False, "." in written,
                               "," in written, pn.comparator, True, None if currency else pn.id)
            elif low[k] in self.durations and not spaces[k - 1]:
                if low[k] in self.v.compound_only_abbreviations or currency:  # a sum is no duration
                    return None
                unit = self.durations[low[k]]
            else:
                return None
            k += 1
        if k != n:
            return None
        unit = currency or unit or "count"
        bare = unit == "count" and multiplier is None
        return Reading(value, unit, multiplier, (i, j), bare, not any(a in number for a in amount),
                       "." in written, "," in written)

    def is_plural(self, amount: list[str], follower: str, after_currency: bool) -> bool:
        """Whether a number glued to a plural suffix is a plural ('1,000s of', '1,000s more', '£100,000s'), not a
        duration."""
        pn = self.plural_numbers
        return follower in pn.followers or pn.thousands_separator_suffices and any("," in a for a in amount) \
            or pn.currency_suffices and after_currency

    def fraction(self, value: float, denominator: int, follower: str, amount: list[str], span: tuple[int, int],
                 last: bool) -> Optional[Reading]:
        """Return the ratio Reading of 'three quarters of' (value/denominator), or None when it is no fraction."""
        n = int(value)
        if not last or follower not in self.v.fractions.followers or n != value or not 0 < n < denominator \
                or gcd(n, denominator) != 1:
            return None
        return Reading(n / denominator, "ratio", None, span, False, not any(a in self.number for a in amount), False,
                       False, None, True, fraction="counted")

    def fraction_alone(self, low: list[str], follower: str) -> Optional[Reading]:
        """Return the ratio Reading of 'a third of' or 'half of' (1/denominator), or None when it is no share."""
        if len(low) > 2 or len(low) == 2 and low[0] not in self.articles or len(low) == 1 and low[0] not in self.alone \
                or follower not in self.v.fractions.followers:
            return None
        return Reading(1 / self.denominators[low[-1]], "ratio", None, (0, len(low)), False, True, False, False, None,
                       True, fraction="alone")

    def is_share(self, wd: WindowDoc, s: int, e: int, alone: bool) -> bool:
        """Whether the fraction candidate wd.words[s:e] (its follower, 'of', at e) is a share: not one of a span of
        time ('three quarters of the year'), nor, `alone`, a part named by the word before it ('the first half')."""
        fr = self.v.fractions
        words, para = wd.words, wd.para
        if alone and s > 0 and para[s - 1] == para[s] and words[s - 1].lower() in self.part_heads:
            return False
        k = e + 1
        while k < len(words) and para[k] == para[s] and words[k].lower() in self.time_skip:
            k += 1
        return not (k < len(words) and para[k] == para[s] and words[k] in self.m.rules.classes[fr.time_class])

    def ratio(self, words: list[str], low: list[str], j: int, first: float) -> Optional[Reading]:
        """Return the Reading of 'first in N' / 'first out of N' (value first/N), or None."""
        if j >= len(words) - 1 or " ".join(low[j:-1]) not in self.ratio_words or words[-1] not in self.number:
            return None
        second = number_words().digits(words[-1])
        if not second or first > second:
            return None
        return Reading(first / second, "ratio", None, (0, len(words)), False, False, False, False)

    def amount_value(self, amount: list[str]) -> tuple[Optional[float], Optional[float]]:
        """Return (value, scale applied) of the amount tokens: '12,000', '1 million', 'twenty-five'."""
        nw = number_words()
        first = nw.digits(amount[0])
        if first is not None and len(amount) == 1:  # most amounts: one numeral
            return first, None
        if first is not None:
            if any(a in self.number for a in amount[1:]):
                return None, None
            scale = 1.0
            for a in amount[1:]:
                if a.lower() not in self.scales:
                    return None, None
                scale *= self.scales[a.lower()]
            return first * scale, (scale if scale != 1.0 else None)
        if any(a in self.number for a in amount):
            return None, None
        value = nw.words_value(" ".join(amount))
        last = amount[-1].lower()
        scale = float(self.scales[last]) if last in self.scales and self.scales[last] >= 1000 else None
        return value, scale

    def compound_duration(self, words: list[str], low: list[str], i: int) -> Optional[Reading]:
        """Return the Reading of '1m 43s' (summed in its smallest unit), or None when not a compound."""
        if len(words) - i < 4:  # two pairs at least
            return None
        pairs = []
        k = i
        while k + 1 < len(words) and words[k] in self.number and low[k + 1] in self.durations:
            pairs.append((float(words[k].replace(",", "")), self.durations[low[k + 1]]))
            k += 2
        if len(pairs) < 2 or k != len(words):
            return None
        seconds = self.v.duration_seconds
        if [seconds[u] for _, u in pairs] != sorted((seconds[u] for _, u in pairs), reverse=True):
            return None
        smallest = pairs[-1][1]
        total = sum(v * seconds[u] for v, u in pairs) / seconds[smallest]
        return Reading(total, smallest, None, (i, len(words)), False, False, False, False)

    # -- subjects -----------------------------------------------------------------
    def plural(self, word: str) -> bool:
        """Whether `word` is a plural noun: listed, or ending in s (an acronym only in a lower-case s: 'ICSs')."""
        w = word.lower()
        if w in self.irregular:
            return True
        if w in self.not_plural or len(w) < 3 or word.isupper():
            return False
        if word[:-1].isupper():
            return word.endswith("s")
        return w.endswith("s") and not w.endswith(("ss", "us", "is"))

    def is_stop(self, word: str) -> bool:
        """Whether `word` ends a subject; an acronym ('IT', 'US') never does."""
        return word.lower() in self.stop and not (len(word) > 1 and word.isupper())

    def verb_like(self, word: str) -> bool:
        w = word.lower()
        return len(w) > 4 and any(w.endswith(e) and not w.endswith(f) for e, f in self.verb_endings)

    def subject(self, text: str, pos: int, end: int, after_of: bool) -> Optional[tuple[int, int, bool]]:
        """Return (start, end, ends in a plural) of the counted thing that starts at `pos`, or None.

        Words up to max_words, ending at the first plural; a stop word ends it, but a joiner ('of') may
        sit inside ("proof of concept projects"). With no plural, it ends before the first verb-like word.
        """
        key = (text[pos:min(end, pos + 90)], after_of)  # all that is read
        if key not in self.subjects:
            self.subjects[key] = self._subject(key[0], after_of)
        span = self.subjects[key]
        return (pos + span[0], pos + span[1], span[2]) if span else None

    def _subject(self, text: str, after_of: bool) -> Optional[tuple[int, int, bool]]:
        """Return (start, end, ends in a plural) of the counted thing at the start of `text`, or None."""
        # The reading needs the words after the skipped ones to max_words + 1 (a joiner's follower): the first
        # white-space pieces hold them, each one word or more ("trusts,"); WORD_RE over all the text (five
        # times the cost) reads them only when many words are skipped.
        max_words = self.v.subjects.max_words
        cut = max_words + 4
        pieces = text.split(None, cut)  # white space as WORD_RE's: str.isspace
        words: list[str] = []
        for piece in pieces[:cut]:  # the last one, when there are more, is the rest of the text
            if piece.isalnum():  # one word of WORD_RE's letters and digits (str.isalnum)
                words.append(piece)
            else:
                words += WORD_RE.findall(piece)
        first, k, found_plural = self._subject_words(words, after_of)
        if len(pieces) > cut and first + max_words >= len(words):
            words = WORD_RE.findall(text)
            first, k, found_plural = self._subject_words(words, after_of)
        if not k:
            return None
        # Only white space lies between two words (every other character is a word of its own), so
        # each word is the first occurrence of its text after the previous one.
        at = start = 0
        for i in range(k):
            at = text.find(words[i], at)
            if i == first:
                start = at
            at += len(words[i])
        return start, at, found_plural

    def _subject_words(self, words: list[str], after_of: bool) -> tuple[int, int, bool]:
        """Return (first, end, ends in a plural): the subject is words[first:end] (none when end is 0).

        It reads words[first:first + max_words + 1] at most, `first` being the index after the skipped words."""
        n, k = len(words), 0
        if after_of:
            if not words or words[0].lower() not in self.of_words:
                return 0, 0, False
            k = 1
            while k < n and words[k].lower() in self.of_skip:
                k += 1
        while k < n and words[k].lower() in self.leading_skip:
            k += 1
        first, last = k, k + self.v.subjects.max_words
        stop, plural = self.stop, self.plural
        found_plural = False
        while k < n and k < last:  # words[first:k] are the subject's so far
            word = words[k]
            if not word.isalpha() and (not word[0].isalnum() or not any(ch.isalpha() for ch in word)):
                break
            if word.lower() in stop and not (len(word) > 1 and word.isupper()):  # is_stop, inline
                # a joiner may join two words that are not stop words ("proof of concept")
                if k > first and word.lower() in self.joiners and k + 1 < n and words[k + 1][:1].isalpha() \
                        and not self.is_stop(words[k + 1]):
                    k += 1
                    continue
                break
            k += 1
            if plural(word.split("-")[-1] if "-" in word else word):
                found_plural = True
                break
        if not found_plural and k - first > 1:
            k = next((c for c in range(first + 1, k) if self.verb_like(words[c])), k)
        while k > first and words[k - 1].lower() in self.joiners:
            k -= 1
        return first, (k if k > first else 0), found_plural


def trap_analysis(m: Matchers, wd: WindowDoc, traps) -> tuple[set[int], set[str]]:
    """Return (token indexes inside traps, integers that name-like traps show to be names)."""
    inside: set[int] = set()
    names: set[str] = set()
    min_digits = m.rules.vocab.traps.name_min_digits
    for rule, s, e in traps:
        inside.update(range(s, e))
        if rule.names:
            for k in range(s, e):
                t = wd.words[k]
                if t.isdigit() and len(t) >= min_digits:
                    names.add(t)
    return inside, names


def find_quantities(m: Matchers, text: str, wd: WindowDoc, paragraphs: list[tuple[int, int]],
                    masks: list[tuple[int, int]], date_starts: set[int], line_start_re: re.Pattern,
                    amounts: WindowDoc) -> list[Quantity]:
    """Return the quantities of a window doc in reading order; `amounts` is the WindowDoc of the same windows
    for m.amounts (Matchers.window_docs with m.quantity_live and m.amount_live)."""
    reader = QuantityReader(m)
    v = m.rules.vocab
    traps = m.matches(m.traps, wd)
    found = m.matches(m.amounts, amounts)  # their order does not matter: the candidates are sorted below
    inside, names = trap_analysis(m, wd, traps)
    words, spaces, starts, ends = wd.words, wd.spaces, wd.starts, wd.ends
    mask_starts = [a for a, _ in masks]
    order_of = m.order_of
    cands = []
    not_shares: set[int] = set()
    for rule, s, e in found:
        reading = reader.read_at(words, spaces, s, e)
        if reading is None:
            continue
        a0, a1 = s + reading.amount[0], s + reading.amount[1]
        if not inside.isdisjoint(range(a0, a1)):
            continue
        if reading.fraction and not reader.is_share(wd, s, e, reading.fraction == "alone"):
            not_shares.update(range(s, e))  # as a trap: "three quarters of the year" counts no quarters either
            continue
        cs, ce = starts[s], ends[e - 1]  # wd.char_span
        k = bisect_right(mask_starts, ce) - 1
        if k >= 0 and masks[k][1] > cs and masks[k][0] < ce:
            continue
        cands.append(((s - e, s, order_of[rule.id]), s, e, rule, reading))  # longest first, then reading order
    if not_shares:
        cands = [c for c in cands if not_shares.isdisjoint(range(c[1] + c[4].amount[0], c[1] + c[4].amount[1]))]
    cands.sort(key=itemgetter(0))
    taken: list[Quantity] = []
    used = bytearray(len(words) + 1)
    for _, s, e, rule, reading in cands:
        if 1 in used[s:e]:
            continue
        used[s:e] = b"\x01" * (e - s)
        cs, ce = wd.char_span(s, e)
        taken.append(Quantity(cs, ce, cs, ce, s, e, wd.para[s], reading.rule_id or rule.id, reading))
    taken.sort(key=attrgetter("start"))
    taken = with_comparators(m, wd, taken)
    taken, pair_names = combined(m, wd, taken)
    names |= pair_names
    out = []
    for q in taken:
        if rejected(m, text, q, names, line_start_re):  # whatever its subject: none is read
            continue
        q = with_subject(reader, text, paragraphs, q)
        if keep(m, text, q, date_starts):
            out.append(q)
    return out


def with_comparators(m: Matchers, wd: WindowDoc, qs: list[Quantity]) -> list[Quantity]:
    """Return the quantities with the comparator phrases read before (or after) their amounts."""
    v = m.rules.vocab
    prepositional = {w.lower() for w in v.prepositional_comparators}
    prepositional_units = set(v.prepositional_comparator_units)
    ending: dict[int, list[tuple[str, int]]] = {}
    starting: dict[int, list[tuple[str, int]]] = {}
    for label, s, e in m.phrases(m.comparators, wd):
        ending.setdefault(e, []).append((label, s))
        starting.setdefault(s, []).append((label, e))
    out = []
    for q in qs:
        start, end, comparator = q.start, q.end, None
        at = q.tok_start
        # Most amounts have no phrase before them.
        for anchor in ([at] + [s for label, s in ending[at] if label == "filler"]) if at in ending else ():
            before = sorted(((s, label) for label, s in ending.get(anchor, ()) if label.startswith("before:")))
            for s, label in before:
                word = " ".join(wd.words[s:anchor]).lower()
                allowed = v.comparator_units.get(word)
                if allowed is not None and q.reading.unit not in allowed:
                    continue
                if word in prepositional and q.reading.in_words and q.reading.unit not in prepositional_units:
                    continue
                comparator, start = label.split(":", 1)[1], wd.starts[s]
                break
            if comparator:
                break
        if comparator is None and q.tok_end in starting:
            after = sorted(((-e, label) for label, e in starting.get(q.tok_end, ()) if label.startswith("after:")))
            if after:
                e = -after[0][0]
                comparator, end = after[0][1].split(":", 1)[1], wd.ends[e - 1]
        q.start, q.end, q.comparator = start, end, comparator or q.reading.comparator
        out.append(q)
    return out


def combined(m: Matchers, wd: WindowDoc, qs: list[Quantity]) -> tuple[list[Quantity], set[str]]:
    """Return the quantities with 'from A to B' / 'between A and B' / 'A-B' joined, and names found in pairs.

    A descending pair of bare integers joined by a range word ("999 to 111") is a pair of names.
    """
    v = m.rules.vocab
    out: list[Quantity] = []
    names: set[str] = set()
    dropped: set[int] = set()
    i = 0
    while i < len(qs):
        a = qs[i]
        b = qs[i + 1] if i + 1 < len(qs) else None
        if b is None or b.paragraph != a.paragraph or b.tok_start != a.tok_end + 1 or a.comparator or b.comparator:
            out.append(a)
            i += 1
            continue
        joiner = wd.words[a.tok_end].lower()
        opener_tok = a.tok_start - 1
        opener = wd.words[opener_tok].lower() if opener_tok >= 0 and wd.para[opener_tok] == a.paragraph else ""
        ra, rb = a.reading, b.reading
        merged = None
        for rule in v.combine:
            if joiner not in rule.joiners or (rule.openers and opener not in rule.openers):
                continue
            if ra.unit != rb.unit and not ra.is_bare:
                continue
            value_from = ra.value * (rb.multiplier or 1) if ra.is_bare and not rb.is_bare and ra.multiplier is None \
                else ra.value
            if rule.ascending and not value_from < rb.value:
                if v.traps.descending_pair_is_names and ra.is_bare and rb.is_bare and not rule.openers \
                        and not ra.has_decimal and not rb.has_decimal:
                    for r in (a, b):
                        t = " ".join(wd.words[r.tok_start:r.tok_end])
                        if t.isdigit() and len(t) >= v.traps.name_min_digits:
                            names.add(t)
                    merged = "names"
                    break
                continue
            start = wd.starts[opener_tok] if rule.openers else a.start
            reading = replace(rb, is_bare=ra.is_bare and rb.is_bare)
            merged = Quantity(start, b.end, a.core_start, b.core_end, a.tok_start, b.tok_end, a.paragraph, rule.id,
                              reading, value_from=value_from)
            break
        if merged == "names":
            i += 2
            continue
        if merged is not None:
            out.append(merged)
            i += 2
            continue
        out.append(a)
        i += 1
    return out, names


def with_subject(reader: QuantityReader, text: str, paragraphs: list[tuple[int, int]], q: Quantity) -> Quantity:
    """Return `q` with the counted thing read after it, for the units that have one."""
    s = reader.v.subjects
    unit = q.reading.unit
    para_end = paragraphs[q.paragraph][1]
    span = None
    if unit in s.immediate_units:
        span = reader.subject(text, q.end, para_end, after_of=False)
    if span is None and (unit in s.of_units or q.reading.counts_of):
        span = reader.subject(text, q.end, para_end, after_of=True)
    if span and s.count_needs_plural and unit == "count" and q.reading.value != 1 and not span[2]:
        span = None  # "111 rose", "the 111 service grew": a count of more than one counts a plural
    q.subject = text[span[0]:span[1]] if span else None
    return q


def ambiguous_word_kept(m: Matchers, text: str, q: Quantity, has_subject: bool) -> bool:
    """Whether `q` passes the ambiguous-number-word trap: its amount is none of those words (as words), or it has a
    unit, multiplier or comparator, or it is capitalised at a sentence start and `has_subject` (true in `rejected`,
    before the subject is read: a subject might save it)."""
    r = q.reading
    amount = text[q.core_start:q.core_end]
    if not (r.in_words and amount.lower() in m.rules.vocab.traps.ambiguous_number_words):
        return True
    return bool(r.unit != "count" or r.multiplier or q.comparator
                or amount[:1].isupper() and has_subject and sentence_start(text, q))


def rejected(m: Matchers, text: str, q: Quantity, names: set[str], line_start_re: re.Pattern) -> bool:
    """Whether the trap settings reject `q` whatever its subject: a list item's number, an ambiguous number word
    that a subject would not save, a bare decimal or a name (see `keep`)."""
    r = q.reading
    amount = text[q.core_start:q.core_end]
    line_start = text.rfind("\n", 0, q.core_start) + 1
    if not text[line_start:q.core_start].strip():
        line_end = text.find("\n", q.core_start)
        if line_start_re.match(text[line_start:line_end if line_end >= 0 else None]):
            return True  # the number of a numbered list item
    if not ambiguous_word_kept(m, text, q, has_subject=True):
        return True
    return r.is_bare and q.value_from is None and not q.comparator and (r.has_decimal or amount in names)


def keep(m: Matchers, text: str, q: Quantity, date_starts: set[int]) -> bool:
    """Whether `q`, with its subject read and not `rejected`, is a quantity by the trap settings: an ambiguous number
    word needs a comparator, a unit or (capitalised at a sentence start) a subject; a bare number, what
    bare_count_needs lists."""
    t = m.rules.vocab.traps
    r = q.reading
    if not ambiguous_word_kept(m, text, q, has_subject=bool(q.subject)):
        return False
    if r.is_bare and q.value_from is None and not q.comparator:
        ok = {"subject": q.subject is not None, "thousands_separator": r.has_separator,
              "following_date": q.end + 1 in date_starts or q.end + 2 in date_starts}
        if not any(ok[need] for need in t.bare_count_needs):
            return False
    return True


def sentence_start(text: str, q: Quantity) -> bool:
    """Whether `q` starts a sentence: after the text's start, a sentence's end or a blank line."""
    k = q.start - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k < 0 or text[k] in ".:;!?" or "\n\n" in text[k:q.start]
