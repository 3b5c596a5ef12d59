import Testing

@testable import TokenBatch

/// A valid manifest; tests replace one line of it to break exactly one rule.
let validManifest = """
    version: 1
    team_id: DEF123GHIJ
    keys:
      prod:
        kid: ABC123DEFG
        file: keys/test-key.p8
    defaults:
      key: prod
      lifetime: 30d
    products:
      web:
        scopes: [mapkit_js]
        origins: [example.com, "*.example.com"]
      api:
        scopes: [server_api]
    outputs:
      - format: json
        path: tokens.json
      - format: env
        path: "{product}.env"

    """

let planningTime = UnixTime(seconds: 1_800_000_000)

/// Plans `yaml` as the manifest `m.yml`; returns the plan or every problem.
func plan(_ yaml: String) -> Result<Plan, DiagnosticsError> {
    Result { () throws(DiagnosticsError) -> Plan in
        let loaded = try ManifestLoader.load(bytes: Array(yaml.utf8), file: "m.yml")
        return try Planner.plan(loaded.manifest, at: planningTime, problems: loaded.problems)
    }
}

func problems(_ yaml: String) -> [Diagnostic] {
    switch plan(yaml) {
    case .success(let plan): plan.warnings
    case .failure(let error): error.diagnostics
    }
}

func replacing(_ old: String, with new: String) -> String {
    precondition(validManifest.contains(old), "the valid manifest has no `\(old)`")
    return validManifest.replacingOccurrences(of: old, with: new)
}

struct PlannerTests {
    @Test("The valid manifest plans one token per product with defaults applied")
    func validManifestPlans() throws {
        let plan = try plan(validManifest).get()

        #expect(plan.warnings.isEmpty)
        #expect(plan.tokens.map(\.product) == ["web", "api"])
        #expect(plan.tokens[0].origin == "example.com,*.example.com")
        #expect(plan.tokens[1].origin == nil)
        #expect(plan.tokens.allSatisfy { $0.expiresAt.seconds == planningTime.seconds + 30 * 86_400 })
        #expect(plan.tokens.allSatisfy { $0.keyID == "ABC123DEFG" && $0.issuer == "DEF123GHIJ" })
        #expect(plan.files.map(\.path) == ["tokens.json", "web.env", "api.env"])
        #expect(plan.files.allSatisfy { $0.mode == 0o600 })
        #expect(plan.keys.map(\.resolvedPath) == ["./keys/test-key.p8"])
    }

