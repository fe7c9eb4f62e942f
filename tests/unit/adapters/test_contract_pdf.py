"""The contract PDF: read back with pypdf, it says what the canonical text says, fonts embedded."""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from lendline.adapters.documents import contract_pdf
from lendline.adapters.documents.contract_pdf import (
    CJK_FONT_PACKAGE,
    CjkFontMissing,
    find_cjk_font,
    render_contract_pdf,
)
from lendline.lending.contract import (
    ContractDocument,
    ContractParties,
    ContractTable,
    Term,
    build_contract,
)
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.lending.purpose import PurposeCategory
from lendline.shared.money import Money

PARTIES = ContractParties(
    "领航示范消费金融有限公司",
    "李晓华",
    "110105********0021",
    "****8817",
    lender_licence="消费金融公司牌照",
)
REFERENCE = "LL-20261128-7KQ2M"


def contract(language: str, amount: int = 30_000, months: int = 12) -> ContractDocument:
    product = DEFAULT_PRODUCT
    if months not in product.terms_months:
        product = dataclasses.replace(product, terms_months=(months,))
    return build_contract(
        REFERENCE,
        PARTIES,
        make_offer(product, Money.of(amount), months),
        language,
        purpose=PurposeCategory.CONSUMER_GOODS,
        product_name=product.name_zh if language == "zh" else product.name_en,
    )


@cache
def pdf_of(language: str, amount: int = 30_000, months: int = 12) -> bytes:
    return render_contract_pdf(contract(language, amount, months))


