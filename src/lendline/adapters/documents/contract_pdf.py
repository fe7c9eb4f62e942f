"""The loan contract as a PDF: the same blocks as its canonical text, fonts embedded.

``render_contract_pdf`` lays out a ``ContractDocument`` (built by
``lendline.lending.contract.build_contract``) with reportlab: the title, the APR in a box
above everything else (R6), the notice, the numbered sections, the schedule as a table whose
header repeats on every page it runs onto, and on every page a footer with the contract
number, the SHA-256 of the canonical text (so a printed page names the exact text signed) and
"page X of Y".

Fonts: Latin text uses Bitstream Vera, which ships inside reportlab; Chinese uses Droid Sans
Fallback from the Debian package ``fonts-droid-fallback`` (Apache-2.0), which
``scripts/install`` installs. Both are embedded (TrueType subsets), so the contract reads the
same on a machine without them. Droid Sans Fallback has no Latin glyphs, so each text is split
into runs by which font has the glyph.

The output is deterministic (reportlab's invariant mode): the same contract gives the same
bytes with the same reportlab and font versions. The metadata carry the contract number, the
digest and the lender's name, and no personal data.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from lendline.lending.contract import ContractDocument, ContractTable, Term

#: The Debian package that provides the Chinese font.
CJK_FONT_PACKAGE: Final = "fonts-droid-fallback"

#: Font files of that package, the fuller one first.
CJK_FONT_FILES: Final = ("DroidSansFallbackFull.ttf", "DroidSansFallback.ttf")

#: Where Debian puts fonts; the package's own directories first, then the font trees.
FONT_DIRECTORIES: Final = (
    Path("/usr/share/fonts/truetype/droid"),
    Path("/usr/share/fonts-droid-fallback/truetype"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)

_LATIN_DIR: Final = Path(reportlab.__file__).parent / "fonts"
_LATIN_FILES: Final = {"regular": "Vera.ttf", "bold": "VeraBd.ttf"}

_INK: Final = colors.HexColor("#1F2A37")
_ACCENT: Final = colors.HexColor("#0B4F8A")
_MUTED: Final = colors.HexColor("#5B6675")
_RULE: Final = colors.HexColor("#C5CED8")
_BOX: Final = colors.HexColor("#EAF2FB")
_NOTICE: Final = colors.HexColor("#FFF6E0")
_STRIPE: Final = colors.HexColor("#F4F6F8")

_MARGIN: Final = 18 * mm
_FOOTER_SPACE: Final = 16 * mm

_LABELS: Final = {
    "zh": {
        "page": "第 {page} 页 / 共 {total} 页",
        "reference": "合同编号",
        "digest": "规范文本 SHA-256",
    },
    "en": {
        "page": "Page {page} of {total}",
        "reference": "Contract no.",
        "digest": "SHA-256 of the canonical text",
    },
}

#: Share of the width for a term's label; English labels are longer.
_LABEL_SHARE: Final = {"zh": 0.3, "en": 0.36}

_LANG_TAGS: Final = {"zh": "zh-CN", "en": "en"}


class CjkFontMissing(RuntimeError):
    """Raised when the Chinese font is not installed (or the path given is not a font file)."""


def find_cjk_font(font_path: Path | None = None) -> Path:
    """Return the TrueType file of the Chinese font.

    Args:
        font_path: a font file to use instead of searching; it must exist.

    Returns:
        ``font_path``, or the first Droid Sans Fallback file found in the Debian font
        directories.

    Raises:
        CjkFontMissing: if no such file exists; the message names the package to install.
    """
    if font_path is not None:
        if not font_path.is_file():
            raise CjkFontMissing(f"the font file {font_path} does not exist")
        return font_path
    for name in CJK_FONT_FILES:
        for directory in FONT_DIRECTORIES:
            if (directory / name).is_file():
                return directory / name
        for directory in FONT_DIRECTORIES:
            if directory.is_dir():
                found = sorted(directory.rglob(name))
                if found:
                    return found[0]
    raise CjkFontMissing(
        f"no Chinese font for the contract PDF: install the Debian package {CJK_FONT_PACKAGE} "
        f"(scripts/install does), or pass the path of a TrueType font with Chinese glyphs"
    )


@dataclass(frozen=True, slots=True)
class _Fonts:
    """The registered fonts of one rendering and the characters the Latin font has."""

    latin: str
    latin_bold: str
    cjk: str
    latin_chars: frozenset[int]

    def runs(self, text: str, *, bold: bool = False) -> Iterator[tuple[str, str]]:
        """Split ``text`` into ``(font name, text)`` runs, each font having the glyphs.

        Latin is preferred where both fonts have the glyph; a character neither has falls to
        the Chinese font (it shows as a box, but the canonical text, the signed one, is exact).
        """
        latin = self.latin_bold if bold else self.latin
        current = ""
        start = 0
        for index, char in enumerate(text):
            font = latin if ord(char) in self.latin_chars else self.cjk
            if font != current and index:
                yield current, text[start:index]
                start = index
            current = font
        if text:
            yield current, text[start:]

    def markup(self, text: str, *, bold: bool = False) -> str:
        """Paragraph markup of ``text`` with a font tag on each run."""
        return "".join(
            f'<font name="{font}">{escape(part)}</font>'
            for font, part in self.runs(text, bold=bold)
        )

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` in points at ``size``."""
        return float(
            sum(pdfmetrics.stringWidth(part, font, size) for font, part in self.runs(text))
        )


