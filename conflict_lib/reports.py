"""Read report files (text, Markdown, HTML, PDF) into cleaned :class:`~conflict_lib.schema.Document` s.

- ``.txt`` / ``.md``: optional YAML front matter between ``---`` lines, then the body.
- ``.html`` / ``.htm``: main text and metadata through trafilatura; a plain lxml text
  extraction when trafilatura finds nothing (noted ``html_fallback``).
- ``.pdf``: pdfplumber (pypdf as fallback); pages joined with a form feed so cleaning knows
  where page breaks are and can drop running headers/footers.

Bytes are decoded in this order: BOM (UTF-8, UTF-16), UTF-16 without BOM recognised by its
NUL pattern, UTF-8, cp1256 when the result is plausibly Arabic, cp1252, latin-1. Anything
other than UTF-8/ASCII is recorded as a :class:`~conflict_lib.schema.CleaningNote` with code
``encoding`` in ``Document.warnings``; :func:`iter_reports` also reports it as a non-fatal
:class:`~conflict_lib.schema.Problem` (kind ``encoding``), so a build's ``problems`` table
shows it. Broken front matter and partial reads work the same way (``front_matter``,
``partial``).

Bad input never stops a run: :func:`iter_reports` yields a :class:`Problem` for a file it
cannot read and goes on.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from .cleaning import clean_text
from .schema import CleaningNote, Document, Problem

log = logging.getLogger(__name__)

#: File suffixes read as reports, with their format.
SUFFIX_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}

#: Files larger than this (bytes) are skipped with a ``too_large`` problem.
MAX_BYTES = 20 * 1024 * 1024

#: Front-matter keys mapped to Document fields; other keys go to ``Document.meta``.
FRONT_MATTER_KEYS = ("title", "publisher", "published", "period_start", "period_end",
                     "source_url", "license")

#: Documentation files that sit next to reports and are not reports (folder listings skip them).
NOT_REPORTS = re.compile(r"^(?:README|SOURCES|LICEN[CS]E|CHANGELOG|NOTES)(?:\.|$)", re.IGNORECASE)

#: PDF metadata titles that are not titles ("untitled", "Microsoft Word - draft.docx").
PLACEHOLDER_TITLES = re.compile(r"^(?:untitled(?: document)?|anonymous|microsoft word\b.*|.*\.docx?)$",
                                re.IGNORECASE)

#: Note codes that :func:`iter_reports` also reports as non-fatal problems (code -> kind).
PROBLEM_NOTES = {"encoding": "encoding", "front_matter": "front_matter", "partial": "partial"}

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH = r"(?P<{}>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?)"
_DASH = r"\s*(?:-|\u2013|\u2014|to|through|until)\s*"

#: Report periods: "September 7-13, 2017", "August 31 - September 6, 2017", "7-13 September 2017",
#: "31 August - 6 September 2017".
PERIOD_RES = (
    re.compile(_MONTH.format("m1") + r"\s+(?P<d1>\d{1,2})(?:,?\s+(?P<y1>\d{4}))?" + _DASH
               + _MONTH.format("m2") + r"\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})\b", re.IGNORECASE),
    re.compile(_MONTH.format("m1") + r"\s+(?P<d1>\d{1,2})" + _DASH + r"(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})\b",
               re.IGNORECASE),
    re.compile(r"\b(?P<d1>\d{1,2})" + _DASH + r"(?P<d2>\d{1,2})\s+" + _MONTH.format("m1")
               + r",?\s+(?P<y2>\d{4})\b", re.IGNORECASE),
    re.compile(r"\b(?P<d1>\d{1,2})\s+" + _MONTH.format("m1") + r"(?:\s+(?P<y1>\d{4}))?" + _DASH
               + r"(?P<d2>\d{1,2})\s+" + _MONTH.format("m2") + r",?\s+(?P<y2>\d{4})\b", re.IGNORECASE),
)

_DATE_RES = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(_MONTH.format("mn") + r"\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(r"(?P<d>\d{1,2})\s+" + _MONTH.format("mn") + r",?\s+(?P<y>\d{4})", re.IGNORECASE),
)


class ReportError(Exception):
    """A report file that cannot be read.

    Parameters
    ----------
    path : str or Path
        The file.
    reason : str
        What went wrong, for a human.
    kind : str
        ``unreadable``, ``empty``, ``binary``, ``too_large``, ``unsupported`` or ``encoding``.
    """

    def __init__(self, path: str | Path, reason: str, kind: str = "unreadable") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason
        self.kind = kind

    def __reduce__(self):  # picklable across processes
        return (self.__class__, (self.path, self.reason, self.kind))

    def to_problem(self) -> Problem:
        """This error as a fatal :class:`~conflict_lib.schema.Problem`."""
        return Problem(self.path, self.reason, self.kind, fatal=True)


# --------------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------------


def _as_list(inputs: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(inputs, (str, Path)):
        return [Path(inputs)]
    return [Path(p) for p in inputs]


def list_report_files(inputs: str | Path | Iterable[str | Path]) -> list[Path]:
    """The report files a build will read, sorted.

    Parameters
    ----------
    inputs : path or iterable of paths
        Files and folders. Folders are searched recursively for ``.txt .md .html .htm .pdf``
        files; hidden files and folders are skipped, and so are documentation files
        (``README``, ``SOURCES``, ...: see :data:`NOT_REPORTS`). A file named explicitly is kept whatever
        its suffix (reading it then reports ``unsupported``); missing paths are left out
        (:func:`iter_reports` reports them).

    Returns
    -------
    list of Path
        Unique files, sorted by path.
    """
    found: set[Path] = set()
    for p in _as_list(inputs):
        if p.is_dir():
            # os.walk reads each folder once (scandir: no stat per file) and skips hidden folders whole
            for folder, dirs, names in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    if (not name.startswith(".") and os.path.splitext(name)[1].lower() in SUFFIX_FORMATS
                            and not NOT_REPORTS.match(name)):
                        f = Path(folder, name)
                        if f.is_file():  # (a link to a folder or a broken link is not a report)
                            found.add(f)
        elif p.is_file():
            found.add(p)
    return sorted(found)


def doc_id_for(path: str | Path) -> str:
    """The document id of a file: its name without suffixes (``x.gold.jsonl`` -> ``x``).

    Only short alphanumeric suffixes are stripped, so a name like
    ``Fact Sheet (Jan. 5).pdf`` keeps its dot.
    """
    name = Path(path).name
    while True:
        m = re.search(r"\.[A-Za-z][A-Za-z0-9_]{0,7}$", name)
        if not m or m.start() == 0:
            return name
        name = name[: m.start()]


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _utf16_guess(data: bytes) -> str | None:
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _plausible_arabic(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    arabic = sum("\u0600" <= c <= "\u06ff" for c in non_ascii)
    return arabic >= 0.7 * len(non_ascii) and re.search(r"[\u0621-\u064a]{3,}", text) is not None


def _mostly_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return bad <= max(2, 0.01 * len(text))


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text file, guessing the encoding.

    Parameters
    ----------
    data : bytes
        File content.
    path : str or Path
        For error messages.

    Returns
    -------
    (str, str)
        The text and the encoding used (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``,
        ``cp1256``, ``cp1252`` or ``latin-1``).

    Raises
    ------
    ReportError
        ``binary`` for NUL bytes or control characters that no text encoding explains.
    """
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    candidates: list[str] = [enc for bom, enc in boms if data.startswith(bom)][:1]
    if not candidates:
        guess = _utf16_guess(data)
        if guess:
            candidates.append(guess)
        elif b"\x00" in data:
            raise ReportError(path, "binary file: it contains NUL bytes and is not UTF-16 text",
                              "binary")
    candidates.append("utf-8")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text, ("utf-16-le" if enc == "utf-16" and data.startswith(b"\xff\xfe")
                          else "utf-16-be" if enc == "utf-16" else enc)
        raise ReportError(path, f"binary file: control characters in what decodes as {enc}",
                          "binary")
    try:
        text = data.decode("cp1256")
        if _plausible_arabic(text) and _mostly_text(text):
            return text, "cp1256"
    except UnicodeDecodeError:
        pass
    for enc in ("cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text, enc
    raise ReportError(path, "binary file: not text in any supported encoding", "binary")


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".").lower()[:4] if name.lower().startswith("sept")
                   else name.rstrip(".").lower()[:3]]


