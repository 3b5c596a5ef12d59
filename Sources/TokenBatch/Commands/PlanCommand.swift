/// `tokenbatch plan`: check the manifest and show the tokens `apply` would sign, without keys.
struct PlanCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    func run() -> ExitStatus {
        let planning = tool.makePlan(invocation)
        guard let plan = planning.plan else {
            tool.report(planning.diagnostics, sources: planning.sources)
            return .invalidInput
        }

        // Keys are checked when they are present; a pull request usually has none, and
        // then `apply`'s need for them is only a warning.
        let keys = KeyLoader.loadKeys(of: plan, environment: tool.environment, missingIsWarning: true)
        let overwrites = OutputSafety.overwrites(in: plan, outputDirectory: invocation.outputDirectory)
        let diagnostics = planning.diagnostics + keys.diagnostics + overwrites
        tool.report(diagnostics, sources: planning.sources)
        guard !diagnostics.hasErrors else { return .invalidInput }

        let thumbprints = keys.keys.map { $0?.thumbprint }
        return tool.write(PlanTable.render(plan, thumbprints: thumbprints, outputDirectory: invocation.outputDirectory))
    }
}

/// The plan as a table for reviewers: one row per product, then the files.
enum PlanTable {
    /// - Parameter thumbprints: each key's thumbprint, parallel to `plan.keys`; `nil` for a
    ///   key that is not available here.
    static func render(_ plan: Plan, thumbprints: [String?], outputDirectory: String) -> String {
        let header = ["PRODUCT", "SCOPE", "ORIGIN", "KEY", "LIFETIME", "EXPIRES"]
        let rows = plan.tokens.map { token in
            [
                token.product, token.scope, token.origin ?? "-", "\(plan.keys[token.keyIndex].name) (\(token.keyID))",
                token.lifetime.description, token.expiresAt.rfc3339,
            ]
        }
        var text = table([header] + rows)

        text += "\nKeys:\n"
        for (key, thumbprint) in zip(plan.keys, thumbprints) {
            let source: String =
                switch key.source {
                case .file: "file \(key.resolvedPath ?? "")"
                case .environment(let name): "environment variable \(name)"
                }
            let state = thumbprint.map { "thumbprint \($0)" } ?? "not available here"
            text += "  \(key.name) (\(key.keyID)): \(source), \(state)\n"
        }

        text += "\nFiles under \(outputDirectory)/:\n"
        let listed = plan.files.prefix(20)
        for file in listed {
            let count = file.tokenIndices.count
            text +=
                "  \(file.path) (\(file.format.rawValue), \(count) token\(count == 1 ? "" : "s"), mode \(octal(file.mode)))\n"
        }
        if plan.files.count > listed.count {
            text += "  … and \(plan.files.count - listed.count) more\n"
        }
        text +=
            "\n\(plan.tokens.count) token\(plan.tokens.count == 1 ? "" : "s") to sign at \(plan.now.rfc3339) "
            + "with \(plan.keys.count) key\(plan.keys.count == 1 ? "" : "s").\n"
        return text
    }

    private static func table(_ rows: [[String]]) -> String {
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

    static func octal(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