    @Test(
        "Each broken rule is reported at its place with its code",
        arguments: [
            ("version: 1", "version: 2", "m.yml:1:10 TB013"),
            ("version: 1", "version: \"1\"", "m.yml:1:10 TB011"),
            ("team_id: DEF123GHIJ", "team_id: def123ghij", "m.yml:2:10 TB020"),
            ("team_id: DEF123GHIJ", "team_id: DEF123", "m.yml:2:10 TB020"),
            ("team_id: DEF123GHIJ", "team: DEF123GHIJ", "m.yml:2:1 TB010"),
            ("    kid: ABC123DEFG", "    kid: ABC-123", "m.yml:5:10 TB021"),
            ("    kid: ABC123DEFG", "    kid: DEF123GHIJ", "m.yml:5:10 TB022"),
            ("    file: keys/test-key.p8", "    file: keys/test-key.p8\n    env: KEY", "m.yml:6:11 TB023"),
            ("  key: prod", "  key: prd", "m.yml:8:8 TB024"),
            ("    scopes: [mapkit_js]", "    scopes: [mapkit]", "m.yml:12:14 TB030"),
            ("    scopes: [mapkit_js]", "    scopes: mapkit_js", "m.yml:12:13 TB011"),
            ("    scopes: [mapkit_js]", "    scopes: []", "m.yml:12:13 TB031"),
            ("    origins: [example.com, \"*.example.com\"]", "    origins: []", "m.yml:13:14 TB032"),
            (
                "    origins: [example.com, \"*.example.com\"]", "    origins: [example.com, example.com]",
                "m.yml:13:28 TB034"
            ),
            ("  lifetime: 30d", "  lifetime: 30", "m.yml:9:13 TB040"),
            ("  lifetime: 30d", "  expires: 2027-01-01T00:00:00", "m.yml:9:12 TB041"),
            ("  lifetime: 30d", "  expires: 2020-01-01T00:00:00Z", "m.yml:9:12 TB044"),
            ("  lifetime: 30d", "  lifetime: 30d\n  expires: 2099-01-01T00:00:00Z", "m.yml:10:12 TB042"),
            ("  lifetime: 30d", "  renew_before: 1d", "m.yml:11:3 TB043"),
            ("  web:", "  Web_Site:", "m.yml:11:3 TB050"),
            ("    path: tokens.json", "    path: /etc/tokens.json", "m.yml:18:11 TB051"),
            ("    path: tokens.json", "    path: ../tokens.json", "m.yml:18:11 TB051"),
            ("    path: tokens.json", "    path: .tokenbatch-state.json", "m.yml:18:11 TB051"),
            ("    path: tokens.json", "    path: \"{name}.json\"", "m.yml:18:11 TB051"),
            ("    path: tokens.json", "    path: web.env", "m.yml:20:11 TB052"),
            ("    path: \"{product}.env\"", "    path: all.env", "m.yml:20:11 TB052"),
            ("    path: \"{product}.env\"", "    path: all.env\n    variable: 1TOKEN", "m.yml:21:15 TB053"),
            ("  - format: json", "  - format: yaml", "m.yml:17:13 TB054"),
            ("    path: tokens.json", "    path: tokens.json\n    mode: \"0666\"", "m.yml:19:11 TB055"),
            ("    scopes: [server_api]", "    scope: [server_api]", "m.yml:15:5 TB010"),
            (
                "    path: \"{product}.env\"", "    path: \"{product}\(String(repeating: "x", count: 200)).env\"",
                "m.yml:20:11 TB051"
            ),
            ("    file: keys/test-key.p8", "    file: keys/AuthKey_XYZ987WVUT.p8", "m.yml:6:11 TB027"),
            ("    origins: [example.com, \"*.example.com\"]", "    origins: [999.1.1.1]", "m.yml:13:15 TB033"),
            ("    origins: [example.com, \"*.example.com\"]", "    origins: [\"[::1]\"]", "m.yml:13:15 TB033"),
        ])
    func brokenRule(old: String, new: String, expected: String) {
        let found = summary(problems(replacing(old, with: new)))
        #expect(found.contains(expected), "found \(found)")
        #expect(found.count == 1 || found.allSatisfy { $0.hasPrefix("m.yml:") }, "found \(found)")
    }

    @Test("A variable made from a product name that starts with a digit is refused for that product")
    func variableFromProductName() {
        let yaml = replacing("  web:", with: "  1web:")
            .replacingOccurrences(
                of: "    path: \"{product}.env\"", with: "    path: all.env\n    variable: \"{product}\"")
        let found = problems(yaml)

        #expect(summary(found) == ["m.yml:21:15 TB053"])
        #expect(found.first?.message.contains("`1WEB`") == true)
    }

    @Test("A quoted \"<<\" is an ordinary unknown key, not a merge key")
    func quotedMergeKey() {
        let found = problems(replacing("    scopes: [server_api]", with: "    scopes: [server_api]\n    \"<<\": x"))
        #expect(summary(found) == ["m.yml:16:5 TB010"])
    }

    @Test("A product written twice is reported once, as a duplicate key, without a collision of its files")
    func duplicateProduct() {
        let found = problems(
            replacing(
                "  api:\n    scopes: [server_api]\n",
                with: "  api:\n    scopes: [server_api]\n  api:\n    scopes: [server_api]\n"))
        #expect(summary(found) == ["m.yml:16:3 TB004"])
    }

    @Test("`defaults` with both lifetime and expires is an error even where products override both")
    func defaultsWithBoth() {
        let yaml = replacing("  lifetime: 30d", with: "  lifetime: 30d\n  expires: 2099-01-01T00:00:00Z")
            .replacingOccurrences(of: "    scopes: [server_api]", with: "    scopes: [server_api]\n    lifetime: 7d")
            .replacingOccurrences(of: "    scopes: [mapkit_js]", with: "    scopes: [mapkit_js]\n    lifetime: 7d")
        #expect(summary(problems(yaml)) == ["m.yml:10:12 TB042"])
    }

