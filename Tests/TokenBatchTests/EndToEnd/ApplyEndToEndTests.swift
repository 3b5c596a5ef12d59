import Foundation
import Testing

/// `tokenbatch apply` and `plan` through the built binary, with every token checked by tools
/// that share no code with tokenbatch: Python's `cryptography`, the `openssl` command line,
/// python-dotenv and POSIX sh.
@Suite struct ApplyEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"
    static let day: Int64 = 86_400

    // MARK: - The example manifest

    @Test("apply on the example manifest signs tokens that verify and match the manifest")
    func exampleTokens() throws {
        let folder = try Self.copyOfExample()
        defer { withExtendedLifetime(folder) {} }

        let result = try Self.apply("example.yml", in: folder.url)
        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        let entries = try Self.tokenEntries(in: folder.url.appendingPathComponent("out/tokens.json"))
        let keyFile = folder.url.appendingPathComponent(Self.exampleKey)
        let verdicts = try Self.verifyIndependently(entries.map(\.token), keyFile: keyFile, in: folder.url)
        try Self.check(entries, verdicts, against: Self.exampleExpectations())
    }

    @Test("each env file of the example is private and reads as its token in python-dotenv and sh")
    func exampleEnvFiles() throws {
        let folder = try Self.copyOfExample()
        defer { withExtendedLifetime(folder) {} }
        #expect(try Self.apply("example.yml", in: folder.url).status == 0)

        let out = folder.url.appendingPathComponent("out")
        let entries = try Self.tokenEntries(in: out.appendingPathComponent("tokens.json"))
        #expect(entries.count == 4)
        #expect(try Self.permissions(of: out.appendingPathComponent("tokens.json")) == 0o600)

        for entry in entries {
            try Self.checkEnvFile("\(entry.product).env", in: out, holds: ["MAPS_TOKEN": entry.token])
        }
    }

    // MARK: - A manifest written by the test

    @Test("a key from an environment variable, several scopes, subfolders and a shared env file")
    func keyFromEnvironment() throws {
        let folder = try TemporaryDirectory()
        defer { withExtendedLifetime(folder) {} }
        let (keyFile, pem) = try Self.prepareEnvironmentKey(in: folder)
        let result = try Self.apply("maps.yml", in: folder.url, environment: ["MAPS_SIGNING_KEY": pem])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        let out = folder.url.appendingPathComponent("out")
        let entries = try Self.tokenEntries(in: out.appendingPathComponent("tokens.json"))
        let verdicts = try Self.verifyIndependently(entries.map(\.token), keyFile: keyFile, in: folder.url)
        try Self.check(entries, verdicts, against: Self.environmentKeyExpectations())

        let tokens = Dictionary(uniqueKeysWithValues: entries.map { ($0.product, $0.token) })
        for (product, token) in tokens {
            try Self.checkEnvFile("env/\(product).env", in: out, holds: ["MAPS_TOKEN": token])
        }
        let shared = ["MAPS_STORE_WEB": "store-web", "MAPS_STORE_EMBED": "store-embed", "MAPS_ROUTING": "routing"]
        try Self.checkEnvFile("shared.env", in: out, holds: shared.mapValues { tokens[$0] ?? "" })
    }

    /// Writes `maps.yml`, whose key comes from `MAPS_SIGNING_KEY`, and a test key outside the
    /// manifest's reach; returns the key's file and its PEM text for the variable.
    static func prepareEnvironmentKey(in folder: TemporaryDirectory) throws -> (file: URL, pem: String) {
        let keyFile = folder.url.appendingPathComponent("secret/key.p8")
        try FileManager.default.createDirectory(
            at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try makeTestKey(at: keyFile)
        try folder.write(Self.environmentKeyManifest, to: "maps.yml")
        return (keyFile, try String(contentsOf: keyFile, encoding: .utf8))
    }

    @Test("an apply with its key in the environment starts no other program, so the key reaches nobody")
    func startsNoProgram() throws {
        let folder = try TemporaryDirectory()
        defer { withExtendedLifetime(folder) {} }
        let (_, pem) = try Self.prepareEnvironmentKey(in: folder)

        // strace records every program started by tokenbatch or any of its threads.
        let trace = folder.url.appendingPathComponent("execve.txt")
        let result = try runProcess(
            "/usr/bin/strace",
            ["-f", "-qq", "-e", "trace=execve", "-o", trace.path, try tokenbatchBinary]
                + ["apply", "maps.yml", "--now", Self.now, "--out-dir", "out"],
            // LeakSanitizer cannot stop the world under a tracer; it is off here when the suite
            // runs under AddressSanitizer, and the variable means nothing otherwise.
            environment: [
                "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "MAPS_SIGNING_KEY": pem, "ASAN_OPTIONS": "detect_leaks=0",
            ],
            currentDirectory: folder.url)
        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        let started = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("execve(") }
        // A sanitizer's runtime may start the same binary again; no other program may start.
        let binary = try tokenbatchBinary
        #expect(!started.isEmpty)
        #expect(started.allSatisfy { $0.contains("execve(\"\(binary)\"") }, "programs started: \(started)")
    }

    @Test("300 products with two workers: every token valid and in manifest order")
    func manyProducts() throws {
        let folder = try TemporaryDirectory()
        defer { withExtendedLifetime(folder) {} }
        let keyFile = folder.url.appendingPathComponent("key.p8")
        try makeTestKey(at: keyFile)
        let names = (0..<300).map { "item-\(($0 * 37) % 300)" }
        try folder.write(Self.manifest(products: names), to: "many.yml")

        let result = try Self.apply("many.yml", in: folder.url, extra: ["--jobs", "2"])
        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        let entries = try Self.tokenEntries(in: folder.url.appendingPathComponent("out/tokens.json"))
        #expect(entries.map(\.product) == names)

        let verdicts = try IndependentVerifier.checkWithPython(
            entries.map(\.token), publicKeyPEM: try IndependentVerifier.publicKeyPEM(ofPrivateKey: keyFile))
        #expect(verdicts.count == names.count)
        for (name, verdict) in zip(names, verdicts) {
            #expect(verdict.valid, "\(name): \(verdict.problem ?? "")")
            let payload = try Self.jsonObject(verdict.payloadRaw ?? "")
            #expect(payload["origin"] as? String == "\(name).example.com", "the token of \(name) is another product's")
        }
    }

    // MARK: - plan

    @Test("plan on the example needs no key and writes nothing")
    func planWritesNothing() throws {
        let folder = try Self.copyOfExample()
        defer { withExtendedLifetime(folder) {} }
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent(Self.exampleKey))
        let before = try snapshot(of: folder.url)

        let result = try tokenbatch(["plan", "example.yml", "--now", Self.now, "--out-dir", "out"], in: folder.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        for product in ["storefront-web", "store-locator-embed", "delivery-snapshots", "geocoder"] {
            #expect(result.standardOutput.contains(product))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("out").path))
        #expect(try snapshot(of: folder.url) == before)
    }

    // MARK: - Command line

    @Test(
        "--help and --version print on stdout and exit 0",
        arguments: [
            (["--help"], "Usage:"),
            (["--version"], "tokenbatch "),
            (["apply", "--help"], "Usage: tokenbatch apply"),
        ])
    func helpAndVersion(_ arguments: [String], output: String) throws {
        let folder = try TemporaryDirectory()
        defer { withExtendedLifetime(folder) {} }

        let result = try tokenbatch(arguments, in: folder.url)

        #expect(result.status == 0)
        #expect(result.standardOutput.contains(output), "stdout:\n\(result.standardOutput)")
        #expect(result.standardError.isEmpty)
    }

    @Test(
        "a wrong command line exits 2 and says why",
        arguments: [
            (["apply", "example.yml", "--jbos", "2"], "did you mean `--jobs`"),
            (["apply"], "needs a manifest"),
            (["apply", "example.yml", "--now", "1796299200000"], "milliseconds"),
        ])
    func usageErrors(_ arguments: [String], message: String) throws {
        let folder = try Self.copyOfExample()
        defer { withExtendedLifetime(folder) {} }

        let result = try tokenbatch(arguments + ["--out-dir", "out"], in: folder.url)

        #expect(result.status == 2)
        #expect(result.standardError.contains(message), "stderr:\n\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("out").path))
    }
}

