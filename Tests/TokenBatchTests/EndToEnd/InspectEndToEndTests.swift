import Foundation
import Testing

/// `tokenbatch inspect` through the built binary: Google's Wycheproof JWS vectors, tokens that
/// `apply` signed checked with three forms of their key, and tokens made here with Foundation
/// and the `openssl` command line, each with one mistake Apple rejects.
@Suite struct InspectEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"
    static let nowSeconds: Int64 = 1_796_299_200
    static let day: Int64 = 86_400

    // MARK: - Wycheproof

    @Test("every Wycheproof JWS ES256 vector: the valid one verifies, every other one does not")
    func wycheproofVectors() throws {
        let file = packageRoot.appendingPathComponent("Tests/vectors/wycheproof/jws_es256_test.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let folder = try TemporaryDirectory()
        var checked = 0

        for case let group as [String: Any] in try #require(document["testGroups"] as? [Any]) {
            let jwk = try #require(group["public"] as? [String: String])
            try Data(JSONSerialization.data(withJSONObject: jwk)).write(
                to: folder.url.appendingPathComponent("jwk.json"))

            for case let test as [String: Any] in try #require(group["tests"] as? [Any]) {
                let jws = try #require(test["jws"] as? String)
                let label = "tcId \(test["tcId"] ?? "?"): \(test["comment"] ?? "")"
                let result = try tokenbatch(
                    ["inspect", "--key", "jwk.json", "--now", Self.now, "--format", "json", "--", jws], in: folder.url)
                let report = try Self.object(result.standardOutput)
                #expect(result.standardError.isEmpty, "\(label): \(result.standardError)")

                // None of these is an Apple token (no typ, a kid of another form, "foo" as the
                // payload), so every one exits 1; the signature's verdict is what differs.
                #expect(result.status == 1, "\(label)")
                let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
                if jws.isEmpty {
                    #expect(report["error"] as? String == "the argument holds no token", "\(label)")
                } else if parts.count != 3 || parts[0].isEmpty {
                    #expect(report["well_formed"] as? Bool == false, "\(label)")
                    #expect(report["verified"] as? Bool == false, "\(label)")
                    let names = Self.findingNames(report)
                    #expect(names == ["not-three-parts"] || names == ["header-not-object"], "\(label): \(names)")
                } else {
                    #expect(report["well_formed"] as? Bool == true, "\(label)")
                    #expect(report["verified"] as? Bool == (test["result"] as? String == "valid"), "\(label)")
                }
                checked += 1
            }
        }
        #expect(checked == document["numberOfTests"] as? Int)
    }

    // MARK: - Tokens that apply signed

    @Test("a token apply signed inspects clean with its private key, its public PEM and the JWK Set")
    func tokensFromApply() throws {
        let bench = try Bench()
        try bench.folder.write(Self.manifest, to: "m.yml")
        let applied = try tokenbatch(["apply", "m.yml", "--out-dir", "out", "--now", Self.now], in: bench.folder.url)
        #expect(applied.status == 0, "stderr:\n\(applied.standardError)")

        let publicKey = try IndependentVerifier.publicKeyPEM(ofPrivateKey: bench.keyFile)
        try bench.folder.write(publicKey, to: "public.pem")
        let jwks = try tokenbatch(["public-key", "m.yml"], in: bench.folder.url)
        #expect(jwks.status == 0)
        try bench.folder.write(jwks.standardOutput, to: "jwks.json")

        let later = "2026-12-04T12:00:00Z"
        for product in ["web", "geo"] {
            for key in [bench.keyFile.lastPathComponent, "public.pem", "jwks.json"] {
                let label = "\(product) with \(key)"
                let json = try bench.inspect(["out/\(product).env", "--key", key, "--now", later, "--format", "json"])
                #expect(json.status == 0, "\(label): \(json.standardOutput)")
                let report = try Self.object(json.standardOutput)
                #expect(report["verified"] as? Bool == true, "\(label)")
                #expect(report["valid"] as? Bool == true, "\(label)")
                #expect(Self.findingNames(report).isEmpty, "\(label): \(Self.findingNames(report))")
                #expect(report["input"] as? String == "out/\(product).env")

                let text = try bench.inspect(["out/\(product).env", "--key", key, "--now", later])
                #expect(text.status == 0, "\(label): \(text.standardOutput)")
                #expect(text.standardOutput.contains("\"kid\": \"KEY1234567\""), "\(label)")
                #expect(text.standardOutput.contains("iat  2026-12-03T12:00:00Z  24 hours ago"), "\(label)")
                #expect(text.standardOutput.contains("exp  2027-01-02T12:00:00Z  in 29 days"), "\(label)")
                #expect(text.standardOutput.contains("valid: verified with"), "\(label)")
                #expect(text.standardError.isEmpty)

                // The report names the key by its thumbprint, never by its bytes.
                let privatePEM = try String(contentsOf: bench.keyFile, encoding: .utf8)
                for line in (privatePEM + publicKey).split(separator: "\n") where !line.hasPrefix("-----") {
                    #expect(!text.standardOutput.contains(line) && !json.standardOutput.contains(line), "\(label)")
                }
            }
        }

        let report = try Self.object(
            try bench.inspect(["out/web.env", "--now", later, "--format", "json"]).standardOutput)
        #expect(report["verified"] is NSNull, "without --key the signature is not checked")
        let times = try #require(report["times"] as? [String: Any])
        let expiry = try #require(times["exp"] as? [String: Any])
        #expect(expiry["seconds"] as? Int64 == Self.nowSeconds + 30 * Self.day)
        #expect(expiry["rfc3339"] as? String == "2027-01-02T12:00:00Z")
        #expect(expiry["relative"] as? String == "in 29 days")
    }

    @Test("`-` reads the token from standard input, alone or as a NAME=token line; the operand may be the token")
    func standardInput() throws {
        let bench = try Bench()
        let token = try bench.token(header: Self.header, payload: Self.payload(), signature: .raw)
        let key = bench.keyFile.lastPathComponent
        for input in [token, "\n  \(token)  \r\n", "MAPS_TOKEN=\(token)\n", "# a comment\n\nMAPS_TOKEN=\(token)\n"] {
            let result = try bench.inspect(["-", "--key", key, "--now", Self.now], input: Data(input.utf8))
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.hasPrefix("Token from standard input, inspected at \(Self.now)\n"))
        }

        let direct = try bench.inspect([token, "--key", key, "--now", Self.now])
        #expect(direct.status == 0)
        #expect(direct.standardOutput.hasPrefix("Token from the command line, inspected at"))

        let twoTokens = try bench.inspect(["-", "--format", "json"], input: Data("A=\(token)\nB=\(token)\n".utf8))
        #expect(twoTokens.status == 1)
        #expect(twoTokens.standardError.isEmpty)
        let refusal = try Self.object(twoTokens.standardOutput)
        #expect(
            refusal["error"] as? String
                == "standard input holds 2 lines; inspect takes one token, alone or as one NAME=token line")

        let empty = try bench.inspect(["-"], input: Data())
        #expect(empty.status == 1)
        #expect(empty.standardError.contains("standard input holds no token"))
    }

    // MARK: - Hand-made tokens

    /// A token with one mistake Apple rejects, and the finding that must name it.
    struct HandMadeToken: Sendable, CustomTestStringConvertible {
        var mistake: String
        var header = InspectEndToEndTests.header
        var payload = InspectEndToEndTests.payload()
        var signature = SignatureForm.raw
        /// The one error expected, by name; `nil` for a token without a mistake.
        var finding: String?

        var testDescription: String { mistake }

        static let all: [HandMadeToken] = [
            HandMadeToken(mistake: "no mistake at all", finding: nil),
            HandMadeToken(
                mistake: "a repeated kid",
                header: #"{"alg":"ES256","kid":"KEY1234567","typ":"JWT","kid":"KEY1234567"}"#,
                finding: "repeated-header-member"),
            HandMadeToken(
                mistake: "iat and exp in milliseconds",
                payload: InspectEndToEndTests.payload(
                    iat: "\(nowSeconds * 1000)", exp: "\((nowSeconds + 7 * day) * 1000)"),
                finding: "time-in-milliseconds"),
            HandMadeToken(mistake: "a DER signature", signature: .der, finding: "signature-der"),
            HandMadeToken(
                mistake: "an unknown scope", payload: InspectEndToEndTests.payload(scope: "mapkit"),
                finding: "unknown-scope"),
            HandMadeToken(
                mistake: "an origin with a trailing slash",
                payload: InspectEndToEndTests.payload(origin: "shop.example.com/"), finding: "origin-malformed"),
            HandMadeToken(
                mistake: "no origin for mapkit_js", payload: InspectEndToEndTests.payload(origin: nil),
                finding: "origin-missing"),
            HandMadeToken(
                mistake: "an expired token",
                payload: InspectEndToEndTests.payload(
                    iat: "\(nowSeconds - 30 * day)", exp: "\(nowSeconds - day)"),
                finding: "expired"),
        ]
    }

    @Test("each hand-made token is flagged with its finding's name and exit status 1", arguments: HandMadeToken.all)
    func handMadeToken(_ made: HandMadeToken) throws {
        let bench = try Bench()
        let token = try bench.token(header: made.header, payload: made.payload, signature: made.signature)
        try bench.folder.write(token + "\n", to: "token.txt")
        let key = bench.keyFile.lastPathComponent

        let json = try bench.inspect(["token.txt", "--key", key, "--now", Self.now, "--format", "json"])
        let report = try Self.object(json.standardOutput)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let errors = Set(findings.filter { $0["severity"] as? String == "error" }.compactMap { $0["name"] as? String })
        #expect(errors == Set([made.finding].compactMap { $0 }), "findings: \(findings)")
        #expect(findings.allSatisfy { $0["severity"] as? String == "error" }, "no warning expected: \(findings)")
        #expect(json.status == (made.finding == nil ? 0 : 1))
        #expect(report["well_formed"] as? Bool == true)
        // A DER signature cannot be checked as ES256; every other one was made by this key.
        #expect(report["verified"] as? Bool == (made.signature == .raw))
        let length = try #require(report["signature_length"] as? Int)
        #expect(made.signature == .raw ? length == 64 : (70...72).contains(length))

        let text = try bench.inspect(["token.txt", "--key", key, "--now", Self.now])
        #expect(text.status == json.status)
        if let finding = made.finding {
            #expect(text.standardOutput.contains("  error[\(finding)]: "), "\(text.standardOutput)")
            #expect(text.standardOutput.hasSuffix(": Apple would reject this token.\n"))
        } else {
            #expect(
                text.standardOutput.hasSuffix("No problems found: the token meets Apple's rules for Maps tokens.\n"))
        }
    }

    @Test("a token signed with another key is invalid, and the key's kid is compared with the header's")
    func anotherKey() throws {
        let bench = try Bench()
        let token = try bench.token(header: Self.header, payload: Self.payload(), signature: .raw)
        let other = bench.folder.url.appendingPathComponent("other-test-key.p8")
        try makeTestKey(at: other)

        let result = try bench.inspect([token, "--key", other.lastPathComponent, "--now", Self.now, "--format", "json"])
        #expect(result.status == 1)
        let report = try Self.object(result.standardOutput)
        #expect(report["verified"] as? Bool == false)
        #expect(Self.findingNames(report) == ["signature-invalid"])

        // A JWK that says it is another key: the signature still verifies, with a warning.
        let jwks = try tokenbatch(["public-key", "m.yml"], in: try bench.manifestFolder(kid: "OTHER12345"))
        try bench.folder.write(jwks.standardOutput, to: "jwks.json")
        let mismatch = try bench.inspect([token, "--key", "jwks.json", "--now", Self.now, "--format", "json"])
        let mismatchReport = try Self.object(mismatch.standardOutput)
        #expect(mismatch.status == 0, "a warning does not fail the token")
        #expect(mismatchReport["verified"] as? Bool == true)
        #expect(Self.findingNames(mismatchReport) == ["key-kid-mismatch"])
    }

    @Test(
        "command-line mistakes exit 2",
        arguments: [
            ["inspect"], ["inspect", "a", "b"], ["inspect", "x", "--format", "github"],
            ["inspect", "x", "--jobs", "2"],
            ["inspect", "x", "--now", "yesterday"], ["inspect", "x", "--key"],
        ])
    func usageErrors(_ arguments: [String]) throws {
        let folder = try TemporaryDirectory()
        let result = try tokenbatch(arguments, in: folder.url)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    // MARK: - Making tokens

    enum SignatureForm: Sendable {
        /// R||S, 64 bytes: the JWS form.
        case raw
        /// The DER sequence OpenSSL returns, unconverted.
        case der
    }

    static let header = #"{"alg":"ES256","kid":"KEY1234567","typ":"JWT"}"#

    /// A Maps payload as written; `origin: nil` leaves the claim out.
    static func payload(
        iat: String = "\(nowSeconds)", exp: String = "\(nowSeconds + 7 * day)", scope: String = "mapkit_js",
        origin: String? = "shop.example.com"
    ) -> String {
        #"{"iss":"TEAM123456","iat":\#(iat),"exp":\#(exp),"scope":"\#(scope)""#
            + (origin.map { #","origin":"\#($0)""# } ?? "") + "}"
    }

    static let manifest = """
        version: 1
        team_id: TEAM123456
        keys:
          main:
            kid: KEY1234567
            file: test-key.p8
        defaults:
          key: main
          lifetime: 30d
        products:
          web:
            scopes: [mapkit_js]
            origins: [shop.example.com, "*.shop.example.com"]
          geo:
            scopes: [server_api]
        outputs:
          - format: json
            path: tokens.json
          - format: env
            path: "{product}.env"

        """

    /// A folder with a test key, where tokens are made and inspected.
    struct Bench {
        let folder: TemporaryDirectory
        let keyFile: URL

        init() throws {
            folder = try TemporaryDirectory()
            keyFile = folder.url.appendingPathComponent("test-key.p8")
            try makeTestKey(at: keyFile)
        }

        /// `header` and `payload` exactly as written, signed with the test key by the `openssl`
        /// command line.
        func token(header: String, payload: String, signature form: SignatureForm) throws -> String {
            let signingInput = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(payload.utf8))
            let inputFile = folder.url.appendingPathComponent("signing-input.bin")
            let signatureFile = folder.url.appendingPathComponent("signature.der")
            try Data(signingInput.utf8).write(to: inputFile)
            let signed = try runProcess(
                "/usr/bin/openssl",
                ["dgst", "-sha256", "-sign", keyFile.path, "-out", signatureFile.path, inputFile.path])
            guard signed.status == 0 else { throw TestFailure("openssl dgst -sign failed: \(signed.standardError)") }

            let der = try Data(contentsOf: signatureFile)
            let signature = form == .der ? der : try Self.raw(fromDER: der)
            return signingInput + "." + Self.base64URL(signature)
        }

        /// A copy of the test manifest whose key has Key ID `kid`, in a folder of its own.
        func manifestFolder(kid: String) throws -> URL {
            let copy = folder.url.appendingPathComponent("manifest-\(kid)")
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: keyFile, to: copy.appendingPathComponent("test-key.p8"))
            let text = InspectEndToEndTests.manifest.replacingOccurrences(of: "KEY1234567", with: kid)
            try Data(text.utf8).write(to: copy.appendingPathComponent("m.yml"))
            return copy
        }

        /// Runs `tokenbatch inspect` in the folder, with `input` on standard input.
        func inspect(_ arguments: [String], input: Data? = nil) throws -> ProcessResult {
            try runProcess(
                try tokenbatchBinary, ["inspect"] + arguments, environment: ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"],
                currentDirectory: folder.url, input: input)
        }

        static func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        /// R||S from `SEQUENCE { INTEGER r, INTEGER s }`, each half without its sign byte and
        /// left-padded to 32 bytes; written here, independently of tokenbatch's conversion.
        static func raw(fromDER der: Data) throws -> Data {
            let bytes = [UInt8](der)
            guard bytes.count > 8, bytes[0] == 0x30, Int(bytes[1]) == bytes.count - 2 else {
                throw TestFailure("not a short-form DER sequence")
            }
            var index = 2
            var halves: [Data] = []
            for _ in 0..<2 {
                guard bytes[index] == 0x02 else { throw TestFailure("not a DER integer") }
                let length = Int(bytes[index + 1])
                let value = bytes[(index + 2)..<(index + 2 + length)].drop { $0 == 0 }
                guard value.count <= 32 else { throw TestFailure("a DER integer longer than 32 bytes") }
                halves.append(Data(repeating: 0, count: 32 - value.count) + Data(value))
                index += 2 + length
            }
            return halves[0] + halves[1]
        }
    }

    // MARK: - Reading reports

    static func object(_ text: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let object = value as? [String: Any] else { throw TestFailure("not a JSON object:\n\(text)") }
        return object
    }

    static func findingNames(_ report: [String: Any]) -> [String] {
        (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}
