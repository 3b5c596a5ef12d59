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
        let members = [("crv", "P-256"), ("kty", "EC"), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
        return Base64URL.encode(SHA256.hash(Self.compactObject(members)))
    }

    /// The key for verifiers: `kty`, `crv`, `x`, `y`, and, when given, `kid`, `use` and `alg`.
    func json(keyID: String?) -> String {
        var members = [("kty", "EC"), ("crv", "P-256"), ("x", Base64URL.encode(x)), ("y", Base64URL.encode(y))]
        if let keyID { members += [("kid", keyID), ("use", "sig"), ("alg", "ES256")] }
        return String(decoding: Self.compactObject(members), as: UTF8.self)
    }

    /// `{"name":"value",…}` with no whitespace, in the order given.
    private static func compactObject(_ members: [(name: String, value: String)]) -> [UInt8] {
        var json = JSONWriter()
        json.raw("{")
        for (index, member) in members.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(member.name)
            json.raw(":")
            json.string(member.value)
        }
        json.raw("}")
        return json.bytes
    }
}