// MARK: - Expectations

extension ApplyEndToEndTests {
    /// What one token must carry, from the manifest that asked for it.
    struct ExpectedToken {
        var product: String
        var kid: String
        var iss: String
        var iat: Int64
        var exp: Int64
        var scope: String
        /// `nil`: the token must have no `origin` claim.
        var origin: String?
    }

    static let exampleKey = "example-keys/AuthKey_EXAMPLE123.p8"

    static func exampleExpectations() throws -> [ExpectedToken] {
        let iat = try unixSeconds(now)
        func token(_ product: String, _ scope: String, _ origin: String?, exp: Int64) -> ExpectedToken {
            ExpectedToken(
                product: product, kid: "EXAMPLE123", iss: "DEMOTEAM01", iat: iat, exp: exp, scope: scope, origin: origin
            )
        }
        return [
            token("storefront-web", "mapkit_js", "shop.example.com,*.shop.example.com", exp: iat + 90 * day),
            token("store-locator-embed", "embed_api", "www.example.com", exp: iat + 30 * day),
            token("delivery-snapshots", "web_snapshots", "example.com,*.example.com", exp: iat + 180 * day),
            token("geocoder", "server_api", nil, exp: iat + 7 * day),
        ]
    }

    static let environmentKeyManifest = """
        version: 1
        team_id: ABCDE12345
        keys:
          ci:
            kid: KEY9876543
            env: MAPS_SIGNING_KEY
        defaults:
          key: ci
          lifetime: 12h
        products:
          store-web:
            scopes: [mapkit_js]
            origins: [store.example.org]
          store-embed:
            scopes: [embed_api, web_snapshots]
            origins: [store.example.org, "*.store.example.org"]
          routing:
            scopes: [server_api]
            expires: 2027-01-01T09:30:00+02:00
        outputs:
          - format: json
            path: tokens.json
          - format: env
            path: "env/{product}.env"
          - format: env
            path: shared.env
            variable: "MAPS_{product}"

        """

