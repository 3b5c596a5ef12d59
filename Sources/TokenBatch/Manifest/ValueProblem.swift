/// Why a piece of text is not a valid value of its kind, said so that a person can fix it.
///
/// Parsers of single values throw this; the caller knows where the text came from and turns
/// it into a located `Diagnostic`.
public struct ValueProblem: Error, Sendable, Equatable {
    public var message: String
    public var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
