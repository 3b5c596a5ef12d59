import Foundation

/// Verifies tokens with tools that share no code with tokenbatch: Python's `cryptography`
/// (through `Tests/checkers/verify_tokens.py`) and the `openssl` command line.
enum IndependentVerifier {
    struct Verdict: Decodable {
        var valid: Bool
        var problem: String?
        var headerRaw: String?
        var payloadRaw: String?
        var signatureLength: Int?

        enum CodingKeys: String, CodingKey {
            case valid, problem
            case headerRaw = "header_raw"
            case payloadRaw = "payload_raw"
            case signatureLength = "signature_length"
        }
    }

    /// The public key of a private key file, in PEM, as the `openssl` command line computes it.
    static func publicKeyPEM(ofPrivateKey path: URL) throws -> String {
        let result = try runProcess("/usr/bin/openssl", ["pkey", "-in", path.path, "-pubout"])
        guard result.status == 0 else { throw TestFailure("openssl pkey failed: \(result.standardError)") }
        return result.standardOutput
    }

    /// Python's verdict on each token, in order.
    static func checkWithPython(_ tokens: [String], publicKeyPEM: String) throws -> [Verdict] {
        let request = try JSONSerialization.data(withJSONObject: ["public_key_pem": publicKeyPEM, "tokens": tokens])
        let script = packageRoot.appendingPathComponent("Tests/checkers/verify_tokens.py").path
        let result = try runProcess("/usr/bin/env", ["python3", script], input: request)
        guard result.status == 0 else { throw TestFailure("verify_tokens.py failed: \(result.standardError)") }
        return try result.standardOutput.split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
    }

    /// Whether `openssl dgst -verify` accepts the token, after turning R||S back into DER.
    static func checkWithOpenSSL(_ token: String, publicKeyPEM: String, in directory: URL) throws -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let raw = Data(base64URL: String(parts[2])), raw.count == 64 else { return false }

        let keyFile = directory.appendingPathComponent("verify-public.pem")
        let inputFile = directory.appendingPathComponent("verify-input.bin")
        let signatureFile = directory.appendingPathComponent("verify-signature.der")
        try Data(publicKeyPEM.utf8).write(to: keyFile)
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: inputFile)
        try derSignature(fromRaw: raw).write(to: signatureFile)

        let result = try runProcess(
            "/usr/bin/openssl",
            ["dgst", "-sha256", "-verify", keyFile.path, "-signature", signatureFile.path, inputFile.path])
        return result.status == 0 && result.standardOutput.contains("Verified OK")
    }

    /// ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` from the JWS form, written independently of
    /// tokenbatch's own conversion.
    static func derSignature(fromRaw raw: Data) -> Data {
        func integer(_ bytes: Data) -> Data {
            var value = Data(bytes.drop { $0 == 0 })
            if value.isEmpty { value = Data([0]) }
            if value[value.startIndex] & 0x80 != 0 { value.insert(0, at: value.startIndex) }
            return Data([0x02, UInt8(value.count)]) + value
        }
        let body = integer(raw.prefix(32)) + integer(raw.suffix(32))
        return Data([0x30, UInt8(body.count)]) + body
    }
}

extension Data {
    /// Decodes unpadded base64url with Foundation, independently of tokenbatch's decoder.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