    static func environmentKeyExpectations() throws -> [ExpectedToken] {
        let iat = try unixSeconds(now)
        func token(_ product: String, _ scope: String, _ origin: String?, exp: Int64) -> ExpectedToken {
            ExpectedToken(
                product: product, kid: "KEY9876543", iss: "ABCDE12345", iat: iat, exp: exp, scope: scope, origin: origin
            )
        }
        return [
            token("store-web", "mapkit_js", "store.example.org", exp: iat + 12 * 3_600),
            token(
                "store-embed", "embed_api web_snapshots", "store.example.org,*.store.example.org", exp: iat + 12 * 3_600
            ),
            token("routing", "server_api", nil, exp: try unixSeconds("2027-01-01T07:30:00Z")),
        ]
    }

    /// A manifest with one `mapkit_js` product per name, each with its own origin, so that a
    /// token given to the wrong product shows.
    static func manifest(products names: [String]) -> String {
        var text = """
            version: 1
            team_id: ABCDE12345
            keys:
              main:
                kid: KEY9876543
                file: key.p8
            defaults:
              key: main
              lifetime: 1d
              scopes: [mapkit_js]
            outputs:
              - format: json
                path: tokens.json
            products:

            """
        for name in names {
            text += "  \(name):\n    origins: [\(name).example.com]\n"
        }
        return text
    }
}

// MARK: - Running and reading

extension ApplyEndToEndTests {
    /// One entry of `tokens` in the JSON output.
    struct TokenEntry {
        var product: String
        var token: String
        var fields: [String: Any]
    }

