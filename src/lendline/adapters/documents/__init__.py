"""Documents LendLine hands to borrowers, rendered from the lending core's content (PDF)."""

from lendline.adapters.documents.contract_pdf import (
    CJK_FONT_PACKAGE,
    CjkFontMissing,
    find_cjk_font,
    render_contract_pdf,
)

__all__ = ["CJK_FONT_PACKAGE", "CjkFontMissing", "find_cjk_font", "render_contract_pdf"]
