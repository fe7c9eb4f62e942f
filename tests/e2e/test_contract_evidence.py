"""After a signed loan: the contract PDF filed, its text hash in the audit log, the signature
recomputable from the evidence, and the money on the ledger matching the bank."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from lendline.compliance.ports import session_subject
from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import chat_as
from lendline.lending.signature import ContractSignature
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.loan_book import LoanBook


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_signed_loan_leaves_its_contract_its_signature_and_balanced_books(
    make_app, language: str
) -> None:
    app = make_app()
    report = chat_as(app, happy_borrower(language))
    reference = report.state.reference
    assert reference and report.state.status.value == "completed"
    with SqlUnitOfWork(app.engine) as uow:
        events = {entry.kind: entry.payload for entry in uow.audit.entries()}
        application = uow.applications.get(reference)
    sent, signed = events["contract.sent"], events["contract.signed"]
    assert application is not None and application.contract_sha256 == sent["contract_sha256"]

    # The PDF filed is the document whose text hash was sent and signed.
    # Filed encrypted under the session's key; the audit hash is the plain PDF's.
    assert b"%PDF" not in Path(sent["document"]).read_bytes()
    pdf = app.desk.contracts.read(sent["document"], session_subject(report.state.session_id))
    assert hashlib.sha256(pdf).hexdigest() == sent["document_sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert sent["contract_sha256"] in text.replace("\n", "")
    assert ("年化利率" if language == "zh" else "Annual percentage rate") in text

    # Anyone with the evidence can recompute the signature's binding hash.
    signature = ContractSignature(
        reference=signed["reference"],
        contract_sha256=signed["contract_sha256"],
        consent_text_sha256=signed["consent_text_sha256"],
        otp_challenge=signed["otp_challenge"],
        signed_at=datetime.fromisoformat(signed["signed_at"]),
        audio_offset_ms=signed["audio_offset_ms"],
    )
    assert signature.binding_sha256() == signed["signature_sha256"]
    assert signed["contract_sha256"] == sent["contract_sha256"]
    assert signed["audio_offset_ms"] is None  # a chat has no recording

    # The money: booked, paid once, and both books agree.
    book = LoanBook(app.engine, app.clock)
    assert book.position(reference).principal_outstanding.to_minor() == application.amount_minor
    check = book.reconcile(app.desk.rail)
    assert check.balanced and check.loans_paid == check.rail_payouts == 1
