"""Encrypted history: every payload Casebridge hands to Temporal is sealed with AES-256-GCM first.

Case inputs and facts, activity inputs and results, signals, updates, queries, memos, the UI's
summary and details and failure messages carry customers' names, e-mails, phones and addresses;
Temporal (Temporal Cloud included) stores only ciphertext. Search attributes are not payloads:
they stay readable (they must, to be searched) and carry no personal data (`workflows/*.labels_of`).

Keys come from `CASEBRIDGE_PAYLOAD_KEYS` (or `CASEBRIDGE_PAYLOAD_KEYS_FILE`, a mounted file, or the
local `.env`; `casebridge.secrets`): entries `id:base64key`, separated by commas or new lines,
**the current key first**. Payloads are sealed with the current key and carry its id in their
metadata; older keys are kept only to open what they sealed. Rotating is: put a new key first, roll
out the workers, the shim and the codec server, and drop an old key only once no open case's
history (nor any history you still want to read) uses it.

Without keys every process refuses to start, unless `ALLOW_PLAIN_PAYLOADS=true` (development
only) lets payloads go to Temporal in plain JSON. Plain payloads already in a history (recorded
before encryption was turned on) are always read: only `binary/encrypted` payloads are opened.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

from casebridge.secrets import MissingSecretError, resolve_secret
from casebridge.settings import Settings

PAYLOAD_KEYS_SECRET = "CASEBRIDGE_PAYLOAD_KEYS"
ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
# Associated data of every sealed payload: a payload sealed by another application (or a later
# scheme) with the same key never opens as one of ours.
_AAD_PREFIX = b"casebridge/payload/v1:"
_NONCE_BYTES = 12  # the GCM standard nonce; random per payload (2^32 payloads per key stay safe)
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class PayloadKeysError(Exception):
    """The payload keys are missing or malformed: the process must not start.

    Not a RuntimeError: `casebridge.temporal.connect` retries RuntimeErrors as an unreachable
    server, and a configuration mistake must stop at once."""


class PayloadDecryptError(ValueError):
    """A payload cannot be opened: its key is not configured, or it was altered."""


@dataclass(frozen=True)
class PayloadKey:
    key_id: str
    aead: AESGCM

    def __repr__(self) -> str:  # never the key material
        return f"PayloadKey({self.key_id!r})"


@dataclass(frozen=True)
class PayloadKeys:
    """The configured keys, the current (sealing) one first."""

    keys: tuple[PayloadKey, ...]

    @property
    def current(self) -> PayloadKey:
        return self.keys[0]

    @property
    def ids(self) -> list[str]:
        return [key.key_id for key in self.keys]

    def by_id(self, key_id: str) -> PayloadKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)


def parse_payload_keys(spec: str, *, source: str = PAYLOAD_KEYS_SECRET) -> PayloadKeys:
    """`id:base64key` entries (commas or new lines between them), current first. Each key is 32
    random bytes (AES-256), standard or URL-safe base64. Errors name the entry, never the key."""
    entries = [entry.strip() for entry in re.split(r"[,\n]", spec) if entry.strip()]
    if not entries:
        raise PayloadKeysError(f"{source} holds no key; expected `id:base64key` entries, the current key first")
    keys: list[PayloadKey] = []
    for n, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise PayloadKeysError(
                f"{source} entry {n}: expected `id:base64key` with an id of letters, digits, '.', '_' or '-'"
            )
        try:
            material = base64.b64decode(encoded.strip().replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise PayloadKeysError(f"{source} key {key_id!r} is not valid base64") from None
        if len(material) != 32:
            raise PayloadKeysError(f"{source} key {key_id!r} has {len(material)} bytes; AES-256 needs 32")
        if any(key.key_id == key_id for key in keys):
            raise PayloadKeysError(f"{source} names key {key_id!r} twice")
        keys.append(PayloadKey(key_id, AESGCM(material)))
    return PayloadKeys(tuple(keys))


def new_key_entry(key_id: str) -> str:
    """A fresh `id:base64key` entry (what `make up` writes for development)."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def load_payload_keys() -> PayloadKeys | None:
    """The configured keys; None when none are configured at all."""
    try:
        spec = resolve_secret(PAYLOAD_KEYS_SECRET).get_secret_value()
    except MissingSecretError:
        return None
    except OSError as err:  # a *_FILE that names no readable file
        raise PayloadKeysError(f"{PAYLOAD_KEYS_SECRET}_FILE cannot be read: {err.strerror}") from None
    return parse_payload_keys(spec)


def require_payload_keys(settings: Settings) -> PayloadKeys | None:
    """What each process checks before it starts: keys, or plain payloads explicitly allowed."""
    keys = load_payload_keys()
    if keys is None and not settings.allow_plain_payloads:
        raise PayloadKeysError(
            f"no payload encryption keys: set {PAYLOAD_KEYS_SECRET} (or {PAYLOAD_KEYS_SECRET}_FILE) to "
            "`id:base64key` entries, the current key first (a key: `python -m casebridge.payload_codec new-key ID`), "
            "or ALLOW_PLAIN_PAYLOADS=true for development without encryption"
        )
    return keys


def _aad(key_id: str) -> bytes:
    return _AAD_PREFIX + key_id.encode()


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over the whole serialized payload (its metadata too: the encoding and type
    names the payload converter wrote are sealed with the data)."""

    def __init__(self, keys: PayloadKeys) -> None:
        self.keys = keys

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(payload) for payload in payloads]

    def seal(self, payload: Payload) -> Payload:
        key = self.keys.current
        nonce = os.urandom(_NONCE_BYTES)
        sealed = key.aead.encrypt(nonce, payload.SerializeToString(), _aad(key.key_id))
        return Payload(
            metadata={"encoding": ENCRYPTED_ENCODING, KEY_ID_METADATA: key.key_id.encode()},
            data=nonce + sealed,
        )

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCRYPTED_ENCODING:
            return payload  # written before encryption was on (or by a plain-payload dev stack)
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        key = self.keys.by_id(key_id)
        if key is None:
            raise PayloadDecryptError(
                f"payload sealed with key id {key_id!r}, which is not among the configured keys "
                f"({', '.join(self.keys.ids)}): add it to {PAYLOAD_KEYS_SECRET} (after the current key)"
            )
        data = payload.data
        try:
            plain = key.aead.decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], _aad(key_id))
        except InvalidTag:
            raise PayloadDecryptError(
                f"payload sealed with key id {key_id!r} fails authentication: it was altered, or the key "
                f"configured as {key_id!r} is not the one that sealed it"
            ) from None
        opened = Payload()
        opened.ParseFromString(plain)
        return opened


def data_converter(settings: Settings) -> DataConverter:
    """The one data converter of every Casebridge client and worker (pydantic JSON, then sealed).

    Raises PayloadKeysError when keys are missing (and plain payloads not allowed) or malformed."""
    keys = require_payload_keys(settings)
    if keys is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keys),
        # Failure messages and stack traces go into a payload, sealed like the rest: an API's error
        # text can quote an address or an e-mail.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def main(argv: Iterable[str] | None = None) -> int:
    """`python -m casebridge.payload_codec new-key ID`: print a fresh `ID:base64key` entry."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m casebridge.payload_codec")
    sub = parser.add_subparsers(dest="command", required=True)
    new_key = sub.add_parser("new-key", help="print a new `id:base64key` entry (put it first to rotate)")
    new_key.add_argument("key_id")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not _KEY_ID.fullmatch(args.key_id):
        parser.error("the id takes letters, digits, '.', '_' or '-' (64 at most)")
    print(new_key_entry(args.key_id))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
