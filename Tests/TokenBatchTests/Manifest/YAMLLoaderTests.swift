import Testing

@testable import TokenBatch

/// Loads `yaml` as the manifest `m.yml` and returns every problem, thrown or not.
func yamlProblems(_ yaml: String) -> [Diagnostic] {
    yamlProblems(bytes: Array(yaml.utf8))
}

func yamlProblems(bytes: [UInt8]) -> [Diagnostic] {
    do {
        return try YAMLLoader.load(bytes, file: "m.yml").diagnostics
    } catch {
        return error.diagnostics
    }
}

/// `file:line:column code` of each problem, for compact exact assertions.
func summary(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\($0.location.map(\.description) ?? "-") \($0.rule.code)" }
}

struct YAMLLoaderTests {
    @Test("Duplicate keys are reported at the second one, naming the line of the first")
    func duplicateKeys() {
        let problems = yamlProblems("a: 1\nb: 2\na: 3\n")

        #expect(summary(problems) == ["m.yml:3:1 TB004"])
        #expect(problems.first?.message.contains("first set at line 1") == true)
    }

    @Test(
        "Duplicate keys are found in small mappings, which are searched, and in large ones, which are indexed",
        arguments: [3, 11, 12, 13, 40])
    func duplicateKeysAtEverySize(keys: Int) {
        // Keys k0…k(n-1), then k0 again, then a merge key and k1 again: two duplicates.
        var yaml = (0..<keys).map { "k\($0): \($0)\n" }.joined()
        yaml += "k0: again\n<<: {}\nk1: again\n"
        let problems = yamlProblems(yaml)

        #expect(
            summary(problems) == [
                "m.yml:\(keys + 1):1 TB004", "m.yml:\(keys + 2):1 TB006", "m.yml:\(keys + 3):1 TB004",
            ])
        #expect(problems.first?.message.contains("first set at line 1") == true)
        #expect(problems.last?.message.contains("first set at line 2") == true)
    }

    @Test("An unquoted value starting with `*` is explained as an alias, with a hint to quote it")
    func unquotedWildcard() {
        let problems = yamlProblems("origins:\n  - *.example.com\n")

        #expect(summary(problems) == ["m.yml:2:5 TB001"])
        #expect(problems.first?.hint?.contains("quotes") == true)
    }

    @Test("A tab used for indentation is named as such")
    func tabIndentation() {
        let problems = yamlProblems("products:\n\tweb: 1\n")

        #expect(summary(problems) == ["m.yml:2:1 TB001"])
        #expect(problems.first?.message.contains("tab") == true)
    }

    @Test("A second document is refused where it starts")
    func secondDocument() {
        #expect(summary(yamlProblems("a: 1\n---\nb: 2\n")) == ["m.yml:2:1 TB003"])
    }

    @Test("A recursive alias is refused instead of looping")
    func recursiveAlias() {
        #expect(summary(yamlProblems("a: &x [1, *x]\n")) == ["m.yml:1:11 TB005"])
    }

    @Test("An alias to an undefined anchor is refused")
    func undefinedAlias() {
        #expect(summary(yamlProblems("a: *nothing\n")) == ["m.yml:1:4 TB005"])
    }

    @Test("An alias bomb is stopped at the expansion bound, long before it is walked")
    func aliasBomb() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = String(repeating: "*a\(level - 1), ", count: 8) + "*a\(level - 1)"
            yaml += "a\(level): &a\(level) [\(previous)]\n"
        }
        let problems = yamlProblems(yaml)

        #expect(problems.map(\.rule) == [.yamlLimit])
        #expect(problems.first?.location?.line ?? 0 <= 7)
    }

    @Test("Aliases that stay within the bound are resolved")
    func modestAliases() throws {
        let (root, problems) = try YAMLLoader.load(
            Array("shared: &o [a.com, b.com]\nx: *o\ny: *o\n".utf8), file: "m.yml")

        #expect(problems.isEmpty)
        guard case .mapping(let pairs)? = root?.content, case .sequence(let items) = pairs[2].value.content else {
            Issue.record("unexpected tree")
            return
        }
        #expect(items.count == 2)
        #expect(pairs[2].value.location.line == 3)
    }

    @Test("Nesting beyond the limit is refused")
    func deepNesting() {
        let yaml = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(yamlProblems(yaml).map(\.rule) == [.yamlLimit])
    }

    @Test(
        "Anchor, alias and tag names longer than the bound are refused without being quoted",
        arguments: ["x: &NAME 1\n", "a: &b 1\nx: *NAME\n", "x: !NAME 1\n"])
    func longNames(_ template: String) {
        let name = String(repeating: "n", count: YAMLLoader.Limits.nameLength + 1)
        let problems = yamlProblems(template.replacingOccurrences(of: "NAME", with: name))

        #expect(problems.map(\.rule) == [.yamlLimit])
        #expect(problems.allSatisfy { !$0.message.contains(name) })
    }

    @Test("Merge keys are reported, not applied")
    func mergeKey() {
        #expect(summary(yamlProblems("base: &b {a: 1}\nx:\n  <<: *b\n")) == ["m.yml:3:3 TB006"])
    }

    @Test("Tags other than the string tag are refused")
    func tags() {
        #expect(summary(yamlProblems("a: !!binary aGk=\n")) == ["m.yml:1:4 TB009"])
        #expect(yamlProblems("a: !!str 0600\n").isEmpty)
    }

    @Test("Invalid UTF-8 is located by line and column although libyaml gives only an offset")
    func invalidUTF8() {
        let bytes = Array("version: 1\nteam_id: AB".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let problems = yamlProblems(bytes: bytes)

        // "team_id: AB" fills columns 1 to 11, so the bad byte is at column 12.
        #expect(summary(problems) == ["m.yml:2:12 TB002"])
    }

    @Test("Complex keys are refused")
    func complexKeys() {
        #expect(yamlProblems("? [a, b]\n: 1\n").map(\.rule) == [.wrongType])
    }

    @Test("Plain scalars keep the style that tells `0600` from \"0600\"")
    func scalarStyles() throws {
        let (root, _) = try YAMLLoader.load(Array("a: 0600\nb: \"0600\"\nc: no\n".utf8), file: "m.yml")
        guard case .mapping(let pairs)? = root?.content else {
            Issue.record("not a mapping")
            return
        }
        guard case .scalar("0600", .plain) = pairs[0].value.content,
            case .scalar("0600", .doubleQuoted) = pairs[1].value.content,
            case .scalar("no", .plain) = pairs[2].value.content
        else {
            Issue.record("styles were lost")
            return
        }
    }
}

