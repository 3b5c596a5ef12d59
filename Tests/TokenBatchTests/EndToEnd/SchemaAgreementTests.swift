import Foundation
import Testing

/// `tokenbatch schema` and `tokenbatch plan` agree: every manifest the planner accepts is
/// valid under the schema, and every fixture of a rule the schema can express is invalid
/// under it. The schema is checked by Python's `jsonschema`, not by tokenbatch.
@Suite struct SchemaAgreementTests {
    /// Rules about the form of a single value or the shape of the document, which a JSON
    /// Schema can state. The others need several values at once (collisions, the time of
    /// signing, keys that exist) or are about YAML the editor never sees as JSON (duplicate
    /// keys), and are the planner's alone.
    static let schemaRules: Set<String> = [
        "TB001", "TB002", "TB003", "TB006", "TB008", "TB009", "TB010", "TB011", "TB012", "TB013", "TB014",
        "TB020", "TB021", "TB023", "TB025", "TB030", "TB031", "TB033", "TB034", "TB040", "TB041", "TB042",
        "TB050", "TB051", "TB053", "TB054", "TB055",
    ]

    struct Verdict: Decodable {
        var file: String
        var valid: Bool
        var errors: [String]
    }

    @Test("the schema accepts what the planner accepts and rejects the fixtures of the rules it can state")
    func agreement() throws {
        let workspace = try TemporaryDirectory()
        let schema = try tokenbatch(["schema"], in: workspace.url)
        #expect(schema.status == 0)
        let schemaFile = workspace.url.appendingPathComponent("tokenbatch.schema.json")
        try schema.standardOutputData.write(to: schemaFile)

        let fixtures = DiagnosticFixtureTests.fixtureNames.map {
            DiagnosticFixtureTests.folder.appendingPathComponent($0)
        }
        let example = packageRoot.appendingPathComponent("manifests/example.yml")
        let script = packageRoot.appendingPathComponent("Tests/checkers/schema_check.py").path
        let result = try runProcess(
            "/usr/bin/env", ["python3", script, schemaFile.path, example.path] + fixtures.map(\.path))
        #expect(result.status == 0, "schema_check.py: \(result.standardError)")
        let verdicts = try result.standardOutput.split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        #expect(verdicts.count == fixtures.count + 1)

        for verdict in verdicts {
            let name = URL(fileURLWithPath: verdict.file).lastPathComponent
            let text = String(
                decoding: (try? Data(contentsOf: URL(fileURLWithPath: verdict.file))) ?? Data(), as: UTF8.self)
            let expectations = DiagnosticFixtureTests.Directives(text).expected
            let plannerAccepts = expectations.allSatisfy { $0.hasPrefix("warning ") }

            if plannerAccepts {
                #expect(verdict.valid, "\(name) is accepted by plan but not by the schema: \(verdict.errors)")
            }
            if Self.schemaRules.contains(String(name.prefix(5))) {
                #expect(!verdict.valid, "\(name) breaks a rule the schema states, yet the schema accepts it")
            }
        }
    }
}
