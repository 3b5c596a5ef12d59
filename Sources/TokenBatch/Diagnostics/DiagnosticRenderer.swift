/// Prints diagnostics as a compiler does: `file:line:column: error[TB004]: message`, the source
/// line, a caret under the column, and the hint.
struct DiagnosticRenderer {
    /// The text of each file diagnostics may point into, by the name used in their locations.
    let sources: [String: [UInt8]]
    let style: TextStyle

    /// Where each line of each source starts, found once: a manifest of 50,000 products may
    /// have as many diagnostics, and searching from the top for each took minutes.
    private let lineStarts: [String: [Int]]

    init(sources: [String: [UInt8]], style: TextStyle) {
        self.sources = sources
        self.style = style
        lineStarts = sources.mapValues { bytes in
            [bytes.startIndex] + bytes.indices.lazy.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        }
    }

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
        let message = Self.visible(diagnostic.message)
        var text = style.bold(Self.visible(place)) + severity + style.bold(": \(message)") + "\n"

        if let location = diagnostic.location, let line = sourceLine(location) {
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            // Tabs are kept in the padding so that the caret lines up in any tab width.
            let padding = String(line.prefix(max(0, location.column - 1)).map { $0 == "\t" ? "\t" : " " })
            text += " \(number) | \(line)\n"
            text += " \(gutter) | \(padding)\(style.error("^"))\n"
        }
        if let hint = diagnostic.hint {
            let lines = hint.split(separator: "\n", omittingEmptySubsequences: false).map { Self.visible(String($0)) }
            text += "  hint: " + lines.joined(separator: "\n        ") + "\n"
        }
        return text
    }

    /// The line a location points at, with control characters made visible.
    private func sourceLine(_ location: SourceLocation) -> String? {
        guard let bytes = sources[location.file], let starts = lineStarts[location.file],
            location.line >= 1, location.line <= starts.count
        else { return nil }
        let start = starts[location.line - 1]
        var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let shown = Self.visible(String(decoding: bytes[start..<end], as: UTF8.self), keepingTabs: true)
        return shown.count > 200 ? String(shown.prefix(200)) + "…" : shown
    }

    /// The text with control characters replaced, so that a manifest's value can neither
    /// break a line of the report nor send escape sequences to a terminal or a CI log.
    static func visible(_ text: String, keepingTabs: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingTabs && $0 == "\t") }) else {
            return text
        }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(isControl(scalar) && !(keepingTabs && scalar == "\t") ? "\u{FFFD}" : scalar)
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\n" || (0x7F...0x9F).contains(scalar.value)
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
