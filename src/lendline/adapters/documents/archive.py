"""A contract archive on the local disk: one PDF per contract text, written once.

Files are named by the contract reference and the SHA-256 of the canonical text, so a
re-sent contract with the same text is the same file and a changed text is a new one; they
are written atomically (temporary file, then rename). A production lender would point an
archive with the same interface at WORM object storage (R11: kept ten years).

A contract names the borrower and their ID number, so the PDF is sealed at rest (AES-256-GCM
under the key of the borrower's call session, ``<name>.pdf.enc``); erasing the session makes
it unreadable. ``file_sha256`` stays the hash of the plain PDF, the one the audit event
``contract.sent`` records.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from lendline.adapters.documents.contract_pdf import render_contract_pdf
from lendline.compliance.ports import PersonalDataSealer
from lendline.lending.contract import ContractDocument
from lendline.lending.ports import ArchivedContract


class FileContractArchive:
    """Keeps contract PDFs under ``directory``/REFERENCE/.

    Args:
        directory: the archive's root (created if missing).
        sealer: encrypts each PDF under its subject's key.
        font_path: the Chinese font to embed, if not the installed Debian one.
    """

    FIELD = "contract_pdf"

    def __init__(
        self, directory: Path, sealer: PersonalDataSealer, font_path: Path | None = None
    ) -> None:
        self.directory = Path(directory)
        self.sealer = sealer
        self._font_path = font_path

    def path_for(self, document: ContractDocument) -> Path:
        """Where ``document`` is (or would be) kept."""
        name = f"{document.reference}-{document.language}-{document.sha256()[:16]}.pdf.enc"
        return self.directory / document.reference / name

    def read(self, location: str, subject: str) -> bytes:
        """The plain PDF filed at ``location``.

        Raises:
            SubjectErased: if the subject's data was erased.
            DecryptionFailed: if the file was altered or is another subject's.
        """
        return self.sealer.open(subject, self.FIELD, Path(location).read_bytes())

    def file(self, document: ContractDocument, subject: str) -> ArchivedContract:
        """Render and keep ``document``; a document already filed is not rendered again."""
        path = self.path_for(document)
        if path.exists():
            pdf = self.read(str(path), subject)
        else:
            pdf = render_contract_pdf(document, font_path=self._font_path)
            sealed = self.sealer.seal(subject, self.FIELD, pdf)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(sealed)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        digest = hashlib.sha256(pdf).hexdigest()
        return ArchivedContract(location=str(path), file_sha256=digest)
