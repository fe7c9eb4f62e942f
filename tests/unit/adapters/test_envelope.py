"""Envelope encryption: fields bound to subject and column, KEK rotation, crypto-shredding."""

from __future__ import annotations

import pytest

from lendline.adapters.crypto.envelope import (
    DecryptionFailed,
    Keyring,
    blind_index,
    decrypt_field,
    encrypt_field,
    new_data_key,
)

ID_NUMBER = b"11010519491231002X"
KEK_2025, KEK_2026 = b"\x01" * 32, b"\x02" * 32


def test_a_field_round_trips_and_its_ciphertext_holds_no_plaintext() -> None:
    dek = new_data_key()
    sealed = encrypt_field(dek, "cust-1", "id_number", ID_NUMBER)
    assert ID_NUMBER not in sealed and b"1101" not in sealed
    assert decrypt_field(dek, "cust-1", "id_number", sealed) == ID_NUMBER
    # Same value twice: different ciphertexts (random nonce), so equal values do not show.
    assert encrypt_field(dek, "cust-1", "id_number", ID_NUMBER) != sealed


@pytest.mark.parametrize(("subject", "field"), [("cust-2", "id_number"), ("cust-1", "mobile")])
def test_a_ciphertext_moved_to_another_subject_or_column_does_not_decrypt(
    subject: str, field: str
) -> None:
    dek = new_data_key()
    sealed = encrypt_field(dek, "cust-1", "id_number", ID_NUMBER)
    with pytest.raises(DecryptionFailed):
        decrypt_field(dek, subject, field, sealed)


def test_any_flipped_byte_is_detected() -> None:
    dek = new_data_key()
    sealed = encrypt_field(dek, "cust-1", "id_number", ID_NUMBER)
    for position in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x01
        with pytest.raises(DecryptionFailed):
            decrypt_field(dek, "cust-1", "id_number", bytes(damaged))


def test_kek_rotation_keeps_old_keys_readable_and_rewraps_them() -> None:
    old = Keyring("k2025", {"k2025": KEK_2025})
    dek = new_data_key()
    wrapped = old.wrap(dek, "cust-1")
    rotated = Keyring("k2026", {"k2025": KEK_2025, "k2026": KEK_2026})
    assert rotated.unwrap(wrapped, "cust-1") == dek  # readable during the rotation
    rewrapped = rotated.rewrap(wrapped, "cust-1")
    assert rewrapped.kek_id == "k2026"
    retired = Keyring("k2026", {"k2026": KEK_2026})
    assert retired.unwrap(rewrapped, "cust-1") == dek
    with pytest.raises(DecryptionFailed, match="not in the keyring"):
        retired.unwrap(wrapped, "cust-1")
    with pytest.raises(DecryptionFailed):
        rotated.unwrap(wrapped, "cust-2")  # a wrapped key is bound to its subject


def test_without_the_data_key_the_data_is_gone_crypto_shredding() -> None:
    dek = new_data_key()
    sealed = encrypt_field(dek, "cust-1", "id_number", ID_NUMBER)
    del dek  # the wrapped key row deleted: what is left is noise
    with pytest.raises(DecryptionFailed):
        decrypt_field(new_data_key(), "cust-1", "id_number", sealed)


def test_blind_indexes_match_equal_values_only_under_the_same_key() -> None:
    key = b"\x07" * 32
    assert blind_index(key, "id", "11010519491231002x ") == blind_index(
        key, "id", "11010519491231002X"
    )
    assert blind_index(key, "id", "13800000000") != blind_index(key, "mobile", "13800000000")
    assert blind_index(b"\x08" * 32, "id", "11010519491231002X") != blind_index(
        key, "id", "11010519491231002X"
    )
    assert "1101" not in blind_index(key, "id", "11010519491231002X")


def test_keyrings_refuse_bad_keys() -> None:
    with pytest.raises(ValueError, match="current"):
        Keyring("missing", {"k": KEK_2025})
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring("k", {"k": b"short"})
