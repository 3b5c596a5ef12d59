import Foundation
import Testing

/// `tokenbatch apply` through the built binary on manifests, keys and output folders that are
/// wrong: every run must exit with the documented status, point at the mistake, and leave the
/// outputs of the previous successful run exactly as they were.
@Suite struct BadInputEndToEndTests {
    /// The clock every run uses, so that `expires` checks do not depend on the day tests run.
    static let now = "2026-12-03T12:00:00Z"

    // MARK: - One mistake per manifest

    @Test("a broken manifest is reported at its line and column and changes no output", arguments: BrokenManifest.all)
    func brokenManifest(_ broken: BrokenManifest) throws {
        let workspace = try Workspace()
        try workspace.applyValidManifest()
        let before = try snapshot(of: workspace.out)

        try workspace.write(broken.bytes, to: "bad.yml")
        let result = try workspace.apply("bad.yml")

        #expect(result.status == 1, "stderr:\n\(result.standardError)")
        #expect(
            result.standardError.contains("bad.yml:\(broken.location): error[\(broken.code)]"),
            "stderr:\n\(result.standardError)")
        if let mention = broken.mentions {
            #expect(result.standardError.contains(mention), "stderr:\n\(result.standardError)")
        }
        #expect(try snapshot(of: workspace.out) == before)
    }

    // MARK: - Several mistakes at once

    @Test("every independent mistake is reported in one run, sorted by position, with a count")
    func severalMistakes() throws {
        let workspace = try Workspace()
        try workspace.applyValidManifest()
        let before = try snapshot(of: workspace.out)

        let manifest = BrokenManifest.validManifest
            .replacingOnce("team_id: TEAM123456", with: "team_id: team123456")
            .replacingOnce("    scopes: [mapkit_js]", with: "    scopes: [mapkit]")
            .replacingOnce("    origins: [shop.example.com]", with: "    origins: [https://shop.example.com]")
            .replacingOnce("    scopes: [server_api]", with: "    scopez: [server_api]\n    scopes: [server_api]")
            .replacingOnce("    path: tokens.json", with: "    path: /tmp/tokens.json")
        try workspace.write(Array(manifest.utf8), to: "bad.yml")
        let result = try workspace.apply("bad.yml")

        #expect(result.status == 1)
        let expected = [
            "2:10: error[TB020]", "12:14: error[TB030]", "13:15: error[TB033]", "15:5: error[TB010]",
            "19:11: error[TB051]",
        ]
        #expect(
            Self.reportedProblems(in: result.standardError, file: "bad.yml") == expected,
            "stderr:\n\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").last == "5 errors, 0 warnings")
        #expect(try snapshot(of: workspace.out) == before)
    }

    // MARK: - Keys

    @Test(
        "an unusable key names the key, never prints key material and changes no output", arguments: KeyFault.allCases)
    func unusableKey(_ fault: KeyFault) throws {
        let workspace = try Workspace()
        let manifest =
            fault == .variableUnset
            ? Self.manifestWithKey(source: "env: MAPS_KEY") : Self.manifestWithKey(source: "file: key.p8")
        try workspace.write(Array(manifest.utf8), to: "keys.yml")
        try makeTestKey(at: workspace.url("key.p8"))
        let goodKey = try String(contentsOf: workspace.url("key.p8"), encoding: .utf8)

        #expect(try workspace.apply("keys.yml", environment: ["MAPS_KEY": goodKey]).status == 0)
        let before = try snapshot(of: workspace.out)

        let badKey = try fault.spoil(keyAt: workspace.url("key.p8"))
        let result = try workspace.apply("keys.yml")

        #expect(result.status == 1, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("keys.yml:4:3: error[\(fault.code)]"), "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("key `main`"))
        #expect(result.standardError.contains(fault.mention), "stderr:\n\(result.standardError)")
        for line in Self.base64BodyLines(of: goodKey + "\n" + badKey) {
            #expect(
                !(result.standardError + result.standardOutput).contains(line), "the output shows a line of the key")
        }
        #expect(try snapshot(of: workspace.out) == before)
    }

    // MARK: - Output folder

    @Test("an output folder that cannot be created gives exit 3 and leaves no temporary file")
    func outputFolderIsAFile() throws {
        let workspace = try Workspace()
        try workspace.write(Array(BrokenManifest.validManifest.utf8), to: "good.yml")
        try makeTestKey(at: workspace.url("key.p8"))
        try workspace.write(Array("not a folder\n".utf8), to: "out")
        let before = try snapshot(of: workspace.root.url)

        let result = try workspace.apply("good.yml")

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("out"))
        #expect(try snapshot(of: workspace.root.url) == before)
    }

    @Test("a subfolder that cannot be created after a file was staged gives exit 3 and removes the staged file")
    func outputSubfolderIsAFile() throws {
        let workspace = try Workspace()
        let manifest = BrokenManifest.validManifest.replacingOnce(
            #"    path: "{product}.env""#, with: #"    path: "env/{product}.env""#)
        try workspace.write(Array(manifest.utf8), to: "good.yml")
        try makeTestKey(at: workspace.url("key.p8"))
        try workspace.write(Array("not a folder\n".utf8), to: "out/env")
        let before = try snapshot(of: workspace.root.url)

        let result = try workspace.apply("good.yml")

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(try snapshot(of: workspace.root.url) == before)
    }

    // MARK: - Helpers

    /// `line:column: error[CODE]` of each diagnostic about `file`, in the order printed.
    static func reportedProblems(in standardError: String, file: String) -> [String] {
        standardError.split(separator: "\n").filter { $0.hasPrefix("\(file):") }.map { line in
            String(line.dropFirst(file.count + 1).prefix { $0 != "]" }) + "]"
        }
    }

    static func manifestWithKey(source: String) -> String {
        BrokenManifest.validManifest.replacingOnce("    file: key.p8", with: "    \(source)")
    }

    /// The lines between a PEM's BEGIN and END lines: the key material itself.
    static func base64BodyLines(of pem: String) -> [String] {
        pem.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("-----") }
    }
}