def parse_date(value: Any) -> _dt.date | None:
    """A date from a front-matter value or a date line; None if it is not one.

    Accepts ``date``/``datetime`` objects, ISO strings and ``"May 11, 2018"``,
    ``"Nov. 6, 2016"``, ``"11 May 2018"``.
    """
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    for rx in _DATE_RES:
        m = rx.fullmatch(s)
        if m:
            month = int(m["m"]) if "m" in m.groupdict() else _month(m["mn"])
            try:
                return _dt.date(int(m["y"]), month, int(m["d"]))
            except ValueError:
                return None
    return None


def infer_period(text: str) -> tuple[_dt.date, _dt.date] | None:
    """The reporting period named in ``text`` ("Weekly Conflict Summary September 7-13, 2017").

    Returns
    -------
    (date, date) or None
        Start and end (inclusive); None when no range of at most 62 days is found.
    """
    for rx in PERIOD_RES:
        for m in rx.finditer(text):
            g = m.groupdict()
            try:
                y2 = int(g["y2"])
                m1 = _month(g["m1"])
                m2 = _month(g["m2"]) if g.get("m2") else m1
                y1 = int(g["y1"]) if g.get("y1") else (y2 - 1 if m1 > m2 else y2)
                start = _dt.date(y1, m1, int(g["d1"]))
                end = _dt.date(y2, m2, int(g["d2"]))
            except (ValueError, KeyError):
                continue
            if start <= end and (end - start).days <= 62:
                return start, end
    return None


