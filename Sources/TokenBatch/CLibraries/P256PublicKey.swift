internal import CCrypto

/// An EC P-256 public key, for checking signatures.
///
/// `@unchecked Sendable` for the same reason as `P256PrivateKey`: the key is never mutated.
final class P256PublicKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Reads SubjectPublicKeyInfo DER and insists on EC P-256.
    init(der: [UInt8]) throws(KeyProblem) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let parsed else {
            ERR_clear_error()
            throw KeyProblem.unreadable("not a DER public key")
        }
        var groupName = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_is_a(parsed, "EC") == 1,
            EVP_PKEY_get_group_name(parsed, &groupName, groupName.count, &length) == 1,
            String(decoding: groupName.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) == "prime256v1"
        else {
            EVP_PKEY_free(parsed)
            ERR_clear_error()
            throw KeyProblem.wrongCurve("not P-256")
        }
        key = parsed
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// SubjectPublicKeyInfo in PEM (`BEGIN PUBLIC KEY`), as `openssl pkey -pubout` writes it.
    func pem() -> String {
        let bytes = bytesWritten { PEM_write_bio_PUBKEY($0, key) } ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The affine coordinates of the point, each 32 bytes big-endian, as a JWK carries them.
    func coordinates() -> (x: [UInt8], y: [UInt8]) {
        let length = i2d_PUBKEY(key, nil)
        var der = [UInt8](repeating: 0, count: max(0, Int(length)))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_PUBKEY(key, &cursor)
        }
        // A P-256 SubjectPublicKeyInfo ends with the uncompressed point 04 || x || y.
        let point = der.suffix(65)
        return (Array(point.dropFirst().prefix(32)), Array(point.suffix(32)))
    }

    /// Whether `signature`, in the 64-byte JWS form, is a valid ES256 signature of `message`.
    /// Any other length is invalid: DER and unpadded forms are exactly what Apple rejects.
    func isValidSignature(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == 64, let der = ECDSASignatureFormat.derFromRaw(signature) else { return false }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }

        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = der.withUnsafeBufferPointer { derBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                EVP_DigestVerify(
                    context, derBuffer.baseAddress, derBuffer.count, messageBuffer.baseAddress, messageBuffer.count)
            }
        }
        ERR_clear_error()
        return result == 1
    }
}
