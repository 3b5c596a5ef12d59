#!/usr/bin/env python3
"""Prints the RFC 7638 JWK thumbprint of a PEM public key read from standard input.

Written from the RFC with Python's standard library and `cryptography`, independently of
tokenbatch: the required members of an EC key in lexicographic order, no whitespace,
SHA-256, base64url without padding.
"""
import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives import serialization


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


key = serialization.load_pem_public_key(sys.stdin.buffer.read())
numbers = key.public_numbers()
members = {
    "crv": "P-256",
    "kty": "EC",
    "x": b64url(numbers.x.to_bytes(32, "big")),
    "y": b64url(numbers.y.to_bytes(32, "big")),
}
canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
print(b64url(hashlib.sha256(canonical.encode()).digest()))