    @Test("A product without settings is not also a manifest without products")
    func productWithoutSettings() {
        let found = problems(replacing("  api:\n    scopes: [server_api]\n", with: "  api:\n"))
        #expect(summary(found) == ["m.yml:14:3 TB012"])
    }

    @Test("Two keys with one Key ID are an error at the second")
    func duplicateKeyID() {
        let yaml = replacing(
            "    file: keys/test-key.p8",
            with: "    file: keys/test-key.p8\n  next:\n    kid: ABC123DEFG\n    env: NEXT_KEY")
        #expect(summary(problems(yaml)).contains("m.yml:8:10 TB021"))
    }

    @Test("Products written as nothing are reported once, as no products")
    func nullProducts() {
        let yaml = validManifest.replacingOccurrences(
            of:
                "products:\n  web:\n    scopes: [mapkit_js]\n    origins: [example.com, \"*.example.com\"]\n  api:\n    scopes: [server_api]\n",
            with: "products:\n")
        // No TB026 for the key that no product uses: the report stays on the one mistake.
        #expect(summary(problems(yaml)) == ["m.yml:1:1 TB014"])
    }

    @Test("IPv4 addresses are origins; numbers that are not addresses are not")
    func numericOrigins() {
        #expect(OriginRule.check("192.168.0.1") == nil)
        #expect(OriginRule.check("256.1.1.1") != nil)
        #expect(OriginRule.check("1.2.3") != nil)
        #expect(OriginRule.check("01.2.3.4") != nil)
    }

    @Test("Unknown keys suggest the nearest known key")
    func suggestion() {
        let found = problems(replacing("    scopes: [server_api]", with: "    scope: [server_api]"))
        #expect(found.contains { $0.hint == "did you mean `scopes`?" })
    }

    @Test("All problems are reported in one run, errors before warnings, in file order")
    func everyProblemAtOnce() {
        let yaml = replacing("team_id: DEF123GHIJ", with: "team_id: lower")
            .replacingOccurrences(
                of: "    scopes: [server_api]",
                with: "    scopes: [server_api, mapkit_js]\n    origins: [\"https://x.com\"]"
            )
            .replacingOccurrences(of: "  lifetime: 30d", with: "  lifetime: 1.5d")
        let found = problems(yaml).sortedForReport()

        // Nothing is reported twice: the unreadable lifetime is not also called missing.
        #expect(summary(found) == ["m.yml:2:10 TB020", "m.yml:9:13 TB040", "m.yml:16:15 TB033", "m.yml:15:13 TB035"])
    }

    @Test("YAML 1.1 spellings stay text where text is expected")
    func yaml11Surprises() throws {
        let yaml = replacing("  web:", with: "  no:").replacingOccurrences(
            of: "team_id: DEF123GHIJ", with: "team_id: 1234567890")
        let plan = try plan(yaml).get()

        #expect(plan.tokens.first?.product == "no")
        #expect(plan.tokens.first?.issuer == "1234567890")
    }

    @Test("A product's own expiry wins over the default lifetime")
    func ownExpiryWins() throws {
        let yaml = replacing(
            "    scopes: [server_api]", with: "    scopes: [server_api]\n    expires: 2030-01-01T00:00:00+01:00")
        let plan = try plan(yaml).get()

        #expect(plan.tokens[1].expiresAt.rfc3339 == "2029-12-31T23:00:00Z")
    }

    @Test("Several scopes in one token are a warning, not an error")
    func severalScopes() throws {
        let yaml = replacing(
            "    scopes: [server_api]", with: "    scopes: [server_api, web_snapshots]\n    origins: [example.com]")
        let plan = try plan(yaml).get()

        #expect(summary(plan.warnings) == ["m.yml:15:13 TB035"])
        #expect(plan.tokens[1].scope == "server_api web_snapshots")
    }