def compact(text: str) -> str:
    """Text without any whitespace: line wrapping and run splitting put spaces in extraction."""
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [compact(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def expected_pieces(document: ContractDocument) -> list[str]:
    """Every piece of the document, in order, as the PDF should show it."""
    pieces = [document.title, *(term.value for term in document.header)]
    pieces += [document.headline.label, document.headline.value, document.headline_note]
    pieces.append(document.notice)
    for section in document.sections:
        pieces.append(section.heading)
        for block in section.blocks:
            if isinstance(block, Term):
                pieces += [block.label, block.value]
            elif isinstance(block, ContractTable):
                pieces.append("".join(block.columns))
                pieces += ["".join(row) for row in block.rows]
                pieces.append("".join(block.totals))
            else:
                pieces.append(block)
    return [compact(piece) for piece in pieces]


def body_text(pdf: bytes) -> str:
    """All pages' text with the running header and footer taken out."""
    texts = page_texts(pdf)
    body = []
    for number, text in enumerate(texts, start=1):
        for decoration in re.findall(r"(?:合同编号|Contractno\.)LL-\d{8}-\w{5}", text):
            text = text.replace(decoration, "", 1)
        text = re.sub(r"(第\d+页/共\d+页|Page\d+of\d+)", "", text)
        text = re.sub(r"(规范文本SHA-256|SHA-256ofthecanonicaltext)[0-9a-f]{64}", "", text)
        if number > 1:
            text = re.sub(
                r"(个人消费借款合同|PersonalConsumerLoanContract)LL-\d{8}-\w{5}$", "", text
            )
        body.append(text)
    return "".join(body)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_block_of_the_document_comes_back_from_the_pdf_in_order(language: str) -> None:
    document = contract(language)
    text = body_text(pdf_of(language))
    position = 0
    for piece in expected_pieces(document):
        found = text.find(piece, position)
        assert found >= 0, f"missing or out of order: {piece[:60]}"
        position = found + len(piece)


def test_the_chinese_pdf_reads_back_its_headings_apr_installments_and_digest() -> None:
    document = contract("zh")
    text = "".join(page_texts(pdf_of("zh")))
    for heading in [
        "个人消费借款合同",
        "第四条还款计划表",
        "第八条征信查询及报送授权",
        "第九条个人信息处理告知",
    ]:
        assert heading in text
    apr = f"{make_offer(DEFAULT_PRODUCT, Money.of(30_000), 12).rates.apr * 100:.4f}%"
    assert f"年化利率（APR，按IRR计算）{apr}" in text
    assert "人民币30,000.00元（大写：叁万元整）" in text
    offer = make_offer(DEFAULT_PRODUCT, Money.of(30_000), 12)
    for item in offer.schedule.installments:
        row = f"{item.period}{item.payment.amount:,.2f}{item.principal.amount:,.2f}"
        assert row in text
    assert document.sha256() in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_carries_the_reference_the_digest_and_page_x_of_y(language: str) -> None:
    document = contract(language)
    pages = page_texts(pdf_of(language))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert REFERENCE in text
        assert document.sha256() in text
        page = (
            f"第{number}页/共{len(pages)}页" if language == "zh" else f"Page{number}of{len(pages)}"
        )
        assert page in text


def test_the_same_contract_gives_the_same_bytes_and_another_contract_other_bytes() -> None:
    first = render_contract_pdf(contract("zh"))
    assert render_contract_pdf(contract("zh")) == first
    assert render_contract_pdf(contract("zh", amount=30_100)) != first
    assert first.startswith(b"%PDF-")
    # Invariant mode: a fixed date instead of the time of rendering.
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20000101000000+00'00'"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_apr_is_the_largest_text_on_the_first_page(language: str) -> None:
    document = contract(language)
    sizes: list[tuple[float, str]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.append((size * tm[3], text.strip()))

    PdfReader(io.BytesIO(pdf_of(language))).pages[0].extract_text(visitor_text=visit)
    largest, text = max(sizes)
    assert text == document.headline.value
    assert all(size < largest for size, other in sizes if other != text)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_36_month_schedule_keeps_all_its_rows(language: str) -> None:
    document = contract(language, 200_000, 36)
    text = body_text(pdf_of(language, 200_000, 36))
    table = next(
        block
        for section in document.sections
        for block in section.blocks
        if isinstance(block, ContractTable)
    )
    assert len(table.rows) == 36
    position = 0
    for row in table.rows:
        found = text.find(compact("".join(row)), position)
        assert found >= 0, row
        position = found


def test_a_schedule_longer_than_a_page_repeats_its_header_on_each_page() -> None:
    document = contract("zh", 200_000, 72)
    pages = page_texts(pdf_of("zh", 200_000, 72))
    header = "期数应还款额本金利息费用剩余本金"
    rows = next(
        block.rows
        for section in document.sections
        for block in section.blocks
        if isinstance(block, ContractTable)
    )
    pages_with_rows = [
        text for text in pages if any(f"{row[0]}{row[1]}{row[2]}" in text for row in rows)
    ]
    assert len(pages_with_rows) >= 2
    assert all(header in text for text in pages_with_rows)
    assert all(
        sum(f"{row[0]}{row[1]}{row[2]}" in text for text in pages_with_rows) == 1 for row in rows
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_font_is_embedded_and_chinese_uses_the_droid_font(language: str) -> None:
    reader = PdfReader(io.BytesIO(pdf_of(language)))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000
            assert "/ToUnicode" in font
    assert any("DroidSansFallback" in name for name in names)
    assert any("BitstreamVeraSans" in name for name in names)
    assert not any("Helvetica" in name for name in names)


def test_the_metadata_name_the_contract_and_its_digest_but_not_the_borrower() -> None:
    document = contract("zh")
    metadata = PdfReader(io.BytesIO(pdf_of("zh"))).metadata
    assert metadata is not None
    assert metadata.title == f"个人消费借款合同 {REFERENCE}"
    assert document.sha256() in (metadata.subject or "")
    values = " ".join(str(value) for value in metadata.values())
    for personal in (PARTIES.borrower_name, PARTIES.borrower_id_masked, "8817"):
        assert personal not in values


def test_the_font_is_found_in_the_debian_directories() -> None:
    found = find_cjk_font()
    assert found.name in contract_pdf.CJK_FONT_FILES
    assert found.is_file()


def test_a_missing_font_is_reported_with_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_pdf, "FONT_DIRECTORIES", (tmp_path,))
    with pytest.raises(CjkFontMissing, match=CJK_FONT_PACKAGE):
        find_cjk_font()
    with pytest.raises(CjkFontMissing, match=CJK_FONT_PACKAGE):
        render_contract_pdf(contract("zh"))
    with pytest.raises(CjkFontMissing, match="does not exist"):
        find_cjk_font(tmp_path / "absent.ttf")


def test_a_font_path_that_is_not_a_font_is_refused(tmp_path: Path) -> None:
    not_a_font = tmp_path / "fake.ttf"
    not_a_font.write_bytes(b"not a font at all")
    with pytest.raises(CjkFontMissing, match="not a usable TrueType font"):
        render_contract_pdf(contract("zh"), font_path=not_a_font)


def test_an_explicit_font_path_is_used(tmp_path: Path) -> None:
    copy = tmp_path / "Copy.ttf"
    copy.write_bytes(find_cjk_font().read_bytes())
    assert render_contract_pdf(contract("zh"), font_path=copy) == pdf_of("zh")
