"""Load stage: raw bytes → Document (decoded, normalised, fingerprinted, titled and dated).

Pure: takes the bytes and the file name, never opens a file itself.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import PurePath
from typing import Callable, Iterator, Optional

from .document import Document, Finding, InputError, LineOrigin

# Characters that stand for a plain space; each maps to exactly one space so that
# offsets and line numbers never move.
ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\f\v"
# Characters that are not there when the text is read: soft hyphens ("Nov&shy;ember"), zero-width
# spaces and joiners, word joiners, a BOM inside the text. Dropped; lines never join or split.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# What normalise() replaces each of them by; an ASCII text can hold only the ASCII ones.
_REPLACEMENTS = tuple((ch, "") for ch in INVISIBLE) + tuple((ch, " ") for ch in ODD_SPACES)
_ASCII_REPLACEMENTS = tuple((ch, by) for ch, by in _REPLACEMENTS if ch.isascii())
_MAGIC = (
    (b"PK\x03\x04", "a zip archive, not a plan text"),
    (b"%PDF", "a PDF file, not a plan text (export it as text or HTML)"),
    (b"\x1f\x8b", "a gzip archive, not a plan text"),
    (b"\xd0\xcf\x11\xe0", "an Office document, not a plan text"),
    (b"\x89PNG", "a PNG image, not a plan text"),
)
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
DOCX_SUFFIXES = {".docx"}


def sniff_binary(source: str, data: bytes) -> None:
    """Raise InputError when `data` is empty or plainly not text."""
    if not data.strip():
        raise InputError(source, "empty file")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(source, f"is {what}")


def decode(source: str, data: bytes) -> tuple[str, str, list[str]]:
    """Return (text, encoding, warnings): UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise InputError(source, f"invalid UTF-16 ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data:
        raise InputError(source, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f\v") + text.count("\ufffd")
    if controls > max(8, len(text) // 100):
        raise InputError(source, "binary file (not decodable as text)")
    return text, "cp1252", [f"not valid UTF-8 (first bad byte at offset {first_bad}); decoded as cp1252"]


def normalise(text: str) -> str:
    """Return `text` with LF line ends, no BOM or invisible characters, and odd spaces as plain spaces;
    lines never join or split."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # One replace per character the text holds: `in` and replace run in C over the whole text, about
    # 4x faster on the plan than a regex character class (str.translate, through a dict, is slower still).
    for ch, by in _ASCII_REPLACEMENTS if text.isascii() else _REPLACEMENTS:
        if ch in text:
            text = text.replace(ch, by)
    return text


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def lines_of(text: str) -> Iterator[str]:
    """Yield the lines of `text` (as text.split("\n") gives them) one by one: the header needs only the first few."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def find_published(text: str, pattern: re.Pattern, max_lines: int = 40) -> Optional[date]:
    """Return the date of the first 'Published …' line among the first `max_lines` non-blank lines."""
    from .periods import grammar

    seen = 0
    for line in lines_of(text):
        if not line.strip():
            continue
        seen += 1
        m = pattern.match(line.strip())
        if m:
            period = grammar().parse(m.group("date"))
            if period is not None and period.kind == "date":
                return period.start
        if seen >= max_lines:
            break
    return None


def first_line(text: str) -> str:
    """Return the first non-blank line, trimmed."""
    for line in lines_of(text):
        if line.strip():
            return line.strip()
    return ""


def load_text(source: str, data: bytes, published_re: re.Pattern, source_format: str = "txt",
              render: Optional[Callable[[str], tuple[str, tuple[LineOrigin, ...]]]] = None) -> Document:
    """Return the Document for a plan written as lines of text.

    `render` takes the normalised text to the text the rules read, line for line, with one
    LineOrigin per line (Markdown: its markup taken out); without it the text is read as it is.
    """
    sniff_binary(source, data)
    raw, encoding, warnings = decode(source, data)
    normalised = normalise(raw)
    if not normalised.strip():
        raise InputError(source, "empty file (only white space)")
    text, origins = render(normalised) if render is not None else (normalised, None)
    if not text.strip():
        raise InputError(source, "no text once its markup is taken out")
    return Document(
        doc_id=PurePath(source).stem,
        source_file=PurePath(source).name,
        source_format=source_format,
        source_encoding=encoding,
        source_sha256=sha256(data),
        text=text,
        n_raw_lines=normalised.count("\n") + (0 if normalised.endswith("\n") else 1),
        title=first_line(text),
        published_date=find_published(text, published_re),
        origins=origins,
        warnings=tuple(warnings),
    )


def load_findings(doc: Document) -> list[Finding]:
    """Return what loading noticed: a fallback encoding, and a missing publication date."""
    findings = [Finding("warning", "encoding", w) for w in doc.warnings]
    if doc.published_date is None:
        findings.append(Finding("warning", "no_publication_date",
                                "no 'Published …' line with a day: dates without a year and relative dates are not "
                                "anchored, and is_overdue_at_publication is null", rule_id="doc.published"))
    return findings


def load_document(source: str, data: bytes) -> Document:
    """Return the Document for `data`, read from file `source`; dispatch on the file's extension."""
    from .structure import structure_rules

    rules = structure_rules()
    suffix = PurePath(source).suffix.lower()
    if suffix in HTML_SUFFIXES:
        from .html import load_html

        return load_html(source, data, rules.published_re)
    if suffix in TEXT_SUFFIXES:
        return load_text(source, data, rules.published_re)
    if suffix in MARKDOWN_SUFFIXES:
        from .markdown import load_markdown

        return load_markdown(source, data, rules.published_re)
    if suffix in DOCX_SUFFIXES:
        from .docx import load_docx

        return load_docx(source, data, rules.published_re)
    raise InputError(source, f"unsupported file type {suffix or '(none)'!r} (expected .txt, .md, .html or .docx)")


__all__ = ["Document", "InputError", "LineOrigin", "load_document", "load_text", "normalise", "decode"]