#: Chinese punctuation that may not begin a line. reportlab's own list covers 、。） but not
#: the full-width comma, colon and the rest, so a line of a clause could start with "：".
_CANNOT_START_LINE: Final = "，。：；？！）》」』】〕、％”’"


def _keep_punctuation_off_line_starts() -> None:
    """Teach reportlab's CJK line breaking the Chinese punctuation above (once, idempotent).

    Both of its CJK wrappers read the list: the one for single-font paragraphs in textsplit,
    the one for mixed fonts in paragraph.
    """
    for module in (rl_textsplit, rl_paragraph):
        missing = "".join(ch for ch in _CANNOT_START_LINE if ch not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


_registry_lock = threading.Lock()
_registered: dict[Path, _Fonts] = {}


def _fonts(cjk_path: Path) -> _Fonts:
    """Register the Latin fonts and ``cjk_path`` with reportlab once per process."""
    cjk_path = cjk_path.resolve()
    with _registry_lock:
        fonts = _registered.get(cjk_path)
        if fonts is not None:
            return fonts
        _keep_punctuation_off_line_starts()
        names = {"regular": "LendLineSans", "bold": "LendLineSans-Bold"}
        for key, name in names.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(_LATIN_DIR / _LATIN_FILES[key])))
        cjk_name = f"LendLineCJK-{len(_registered)}"
        try:
            cjk_font = TTFont(cjk_name, str(cjk_path))
        except Exception as exc:  # reportlab raises its own TTFError and others on bad files
            raise CjkFontMissing(f"{cjk_path} is not a usable TrueType font: {exc}") from exc
        pdfmetrics.registerFont(cjk_font)
        latin_font = pdfmetrics.getFont(names["regular"])
        fonts = _Fonts(
            latin=names["regular"],
            latin_bold=names["bold"],
            cjk=cjk_name,
            latin_chars=frozenset(latin_font.face.charToGlyph),
        )
        _registered[cjk_path] = fonts
        return fonts


@dataclass(frozen=True, slots=True)
class _Styles:
    """Paragraph styles of the contract, for one language."""

    language: str
    title: ParagraphStyle
    header: ParagraphStyle
    headline_label: ParagraphStyle
    headline_value: ParagraphStyle
    headline_note: ParagraphStyle
    notice: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    lead_in: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_number: ParagraphStyle
    cell_head: ParagraphStyle