struct DiagnosticRendererTests {
    @Test("Text diagnostics show the location, code, source line, caret and hint")
    func compilerStyle() {
        let source = Array("version: 1\norigins: [https://example.com]\n".utf8)
        let diagnostic = Diagnostic(
            .originSyntax, at: SourceLocation(file: "m.yml", line: 2, column: 11), "origin has a scheme",
            hint: "write `example.com`")
        let text = DiagnosticRenderer(sources: ["m.yml": source], style: TextStyle(colours: false)).render([diagnostic])

        #expect(
            text == """
                m.yml:2:11: error[TB033]: origin has a scheme
                 2 | origins: [https://example.com]
                   |           ^
                  hint: write `example.com`
                1 error, 0 warnings

                """)
    }

    @Test("Control characters from the manifest never reach the terminal, and CRLF lines print cleanly")
    func controlCharacters() {
        let source = Array("products:\r\n  bad:\r\n".utf8)
        let diagnostic = Diagnostic(
            .productName, at: SourceLocation(file: "m.yml", line: 2, column: 3), "product `\u{1B}[2Jx` is wrong",
            hint: "rename `\u{1B}[31m`")
        let text = DiagnosticRenderer(sources: ["m.yml": source], style: TextStyle(colours: false)).render(diagnostic)

        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\r"))
        #expect(text.contains(" 2 |   bad:\n"))
    }
}