// MARK: - Cases

extension BadInputEndToEndTests {
    /// A valid manifest with one small change that breaks it, and where the change must be reported.
    struct BrokenManifest: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        /// `line:column` in the broken manifest.
        var location: String
        var code: String
        /// Text the report must also contain, such as a hint.
        var mentions: String?

        var testDescription: String { name }

        /// The manifest every case starts from; the line numbers of the cases refer to it: `team_id`
        /// is line 2, `kid` 5, `file` 6, `lifetime` 9, `web` 11 with its `scopes` on 12 and
        /// `origins` on 13, `geocoder` 14 with its `scopes` on 15, and the output paths 18 and 20.
        static let validManifest = """
            version: 1
            team_id: TEAM123456
            keys:
              main:
                kid: KEY1234567
                file: key.p8
            defaults:
              key: main
              lifetime: 30d
            products:
              web:
                scopes: [mapkit_js]
                origins: [shop.example.com]
              geocoder:
                scopes: [server_api]
            outputs:
              - format: json
                path: tokens.json
              - format: env
                path: "{product}.env"

            """

        /// The valid manifest with `line`, which must appear once, replaced by `replacement`.
        static func edit(
            _ name: String, _ line: String, _ replacement: String, at location: String, _ code: String,
            mentions: String? = nil
        ) -> BrokenManifest {
            BrokenManifest(
                name: name, bytes: Array(validManifest.replacingOnce(line, with: replacement).utf8), location: location,
                code: code,
                mentions: mentions)
        }

        /// The valid manifest with `line` replaced by bytes that need not be UTF-8.
        static func edit(
            _ name: String, _ line: String, bytes replacement: [UInt8], at location: String, _ code: String
        ) -> BrokenManifest {
            let parts = validManifest.components(separatedBy: line)
            precondition(parts.count == 2, "`\(line)` must occur once")
            let bytes = Array(parts[0].utf8) + replacement + Array(parts[1].utf8)
            return BrokenManifest(name: name, bytes: bytes, location: location, code: code)
        }

        static let all: [BrokenManifest] = yaml + structure + identifiers + scopesAndOrigins + times + outputs