def _styles(fonts: _Fonts, language: str) -> _Styles:
    # Chinese has no spaces between words: CJK wrapping breaks between any two characters.
    wrap = "CJK" if language == "zh" else None
    base = ParagraphStyle(
        "body",
        fontName=fonts.latin,
        fontSize=9.5,
        leading=14.5,
        textColor=_INK,
        wordWrap=wrap,
        spaceAfter=3,
    )

    def style(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return _Styles(
        language=language,
        title=style("title", fontSize=19, leading=26, alignment=TA_CENTER, spaceAfter=4),
        header=style("header", fontSize=8.5, leading=12, alignment=TA_CENTER, textColor=_MUTED),
        headline_label=style("headline_label", fontSize=11, leading=15, textColor=_ACCENT),
        headline_value=style(
            "headline_value", fontSize=24, leading=28, alignment=TA_RIGHT, textColor=_ACCENT
        ),
        headline_note=style("headline_note", fontSize=8.5, leading=12.5, spaceAfter=0),
        notice=style("notice", fontSize=8.5, leading=13, spaceAfter=0),
        heading=style(
            "heading",
            fontSize=11.5,
            leading=16,
            textColor=_ACCENT,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        ),
        body=base,
        lead_in=style("lead_in", keepWithNext=1),
        label=style("label", fontSize=9, leading=13.5, textColor=_MUTED, spaceAfter=0),
        cell=style("cell", fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_LEFT),
        cell_number=style(
            "cell_number", fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_RIGHT
        ),
        cell_head=style(
            "cell_head",
            fontSize=8.5,
            leading=11,
            spaceAfter=0,
            alignment=TA_RIGHT,
            textColor=_ACCENT,
        ),
    )


def _table_font(fonts: _Fonts) -> tuple[Any, ...]:
    """Table style command for plain cells; reportlab would otherwise set unembedded Helvetica."""
    return ("FONTNAME", (0, 0), (-1, -1), fonts.latin)


def _term_row(term: Term, fonts: _Fonts, styles: _Styles, width: float) -> Table:
    """A labelled term as a one-row table: label, value (one table each, so pages break between)."""
    row = [
        Paragraph(fonts.markup(term.label), styles.label),
        Paragraph(fonts.markup(term.value), styles.body),
    ]
    label_width = width * _LABEL_SHARE[styles.language]
    table = Table([row], colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                _table_font(fonts),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _schedule_table(block: ContractTable, fonts: _Fonts, styles: _Styles, width: float) -> Table:
    """The schedule: header repeated on every page, numbers right-aligned, totals last."""

    def row(cells: Sequence[str], *, head: bool = False, bold: bool = False) -> list[Paragraph]:
        out = []
        for index, cell in enumerate(cells):
            style = styles.cell_head if head else styles.cell_number
            if index == 0:
                style = (
                    styles.cell
                    if not head
                    else ParagraphStyle(
                        "cell_head_first", parent=styles.cell_head, alignment=TA_LEFT
                    )
                )
            out.append(Paragraph(fonts.markup(cell, bold=bold or head), style))
        return out

    data = [row(block.columns, head=True), *(row(cells) for cells in block.rows)]
    if block.totals:
        data.append(row(block.totals, bold=True))
    first = width * 0.1
    rest = (width - first) / (len(block.columns) - 1)
    table = Table(data, colWidths=[first] + [rest] * (len(block.columns) - 1), repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        _table_font(fonts),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _ACCENT),
        ("BACKGROUND", (0, 0), (-1, 0), _BOX),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for index in range(2, len(block.rows) + 1, 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), _STRIPE))
    if block.totals:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, _ACCENT))
        # The totals never stand alone on a page: they stay with the last installment.
        commands.append(("NOSPLIT", (0, -2), (-1, -1)))
    table.setStyle(TableStyle(commands))
    return table


def _headline(document: ContractDocument, fonts: _Fonts, styles: _Styles, width: float) -> Table:
    """The APR box: the largest figure on the page, right under the title (R6)."""
    label = Paragraph(fonts.markup(document.headline.label, bold=True), styles.headline_label)
    value = Paragraph(fonts.markup(document.headline.value, bold=True), styles.headline_value)
    note = Paragraph(fonts.markup(document.headline_note), styles.headline_note)
    box = Table([[label, value], [note, ""]], colWidths=[width * 0.62, width * 0.38])
    box.setStyle(
        TableStyle(
            [
                _table_font(fonts),
                ("SPAN", (0, 1), (1, 1)),
                ("BOX", (0, 0), (-1, -1), 1.6, _ACCENT),
                ("BACKGROUND", (0, 0), (-1, -1), _BOX),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 9),
                ("RIGHTPADDING", (0, 0), (-1, -1), 9),
                ("TOPPADDING", (0, 0), (-1, 0), 7),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 7),
            ]
        )
    )
    return box


