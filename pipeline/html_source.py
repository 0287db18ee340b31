"""Parse HTML source into a tree whose elements know the source lines they stand on.

BeautifulSoup's html.parser builder records where each start tag is (`Tag.sourceline`).
The same tokenizer also knows where each end tag is, but Beautiful Soup does not keep it:
the parser below records, for every element the tree closes, the line of the end tag that
closed it (an element closed implicitly by an outer end tag gets that tag's line). An
element never closed runs to the end of the source.

HTML lets the end tags of p, li, dt and dd be left out; html.parser would then nest what
follows inside them. The parser closes them as a browser does, when a start tag implies
it (rules/html.yaml: optional_end_tags), at the line of that start tag.
"""
from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from bs4.builder import HTMLParserTreeBuilder
from bs4.builder._htmlparser import BeautifulSoupHTMLParser


OptionalEnds = tuple[tuple[str, frozenset, frozenset], ...]  # (element, start tags closing it, scope limits)


class _EndLineParser(BeautifulSoupHTMLParser):
    """html.parser events → Beautiful Soup, noting the line of each end tag."""

    end_lines: dict[int, int]
    optional_ends: OptionalEnds

    def handle_starttag(self, tag, attrs, handle_empty_element: bool = True) -> None:
        for element, closed_by, scope in self.optional_ends:
            if tag not in closed_by or not self.soup.open_tag_counter.get(element):
                continue
            for open_tag in reversed(self.soup.tagStack):
                if open_tag.name == element:
                    self.handle_endtag(element)
                    break
                if open_tag.name in scope:
                    break
        super().handle_starttag(tag, attrs, handle_empty_element)

    def handle_endtag(self, tag: str, check_already_closed: bool = True) -> None:
        open_before = list(self.soup.tagStack)
        super().handle_endtag(tag, check_already_closed)
        line = self.getpos()[0]
        for closed in open_before[len(self.soup.tagStack):]:
            self.end_lines.setdefault(id(closed), line)


class _EndLineBuilder(HTMLParserTreeBuilder):
    """The html.parser tree builder, with end lines kept in `end_lines` (keyed by id of the Tag)."""

    def __init__(self, optional_ends: OptionalEnds) -> None:
        super().__init__(store_line_numbers=True)
        self.end_lines: dict[int, int] = {}
        self.optional_ends = optional_ends

    def feed(self, markup) -> None:
        end_lines, optional_ends = self.end_lines, self.optional_ends

        class Parser(_EndLineParser):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.end_lines = end_lines
                self.optional_ends = optional_ends

        super().feed(markup, _parser_class=Parser)


@dataclass
class Page:
    """A parsed page: the tree, and the source lines each element stands on."""

    soup: BeautifulSoup
    n_lines: int
    _end_lines: dict[int, int]

    def lines(self, tag: Tag) -> tuple[int, int]:
        """Return (line of the start tag, line of the end tag), 1-based, of an element."""
        start = tag.sourceline or 1
        end = self._end_lines.get(id(tag), self.n_lines)
        return start, max(start, end)


def parse_page(source_text: str, optional_ends: OptionalEnds = ()) -> Page:
    """Return the Page of HTML source text whose line ends are already '\\n'."""
    builder = _EndLineBuilder(optional_ends)
    soup = BeautifulSoup(source_text, builder=builder)
    n_lines = source_text.count("\n") + (0 if source_text.endswith("\n") else 1)
    return Page(soup, n_lines, builder.end_lines)