        static let yaml: [BrokenManifest] = [
            edit("YAML syntax error", "  lifetime: 30d", "   lifetime: 30d", at: "9:12", "TB001"),
            edit(
                "unquoted wildcard in a list", "    origins: [shop.example.com]", "    origins: [*.example.com]",
                at: "13:15", "TB001",
                mentions: "quotes"),
            edit(
                "unquoted wildcard as a value", "    origins: [shop.example.com]", "    origins: *.example.com",
                at: "13:14", "TB001",
                mentions: "quotes"),
            edit(
                "tab indentation", "    scopes: [server_api]", "\tscopes: [server_api]", at: "15:1", "TB001",
                mentions: "tab"),
            edit("duplicate key", "  lifetime: 30d", "  lifetime: 30d\n  lifetime: 7d", at: "10:3", "TB004"),
            edit(
                "second document", "    path: \"{product}.env\"\n", "    path: \"{product}.env\"\n---\nversion: 1\n",
                at: "21:1", "TB003"),
            edit("alias bomb", "team_id: TEAM123456", "team_id: TEAM123456\n" + billionLaughs, at: "8:38", "TB007"),
            edit(
                "recursive alias", "    origins: [shop.example.com]", "    origins: &o [shop.example.com, *o]",
                at: "13:36", "TB005"),
            edit("merge key", "    scopes: [server_api]", "    <<: {scopes: [server_api]}", at: "15:5", "TB006"),
            edit(
                "byte 0xFF, which never occurs in UTF-8", "  web:",
                bytes: Array("  w".utf8) + [0xFF] + Array("b:".utf8), at: "11:4", "TB002"),
            edit(
                "Latin-1 é (0xE9) before a colon", "  web:", bytes: Array("  caf".utf8) + [0xE9] + Array(":".utf8),
                at: "11:6", "TB002"),
            BrokenManifest(name: "empty file", bytes: [], location: "1:1", code: "TB008"),
        ]

        /// Lists of ten aliases nested seven deep, ten million nodes in all. `*d` stands for 11,111
        /// nodes, so the eighth `*d` on the `e` line (8:38) is the first to pass the 100,000 limit.
        static let billionLaughs = """
            lols:
              a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
              b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
              c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
              d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
              e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
              f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
              g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
            """

        static let structure: [BrokenManifest] = [
            edit(
                "unknown key with a suggestion", "    scopes: [server_api]", "    scope: [server_api]", at: "15:5",
                "TB010",
                mentions: "did you mean `scopes`"),
            edit(
                "scopes given as a string", "    scopes: [server_api]", "    scopes: server_api", at: "15:13", "TB011"),
            edit("missing team_id", "team_id: TEAM123456\n", "", at: "1:1", "TB012", mentions: "team_id"),
            edit("version 2", "version: 1", "version: 2", at: "1:10", "TB013"),
        ]

        static let identifiers: [BrokenManifest] = [
            edit("lower-case Team ID", "team_id: TEAM123456", "team_id: team123456", at: "2:10", "TB020"),
            edit("short Team ID", "team_id: TEAM123456", "team_id: TEAM12", at: "2:10", "TB020"),
            edit("short Key ID", "    kid: KEY1234567", "    kid: KEY123", at: "5:10", "TB021"),
            edit("Key ID equal to the Team ID", "    kid: KEY1234567", "    kid: TEAM123456", at: "5:10", "TB022"),
            edit(
                "key with file and env", "    file: key.p8", "    file: key.p8\n    env: MAPS_KEY", at: "6:11", "TB023"),
            edit(
                "unknown key name", "    scopes: [server_api]", "    scopes: [server_api]\n    key: mian", at: "16:10",
                "TB024",
                mentions: "did you mean `main`"),
        ]

        static let scopesAndOrigins: [BrokenManifest] =
            [
                edit(
                    "unknown scope", "    scopes: [mapkit_js]", "    scopes: [mapkit]", at: "12:14", "TB030",
                    mentions: "mapkit_js"),
                edit("mapkit_js without origins", "    origins: [shop.example.com]\n", "", at: "11:3", "TB032"),
            ]
            + [
                ("origin with a scheme", "https://shop.example.com"),
                ("origin with a trailing slash", "shop.example.com/"),
                ("origin with a port", "shop.example.com:8443"),
                ("origin in upper case", "Shop.Example.com"),
                ("origin with whitespace", "\"shop.example.com \""),
                ("origin with a wildcard in the middle", "shop.*.example.com"),
            ].map { name, origin in
                edit(name, "    origins: [shop.example.com]", "    origins: [\(origin)]", at: "13:15", "TB033")
            }

