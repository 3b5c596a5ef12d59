/// Where a command's words go: results on standard output, everything else on standard error.
///
/// Commands receive a console instead of printing, so that tests can read what they say.
public struct Console: Sendable {
    /// Writes results; returns false when they could not be written (a closed pipe, a full disk),
    /// which a command must report rather than claim success.
    public var writeOutput: @Sendable (String) -> Bool
    public var writeError: @Sendable (String) -> Void

    /// Colour for messages on standard error.
    public var errorStyle: TextStyle

    /// Whether standard error is a terminal, where progress may be shown.
    public var errorIsTerminal: Bool

    public init(
        writeOutput: @escaping @Sendable (String) -> Bool, writeError: @escaping @Sendable (String) -> Void,
        errorStyle: TextStyle, errorIsTerminal: Bool
    ) {
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.errorStyle = errorStyle
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's own standard output and error; colour only on a terminal without `NO_COLOR`.
    public static func standard(environment: (String) -> String?) -> Console {
        let terminal = SystemCalls.isTerminal(2)
        let noColour = environment("NO_COLOR").map { !$0.isEmpty } ?? false
        return Console(
            writeOutput: { SystemCalls.writeStandardOutput($0) },
            writeError: { SystemCalls.writeStandardError($0) },
            errorStyle: TextStyle(colours: terminal && !noColour),
            errorIsTerminal: terminal)
    }
}
