#!/usr/bin/env python3
"""Checks tokenbatch's tokens with an implementation that shares no code with it.

Reads a JSON document on standard input:
    {"public_key_pem": "-----BEGIN PUBLIC KEY-----...", "tokens": ["eyJ...", ...]}
and writes one JSON object per token on standard output:
    {"valid": true, "header": {...}, "payload": {...}, "header_raw": "...", "payload_raw": "...",
     "signature_length": 64, "problem": null}

The signature is verified with Python's `cryptography` (OpenSSL underneath, but reached
through its own bindings), after converting the JWS form R||S back to DER.
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(segment: str) -> bytes:
    if "=" in segment or "+" in segment or "/" in segment:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def check(token: str, key) -> dict:
    result = {"valid": False, "problem": None}
    parts = token.split(".")
    if len(parts) != 3:
        result["problem"] = f"{len(parts)} segments"
        return result
    header_raw, payload_raw, signature = (b64url_decode(part) for part in parts)
    result["header_raw"] = header_raw.decode()
    result["payload_raw"] = payload_raw.decode()
    result["header"] = json.loads(header_raw)
    result["payload"] = json.loads(payload_raw)
    result["signature_length"] = len(signature)
    if len(signature) != 64:
        result["problem"] = "signature is not 64 bytes"
        return result
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
        result["valid"] = True
    except InvalidSignature:
        result["problem"] = "signature does not verify"
    return result


def main() -> None:
    request = json.load(sys.stdin)
    key = serialization.load_pem_public_key(request["public_key_pem"].encode())
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise SystemExit("the public key is not P-256")
    for token in request["tokens"]:
        print(json.dumps(check(token, key)))


if __name__ == "__main__":
    main()
