import Foundation
import Testing

@testable import TokenBatch

/// One manifest per rule in `Tests/fixtures/diagnostics`, each run through the built binary
/// and checked for its exact diagnostic; and the catalogue, the fixtures and the
/// documentation kept in step.
@Suite struct DiagnosticFixtureTests {
    static let folder = packageRoot.appendingPathComponent("Tests/fixtures/diagnostics")

    static var fixtureNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("TB") && $0.hasSuffix(".yml") }.sorted()
    }

    /// What a fixture's closing comment lines ask for.
    struct Directives {
        var expected: [String] = []
        var arguments: [String] = []
        var keys: [(file: String, mode: Int)] = []
        var files: [(path: String, text: String)] = []
        var manifest: String?

        init(_ text: String) {
            for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("# ") {
                let parts = line.dropFirst(2).split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                switch parts[0] {
                case "expect": expected.append(value)
                case "args": arguments += value.split(separator: " ").map(String.init)
                case "manifest": manifest = value
                case "setup":
                    let words = value.split(separator: " ", maxSplits: 2)
                    if words.count == 3, words[0] == "key", let mode = Int(words[2], radix: 8) {
                        keys.append((String(words[1]), mode))
                    } else if words.count == 3, words[0] == "file" {
                        files.append((String(words[1]), String(words[2])))
                    }
                default: continue
                }
            }
        }
    }

    @Test("each fixture gets exactly its expected diagnostic from plan", arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let workspace = try TemporaryDirectory()
        for file in [name, "not-a-key-test.pem"] {
            try FileManager.default.copyItem(
                at: Self.folder.appendingPathComponent(file), to: workspace.url.appendingPathComponent(file))
        }
        let text = String(decoding: try Data(contentsOf: Self.folder.appendingPathComponent(name)), as: UTF8.self)
        let directives = Directives(text)
        for file in directives.files {
            try workspace.write(file.text + "\n", to: file.path)
        }
        for key in directives.keys {
            let path = workspace.url.appendingPathComponent(key.file)
            try makeTestKey(at: path)
            try FileManager.default.setAttributes([.posixPermissions: key.mode], ofItemAtPath: path.path)
        }
        #expect(!directives.expected.isEmpty, "\(name) says nothing to expect")

        let arguments = ["plan", directives.manifest ?? name, "--now", "2026-12-03T12:00:00Z", "--format", "json"]
        let result = try tokenbatch(arguments + directives.arguments, in: workspace.url)
        let document = try JSONSerialization.jsonObject(with: result.standardOutputData) as? [String: Any]
        let reported = (document?["diagnostics"] as? [[String: Any]] ?? []).map { diagnostic in
            let place = (diagnostic["line"] as? Int).map { "\($0):\(diagnostic["column"] as? Int ?? 0)" } ?? "-"
            return "\(diagnostic["severity"] ?? "") \(diagnostic["code"] ?? "") \(place) \(diagnostic["message"] ?? "")"
        }

        for expected in directives.expected {
            #expect(reported.contains(expected), "reported:\n\(reported.joined(separator: "\n"))")
        }
        let hasError = reported.contains { $0.hasPrefix("error ") }
        #expect(result.status == (hasError ? 1 : 0))
        #expect(result.standardError.isEmpty, "JSON format writes nothing on standard error")
    }

    @Test("every rule has a fixture and a section in docs/diagnostics.md, and nothing else does")
    func catalogueIsComplete() throws {
        let rules = Set(Rule.allCases.map(\.code))
        let fixtures = Set(Self.fixtureNames.map { String($0.prefix(5)) })
        let documentation = try String(
            contentsOf: packageRoot.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        let documented = Set(
            documentation.split(separator: "\n").filter { $0.hasPrefix("## TB") }.map {
                String($0.dropFirst(3).prefix(5))
            })

        #expect(fixtures.subtracting(rules).isEmpty, "fixtures of unknown rules")
        #expect(rules.subtracting(fixtures).isEmpty, "rules without a fixture")
        #expect(documented.subtracting(rules).isEmpty, "documented rules that do not exist")
        #expect(rules.subtracting(documented).isEmpty, "rules without documentation")
    }

    @Test("a manifest with ten different mistakes gets all ten reported, located, in one run")
    func tenMistakes() throws {
        let workspace = try TemporaryDirectory()
        try workspace.write(
            """
            version: 1
            team_id: def123ghij
            keys:
              prod:
                kid: ABC-123
                file: absent-test-key.p8
            defaults:
              key: prod
              lifetime: 30
            products:
              Web_Site:
                scopes: [mapkit]
                origins: [https://example.com]
              api:
                scopes: [server_api]
                expires: 2026-01-01T00:00:00
                colour: blue
            outputs:
              - format: yaml
                path: ../tokens.json

            """, to: "m.yml")

        let result = try tokenbatch(["plan", "m.yml", "--now", "2026-12-03T12:00:00Z"], in: workspace.url)
        let located = result.standardError.split(separator: "\n").filter { $0.hasPrefix("m.yml:") }.map { line in
            String(line.split(separator: " ").prefix(2).joined(separator: " "))
        }

        #expect(result.status == 1)
        #expect(
            located == [
                "m.yml:2:10: error[TB020]:", "m.yml:5:10: error[TB021]:", "m.yml:9:13: error[TB040]:",
                "m.yml:11:3: error[TB050]:", "m.yml:12:14: error[TB030]:", "m.yml:13:15: error[TB033]:",
                "m.yml:16:14: error[TB041]:", "m.yml:17:5: error[TB010]:", "m.yml:19:13: error[TB054]:",
                "m.yml:20:11: error[TB051]:",
            ], "stderr:\n\(result.standardError)")
        #expect(result.standardError.hasSuffix("10 errors, 0 warnings\n"))
    }
}

/// The fuzzer's seed manifests in `Fuzz/seeds/manifest` must stay valid: a seed that fails to
/// load teaches the fuzzer only the error path.
struct FuzzSeedTests {
    static let folder = packageRoot.appendingPathComponent("Fuzz/seeds/manifest")

    static var seedNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yml") }
            .sorted()
    }

    @Test("every seed manifest plans without an error", arguments: seedNames)
    func seedPlans(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let planned = Result { () throws(DiagnosticsError) -> Plan in
            let loaded = try ManifestLoader.load(bytes: bytes, file: name)
            return try Planner.plan(loaded.manifest, at: UnixTime(seconds: 1_800_000_000), problems: loaded.problems)
        }

        #expect(throws: Never.self) { try planned.get() }
    }

    // An empty or misplaced folder would make the test above pass with no cases at all.
    @Test func seedsArePresent() {
        #expect(Self.seedNames.count >= 6)
    }
}
