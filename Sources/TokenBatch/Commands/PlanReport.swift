/// What `plan` shows: the tokens `apply` would sign, their keys and files, and the problems
/// found, as a table for people, a JSON document for programs or Markdown for a pull request.
struct PlanReport {
    var manifest: String
    /// `nil` when the manifest has errors (or warnings under `--strict`).
    var plan: Plan?
    /// What `apply` would do to each product, compared with the output folder's last run.
    var changes: ChangeSet?
    /// Whether `apply` would write or delete files even though it keeps every token.
    var filesPending = false
    /// Sorted for the report.
    var diagnostics: [Diagnostic]
    /// Each key's thumbprint, parallel to `plan.keys`; `nil` for a key not available here.
    var thumbprints: [String?]
    var outputDirectory: String

    /// The version of the JSON document's layout, documented in `docs/plan-format.md`.
    static let jsonFormatVersion = 1

    /// Files listed by name; beyond this, a count.
    static let fileListLimit = 20

    // MARK: - Text

    func table() -> String {
        guard let plan, let changes else { return "" }
        let header = ["ACTION", "PRODUCT", "SCOPE", "ORIGIN", "KEY", "LIFETIME", "EXPIRES", "WHY"]
        var rows = zip(changes.specs, changes.changes).map { token, change in
            [
                change.action.rawValue, token.product, token.scope, token.origin ?? "-",
                "\(plan.keys[token.keyIndex].name) (\(token.keyID))", token.lifetime.description,
                token.expiresAt.rfc3339, change.reason,
            ]
        }
        for change in changes.changes.dropFirst(changes.specs.count) {
            rows.append([change.action.rawValue, change.product, "-", "-", "-", "-", "-", change.reason])
        }
        var text = Self.aligned([header] + rows)
        let counts = ChangeSet.Action.allCases.map { "\($0.rawValue) \(changes.count($0))" }
        text += "\n\(counts.joined(separator: ", "))\n"

        text += "\nKeys:\n"
        for (key, thumbprint) in zip(plan.keys, thumbprints) {
            text +=
                "  \(key.name) (\(key.keyID)): \(Self.describeSource(key)), "
                + (thumbprint.map { "thumbprint \($0)" } ?? "not available here") + "\n"
        }

        text += "\nFiles under \(outputDirectory)/:\n"
        for file in plan.files.prefix(Self.fileListLimit) {
            let count = file.tokenIndices.count
            text +=
                "  \(file.path) (\(file.format.rawValue), \(count) token\(count == 1 ? "" : "s"), "
                + "mode \(FileMode.text(file.mode)))\n"
        }
        if plan.files.count > Self.fileListLimit {
            text += "  … and \(plan.files.count - Self.fileListLimit) more\n"
        }
        let due = changes.count(.create) + changes.count(.renew) + changes.count(.update)
        text +=
            "\n\(Self.count(due, "token")) to sign at \(plan.now.rfc3339) of \(plan.tokens.count), "
            + "with \(Self.count(plan.keys.count, "key")).\n"
        return text
    }

    // MARK: - JSON

