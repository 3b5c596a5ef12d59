/// A P-256 public key as a JSON Web Key (RFC 7517), and its RFC 7638 thumbprint.
struct PublicKeyJWK {
    var x: [UInt8]
    var y: [UInt8]

    init(_ key: P256PublicKey) {
        (x, y) = key.coordinates()
    }

    /// The SHA-256 thumbprint in base64url: a name for the key that reveals nothing secret
    /// and that any JOSE library can compute from the public key alone.
    var thumbprint: String {
        // RFC 7638 fixes the members (the required ones) and their order (lexicographic).
        var json = JSONWriter()
        json.raw("{")
        json.key("crv")
        json.string("P-256")
        json.raw(",")
        json.key("kty")
        json.string("EC")
        json.raw(",")
        json.key("x")
        json.string(Base64URL.encode(x))
        json.raw(",")
        json.key("y")
        json.string(Base64URL.encode(y))
        json.raw("}")
        return Base64URL.encode(SHA256.hash(json.bytes))
    }

    /// The key for verifiers: `kty`, `crv`, `x`, `y`, and, when given, `kid`, `use` and `alg`.
    func json(keyID: String?) -> String {
        var json = JSONWriter()
        json.raw("{")
        json.key("kty")
        json.string("EC")
        json.raw(",")
        json.key("crv")
        json.string("P-256")
        json.raw(",")
        json.key("x")
        json.string(Base64URL.encode(x))
        json.raw(",")
        json.key("y")
        json.string(Base64URL.encode(y))
        if let keyID {
            json.raw(",")
            json.key("kid")
            json.string(keyID)
            json.raw(",")
            json.key("use")
            json.string("sig")
            json.raw(",")
            json.key("alg")
            json.string("ES256")
        }
        json.raw("}")
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
