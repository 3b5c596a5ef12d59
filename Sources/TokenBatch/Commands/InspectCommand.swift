/// `tokenbatch inspect`: decodes one token, shows its header, claims and times, and reports
/// every way it breaks Apple's rules for Maps tokens; with `--key`, checks its signature too.
struct InspectCommand {
    var tool: TokenBatchTool
    var invocation: Invocation

    /// No token comes near this size; larger input is not one.
    static let maximumInputSize = 1 << 20

    /// Where the token was read from.
    enum Source: Equatable {
        case standardInput
        case file(String)
        /// The operand is the token itself.
        case argument
    }

    /// Why no token could be read; the message never quotes the input.
    struct InputProblem: Error {
        var message: String
        var source: Source
    }

    func run() -> ExitStatus {
        let source: Source
        let token: String
        do {
            (source, token) = try readToken()
        } catch {
            return refuse(error.message, source: error.source)
        }

        var inspection = TokenInspector.inspect(token, now: invocation.now ?? tool.clock())
        var key: VerificationKey?
        if let path = invocation.keyFile {
            var bytes: [UInt8]
            do {
                bytes = try SystemCalls.readFile(path, limit: KeyLoader.maximumKeySize)
            } catch {
                return refuse("--key: \(error)", source: source)
            }
            defer { bytes.eraseSecret() }

            do {
                let loaded = try VerificationKey(reading: bytes, tokenKeyID: inspection.header?["kid"]?.stringValue)
                inspection.verify(
                    with: loaded.publicKey, keyID: loaded.keyID, keyDescription: "\(loaded.form) in \(path)")
                key = loaded
            } catch {
                return refuse("--key \(path): \(error.message)", source: source)
            }
        }

        let report = InspectReport(inspection: inspection, source: source, key: key)
        let written = tool.write(invocation.reportFormat == .json ? report.json() : report.text())
        guard written == .success else { return written }
        return inspection.passes ? .success : .invalidInput
    }

    /// Reports why there is nothing to inspect: on standard error, or with `--format json` as
    /// a document on standard output, so that standard error stays empty.
    private func refuse(_ message: String, source: Source) -> ExitStatus {
        guard invocation.reportFormat == .json else {
            tool.fail(message)
            return .invalidInput
        }
        let written = tool.write(InspectReport.refusal(message, source: source))
        return written == .success ? .invalidInput : written
    }

    /// The operand's token: standard input for `-`, the content of the file it names, or else
    /// the operand itself.
    private func readToken() throws(InputProblem) -> (Source, String) {
        let operand = invocation.operand
        let source: Source =
            if operand == "-" {
                .standardInput
            } else if SystemCalls.kind(of: operand) != nil {
                .file(operand)
            } else {
                // No file has that name: the operand is the token, and is never quoted back.
                .argument
            }

        let bytes: [UInt8]
        do {
            switch source {
            case .standardInput: bytes = try SystemCalls.readStandardInput(limit: Self.maximumInputSize)
            case .file(let path): bytes = try SystemCalls.readFile(path, limit: Self.maximumInputSize)
            case .argument: bytes = Array(operand.utf8)
            }
        } catch {
            throw InputProblem(message: "\(error)", source: source)
        }
        return (source, try Self.token(in: bytes, from: source))
    }

    /// The one token in `bytes`: the text itself or the value of a `NAME=token` line, trimmed
    /// of whitespace. Blank lines and `#` comments are skipped, so that a `.env` file that
    /// `apply` writes for one product reads as its token.
    static func token(in bytes: [UInt8], from source: Source) throws(InputProblem) -> String {
        let place: String
        switch source {
        case .standardInput: place = "standard input"
        case .file(let path): place = path
        case .argument: place = "the argument"
        }
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        guard let text = String(validating: content, as: UTF8.self) else {
            throw InputProblem(message: "\(place) is not UTF-8 text, so it holds no token", source: source)
        }

        let lines = text.split(whereSeparator: \.isNewline).map(trimmed).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard lines.count == 1 else {
            throw InputProblem(
                message: lines.isEmpty
                    ? "\(place) holds no token"
                    : "\(place) holds \(lines.count) lines; inspect takes one token, alone or as one NAME=token line",
                source: source)
        }
        let line = lines[0]
        if let equals = line.firstIndex(of: "="), isVariableName(line[..<equals]) {
            return String(trimmed(line[line.index(after: equals)...]))
        }
        return String(line)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let start = text.drop { $0.isWhitespace }
        return start.dropLast(start.reversed().prefix { $0.isWhitespace }.count)
    }

    private static func isVariableName(_ text: Substring) -> Bool {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
