"""The personal-data cipher: seals one subject's fields under their key from a vault.

Values are bound to subject and field (AES-256-GCM associated data, see ``envelope``), so a
ciphertext copied to another row or column does not decrypt. A shredded subject raises
:class:`~lendline.compliance.ports.SubjectErased`, never a crypto error.
"""

from __future__ import annotations

from lendline.adapters.crypto.envelope import DecryptionFailed, decrypt_field, encrypt_field
from lendline.compliance.ports import SubjectErased, SubjectKeyVault


class PersonalDataCipher:
    """Encrypts and decrypts personal data with the per-subject keys of a vault.

    Parameters:
        vault: where the subjects' data keys come from.
    """

    def __init__(self, vault: SubjectKeyVault) -> None:
        self.vault = vault

    def seal(self, subject: str, field: str, value: str | bytes) -> bytes:
        """Encrypt a value (text is UTF-8) for one subject and field.

        Raises:
            SubjectErased: if the subject was shredded (nothing new is stored for them).
        """
        raw = value.encode() if isinstance(value, str) else value
        return encrypt_field(self.vault.data_key(subject), subject, field, raw)

    def open(self, subject: str, field: str, sealed: bytes) -> bytes:
        """Decrypt a sealed value.

        Raises:
            SubjectErased: if the subject's key was shredded.
            DecryptionFailed: if the value was tampered with or belongs to another subject/field.
        """
        if self.vault.is_shredded(subject):
            raise SubjectErased(subject)
        return decrypt_field(self.vault.data_key(subject), subject, field, bytes(sealed))

    def open_text(self, subject: str, field: str, sealed: bytes) -> str:
        """Decrypt a sealed UTF-8 text (see :meth:`open`)."""
        return self.open(subject, field, sealed).decode()


__all__ = ["DecryptionFailed", "PersonalDataCipher", "SubjectErased"]