    @Test("A shared env file names each product's variable")
    func sharedEnvFile() throws {
        let yaml = replacing("    path: \"{product}.env\"", with: "    path: all.env\n    variable: \"MAPS_{product}\"")
            .replacingOccurrences(of: "  web:", with: "  store-web:")
        let plan = try plan(yaml).get()

        #expect(plan.files.map(\.path) == ["tokens.json", "all.env"])
        #expect(plan.files[1].variables == ["MAPS_STORE_WEB", "MAPS_API"])
    }
}

/// A manifest of thousands of products: every problem found, located, and the tokens in order.
struct LargeManifestPlanningTests {
    /// `count` products, those in `broken` each with a decoding problem and a planning one.
    static func manifest(count: Int, broken: Set<Int> = []) -> String {
        var lines = [
            "version: 1", "team_id: DEF123GHIJ", "keys:", "  prod:", "    kid: ABC123DEFG",
            "    file: keys/test-key.p8", "defaults:", "  lifetime: 30d", "products:",
        ]
        for index in 0..<count {
            lines.append("  p\(index):")
            if broken.contains(index) {
                lines += ["    scopes: [mapkit_js]", "    colour: blue"]
            } else {
                lines += ["    scopes: [server_api]", "    origins: [p\(index).example.com]"]
            }
        }
        lines += ["outputs:", "  - format: json", "    path: tokens.json", ""]
        return lines.joined(separator: "\n")
    }

    @Test("5,000 products plan in manifest order, and every problem is reported once, in order")
    func largeManifest() throws {
        let valid = try plan(Self.manifest(count: 5_000)).get()
        #expect(valid.tokens.map(\.product) == (0..<5_000).map { "p\($0)" })
        #expect(valid.tokens[4_999].origin == "p4999.example.com")

        let broken = Array(stride(from: 3, to: 5_000, by: 97))
        let found = problems(Self.manifest(count: 5_000, broken: Set(broken)))
        let unknownKeys = found.filter { $0.rule == .unknownKey }
        let missingOrigins = found.filter { $0.rule == .originRequired }
        #expect(unknownKeys.count == broken.count)
        #expect(missingOrigins.count == broken.count)
        #expect(found.count == 2 * broken.count)
        // Product i's name is on line 10 + 3 i, and its unknown key two lines below.
        #expect(unknownKeys.compactMap(\.location?.line) == broken.map { 10 + 3 * $0 + 2 })
        #expect(missingOrigins.compactMap(\.location?.line) == broken.map { 10 + 3 * $0 })
    }
}

extension LargeManifestPlanningTests {
    @Test("A product may list 1,000 origins, and one more is refused at its `origins`")
    func originBound() throws {
        func manifest(origins count: Int) -> String {
            let origins = (0..<count).map { "o\($0).example.com" }.joined(separator: ", ")
            return replacing("    origins: [example.com, \"*.example.com\"]", with: "    origins: [\(origins)]")
        }

        let planned = try plan(manifest(origins: Planner.maximumOrigins)).get()
        #expect(planned.tokens[0].origins.count == Planner.maximumOrigins)

        let refused = problems(manifest(origins: Planner.maximumOrigins + 1))
        #expect(refused.map(\.rule) == [.yamlLimit])
        #expect(refused.first?.location?.line == 13)
    }
}

extension PlannerTests {
    @Test("A mistake in `defaults` is reported once, however many products inherit it")
    func defaultsMistakesOnce() {
        let products = (0..<100).map { "  p\($0):\n    key: prod" }.joined(separator: "\n")
        let yaml = """
            version: 1
            team_id: DEF123GHIJ
            policy:
              max_lifetime: 14d
            keys:
              prod:
                kid: ABC123DEFG
                file: keys/test-key.p8
            defaults:
              lifetime: 30d
              renew_before: 40d
              scopes: [server_api, embed_api]
              origins: [example.com]
            products:
            \(products)
              own:
                scopes: [server_api, embed_api]
                lifetime: 20d
            outputs:
              - format: json
                path: tokens.json

            """

        let found = problems(yaml).map { "\($0.rule.code) \($0.location?.line ?? 0) \($0.message)" }

        #expect(
            found.sorted() == [
                "TB035 12 `defaults` has 2 scopes in one token",
                "TB035 216 product `own` has 2 scopes in one token",
                "TB045 11 `renew_before` (40d) is not shorter than the lifetime in `defaults`",
                "TB045 11 `renew_before` (40d) is not shorter than the lifetime of product `own`",
                "TB047 10 tokens with the lifetime in `defaults` would live 30d, longer than the policy's "
                    + "`max_lifetime` of 14d",
                "TB047 217 the token of product `own` would live 20d, longer than the policy's `max_lifetime` of 14d",
            ])
    }
}

