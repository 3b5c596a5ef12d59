/// The public key that `inspect --key` checks a signature with, read from whatever form the
/// user holds: a PEM private key (Apple's .p8), a PEM public key, a JWK or a JWK Set.
///
/// Only the public half is kept. Nothing read here is ever put into a message.
struct VerificationKey {
    var publicKey: P256PublicKey
    /// The `kid` of the JWK the key came from, when it has one.
    var keyID: String?
    /// What the key is, for the report: "the public half of a PEM private key", "the JWK with
    /// kid `ABC123DEFG` of a JWK Set".
    var form: String
    /// The RFC 7638 thumbprint, which tells keys apart without showing them.
    var thumbprint: String

    /// Why a `--key` file gives no key to check with; the message never quotes the file.
    struct Problem: Error, Equatable {
        var message: String
    }

    /// Reads a key from the bytes of a key file.
    ///
    /// - Parameter tokenKeyID: the token header's `kid`, which chooses the key of a JWK Set
    ///   that holds several.
    /// - Throws: `Problem` saying what the bytes are instead, or which key is missing.
    init(reading bytes: [UInt8], tokenKeyID: String?) throws(Problem) {
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        text = text.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }

        if text.first == UInt8(ascii: "{") {
            try self.init(json: Array(text), tokenKeyID: tokenKeyID)
        } else if let label = Self.firstPEMLabel(in: text) {
            if label.hasSuffix("PRIVATE KEY") {
                try self.init(privatePEM: bytes)
            } else if label == "PUBLIC KEY" {
                try self.init(publicPEM: text)
            } else {
                throw Problem(message: "it holds a PEM block labelled \(label), not a key")
            }
        } else {
            throw Problem(message: "it is neither a PEM key nor a JWK or JWK Set")
        }
    }

    // MARK: - PEM

    private init(privatePEM bytes: [UInt8]) throws(Problem) {
        do {
            var pem = try PEMText.privateKeyBlock(in: bytes)
            defer { pem.eraseSecret() }
            let privateKey = try P256PrivateKey(pem: pem)
            try self.init(publicKey: privateKey.publicKey(), keyID: nil, form: "the public half of a PEM private key")
        } catch {
            throw Problem(message: error.explanation)
        }
    }

    private init(publicPEM text: ArraySlice<UInt8>) throws(Problem) {
        let begin = Array("-----BEGIN PUBLIC KEY-----".utf8)
        let end = Array("-----END PUBLIC KEY-----".utf8)
        guard let start = text.firstRange(of: begin) else { throw Problem(message: "it has no public key") }
        guard let finish = text[start.upperBound...].firstRange(of: end) else {
            throw Problem(message: "its `-----BEGIN PUBLIC KEY-----` line has no `-----END PUBLIC KEY-----` line")
        }
        guard text[finish.upperBound...].firstRange(of: begin) == nil else {
            throw Problem(message: "it holds several public keys, and inspect cannot tell which one is meant")
        }

        // PEM is ordinary base64 with padding; as base64url without padding it is the same bytes.
        var body = text[start.upperBound..<finish.lowerBound].filter {
            $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D
        }
        while body.last == UInt8(ascii: "=") { body.removeLast() }
        let urlSafe = body.map {
            $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
        }
        guard let der = Base64URL.decode(urlSafe) else { throw Problem(message: "its public key is not valid base64") }

        do {
            try self.init(publicKey: P256PublicKey(der: der), keyID: nil, form: "a PEM public key")
        } catch {
            throw Problem(message: "it is not an EC P-256 public key")
        }
    }

    /// The label of the first `-----BEGIN label-----` line, if there is one.
    private static func firstPEMLabel(in text: ArraySlice<UInt8>) -> String? {
        guard let begin = text.firstRange(of: Array("-----BEGIN ".utf8)),
            let close = text[begin.upperBound...].firstRange(of: Array("-----".utf8))
        else { return nil }
        return String(decoding: text[begin.upperBound..<close.lowerBound], as: UTF8.self)
    }

    // MARK: - JWK

    private init(json bytes: [UInt8], tokenKeyID: String?) throws(Problem) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw Problem(message: "it is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard let keys = document["keys"] else {
            try self.init(jwk: document, form: "a JWK")
            return
        }

        guard case .array(let members) = keys, !members.isEmpty else {
            throw Problem(message: "its `keys` is not a list of keys")
        }
        if let tokenKeyID, let match = members.first(where: { $0["kid"]?.stringValue == tokenKeyID }) {
            try self.init(jwk: match, form: "the JWK with kid `\(tokenKeyID)` of a JWK Set")
        } else if members.count == 1 {
            try self.init(jwk: members[0], form: "the only JWK of a JWK Set")
        } else {
            let kids = members.compactMap { $0["kid"]?.stringValue }.filter(TokenInspector.isAppleID)
            let wanted = tokenKeyID.map { "`\($0)`" } ?? "(the token has none)"
            throw Problem(
                message: "it is a JWK Set of \(members.count) keys, and none has the token's kid \(wanted)"
                    + (kids.isEmpty ? "" : "; their kids are " + kids.joined(separator: ", ")))
        }
    }

    private init(jwk: JSONValue, form: String) throws(Problem) {
        guard case .object = jwk else { throw Problem(message: "\(form) is not a JSON object") }
        guard jwk["kty"]?.stringValue == "EC", jwk["crv"]?.stringValue == "P-256" else {
            throw Problem(message: "\(form) is not an EC key on P-256 (`kty` EC, `crv` P-256)")
        }
        if let algorithm = jwk["alg"], algorithm.stringValue != "ES256" {
            throw Problem(message: "\(form) is meant for another algorithm than ES256 (its `alg`)")
        }
        guard let x = jwk["x"]?.stringValue.flatMap({ Base64URL.decode($0.utf8) }),
            let y = jwk["y"]?.stringValue.flatMap({ Base64URL.decode($0.utf8) })
        else {
            throw Problem(message: "\(form) lacks `x` and `y` in base64url")
        }

        do {
            try self.init(publicKey: P256PublicKey(x: x, y: y), keyID: jwk["kid"]?.stringValue, form: form)
        } catch {
            throw Problem(message: "the `x` and `y` of \(form) are not a point on P-256")
        }
    }

    private init(publicKey: P256PublicKey, keyID: String?, form: String) {
        self.publicKey = publicKey
        self.keyID = keyID
        self.form = form
        thumbprint = PublicKeyJWK(publicKey).thumbprint
    }
}
