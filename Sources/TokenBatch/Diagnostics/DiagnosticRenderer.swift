/// Prints diagnostics as a compiler does: `file:line:column: error[TB004]: message`, the source
/// line, a caret under the column, and the hint.
struct DiagnosticRenderer {
    /// The text of each file diagnostics may point into, by the name used in their locations.
    var sources: [String: [UInt8]]
    var style: TextStyle

    func render(_ diagnostics: [Diagnostic]) -> String {
        var text = ""
        for diagnostic in diagnostics {
            text += render(diagnostic)
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        if errors + warnings > 0 {
            text += "\(count(errors, "error")), \(count(warnings, "warning"))\n"
        }
        return text
    }

    func render(_ diagnostic: Diagnostic) -> String {
        let severity =
            diagnostic.severity == .error
            ? style.error("error[\(diagnostic.rule.code)]") : style.warning("warning[\(diagnostic.rule.code)]")
        let place = diagnostic.location.map { "\($0): " } ?? ""
        var text = style.bold(place) + severity + style.bold(": \(diagnostic.message)") + "\n"

        if let location = diagnostic.location, let line = sourceLine(location) {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            // Tabs are kept in the padding so that the caret lines up in any tab width.
            let padding = String(line.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " })
            text += " \(number) | \(line)\n"
            text += " \(gutter) | \(padding)\(style.error("^"))\n"
        }
        if let hint = diagnostic.hint {
            let lines = hint.split(separator: "\n", omittingEmptySubsequences: false)
            text += "  hint: " + lines.joined(separator: "\n        ") + "\n"
        }
        return text
    }

    /// The line a location points at, with control characters made visible.
    private func sourceLine(_ location: SourceLocation) -> String? {
        guard let bytes = sources[location.file] else { return nil }
        var line = 1
        var start = bytes.startIndex
        while line < location.line {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            start = newline + 1
            line += 1
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let shown = String(
            text.unicodeScalars.map { scalar -> Character in
                scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F ? "\u{FFFD}" : Character(scalar)
            })
        return shown.count > 200 ? String(shown.prefix(200)) + "…" : shown
    }

    private func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}

/// Colour for a terminal, or plain text; chosen once per run.
public struct TextStyle: Sendable {
    public var colours: Bool

    public init(colours: Bool) {
        self.colours = colours
    }

    func error(_ text: String) -> String { wrap(text, "1;31") }
    func warning(_ text: String) -> String { wrap(text, "1;33") }
    func bold(_ text: String) -> String { text.isEmpty ? text : wrap(text, "1") }
    func dim(_ text: String) -> String { wrap(text, "2") }

    private func wrap(_ text: String, _ code: String) -> String {
        colours ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