# --------------------------------------------------------------------------------------------
# Format readers: each returns (body, format, metadata, notes)
# --------------------------------------------------------------------------------------------


def _split_front_matter(text: str) -> tuple[dict[str, Any], str, list[CleaningNote]]:
    """Front matter dict, body, notes. Broken front matter: empty dict, a note, body kept."""
    m = re.match(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", text, re.S | re.M)
    if not text.startswith("---"):
        return {}, text, []
    if not m:
        return {}, text, [CleaningNote("front_matter", "front matter opened with '---' is never "
                                       "closed; the whole file was read as the body", 0, 0)]
    body = text[m.end():]
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, body, [CleaningNote("front_matter", f"front matter is not valid YAML{line}: "
                                       f"{reason}; body read without it", 0, 0)]
    if data is None:
        return {}, body, []
    if not isinstance(data, dict):
        return {}, body, [CleaningNote("front_matter", "front matter is not a mapping of keys "
                                       f"to values (got {type(data).__name__}); ignored", 0, 0)]
    return {str(k): v for k, v in data.items()}, body, []


def _read_text_file(path: Path, data: bytes, fmt: str):
    text, enc = decode_bytes(data, path)
    notes = []
    if enc not in ("utf-8", "utf-8-sig"):
        notes.append(CleaningNote("encoding", f"decoded as {enc} (not UTF-8)", None, None))
    meta, body, fm_notes = _split_front_matter(text)
    return body, fmt, meta, notes + fm_notes


def _html_fallback(html: str) -> tuple[str, dict[str, Any]]:
    import lxml.html

    root = lxml.html.fromstring(html)
    title_el = root.find(".//title")
    meta: dict[str, Any] = {"title": title_el.text_content().strip() if title_el is not None else None}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        if key in ("date", "pubdate", "article:published_time", "dc.date", "datepublished",
                   "og:published_time"):
            meta["date"] = (el.get("content") or "")[:10]
    for el in root.xpath("//script|//style|//noscript|//nav|//head"):
        el.drop_tree()
    blocks = [el.text_content() for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li",
                                                     "blockquote", "figcaption", "pre")]
    if not any(b.strip() for b in blocks):
        blocks = root.text_content().splitlines()
    text = "\n\n".join(" ".join(b.split()) for b in blocks if b.strip())
    return text, meta