    /// One document with the diagnostics and, when the manifest is valid, the plan.
    func json() -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return JSONValue.object([
            ("format", .string("tokenbatch.plan")),
            ("version", .integer(Int64(Self.jsonFormatVersion))),
            ("manifest", .string(manifest)),
            ("valid", .bool(plan != nil)),
            ("errors", .integer(Int64(errors))),
            ("warnings", .integer(Int64(diagnostics.count - errors))),
            ("diagnostics", DiagnosticEncodings.json(diagnostics)),
            ("plan", plan.map(planJSON) ?? .null),
        ]).document
    }

    private func planJSON(_ plan: Plan) -> JSONValue {
        let specs = changes?.specs ?? plan.tokens
        let tokens: [JSONValue] = specs.enumerated().map { index, token in
            var members: [(name: String, value: JSONValue)] = [("product", .string(token.product))]
            if let change = changes?.changes[index] {
                members += [("action", .string(change.action.rawValue)), ("reason", .string(change.reason))]
            }
            members += [
                ("key", .string(plan.keys[token.keyIndex].name)),
                ("kid", .string(token.keyID)),
                ("iss", .string(token.issuer)),
                ("scope", .string(token.scope)),
                ("origin", .optional(token.origin)),
                ("issued_at", .integer(token.issuedAt.seconds)),
                ("expires_at", .integer(token.expiresAt.seconds)),
                ("expires_at_rfc3339", .string(token.expiresAt.rfc3339)),
                ("lifetime_seconds", .integer(token.lifetime.seconds)),
                ("renew_before_seconds", token.renewBefore.map { .integer($0.seconds) } ?? .null),
            ]
            return .object(members)
        }
        let keys: [JSONValue] = zip(plan.keys, thumbprints).map { key, thumbprint in
            let source: (name: String, value: JSONValue) =
                switch key.source {
                case .file: ("file", .string(key.resolvedPath ?? ""))
                case .environment(let name): ("env", .string(name))
                }
            return .object([
                ("name", .string(key.name)), ("kid", .string(key.keyID)), source, ("thumbprint", .optional(thumbprint)),
            ])
        }
        let files: [JSONValue] = plan.files.map { file in
            .object([
                ("path", .string(file.path)),
                ("format", .string(file.format.rawValue)),
                ("mode", .string(FileMode.text(file.mode))),
                ("products", .array(file.tokenIndices.map { .string(plan.tokens[$0].product) })),
            ])
        }
        let removed = changes.map { $0.changes.dropFirst(specs.count).map { JSONValue.string($0.product) } } ?? []
        return .object([
            ("now", .integer(plan.now.seconds)),
            ("tokens", .array(tokens)),
            ("removed", .array(removed)),
            ("changes_pending", .bool(changes?.hasChanges ?? true || filesPending)),
            ("keys", .array(keys)),
            ("files", .array(files)),
        ])
    }

    // MARK: - Markdown

    /// A summary to post on a pull request: the problems, then the tokens.
    func markdown() -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        var text = "### tokenbatch plan for `\(Self.cell(manifest))`\n\n"
        if let plan {
            text +=
                "\(Self.count(plan.tokens.count, "token")) with \(Self.count(plan.keys.count, "key")), "
                + "signed at \(plan.now.rfc3339); \(Self.count(warnings, "warning")).\n\n"
        } else {
            text +=
                "**The manifest cannot be applied:** \(Self.count(errors, "error")), "
                + "\(Self.count(warnings, "warning")).\n\n"
        }

        for diagnostic in diagnostics {
            let place = diagnostic.location.map { "`\(Self.cell($0.description))` " } ?? ""
            let hint = diagnostic.hint.map { " *Hint:* \(Self.cell($0))" } ?? ""
            text +=
                "- \(diagnostic.severity == .error ? "❌" : "⚠️") \(place)**\(diagnostic.rule.code)** "
                + "\(Self.cell(diagnostic.message)).\(hint)\n"
        }
        if !diagnostics.isEmpty { text += "\n" }

        guard let plan else { return text }
        text += "| Action | Product | Scope | Origin | Key | Lifetime | Expires |\n|---|---|---|---|---|---|---|\n"
        let specs = changes?.specs ?? plan.tokens
        for (index, token) in specs.enumerated() {
            let origin = token.origins.isEmpty ? "–" : token.origins.map { "`\($0)`" }.joined(separator: ", ")
            let action =
                changes.map { "\($0.changes[index].action.rawValue): \(Self.cell($0.changes[index].reason))" } ?? ""
            text +=
                "| \(action) | `\(token.product)` | `\(token.scope)` | \(origin) | "
                + "`\(plan.keys[token.keyIndex].name)` (`\(token.keyID)`) | \(token.lifetime) | \(token.expiresAt.rfc3339) |\n"
        }
        for change in changes?.changes.dropFirst(specs.count) ?? [] {
            text += "| remove: \(Self.cell(change.reason)) | `\(change.product)` | | | | | |\n"
        }
        text +=
            "\nFiles under `\(Self.cell(outputDirectory))/`: "
            + plan.files.prefix(Self.fileListLimit).map { "`\(Self.cell($0.path))`" }.joined(separator: ", ")
            + (plan.files.count > Self.fileListLimit ? " and \(plan.files.count - Self.fileListLimit) more" : "")
            + ".\n"
        return text
    }

    // MARK: - Helpers

    private static func describeSource(_ key: PlannedKey) -> String {
        switch key.source {
        case .file: "file \(key.resolvedPath ?? "")"
        case .environment(let name): "environment variable \(name)"
        }
    }

    private static func aligned(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                line +=
                    column == row.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            text += line + "\n"
        }
        return text
    }

    /// Text safe inside a Markdown table cell or list item: no `|`, backtick or line break.
    private static func cell(_ text: String) -> String {
        DiagnosticRenderer.visible(text)
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "`", with: "'")
            .replacingOccurrences(of: "\n", with: " ")
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
