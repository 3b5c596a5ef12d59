internal import CCrypto

/// Conversions between OpenSSL's DER signatures and the fixed-size form JWS uses.
enum ECDSASignatureFormat {
    /// R||S from DER, each half left-padded to 32 bytes.
    static func rawFromDER(_ der: [UInt8]) throws -> [UInt8] {
        try rawFromDER(der[...])
    }

    static func rawFromDER(_ der: ArraySlice<UInt8>) throws -> [UInt8] {
        let signature: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature else { throw OpenSSLError.drain("decoding the DER signature") }
        defer { ECDSA_SIG_free(signature) }

        // get0: the two numbers still belong to the signature and go with it.
        var r: OpaquePointer?
        var s: OpaquePointer?
        ECDSA_SIG_get0(signature, &r, &s)
        var raw = [UInt8](repeating: 0, count: 64)
        let written = raw.withUnsafeMutableBufferPointer { buffer in
            (BN_bn2binpad(r, buffer.baseAddress, 32), BN_bn2binpad(s, buffer.baseAddress! + 32, 32))
        }
        guard written == (32, 32) else { throw OpenSSLError.drain("padding the signature to 32-byte halves") }
        return raw
    }

    /// DER from R||S, or `nil` if OpenSSL cannot encode it.
    static func derFromRaw(_ raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }

        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + 32, 32, nil) }
        // set0 takes ownership of both numbers when it succeeds; free them only if it fails.
        guard let r, let s, ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }

        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_ECDSA_SIG(signature, &cursor)
        }
        return der
    }
}
