/// What `plan` shows: the tokens `apply` would sign, their keys and files, and the problems
/// found, as a table for people, a JSON document for programs or Markdown for a pull request.
struct PlanReport {
    var manifest: String
    /// `nil` when the manifest has errors (or warnings under `--strict`).
    var plan: Plan?
    /// What `apply` would do to each product, compared with the output folder's last run.
    var changes: ChangeSet?
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
                + "mode \(Self.octal(file.mode)))\n"
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
        var json = JSONWriter(reservingCapacity: 4_096 + (plan?.tokens.count ?? 0) * 400)
        let errors = diagnostics.filter { $0.severity == .error }.count
        json.raw("{\n  ")
        json.key("format")
        json.raw(" ")
        json.string("tokenbatch.plan")
        json.raw(",\n  ")
        json.key("version")
        json.raw(" ")
        json.integer(Int64(Self.jsonFormatVersion))
        json.raw(",\n  ")
        json.key("manifest")
        json.raw(" ")
        json.string(manifest)
        json.raw(",\n  ")
        json.key("valid")
        json.raw(plan == nil ? " false" : " true")
        json.raw(",\n  ")
        json.key("errors")
        json.raw(" ")
        json.integer(Int64(errors))
        json.raw(",\n  ")
        json.key("warnings")
        json.raw(" ")
        json.integer(Int64(diagnostics.count - errors))
        json.raw(",\n  ")
        json.key("diagnostics")
        json.raw(" ")
        DiagnosticEncodings.writeJSON(diagnostics, into: &json, indent: "  ")
        json.raw(",\n  ")
        json.key("plan")
        json.raw(" ")
        if let plan { writePlan(plan, into: &json) } else { json.raw("null") }
        json.raw("\n}\n")
        return String(decoding: json.bytes, as: UTF8.self)
    }

    private func writePlan(_ plan: Plan, into json: inout JSONWriter) {
        json.raw("{\n    ")
        json.key("now")
        json.raw(" ")
        json.integer(plan.now.seconds)
        json.raw(",\n    ")
        json.key("tokens")
        json.raw(" [")
        let specs = changes?.specs ?? plan.tokens
        for (index, token) in specs.enumerated() {
            json.raw(index == 0 ? "\n      {" : ",\n      {")
            json.key("product")
            json.string(token.product)
            if let change = changes?.changes[index] {
                json.raw(", ")
                json.key("action")
                json.string(change.action.rawValue)
                json.raw(", ")
                json.key("reason")
                json.string(change.reason)
            }
            json.raw(", ")
            json.key("key")
            json.string(plan.keys[token.keyIndex].name)
            json.raw(", ")
            json.key("kid")
            json.string(token.keyID)
            json.raw(", ")
            json.key("iss")
            json.string(token.issuer)
            json.raw(", ")
            json.key("scope")
            json.string(token.scope)
            json.raw(", ")
            json.key("origin")
            if let origin = token.origin { json.string(origin) } else { json.raw("null") }
            json.raw(", ")
            json.key("issued_at")
            json.integer(token.issuedAt.seconds)
            json.raw(", ")
            json.key("expires_at")
            json.integer(token.expiresAt.seconds)
            json.raw(", ")
            json.key("expires_at_rfc3339")
            json.string(token.expiresAt.rfc3339)
            json.raw(", ")
            json.key("lifetime_seconds")
            json.integer(token.lifetime.seconds)
            json.raw(", ")
            json.key("renew_before_seconds")
            if let renew = token.renewBefore { json.integer(renew.seconds) } else { json.raw("null") }
            json.raw("}")
        }
        json.raw(plan.tokens.isEmpty ? "],\n    " : "\n    ],\n    ")

        json.key("removed")
        json.raw(" [")
        for (index, change) in (changes?.changes.dropFirst(specs.count) ?? []).enumerated() {
            if index > 0 { json.raw(", ") }
            json.string(change.product)
        }
        json.raw("],\n    ")
        json.key("changes_pending")
        json.raw(changes?.hasChanges == false ? " false" : " true")
        json.raw(",\n    ")

        json.key("keys")
        json.raw(" [")
        for (index, (key, thumbprint)) in zip(plan.keys, thumbprints).enumerated() {
            json.raw(index == 0 ? "\n      {" : ",\n      {")
            json.key("name")
            json.string(key.name)
            json.raw(", ")
            json.key("kid")
            json.string(key.keyID)
            json.raw(", ")
            switch key.source {
            case .file:
                json.key("file")
                json.string(key.resolvedPath ?? "")
            case .environment(let name):
                json.key("env")
                json.string(name)
            }
            json.raw(", ")
            json.key("thumbprint")
            if let thumbprint { json.string(thumbprint) } else { json.raw("null") }
            json.raw("}")
        }
        json.raw(plan.keys.isEmpty ? "],\n    " : "\n    ],\n    ")

        json.key("files")
        json.raw(" [")
        for (index, file) in plan.files.enumerated() {
            json.raw(index == 0 ? "\n      {" : ",\n      {")
            json.key("path")
            json.string(file.path)
            json.raw(", ")
            json.key("format")
            json.string(file.format.rawValue)
            json.raw(", ")
            json.key("mode")
            json.string(Self.octal(file.mode))
            json.raw(", ")
            json.key("products")
            json.raw("[")
            for (position, tokenIndex) in file.tokenIndices.enumerated() {
                if position > 0 { json.raw(", ") }
                json.string(plan.tokens[tokenIndex].product)
            }
            json.raw("]}")
        }
        json.raw(plan.files.isEmpty ? "]\n  }" : "\n    ]\n  }")
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

    static func octal(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