extension PlannerTests {
    @Test("Mistakes in `defaults` are found even while every product overrides the setting")
    func defaultsCheckedOnTheirOwn() {
        let yaml = """
            version: 1
            team_id: DEF123GHIJ
            policy:
              max_lifetime: 60d
            keys:
              prod:
                kid: ABC123DEFG
                file: keys/test-key.p8
            defaults:
              scopes: [server-api]
              origins: ["https://bad.example.com"]
              lifetime: 90d
              renew_before: 100d
            products:
              web:
                scopes: [mapkit_js]
                origins: [example.com]
                lifetime: 30d
                renew_before: 7d
            outputs:
              - format: json
                path: tokens.json

            """

        let found = problems(yaml).map { "\($0.rule.code) \($0.location?.line ?? 0)" }

        #expect(found.sorted() == ["TB030 10", "TB033 11", "TB045 13", "TB047 12"])
    }
}

extension PlannerTests {
    @Test("A YAML tag is reported and the rest of the manifest is still checked")
    func tagDoesNotHideLaterProblems() {
        let tagged = replacing("  lifetime: 30d", with: "  lifetime: !secret 30d")
            .replacingOccurrences(
                of: "origins: [example.com, \"*.example.com\"]", with: "origins: [https://example.com]")

        let found = problems(tagged).map { "\($0.rule.code) \($0.location?.line ?? 0)" }

        #expect(found == ["TB009 9", "TB033 13"])
    }
}

struct OriginRuleTests {
    @Test(
        "Accepted origins",
        arguments: [
            "example.com", "*.example.com", "localhost", "a-b.example.co.uk", "xn--bcher-kva.example", "127.0.0.1",
        ])
    func accepted(origin: String) {
        #expect(OriginRule.check(origin) == nil)
    }

    @Test(
        "Refused origins, each with its reason",
        arguments: [
            ("https://example.com", "scheme"), ("example.com/", "path or a trailing slash"),
            ("example.com/maps", "path"),
            ("example.com:8443", "port"), ("Example.com", "upper-case"), (" example.com", "whitespace"),
            ("example.com,b.com", "comma"), ("www.*.example.com", "not a leading"), ("*example.com", "not a leading"),
            ("*.com", "top-level"), ("*", "not a leading"), ("exa_mple.com", "not a valid domain"),
            ("example..com", "empty label"),
            ("-example.com", "not a valid domain"), ("bücher.example", "non-ASCII"), ("", "empty"),
        ])
    func refused(origin: String, reason: String) {
        let problem = OriginRule.check(origin)
        #expect(problem?.message.contains(reason) == true, "\(problem?.message ?? "accepted")")
    }
}

struct IdentifierTests {
    @Test("Product and key names")
    func names() {
        #expect(Identifiers.checkName("storefront-web", what: "product") == nil)
        #expect(Identifiers.checkName("a", what: "product") == nil)
        #expect(Identifiers.checkName("-web", what: "product") != nil)
        #expect(Identifiers.checkName("web-", what: "product") != nil)
        #expect(Identifiers.checkName(String(repeating: "a", count: 64), what: "product") != nil)
        #expect(Identifiers.checkName("Web_Site", what: "product")?.hint == "rename it, for example to `web-site`")
    }

    @Test("Variable fragments of product names")
    func variableFragments() {
        #expect(Identifiers.variableFragment(of: "store-web-2") == "STORE_WEB_2")
        #expect(Identifiers.isVariableName("MAPS_TOKEN"))
        #expect(!Identifiers.isVariableName("2MAPS"))
        #expect(!Identifiers.isVariableName("MAPS-TOKEN"))
    }
}
