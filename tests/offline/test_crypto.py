"""The offline file format, byte by byte as documented in tonearm/offline/crypto.py (the web
player decrypts it with WebCrypto): it opens with the device's private key only, and any
change, cut or swap makes it open to nothing."""

from __future__ import annotations

import os
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.offline.conftest import b64url, device_key, jwk, spki
from tonearm.offline import crypto

PLAIN = os.urandom(3500)
SMALL = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()


def _file(content_key: bytes, plain: bytes = PLAIN, chunk_size: int = 1000, number: int = 1) -> bytes:
    der = crypto.public_key_der(jwk(number))
    header = crypto.FileHeader(
        plain_size=len(plain),
        nonce=crypto.nonce_for(content_key, "audio/abc.m4a"),
        wrapped_key=crypto.wrap_key(der, content_key),
        media_type='audio/mp4; codecs="mp4a.40.2"',
        track_id="A" * 22,
        chunk_size=chunk_size,
    )
    data = b"".join(crypto.encrypt_chunks(header, content_key, lambda start, n: plain[start : start + n]))
    assert len(data) == crypto.encrypted_size(header)
    return data


def test_a_file_opens_with_the_device_private_key_to_the_exact_plaintext() -> None:
    data = _file(crypto.new_content_key())
    assert crypto.open_file(data, device_key(1)) == PLAIN


def test_the_layout_is_what_the_docstring_says_and_webcrypto_would_read() -> None:
    content_key = crypto.new_content_key()
    data = _file(content_key)
    magic, version, _reserved, length, chunk, plain, nonce = struct.unpack_from(">4sBBHIQ8s", data)
    assert (magic, version, chunk, plain) == (b"TNOF", 1, 1000, 3500)
    (key_length,) = struct.unpack_from(">H", data, 28)
    assert key_length == 256  # RSA-OAEP with a 2048-bit key
    at = 30 + key_length
    media = data[at + 1 : at + 1 + data[at]]
    at += 1 + data[at]
    track = data[at + 1 : at + 1 + data[at]]
    assert media == b'audio/mp4; codecs="mp4a.40.2"' and track == b"A" * 22 and at + 1 + 22 == length
    # Chunk 1 alone: IV = nonce || 1, additional data = the header, ciphertext || 16-byte tag.
    second = data[length + 1016 : length + 2 * 1016]
    assert (
        AESGCM(content_key).decrypt(nonce + struct.pack(">I", 1), second, data[:length]) == PLAIN[1000:2000]
    )
    last = data[length + 3 * 1016 :]
    assert len(last) == 500 + 16


@pytest.mark.parametrize("where", [0, 5, 40, 300, -1, -20, -600])
def test_one_changed_byte_anywhere_makes_the_file_open_to_nothing(where: int) -> None:
    data = bytearray(_file(crypto.new_content_key()))
    data[where] ^= 0x01
    with pytest.raises(crypto.TamperedFile):
        crypto.open_file(bytes(data), device_key(1))


def test_a_file_cut_short_or_with_chunks_swapped_opens_to_nothing() -> None:
    content_key = crypto.new_content_key()
    data = _file(content_key)
    header, head = crypto.parse_header(data)
    with pytest.raises(crypto.TamperedFile):
        crypto.decrypt_file(data[: -1016 - 500 - 16] + data[-516:], content_key)
    body = data[len(head) :]
    swapped = head + body[1016:2032] + body[:1016] + body[2032:]
    with pytest.raises(crypto.TamperedFile):
        crypto.decrypt_file(swapped, content_key)
    assert header.chunks == 4


def test_a_file_copied_to_another_device_gives_nothing() -> None:
    data = _file(crypto.new_content_key(), number=1)
    with pytest.raises(crypto.TamperedFile):
        crypto.open_file(data, device_key(2))
    with pytest.raises(crypto.TamperedFile):
        crypto.decrypt_file(data, crypto.new_content_key())


def test_one_rendition_encrypts_to_the_same_bytes_and_two_renditions_get_two_nonces() -> None:
    content_key = crypto.new_content_key()
    assert crypto.nonce_for(content_key, "audio/a.m4a") == crypto.nonce_for(content_key, "audio/a.m4a")
    assert crypto.nonce_for(content_key, "audio/a.m4a") != crypto.nonce_for(content_key, "audio/a.opus")


def test_a_jwk_and_spki_of_one_key_are_one_key() -> None:
    assert crypto.public_key_der(jwk(1)) == crypto.public_key_der(spki(1))
    urlsafe = spki(1).replace("+", "-").replace("/", "_").rstrip("=")
    assert crypto.public_key_der(urlsafe) == crypto.public_key_der(jwk(1))


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ({"kty": "EC", "crv": "P-256"}, "kty"),
        ({**jwk(1), "alg": "RSA-OAEP"}, "SHA-256"),
        ({**jwk(1), "d": "secret"}, "private key"),
        ({"kty": "RSA", "n": 5, "e": "AQAB"}, "base64url"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "not a valid RSA key"),
        ({"kty": "RSA", "n": b64url(SMALL.public_numbers().n), "e": "AQAB"}, "2048 to 4096 bits"),
        ({"kty": "RSA", "n": jwk(1)["n"], "e": "Aw"}, "65537"),
        ("not base64 !!", "base64"),
        ("AAAA", "SubjectPublicKeyInfo"),
    ],
)
def test_a_key_that_is_not_an_rsa_oaep_public_key_is_refused_saying_why(key: object, says: str) -> None:
    with pytest.raises(crypto.BadPublicKey, match=says):
        crypto.public_key_der(key)  # type: ignore[arg-type]


def test_an_ec_key_in_spki_is_refused() -> None:
    import base64

    from cryptography.hazmat.primitives import serialization

    der = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(crypto.BadPublicKey, match="RSA"):
        crypto.public_key_der(base64.b64encode(der).decode())
