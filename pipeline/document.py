"""Stage objects passed between the pure stages (load → segment → extract → validate → emit)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional


class InputError(ValueError):
    """A source file cannot be extracted; `str()` is one line naming the file and the reason."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


@dataclass(frozen=True)
class LineOrigin:
    """Where one line of the normalised text came from in the raw file."""

    line_start: int
    line_end: int
    locator: Optional[str] = None
    hint: Optional[str] = None  # "heading" for an HTML h1-h4 or a Markdown heading, "list" for li, else None
    hint_rule: Optional[str] = None  # the rule that gave the hint (rules/html.yaml, rules/markdown.yaml)
    # For a line the loader wrote for a row of a milestone table: (the table rule's id, the raw line the
    # table starts on). Outside a milestone section such a row is the table's text, not a stray milestone.
    table: Optional[tuple[str, int]] = None


@dataclass(frozen=True)
class Document:
    """A loaded source: normalised text plus what is needed to trace it back to raw bytes.

    `origins` is None when line i of `text` is line i of the raw file (plain text);
    the HTML and Markdown loaders give one LineOrigin per line of `text`.
    """

    doc_id: str
    source_file: str
    source_format: str
    source_encoding: str
    source_sha256: str
    text: str
    n_raw_lines: int
    title: str
    published_date: Optional[date]
    origins: Optional[tuple[LineOrigin, ...]] = None
    warnings: tuple[str, ...] = field(default=())

    def origin(self, line_index: int) -> LineOrigin:
        """Return the raw-file origin of 0-based line `line_index` of `text`."""
        if self.origins is None:
            return LineOrigin(line_index + 1, line_index + 1)
        return self.origins[line_index]

    def raw_lines(self, first_index: int, last_index: int) -> tuple[int, int]:
        """Return (line_start, line_end) in the raw file of 0-based lines first_index..last_index of `text`."""
        if self.origins is None:  # plain text: no LineOrigin to build, line i is raw line i + 1
            return first_index + 1, last_index + 1
        return self.origins[first_index].line_start, self.origins[last_index].line_end


@dataclass(frozen=True)
class Finding:
    """A data-quality finding raised by any stage; numbered into a QualityRow when tables are assembled."""

    severity: str  # error, warning, info
    code: str
    message: str
    paragraph_id: Optional[str] = None
    line: Optional[int] = None
    char_start: Optional[int] = None
    char_end: Optional[int] = None
    line_end: Optional[int] = None
    rule_id: Optional[str] = None
