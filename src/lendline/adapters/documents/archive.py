"""A contract archive on the local disk: one PDF per contract text, written once.

Files are named by the contract reference and the SHA-256 of the canonical text, so a
re-sent contract with the same text is the same file and a changed text is a new one; they
are written atomically (temporary file, then rename). A production lender would point an
archive with the same interface at WORM object storage (R11: kept ten years).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from lendline.adapters.documents.contract_pdf import render_contract_pdf
from lendline.lending.contract import ContractDocument
from lendline.lending.ports import ArchivedContract


class FileContractArchive:
    """Keeps contract PDFs under ``directory``/REFERENCE/.

    Args:
        directory: the archive's root (created if missing).
        font_path: the Chinese font to embed, if not the installed Debian one.
    """

    def __init__(self, directory: Path, font_path: Path | None = None) -> None:
        self.directory = Path(directory)
        self._font_path = font_path

    def path_for(self, document: ContractDocument) -> Path:
        """Where ``document`` is (or would be) kept."""
        name = f"{document.reference}-{document.language}-{document.sha256()[:16]}.pdf"
        return self.directory / document.reference / name

    def file(self, document: ContractDocument) -> ArchivedContract:
        """Render and keep ``document``; a document already filed is not rendered again."""
        path = self.path_for(document)
        if not path.exists():
            pdf = render_contract_pdf(document, font_path=self._font_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(pdf)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return ArchivedContract(location=str(path), file_sha256=digest)