def _read_html(path: Path, data: bytes, fmt: str):
    html, enc = decode_bytes(data, path)
    notes = []
    if enc not in ("utf-8", "utf-8-sig"):
        notes.append(CleaningNote("encoding", f"decoded as {enc} (not UTF-8)", None, None))
    meta: dict[str, Any] = {}
    text = ""
    try:
        import trafilatura

        result = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                             include_tables=True, favor_recall=True)
        if result is not None:
            get = result.get if isinstance(result, dict) else (lambda k: getattr(result, k, None))
            text = get("text") or ""
            meta = {k: get(k) for k in ("title", "date", "author", "sitename", "url")
                    if get(k)}
    except Exception as exc:  # trafilatura raises many kinds of errors on odd input
        log.debug("trafilatura failed on %s: %s", path, exc)
    if not text.strip():
        try:
            text, fb_meta = _html_fallback(html)
        except Exception as exc:
            raise ReportError(path, f"HTML could not be parsed: {exc}", "unreadable") from exc
        meta = {**fb_meta, **meta}
        notes.append(CleaningNote("html_fallback", "trafilatura found no main text; "
                                  "used a plain lxml text extraction", None, None))
    body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    fm: dict[str, Any] = {}
    if meta.get("title"):
        fm["title"] = meta["title"]
    if meta.get("date"):
        fm["published"] = meta["date"]
    if meta.get("url"):
        fm["source_url"] = meta["url"]
    if meta.get("sitename"):
        fm["publisher"] = meta["sitename"]
    if meta.get("author"):
        fm["author"] = meta["author"]
    return body, fmt, fm, notes


def _read_pdf(path: Path, data: bytes, fmt: str):
    errors = []
    pages: list[str] | None = None
    info: dict[str, Any] = {}
    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            pages = [(p.extract_text() or "") for p in pdf.pages]
            info = dict(pdf.metadata or {})
    except Exception as exc:
        errors.append(f"pdfplumber: {type(exc).__name__}: {exc}")
    if pages is None:
        try:
            import pypdf

            reader = pypdf.PdfReader(str(path))
            pages = [(p.extract_text() or "") for p in reader.pages]
            info = {k.lstrip("/"): v for k, v in (reader.metadata or {}).items()}
        except Exception as exc:
            errors.append(f"pypdf: {type(exc).__name__}: {exc}")
    if pages is None:
        raise ReportError(path, "PDF could not be read (truncated or damaged?): " + "; ".join(errors),
                          "unreadable")
    if not any(p.strip() for p in pages):
        raise ReportError(path, f"PDF has {len(pages)} page(s) but no text layer (scanned?)",
                          "empty")
    notes = [CleaningNote("partial", "read with pypdf after pdfplumber failed: " + errors[0],
                          None, None)] if errors else []
    fm: dict[str, Any] = {}
    title = str(info.get("Title") or "").strip()
    if title and not PLACEHOLDER_TITLES.match(title):
        fm["title"] = title
    return "\n\f\n".join(p.strip("\n") for p in pages), fmt, fm, notes


_READERS = {"txt": _read_text_file, "md": _read_text_file, "html": _read_html, "pdf": _read_pdf}


# --------------------------------------------------------------------------------------------
# read_report
# --------------------------------------------------------------------------------------------


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None