def _notice(document: ContractDocument, fonts: _Fonts, styles: _Styles, width: float) -> Table:
    """The notice of the terms that matter most, in a tinted box (standard terms pointed out)."""
    box = Table([[Paragraph(fonts.markup(document.notice), styles.notice)]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                _table_font(fonts),
                ("BACKGROUND", (0, 0), (-1, -1), _NOTICE),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, colors.HexColor("#D99A1E")),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def _story(document: ContractDocument, fonts: _Fonts, width: float) -> list[Flowable]:
    """Every block of the document, in the order of its canonical text."""
    styles = _styles(fonts, document.language)
    story: list[Flowable] = [Paragraph(fonts.markup(document.title, bold=True), styles.title)]
    separator = "：" if document.language == "zh" else ": "
    header = "&nbsp;" * 6
    header = header.join(
        fonts.markup(f"{term.label}{separator}{term.value}") for term in document.header
    )
    story += [
        Paragraph(header, styles.header),
        Spacer(1, 5 * mm),
        _headline(document, fonts, styles, width),
        Spacer(1, 3 * mm),
        _notice(document, fonts, styles, width),
    ]
    for section in document.sections:
        # The heading style keeps each heading on the page of its section's first block.
        story.append(Paragraph(fonts.markup(section.heading, bold=True), styles.heading))
        following = [*section.blocks[1:], None]
        for block, after in zip(section.blocks, following, strict=True):
            if isinstance(block, Term):
                story.append(_term_row(block, fonts, styles, width))
            elif isinstance(block, ContractTable):
                story.append(_schedule_table(block, fonts, styles, width))
            else:
                # A table's caption starts on the page where the table starts.
                style = styles.lead_in if isinstance(after, ContractTable) else styles.body
                story.append(Paragraph(fonts.markup(block), style))
    return story


def _canvas_class(document: ContractDocument, fonts: _Fonts) -> type[Canvas]:
    """A canvas that holds pages back until the end, to print "page X of Y" on each."""
    labels = _LABELS[document.language]
    digest = document.sha256()

    def draw(canvas: Canvas, text: str, x: float, y: float, size: float, align: str) -> None:
        if align == "right":
            x -= fonts.width(text, size)
        for font, part in fonts.runs(text):
            canvas.setFont(font, size)
            canvas.drawString(x, y, part)
            x += pdfmetrics.stringWidth(part, font, size)

    # reportlab ships no type hints, so its Canvas is Any to mypy.
    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            left, right = _MARGIN, width - _MARGIN
            self.saveState()
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.5)
            self.line(left, 13 * mm, right, 13 * mm)
            self.setFillColor(_MUTED)
            reference = f"{labels['reference']} {document.reference}"
            draw(self, reference, left, 9.5 * mm, 7.5, "left")
            page = labels["page"].format(page=number, total=total)
            draw(self, page, right, 9.5 * mm, 7.5, "right")
            draw(self, f"{labels['digest']}  {digest}", left, 6 * mm, 6.5, "left")
            if number > 1:
                _, height = self._pagesize
                top = f"{document.title}  {document.reference}"
                draw(self, top, right, height - 11 * mm, 7.5, "right")
            self.restoreState()

    return NumberedCanvas


def render_contract_pdf(document: ContractDocument, *, font_path: Path | None = None) -> bytes:
    """Render ``document`` to PDF bytes.

    Args:
        document: the contract, from ``lendline.lending.contract.build_contract``.
        font_path: a TrueType font with Chinese glyphs to embed instead of the installed
            Droid Sans Fallback.

    Returns:
        The PDF: A4, fonts embedded, the canonical text's SHA-256 in every page's footer;
        the same bytes for the same document.

    Raises:
        CjkFontMissing: if no Chinese font is installed or ``font_path`` is not one.
        ValueError: if the document's language has no layout.
    """
    if document.language not in _LABELS:
        raise ValueError(f"no PDF layout for language {document.language!r}")
    fonts = _fonts(find_cjk_font(font_path))
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + _FOOTER_SPACE / 2,
        # Same input, same bytes: fixed dates and IDs, so a PDF can be re-made and compared.
        invariant=1,
        # Without this the canvas lists Helvetica, an unembedded font the contract never uses.
        initialFontName=fonts.latin,
        lang=_LANG_TAGS[document.language],
        title=f"{document.title} {document.reference}",
        subject=f"{document.reference} SHA-256 {document.sha256()}",
        author=document.lender_name,
        creator="LendLine",
        keywords=[document.reference, document.sha256()],
    )
    width = A4[0] - 2 * _MARGIN
    template.build(_story(document, fonts, width), canvasmaker=_canvas_class(document, fonts))
    return buffer.getvalue()
