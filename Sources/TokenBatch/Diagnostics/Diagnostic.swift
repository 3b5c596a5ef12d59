/// How much a problem matters: errors stop the run, warnings are reported and let it go on.
public enum Severity: String, Sendable, Comparable {
    case error
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs == .error && rhs == .warning
    }
}

/// One problem found in a manifest, a key or the command line, located and explained.
public struct Diagnostic: Sendable, Equatable {
    /// The rule that was broken; its code is stable and documented in `docs/diagnostics.md`.
    public var rule: Rule

    public var severity: Severity

    /// Where the problem is; `nil` for problems that belong to no place in the manifest.
    public var location: SourceLocation?

    /// What is wrong, in one sentence without a final full stop.
    public var message: String

    /// How to fix it, when there is something more useful to say than the message.
    public var hint: String?

    public init(
        _ rule: Rule,
        at location: SourceLocation?,
        _ message: String,
        hint: String? = nil,
        severity: Severity? = nil
    ) {
        self.rule = rule
        self.severity = severity ?? rule.severity
        self.location = location
        self.message = message
        self.hint = hint
    }
}

extension Array where Element == Diagnostic {
    /// Errors first, then warnings; within each, in the order of the file.
    public func sortedForReport() -> [Diagnostic] {
        enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.severity != b.severity { return a.severity < b.severity }
            switch (a.location, b.location) {
            case (let x?, let y?) where x != y: return x < y
            case (nil, _?): return true
            case (_?, nil): return false
            default: return left.offset < right.offset
            }
        }.map(\.element)
    }

    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// A failure that carries every problem found, so that one run reports all of them.
public struct DiagnosticsError: Error, Sendable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }
}

extension Diagnostic: Error {}