def read_report(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Read and clean one report.

    Parameters
    ----------
    path : str or Path
        A ``.txt``, ``.md``, ``.html``, ``.htm`` or ``.pdf`` file.
    max_bytes : int
        Larger files are refused (``too_large``).

    Returns
    -------
    Document
        ``raw_text`` is the decoded body (front matter removed; for HTML the extracted text,
        for PDF the pages joined with form feeds). Caveats (encoding, broken front matter,
        inferred dates) are in ``warnings``.

    Raises
    ------
    ReportError
        With ``kind`` ``unsupported``, ``unreadable``, ``too_large``, ``empty`` or ``binary``.
    """
    path = Path(path)
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ReportError(path, f"unsupported file type '{path.suffix}' (read: "
                          f"{', '.join(sorted(SUFFIX_FORMATS))})", "unsupported")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReportError(path, f"file is {size / 1e6:.1f} MB, over the limit of "
                              f"{max_bytes / 1e6:.1f} MB; skipped", "too_large")
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(path, f"cannot open file: {exc.strerror or exc}", "unreadable") from exc
    if not data.strip():
        raise ReportError(path, "file is empty", "empty")
    body, fmt, meta, notes = _READERS[fmt](path, data, fmt)
    if not body.strip():
        raise ReportError(path, "file has no text (only front matter or markup)", "empty")
    cleaned = clean_text(body, fmt=fmt)
    if not cleaned.text.strip():
        raise ReportError(path, "no text left after cleaning", "empty")
    notes = notes + cleaned.warnings

    known = {k: meta.get(k) for k in FRONT_MATTER_KEYS}
    extra = {k: v for k, v in meta.items() if k not in FRONT_MATTER_KEYS}
    dates = {}
    for key in ("published", "period_start", "period_end"):
        dates[key] = parse_date(known[key])
        if known[key] is not None and dates[key] is None:
            notes.append(CleaningNote("front_matter", f"{key} '{known[key]}' is not a date; ignored"))
    title = _str_or_none(known["title"]) or _title_from_text(cleaned)
    if dates["period_start"] is None and dates["period_end"] is None:
        head = "\n".join(filter(None, [title, cleaned.text[:1500]]))
        period = infer_period(head)
        if period:
            dates["period_start"], dates["period_end"] = period
            notes.append(CleaningNote("period_inferred", f"period {period[0]}..{period[1]} read "
                                      "from the title/first lines"))
    if dates["published"] is None:
        found = _date_line(cleaned.text)
        if found:
            dates["published"], line = found
            s = cleaned.text.find(line)
            notes.append(CleaningNote("date_inferred", f"published date {dates['published']} read "
                                      f"from the line '{line}'", cleaned.offsets[s],
                                      cleaned.offsets[s + len(line) - 1] + 1))
    return Document(
        doc_id=doc_id_for(path), path=str(path), format=fmt, title=title,
        publisher=_str_or_none(known["publisher"]), published=dates["published"],
        period_start=dates["period_start"], period_end=dates["period_end"],
        source_url=_str_or_none(known["source_url"]), license=_str_or_none(known["license"]),
        raw_text=body, text=cleaned.text, match_text=cleaned.match_text, offsets=cleaned.offsets,
        sections=cleaned.sections, captions=cleaned.captions, warnings=notes, meta=extra,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def _title_from_text(cleaned) -> str | None:
    first = cleaned.text.split("\n\n", 1)[0].strip()
    if first and "\n" not in first and len(first.split()) <= 25 and parse_date(first) is None \
            and first[-1] not in ".!?;:,":
        return first
    return cleaned.sections[0].title if cleaned.sections else None


def _date_line(text: str) -> tuple[_dt.date, str] | None:
    """A line in the first few that is nothing but a date."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:8]
    for line in lines:
        d = parse_date(line)
        if d is not None:
            return d, line
    return None


# --------------------------------------------------------------------------------------------
# Many files
# --------------------------------------------------------------------------------------------


def iter_reports(inputs: str | Path | Iterable[str | Path], *,
                 max_bytes: int = MAX_BYTES) -> Iterator[Document | Problem]:
    """Read every report under ``inputs``; never raises for a bad file.

    Parameters
    ----------
    inputs : path or iterable of paths
        Files and folders (see :func:`list_report_files`).
    max_bytes : int
        Size limit per file.

    Yields
    ------
    Document or Problem
        A fatal :class:`Problem` for a file that could not be read; for a file read with a
        caveat (encoding, front matter, partial read) a non-fatal Problem and then its Document.
    """
    for p in _as_list(inputs):
        if not p.exists():
            yield Problem(str(p), "no such file or folder", "unreadable", fatal=True)
    for path in list_report_files(inputs):
        try:
            doc = read_report(path, max_bytes=max_bytes)
        except ReportError as exc:
            yield exc.to_problem()
            continue
        except Exception as exc:  # a bug or a library failure on odd input: report, go on
            log.exception("unexpected error reading %s", path)
            yield Problem(str(path), f"unexpected error: {type(exc).__name__}: {exc}",
                          "unreadable", fatal=True)
            continue
        for note in doc.warnings:
            if note.code in PROBLEM_NOTES:
                yield Problem(str(path), note.message, PROBLEM_NOTES[note.code], fatal=False)
        yield doc


def read_reports(inputs: str | Path | Iterable[str | Path], *,
                 max_bytes: int = MAX_BYTES) -> tuple[list[Document], list[Problem]]:
    """Read every report under ``inputs``.

    Returns
    -------
    (list of Document, list of Problem)
        Documents read (possibly with caveats) and problems (fatal and non-fatal), in file order.
    """
    docs: list[Document] = []
    problems: list[Problem] = []
    for item in iter_reports(inputs, max_bytes=max_bytes):
        (problems if isinstance(item, Problem) else docs).append(item)
    return docs, problems
