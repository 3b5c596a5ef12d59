/// Diagnostics for machines: as JSON members and as GitHub Actions workflow commands.
enum DiagnosticEncodings {
    /// `diagnostics` as a JSON array of objects; documented in `docs/plan-format.md`.
    static func json(_ diagnostics: [Diagnostic]) -> JSONValue {
        .array(
            diagnostics.map { diagnostic in
                .object([
                    ("code", .string(diagnostic.rule.code)),
                    ("severity", .string(diagnostic.severity.rawValue)),
                    ("file", .optional(diagnostic.location?.file)),
                    ("line", diagnostic.location.map { .integer(Int64($0.line)) } ?? .null),
                    ("column", diagnostic.location.map { .integer(Int64($0.column)) } ?? .null),
                    ("message", .string(diagnostic.message)),
                    ("hint", .optional(diagnostic.hint)),
                ])
            })
    }

    /// One `::error …::` or `::warning …::` line per diagnostic, which GitHub Actions shows as
    /// an annotation on the line of the pull request's diff.
    static func githubCommands(_ diagnostics: [Diagnostic]) -> String {
        var text = ""
        for diagnostic in diagnostics {
            var properties: [String] = []
            if let location = diagnostic.location {
                properties.append("file=\(escapeProperty(location.file))")
                properties.append("line=\(location.line)")
                properties.append("col=\(location.column)")
            }
            properties.append("title=\(escapeProperty("tokenbatch \(diagnostic.rule.code)"))")
            var message = diagnostic.message
            if let hint = diagnostic.hint { message += "\nhint: \(hint)" }
            text += "::\(diagnostic.severity.rawValue) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return text
    }

    /// The escaping GitHub's runner undoes in a command's message.
    private static func escapeData(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// The escaping of a command's property values, which also reserve `:` and `,`.
    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