        static let times: [BrokenManifest] =
            [
                ("duration without unit", "30"),
                ("fractional duration", "1.5d"),
                ("negative duration", "-30d"),
                ("zero duration", "0d"),
            ].map { name, duration in
                edit(name, "  lifetime: 30d", "  lifetime: \(duration)", at: "9:13", "TB040")
            } + [
                edit(
                    "expires without time zone", "    scopes: [server_api]",
                    "    scopes: [server_api]\n    expires: 2027-06-01T00:00:00",
                    at: "16:14", "TB041"),
                edit(
                    "lifetime and expires", "    scopes: [server_api]",
                    "    scopes: [server_api]\n    lifetime: 7d\n    expires: 2027-06-01T00:00:00Z", at: "17:14",
                    "TB042"),
                edit(
                    "expires before --now", "    scopes: [server_api]",
                    "    scopes: [server_api]\n    expires: 2026-12-01T00:00:00Z",
                    at: "16:14", "TB044"),
                edit(
                    "expires equal to --now", "    scopes: [server_api]",
                    "    scopes: [server_api]\n    expires: 2026-12-03T12:00:00Z",
                    at: "16:14", "TB044"),
            ]

        static let outputs: [BrokenManifest] = [
            edit("upper-case product name", "  geocoder:", "  Geocoder:", at: "14:3", "TB050"),
            edit("product name with underscore", "  geocoder:", "  geo_coder:", at: "14:3", "TB050"),
            edit(
                "absolute output path", "    path: tokens.json", "    path: /tmp/tokenbatch-tokens.json", at: "18:11",
                "TB051"),
            edit("output path with ..", "    path: tokens.json", "    path: ../tokens.json", at: "18:11", "TB051"),
            edit(
                "two outputs write one file", "    path: \"{product}.env\"", "    path: tokens.json", at: "20:11",
                "TB052"),
            edit(
                "shared env file with one variable", "    path: \"{product}.env\"",
                "    path: shared.env\n    variable: MAPS_TOKEN",
                at: "21:15", "TB052"),
        ]
    }

    /// Ways the signing key can be unusable, each made after a successful run with a good key.
    enum KeyFault: String, CaseIterable, Sendable {
        case fileMissing
        case variableUnset
        case p384
        case rsa
        case publicKey

        var code: String {
            self == .fileMissing || self == .variableUnset ? "TB060" : "TB061"
        }

        /// What the message must say about the key.
        var mention: String {
            switch self {
            case .fileMissing: "key.p8"
            case .variableUnset: "MAPS_KEY"
            case .p384: "secp384r1"
            case .rsa: "RSA"
            case .publicKey: "public key"
            }
        }

        /// Breaks the key at `path` and returns the text now there, empty when there is none.
        func spoil(keyAt path: URL) throws -> String {
            switch self {
            case .fileMissing, .variableUnset:
                try FileManager.default.removeItem(at: path)
                return ""
            case .p384:
                try FileManager.default.removeItem(at: path)
                try makeTestKey(at: path, curve: "P-384")
            case .rsa:
                try FileManager.default.removeItem(at: path)
                let result = try runProcess(
                    "/usr/bin/openssl",
                    ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path.path])
                guard result.status == 0 else { throw TestFailure("openssl genpkey failed: \(result.standardError)") }
            case .publicKey:
                let publicKey = try IndependentVerifier.publicKeyPEM(ofPrivateKey: path)
                try Data(publicKey.utf8).write(to: path)
            }
            return try String(contentsOf: path, encoding: .utf8)
        }
    }
}

// MARK: - Workspace

extension BadInputEndToEndTests {
    /// A temporary folder holding a manifest, its key and an `out` folder.
    struct Workspace {
        let root: TemporaryDirectory

        init() throws {
            root = try TemporaryDirectory()
        }

        var out: URL { root.url.appendingPathComponent("out") }

        func url(_ path: String) -> URL { root.url.appendingPathComponent(path) }

        func write(_ bytes: [UInt8], to path: String) throws {
            try FileManager.default.createDirectory(
                at: url(path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url(path))
        }

        func apply(_ manifest: String, environment: [String: String] = [:]) throws -> ProcessResult {
            try tokenbatch(
                ["apply", manifest, "--now", BadInputEndToEndTests.now, "--out-dir", "out"], in: root.url,
                environment: environment)
        }

        /// Fills `out` from the valid manifest and a fresh key, which later runs must not change.
        func applyValidManifest() throws {
            try makeTestKey(at: url("key.p8"))
            try write(Array(BrokenManifest.validManifest.utf8), to: "good.yml")
            let result = try apply("good.yml")
            guard result.status == 0 else { throw TestFailure("the valid manifest failed: \(result.standardError)") }
        }
    }
}

extension String {
    /// The text with `target`, which must occur exactly once, replaced.
    fileprivate func replacingOnce(_ target: String, with replacement: String) -> String {
        precondition(components(separatedBy: target).count == 2, "`\(target)` must occur once")
        return replacingOccurrences(of: target, with: replacement)
    }
}
