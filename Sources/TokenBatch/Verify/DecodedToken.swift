/// A compact JWS split into its parts and decoded, not yet checked.
public struct DecodedToken: Sendable {
    /// The header as written, every member kept.
    public var header: JSONValue
    /// The payload's bytes; a JWS may sign any bytes, a JWT signs a JSON object.
    public var payloadBytes: [UInt8]
    /// The claims as written, every member kept, or `nil` if the payload is not a JSON object.
    public var payload: JSONValue?
    /// The signature's bytes, of whatever length the token carries.
    public var signature: [UInt8]
    /// `header.payload`, the bytes the signature covers.
    public var signingInput: [UInt8]

    /// Why text is not a compact JWS with JSON header and payload.
    public struct Problem: Error, Sendable, Equatable {
        public var message: String
    }

    /// Splits and decodes `token`.
    public init(_ token: String) throws(Problem) {
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Problem(message: "a token has three parts separated by dots, but this has \(parts.count)")
        }
        guard let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else {
            throw Problem(message: "a part is not unpadded base64url")
        }
        guard !headerBytes.isEmpty, !signature.isEmpty else {
            throw Problem(message: headerBytes.isEmpty ? "the header is empty" : "the signature is missing")
        }
        do {
            header = try JSONParser.parse(headerBytes)
        } catch {
            throw Problem(message: "the header is not JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object = header else { throw Problem(message: "the header is not a JSON object") }
        let claims = try? JSONParser.parse(payloadBytes)
        if case .object? = claims { payload = claims }
        self.payloadBytes = payloadBytes
        self.signature = signature
        signingInput = Array(bytes[0..<(parts[0].count + 1 + parts[1].count)])
    }
}

/// Checks ES256 signatures of compact tokens.
public enum TokenVerifier {
    /// Whether `token` is a compact JWS whose header says ES256 and whose 64-byte signature is
    /// valid under `key`. Any other algorithm is refused, whatever the header claims.
    static func isValid(_ token: String, key: P256PublicKey) -> Bool {
        guard let decoded = try? DecodedToken(token), decoded.header.repeatedNames.isEmpty,
            decoded.header["alg"]?.stringValue == "ES256"
        else { return false }
        return key.isValidSignature(decoded.signature, of: decoded.signingInput)
    }
}