    static func copyOfExample() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let manifests = packageRoot.appendingPathComponent("manifests")
        for item in ["example.yml", "example-keys"] {
            try FileManager.default.copyItem(
                at: manifests.appendingPathComponent(item), to: folder.url.appendingPathComponent(item))
        }
        return folder
    }

    static func apply(
        _ manifest: String, in directory: URL, environment: [String: String] = [:], extra: [String] = []
    ) throws -> ProcessResult {
        try tokenbatch(
            ["apply", manifest, "--now", now, "--out-dir", "out"] + extra, in: directory, environment: environment)
    }

    static func tokenEntries(in file: URL) throws -> [TokenEntry] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let tokens = try #require(document["tokens"] as? [[String: Any]])
        return try tokens.map { fields in
            TokenEntry(
                product: try #require(fields["product"] as? String), token: try #require(fields["token"] as? String),
                fields: fields)
        }
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func unixSeconds(_ rfc3339: String) throws -> Int64 {
        let date = try #require(ISO8601DateFormatter().date(from: rfc3339))
        return Int64(date.timeIntervalSince1970)
    }

    static func rfc3339(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

// MARK: - Checks

extension ApplyEndToEndTests {
    /// Both independent verifiers accept every token with the public key `openssl` derives;
    /// returns Python's verdicts, which hold the decoded header and payload.
    @discardableResult
    static func verifyIndependently(_ tokens: [String], keyFile: URL, in directory: URL) throws -> [IndependentVerifier
        .Verdict]
    {
        let publicKey = try IndependentVerifier.publicKeyPEM(ofPrivateKey: keyFile)

        let verdicts = try IndependentVerifier.checkWithPython(tokens, publicKeyPEM: publicKey)
        #expect(verdicts.count == tokens.count)
        for verdict in verdicts {
            #expect(verdict.valid, "Python: \(verdict.problem ?? "")")
            #expect(verdict.signatureLength == 64)
        }

        for token in tokens {
            #expect(
                try IndependentVerifier.checkWithOpenSSL(token, publicKeyPEM: publicKey, in: directory),
                "openssl: \(token)")
        }
        return verdicts
    }

    /// Each entry, in order, has the header, claims and metadata `expected` asks for.
    static func check(
        _ entries: [TokenEntry], _ verdicts: [IndependentVerifier.Verdict], against expected: [ExpectedToken]
    ) throws {
        #expect(entries.map(\.product) == expected.map(\.product))
        try #require(verdicts.count == entries.count)
        for (index, expectation) in expected.enumerated() where index < entries.count {
            #expect(verdicts[index].headerRaw == #"{"alg":"ES256","kid":"\#(expectation.kid)","typ":"JWT"}"#)
            try checkPayload(try #require(verdicts[index].payloadRaw), expectation)
            try checkMetadata(entries[index], expectation)
        }
    }

    static func checkPayload(_ raw: String, _ expected: ExpectedToken) throws {
        let payload = try jsonObject(raw)

        #expect(payload["iss"] as? String == expected.iss, "\(expected.product)")
        #expect((payload["iat"] as? NSNumber)?.int64Value == expected.iat, "\(expected.product)")
        #expect((payload["exp"] as? NSNumber)?.int64Value == expected.exp, "\(expected.product)")
        #expect(payload["scope"] as? String == expected.scope, "\(expected.product)")
        #expect(payload["origin"] as? String == expected.origin, "\(expected.product)")
        #expect(payload.count == (expected.origin == nil ? 4 : 5), "\(expected.product): \(raw)")

        let keys = raw.matches(of: /"(\w+)":/).map { String($0.output.1) }
        #expect(keys == ["iss", "iat", "exp", "scope", "origin"].filter { $0 != "origin" || expected.origin != nil })
        #expect(
            raw.contains(#""iat":\#(expected.iat),"#) && raw.contains(#""exp":\#(expected.exp),"#),
            "integer times: \(raw)")
        #expect(!raw.contains(#"\/"#), "\(raw)")
    }

    /// The JSON output's fields about a token agree with the token itself.
    static func checkMetadata(_ entry: TokenEntry, _ expected: ExpectedToken) throws {
        let fields = entry.fields
        #expect(fields["kid"] as? String == expected.kid)
        #expect(fields["iss"] as? String == expected.iss)
        #expect(fields["scope"] as? String == expected.scope)
        if let origin = expected.origin {
            #expect(fields["origin"] as? String == origin)
        } else {
            #expect(fields["origin"] is NSNull, "\(entry.product): origin should be null")
        }
        #expect((fields["issued_at"] as? NSNumber)?.int64Value == expected.iat)
        #expect((fields["expires_at"] as? NSNumber)?.int64Value == expected.exp)
        #expect(fields["issued_at_rfc3339"] as? String == rfc3339(expected.iat))
        #expect(fields["expires_at_rfc3339"] as? String == rfc3339(expected.exp))
    }

    static func permissions(of file: URL) throws -> Int? {
        (try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue
    }

    /// The env file has mode 0600 and sets exactly `variables` for python-dotenv and for sh.
    static func checkEnvFile(_ path: String, in out: URL, holds variables: [String: String]) throws {
        let file = out.appendingPathComponent(path)
        #expect(try permissions(of: file) == 0o600, "\(path)")

        let script = "import dotenv,json,sys; print(json.dumps(dotenv.dotenv_values(sys.argv[1])))"
        let dotenv = try runProcess("/usr/bin/env", ["python3", "-c", script, file.path])
        try #require(dotenv.status == 0, "python-dotenv: \(dotenv.standardError)")
        let values = try #require(
            try JSONSerialization.jsonObject(with: Data(dotenv.standardOutput.utf8)) as? [String: String])
        #expect(values == variables, "\(path)")

        for (name, token) in variables {
            let shell = try runProcess("/bin/sh", ["-c", ". ./\(path); printf %s \"$\(name)\""], currentDirectory: out)
            #expect(
                shell.status == 0 && shell.standardOutput == token,
                "sh reading \(name) from \(path): \(shell.standardError)")
        }
    }
}
