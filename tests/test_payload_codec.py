"""The payload codec: round trip, rotation, tampering, unknown keys, and the start-up checks."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from casebridge import payload_codec
from casebridge.payload_codec import (
    ENCRYPTED_ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    PayloadDecryptError,
    PayloadKeysError,
    data_converter,
    new_key_entry,
    parse_payload_keys,
    require_payload_keys,
)
from casebridge.settings import Settings

CUSTOMER = {"name": "Ada Byron", "email": "ada.byron@example.test", "phone": "+1 555 0100", "street": "7 Elm Row"}


def plain(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


async def test_round_trip_hides_the_data_and_keeps_the_metadata() -> None:
    codec = EncryptionCodec(parse_payload_keys(f"{new_key_entry('k2')},{new_key_entry('k1')}"))
    original = plain(CUSTOMER)

    [sealed] = await codec.encode([original])

    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"k2"  # the current key: the first
    raw = sealed.SerializeToString()
    for value in CUSTOMER.values():
        assert value.encode() not in raw
    assert b"json/plain" not in raw  # the inner metadata is sealed too
    assert (await codec.decode([sealed])) == [original]
    # A fresh nonce each time: equal inputs give different ciphertexts.
    assert (await codec.encode([original]))[0].data != sealed.data


async def test_rotation_old_key_still_opens_new_payloads_use_the_current_key() -> None:
    old_entry, new_entry = new_key_entry("2024-01"), new_key_entry("2025-06")
    before = EncryptionCodec(parse_payload_keys(old_entry))
    [sealed_before] = await before.encode([plain(CUSTOMER)])

    after = EncryptionCodec(parse_payload_keys(f"{new_entry}\n{old_entry}"))  # new key first

    assert await after.decode([sealed_before]) == [plain(CUSTOMER)]
    [sealed_after] = await after.encode([plain(CUSTOMER)])
    assert sealed_after.metadata[KEY_ID_METADATA] == b"2025-06"
    with pytest.raises(PayloadDecryptError, match="'2025-06', which is not among the configured keys"):
        await before.decode([sealed_after])


async def test_tampering_is_detected() -> None:
    codec = EncryptionCodec(parse_payload_keys(new_key_entry("k1")))
    [sealed] = await codec.encode([plain(CUSTOMER)])

    flipped = Payload()
    flipped.CopyFrom(sealed)
    data = bytearray(flipped.data)
    data[-1] ^= 0x01
    flipped.data = bytes(data)
    with pytest.raises(PayloadDecryptError, match="fails authentication"):
        await codec.decode([flipped])

    # The key id is bound to the ciphertext: relabelling a payload with another id fails too.
    other = EncryptionCodec(parse_payload_keys(f"{new_key_entry('k1')},{new_key_entry('k0')}"))
    relabelled = Payload()
    relabelled.CopyFrom(sealed)
    relabelled.metadata[KEY_ID_METADATA] = b"k0"
    with pytest.raises(PayloadDecryptError, match="'k0' fails authentication"):
        await other.decode([relabelled])


async def test_a_key_with_the_right_id_but_other_bytes_is_refused() -> None:
    [sealed] = await EncryptionCodec(parse_payload_keys(new_key_entry("k1"))).encode([plain(CUSTOMER)])
    impostor = EncryptionCodec(parse_payload_keys(new_key_entry("k1")))
    with pytest.raises(PayloadDecryptError, match="fails authentication"):
        await impostor.decode([sealed])


async def test_unknown_key_id_is_refused_with_the_ids_configured() -> None:
    [sealed] = await EncryptionCodec(parse_payload_keys(new_key_entry("retired"))).encode([plain(CUSTOMER)])
    codec = EncryptionCodec(parse_payload_keys(f"{new_key_entry('a')},{new_key_entry('b')}"))
    with pytest.raises(PayloadDecryptError) as refused:
        await codec.decode([sealed])
    assert str(refused.value) == (
        "payload sealed with key id 'retired', which is not among the configured keys (a, b): "
        "add it to CASEBRIDGE_PAYLOAD_KEYS (after the current key)"
    )


async def test_plain_payloads_from_before_encryption_are_still_read() -> None:
    codec = EncryptionCodec(parse_payload_keys(new_key_entry("k1")))
    assert await codec.decode([plain(CUSTOMER)]) == [plain(CUSTOMER)]


async def test_the_data_converter_seals_through_the_pydantic_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_PAYLOAD_KEYS", new_key_entry("k1"))
    converter = data_converter(Settings())
    [sealed] = await converter.encode([CUSTOMER])
    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert await converter.decode([sealed], [dict]) == [CUSTOMER]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "holds no key"),
        ("no-colon", "entry 1: expected `id:base64key`"),
        ("bad id:" + base64.b64encode(os.urandom(32)).decode(), "entry 1: expected `id:base64key`"),
        ("k1:not base64!", "key 'k1' is not valid base64"),
        ("k1:" + base64.b64encode(os.urandom(16)).decode(), "key 'k1' has 16 bytes; AES-256 needs 32"),
        (f"{new_key_entry('k1')},{new_key_entry('k1')}", "names key 'k1' twice"),
    ],
    # Named by the fault, not the random keys: the same ids in every collection.
    ids=["empty", "no-colon", "bad-id", "not-base64", "short-key", "twice"],
)
def test_invalid_key_configuration_is_refused_clearly(spec: str, message: str) -> None:
    with pytest.raises(PayloadKeysError, match=message) as refused:
        parse_payload_keys(spec)
    material = spec.partition(":")[2]
    assert not material or material not in str(refused.value)  # errors never quote key material


def test_url_safe_base64_is_accepted() -> None:
    material = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    keys = parse_payload_keys("k1:" + base64.urlsafe_b64encode(material).decode())
    assert keys.ids == ["k1"]


def test_without_keys_the_processes_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEBRIDGE_PAYLOAD_KEYS", raising=False)
    monkeypatch.delenv("CASEBRIDGE_PAYLOAD_KEYS_FILE", raising=False)
    monkeypatch.setattr("casebridge.secrets._dotenv", lambda: {})
    with pytest.raises(PayloadKeysError, match="no payload encryption keys: set CASEBRIDGE_PAYLOAD_KEYS"):
        data_converter(Settings(allow_plain_payloads=False))
    # Development without encryption is an explicit choice.
    assert require_payload_keys(Settings(allow_plain_payloads=True)) is None
    assert data_converter(Settings(allow_plain_payloads=True)).payload_codec is None


def test_keys_from_a_mounted_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    keys_file = tmp_path / "payload-keys"
    keys_file.write_text(f"{new_key_entry('mounted-2')}\n{new_key_entry('mounted-1')}\n")
    monkeypatch.delenv("CASEBRIDGE_PAYLOAD_KEYS", raising=False)
    monkeypatch.setenv("CASEBRIDGE_PAYLOAD_KEYS_FILE", str(keys_file))
    keys = payload_codec.load_payload_keys()
    assert keys is not None and keys.ids == ["mounted-2", "mounted-1"]

    monkeypatch.setenv("CASEBRIDGE_PAYLOAD_KEYS_FILE", str(tmp_path / "missing"))
    with pytest.raises(PayloadKeysError, match="CASEBRIDGE_PAYLOAD_KEYS_FILE cannot be read"):
        payload_codec.load_payload_keys()


def test_worker_and_shim_stop_at_start_up_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBRIDGE_PAYLOAD_KEYS", "k1:short")
    with pytest.raises(PayloadKeysError, match="key 'k1' is not valid base64"):
        require_payload_keys(Settings())


def test_keys_never_show_in_a_repr() -> None:
    entry = new_key_entry("k1")
    keys = parse_payload_keys(entry)
    assert entry.partition(":")[2] not in repr(keys)
