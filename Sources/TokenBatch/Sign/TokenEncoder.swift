/// Lays out the bytes of an Apple Maps token: header, claims, signature.
///
/// Header and claims are written in a fixed order with integer times and unescaped `/`, so
/// that the same plan always gives the same bytes apart from the signature.
enum TokenEncoder {
    /// The first segment for a key: `{"alg":"ES256","kid":"…","typ":"JWT"}` in base64url.
    static func headerSegment(keyID: String) -> [UInt8] {
        var json = JSONWriter()
        json.raw("{")
        json.key("alg")
        json.string("ES256")
        json.raw(",")
        json.key("kid")
        json.string(keyID)
        json.raw(",")
        json.key("typ")
        json.string("JWT")
        json.raw("}")

        var segment: [UInt8] = []
        Base64URL.encode(json.bytes, into: &segment)
        return segment
    }

    /// The claims `iss`, `iat`, `exp`, `scope` and, when the token has origins, `origin`.
    static func payload(of spec: TokenSpec) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 160)
        json.raw("{")
        json.key("iss")
        json.string(spec.issuer)
        json.raw(",")
        json.key("iat")
        json.integer(spec.issuedAt.seconds)
        json.raw(",")
        json.key("exp")
        json.integer(spec.expiresAt.seconds)
        json.raw(",")
        json.key("scope")
        json.string(joining: spec.scopes, separator: " ")
        if !spec.origins.isEmpty {
            json.raw(",")
            json.key("origin")
            json.string(joining: spec.origins, separator: ",")
        }
        json.raw("}")
        return json.bytes
    }

    /// `header.payload`, the bytes the signature covers, with room for the signature after it.
    static func signingInput(headerSegment: [UInt8], spec: TokenSpec) -> [UInt8] {
        let payload = payload(of: spec)
        var input: [UInt8] = []
        input.reserveCapacity(headerSegment.count + 1 + Base64URL.encodedCount(payload.count) + 1 + signatureLength)
        input += headerSegment
        input.append(UInt8(ascii: "."))
        Base64URL.encode(payload, into: &input)
        return input
    }

    /// The compact token: the signing input, a dot and the 64-byte signature in base64url.
    ///
    /// The signing input is taken over rather than copied: its buffer already has room for
    /// the signature.
    static func token(signingInput: consuming [UInt8], signature: [UInt8]) -> String {
        var token = signingInput
        token.append(UInt8(ascii: "."))
        Base64URL.encode(signature, into: &token)
        return String(decoding: token, as: UTF8.self)
    }

    /// The length of an ES256 signature's last segment: 64 bytes in base64url.
    private static let signatureLength = Base64URL.encodedCount(64)
}
