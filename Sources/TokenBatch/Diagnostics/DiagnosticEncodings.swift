/// Diagnostics for machines: as JSON members and as GitHub Actions workflow commands.
enum DiagnosticEncodings {
    /// Writes `diagnostics` as a JSON array of objects; documented in `docs/plan-format.md`.
    static func writeJSON(_ diagnostics: [Diagnostic], into json: inout JSONWriter, indent: String) {
        json.raw("[")
        for (index, diagnostic) in diagnostics.enumerated() {
            json.raw(index == 0 ? "\n" : ",\n")
            json.verbatim(indent + "  {")
            json.key("code")
            json.string(diagnostic.rule.code)
            json.raw(", ")
            json.key("severity")
            json.string(diagnostic.severity.rawValue)
            json.raw(", ")
            json.key("file")
            if let location = diagnostic.location {
                json.string(location.file)
                json.raw(", ")
                json.key("line")
                json.integer(Int64(location.line))
                json.raw(", ")
                json.key("column")
                json.integer(Int64(location.column))
            } else {
                json.raw("null, ")
                json.key("line")
                json.raw("null, ")
                json.key("column")
                json.raw("null")
            }
            json.raw(", ")
            json.key("message")
            json.string(diagnostic.message)
            json.raw(", ")
            json.key("hint")
            if let hint = diagnostic.hint { json.string(hint) } else { json.raw("null") }
            json.raw("}")
        }
        if !diagnostics.isEmpty { json.verbatim("\n" + indent) }
        json.raw("]")
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
