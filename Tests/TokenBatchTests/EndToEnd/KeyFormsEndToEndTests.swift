import Foundation
import Testing

/// Every form a private key arrives in, through the built binary: the forms people's keys
/// really take are accepted and sign with the same key; every wrong form is refused with its
/// own message, exit status 1, the output folder untouched, and no key material shown.
@Suite struct KeyFormsEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"

    /// A damaged but usable copy of a PKCS#8 key, as text.
    enum AcceptedForm: String, CaseIterable, Sendable {
        case pkcs8, sec1, windowsLineEndings, byteOrderMark, trailingWhitespace, noFinalNewline
        case bodyOnOneLine, bodyWrappedAt76, allOnOneLine, environmentWithEscapedNewlines, environmentVerbatim

        var viaEnvironment: Bool { self == .environmentWithEscapedNewlines || self == .environmentVerbatim }

        func make(from pkcs8: String, sec1: String) -> String {
            let lines = pkcs8.split(separator: "\n").map(String.init)
            let body = lines.dropFirst().dropLast().joined()
            switch self {
            case .pkcs8, .environmentVerbatim: return pkcs8
            case .sec1: return sec1
            case .windowsLineEndings: return pkcs8.replacingOccurrences(of: "\n", with: "\r\n")
            case .byteOrderMark: return "\u{FEFF}" + pkcs8
            case .trailingWhitespace: return lines.map { $0 + "  \t" }.joined(separator: "\n") + "\n\n  \n"
            case .noFinalNewline: return String(pkcs8.dropLast())
            case .bodyOnOneLine: return "\(lines[0])\n\(body)\n\(lines.last!)\n"
            case .bodyWrappedAt76: return "\(lines[0])\n\(wrap(body, at: 76))\(lines.last!)\n"
            case .allOnOneLine: return "\(lines[0]) \(body) \(lines.last!)"
            case .environmentWithEscapedNewlines: return pkcs8.replacingOccurrences(of: "\n", with: "\\n")
            }
        }

        private func wrap(_ text: String, at width: Int) -> String {
            stride(from: 0, to: text.count, by: width).map { start in
                let from = text.index(text.startIndex, offsetBy: start)
                return String(
                    text[from..<(text.index(from, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex)]) + "\n"
            }.joined()
        }
    }

    @Test(
        "every accepted form signs tokens that verify with the key's public part and carry its thumbprint",
        arguments: AcceptedForm.allCases)
    func acceptedForm(_ form: AcceptedForm) throws {
        let workspace = try TemporaryDirectory()
        let original = workspace.url.appendingPathComponent("original-test-key.p8")
        try makeTestKey(at: original)
        let pkcs8 = try String(contentsOf: original, encoding: .utf8)
        let sec1 = try openssl(["ec", "-in", original.path]).standardOutput
        let text = form.make(from: pkcs8, sec1: sec1)

        var environment: [String: String] = [:]
        if form.viaEnvironment {
            environment["TEST_MAPS_KEY"] = text
            try workspace.write(Self.manifest(keySource: "env: TEST_MAPS_KEY"), to: "m.yml")
        } else {
            try workspace.write(text, to: "damaged-test-key.p8")
            try workspace.write(Self.manifest(keySource: "file: damaged-test-key.p8"), to: "m.yml")
        }
        let result = try tokenbatch(
            ["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: workspace.url, environment: environment)
        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        let publicKey = try IndependentVerifier.publicKeyPEM(ofPrivateKey: original)
        let entries = try Self.tokenEntries(in: workspace.url.appendingPathComponent("out/tokens.json"))
        let verdicts = try IndependentVerifier.checkWithPython(
            entries.map { $0["token"] as? String ?? "" }, publicKeyPEM: publicKey)
        #expect(verdicts.count == 1 && verdicts.allSatisfy(\.valid))
        let thumbprint = try Self.thumbprint(ofPublicKey: publicKey)
        #expect(entries.first?["key_thumbprint"] as? String == thumbprint)

        let outputs = try FileManager.default.contentsOfDirectory(
            atPath: workspace.url.appendingPathComponent("out").path
        )
        .map { try String(contentsOf: workspace.url.appendingPathComponent("out/\($0)"), encoding: .utf8) }
        let shown = ([result.standardError, result.standardOutput] + outputs).joined(separator: "\n")
        for line in Self.keyMaterialLines(pkcs8 + sec1) {
            #expect(!shown.contains(line), "key material appears in the output")
        }
    }

    /// A wrong key, made with the `openssl` command line.
    enum RefusedForm: String, CaseIterable, Sendable {
        case encryptedPKCS8, encryptedSEC1, publicKey, certificate, rsa, rsaTraditional, ed25519
        case secp256k1, p384, bareBase64, emptyFile, notAKey, missingFile, directory, unsetVariable, emptyVariable
        case zeroScalar, scalarBeyondOrder, twoKeys

        /// What stderr must say, beside the key's name.
        var explanation: String {
            switch self {
            case .encryptedPKCS8, .encryptedSEC1: "encrypted"
            case .publicKey: "public key"
            case .certificate: "certificate"
            case .rsa, .rsaTraditional: "RSA"
            case .ed25519: "ED25519"
            case .secp256k1: "secp256k1"
            case .p384: "P-384"
            case .bareBase64: "base64 without"
            case .emptyFile, .emptyVariable: "empty"
            case .notAKey: "not PEM"
            case .missingFile: "No such file"
            case .directory: "cannot read"
            case .unsetVariable: "is not set"
            case .zeroScalar, .scalarBeyondOrder: "not a valid P-256 key"
            case .twoKeys: "holds 2 private keys"
            }
        }

        var code: String {
            switch self {
            case .missingFile, .directory, .unsetVariable: "TB060"
            default: "TB061"
            }
        }
    }

    @Test(
        "every refused form exits 1 with its own message, changes no output and shows no key material",
        arguments: RefusedForm.allCases)
    func refusedForm(_ form: RefusedForm) throws {
        let workspace = try TemporaryDirectory()
        let good = workspace.url.appendingPathComponent("good-test-key.p8")
        try makeTestKey(at: good)
        try workspace.write(Self.manifest(keySource: "file: good-test-key.p8"), to: "good.yml")
        #expect(
            try tokenbatch(["apply", "good.yml", "--now", Self.now, "--out-dir", "out"], in: workspace.url).status == 0)
        let before = try snapshot(of: workspace.url.appendingPathComponent("out"))

        let (source, environment, secret) = try Self.prepare(form, in: workspace, goodKey: good)
        try workspace.write(Self.manifest(keySource: source), to: "bad.yml")
        let result = try tokenbatch(
            ["apply", "bad.yml", "--now", Self.now, "--out-dir", "out"], in: workspace.url, environment: environment)

        #expect(result.status == 1, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("bad.yml:4:3: error[\(form.code)]"), "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("key `main`"))
        #expect(result.standardError.contains(form.explanation), "stderr:\n\(result.standardError)")
        #expect(try snapshot(of: workspace.url.appendingPathComponent("out")) == before)

        let shown =
            result.standardError + result.standardOutput
            + (try String(contentsOf: workspace.url.appendingPathComponent("out/tokens.json"), encoding: .utf8))
        for line in Self.keyMaterialLines(secret + (try String(contentsOf: good, encoding: .utf8))) {
            #expect(!shown.contains(line), "key material appears in the output")
        }
    }

    @Test("plan checks a key that is present and only warns about one that is absent")
    func planAndKeys() throws {
        let workspace = try TemporaryDirectory()
        try workspace.write(Self.manifest(keySource: "env: TEST_MAPS_KEY"), to: "m.yml")

        let absent = try tokenbatch(["plan", "m.yml", "--now", Self.now], in: workspace.url)
        #expect(absent.status == 0, "stderr:\n\(absent.standardError)")
        #expect(absent.standardError.contains("warning[TB060]"))
        #expect(absent.standardOutput.contains("not available here"))

        let wrong = try tokenbatch(
            ["plan", "m.yml", "--now", Self.now], in: workspace.url, environment: ["TEST_MAPS_KEY": "not a key"])
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("error[TB061]"))
    }

    @Test("a key file others can read gets a warning, as ssh gives one")
    func permissiveKeyFile() throws {
        let workspace = try TemporaryDirectory()
        let key = workspace.url.appendingPathComponent("test-key.p8")
        try makeTestKey(at: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        try workspace.write(Self.manifest(keySource: "file: test-key.p8"), to: "m.yml")

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: workspace.url)
        #expect(result.status == 0)
        #expect(result.standardError.contains("warning[TB062]"))
        #expect(result.standardError.contains("chmod 600"))
    }

    @Test("keygen makes a P-256 key with mode 0600 that openssl reads and apply signs with; it never overwrites")
    func keygen() throws {
        let workspace = try TemporaryDirectory()
        let made = try tokenbatch(["keygen", "made-test-key.p8"], in: workspace.url)
        #expect(made.status == 0, "stderr:\n\(made.standardError)")

        let key = workspace.url.appendingPathComponent("made-test-key.p8")
        let attributes = try FileManager.default.attributesOfItem(atPath: key.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOf: key, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(try openssl(["pkey", "-in", key.path, "-noout", "-text"]).standardOutput.contains("NIST CURVE: P-256"))

        let again = try tokenbatch(["keygen", "made-test-key.p8"], in: workspace.url)
        #expect(again.status == 1)
        #expect(again.standardError.contains("never overwrites"))
    }

    @Test("keygen makes the folders its file needs, readable by the owner only, as the README's example needs")
    func keygenMakesFolders() throws {
        let workspace = try TemporaryDirectory()
        let made = try tokenbatch(["keygen", "keys/nested/AuthKey_TEST000001.p8"], in: workspace.url)

        #expect(made.status == 0, "stderr:\n\(made.standardError)")
        for folder in ["keys", "keys/nested"] {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: workspace.url.appendingPathComponent(folder).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(folder)")
        }
        let key = workspace.url.appendingPathComponent("keys/nested/AuthKey_TEST000001.p8")
        #expect(try openssl(["pkey", "-in", key.path, "-noout", "-text"]).standardOutput.contains("NIST CURVE: P-256"))
    }

    @Test("public-key prints the JWK and PEM that openssl derives from the private key")
    func publicKey() throws {
        let workspace = try TemporaryDirectory()
        let key = workspace.url.appendingPathComponent("test-key.p8")
        try makeTestKey(at: key)
        try workspace.write(Self.manifest(keySource: "file: test-key.p8"), to: "m.yml")
        let expectedPEM = try IndependentVerifier.publicKeyPEM(ofPrivateKey: key)

        let pem = try tokenbatch(["public-key", "m.yml", "--format", "pem"], in: workspace.url)
        #expect(pem.status == 0)
        #expect(pem.standardOutput.contains(expectedPEM))

        let jwks = try tokenbatch(["public-key", "m.yml"], in: workspace.url)
        let document = try JSONSerialization.jsonObject(with: Data(jwks.standardOutput.utf8)) as? [String: Any]
        let jwk = try #require((document?["keys"] as? [[String: String]])?.first)
        #expect(jwk["kid"] == "TESTKEY001" && jwk["alg"] == "ES256" && jwk["crv"] == "P-256")
        let point = try openssl(["pkey", "-in", key.path, "-pubout", "-outform", "DER"]).standardOutputData.suffix(64)
        #expect(Data(base64URL: jwk["x"] ?? "") == point.prefix(32))
        #expect(Data(base64URL: jwk["y"] ?? "") == point.suffix(32))
    }

    // MARK: - Helpers

    static func manifest(keySource: String) -> String {
        """
        version: 1
        team_id: TESTTEAM01
        keys:
          main:
            kid: TESTKEY001
            \(keySource)
        products:
          api:
            scopes: [server_api]
            lifetime: 1d
        outputs:
          - format: json
            path: tokens.json

        """
    }

    /// The manifest's key source, the environment and the wrong key's text for `form`.
    static func prepare(_ form: RefusedForm, in workspace: TemporaryDirectory, goodKey: URL) throws -> (
        source: String, environment: [String: String], secret: String
    ) {
        let file = workspace.url.appendingPathComponent("bad-test-key.pem")
        func generate(_ arguments: [String]) throws -> String {
            _ = try openssl(arguments + ["-out", file.path])
            return try String(contentsOf: file, encoding: .utf8)
        }

        let text: String
        switch form {
        case .encryptedPKCS8:
            text = try generate(["pkcs8", "-topk8", "-in", goodKey.path, "-v2", "aes-256-cbc", "-passout", "pass:test"])
        case .encryptedSEC1:
            text = try generate(["ec", "-in", goodKey.path, "-aes256", "-passout", "pass:test"])
        case .publicKey:
            text = try generate(["pkey", "-in", goodKey.path, "-pubout"])
        case .certificate:
            text = try generate(["req", "-x509", "-new", "-key", goodKey.path, "-subj", "/CN=test", "-days", "1"])
        case .rsa:
            text = try generate(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
        case .rsaTraditional:
            let pkcs8 = workspace.url.appendingPathComponent("rsa-test-key.pem")
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", pkcs8.path])
            text = try generate(["pkey", "-in", pkcs8.path, "-traditional"])
        case .ed25519:
            text = try generate(["genpkey", "-algorithm", "ED25519"])
        case .secp256k1:
            text = try generate(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        case .p384:
            text = try generate(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        case .bareBase64:
            let pem = try String(contentsOf: goodKey, encoding: .utf8)
            text = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(separator: "\n") + "\n"
            try workspace.write(text, to: "bad-test-key.pem")
        case .emptyFile:
            text = ""
            try workspace.write(text, to: "bad-test-key.pem")
        case .notAKey:
            text = "this is not a key\n"
            try workspace.write(text, to: "bad-test-key.pem")
        case .zeroScalar, .scalarBeyondOrder:
            // SEC1 by hand: version 1, the 32-byte private value, the P-256 curve's OID.
            let order = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
            let scalar = form == .zeroScalar ? String(repeating: "00", count: 32) : order
            let der = "30310201010420" + scalar + "a00a06082a8648ce3d030107"
            let bytes = stride(from: 0, to: der.count, by: 2).map { offset in
                let start = der.index(der.startIndex, offsetBy: offset)
                return UInt8(der[start..<der.index(start, offsetBy: 2)], radix: 16)!
            }
            text =
                "-----BEGIN EC PRIVATE KEY-----\n\(Data(bytes).base64EncodedString())\n-----END EC PRIVATE KEY-----\n"
            try workspace.write(text, to: "bad-test-key.pem")
        case .twoKeys:
            let second = workspace.url.appendingPathComponent("second-test-key.p8")
            try makeTestKey(at: second)
            text = try String(contentsOf: goodKey, encoding: .utf8) + String(contentsOf: second, encoding: .utf8)
            try workspace.write(text, to: "bad-test-key.pem")
        case .directory:
            try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
            return ("file: bad-test-key.pem", [:], "")
        case .missingFile:
            return ("file: absent-test-key.pem", [:], "")
        case .unsetVariable:
            return ("env: TEST_MAPS_KEY", [:], "")
        case .emptyVariable:
            return ("env: TEST_MAPS_KEY", ["TEST_MAPS_KEY": ""], "")
        }
        return ("file: bad-test-key.pem", [:], text)
    }

    /// Lines of base64 from PEM text, long enough that finding one elsewhere means a leak.
    static func keyMaterialLines(_ pem: String) -> [String] {
        pem.split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.hasPrefix("-----") && !$0.contains(":") && $0.count >= 16 }
    }

    static func tokenEntries(in file: URL) throws -> [[String: Any]] {
        let document = try JSONSerialization.jsonObject(with: try Data(contentsOf: file)) as? [String: Any]
        return document?["tokens"] as? [[String: Any]] ?? []
    }

    static func thumbprint(ofPublicKey pem: String) throws -> String {
        let script = packageRoot.appendingPathComponent("Tests/checkers/thumbprint.py").path
        let result = try runProcess("/usr/bin/env", ["python3", script], input: Data(pem.utf8))
        guard result.status == 0 else { throw TestFailure("thumbprint.py failed: \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

}

/// Runs the `openssl` command line and insists that it succeeds.
@discardableResult
private func openssl(_ arguments: [String]) throws -> ProcessResult {
    let result = try runProcess("/usr/bin/openssl", arguments)
    guard result.status == 0 else {
        throw TestFailure("openssl \(arguments.joined(separator: " ")) failed: \(result.standardError)")
    }
    return result
}
