/// What the last successful `apply` left in the output folder, read from its state file.
///
/// The state file (`.tokenbatch-state.json`, documented in `docs/lifecycle.md`) records each
/// token with the settings and key it was signed with, and every file the run wrote, so that
/// the next run can keep what has not changed and remove what is no longer wanted.
public struct PreviousRun: Sendable {
    public struct Token: Sendable, Equatable {
        public var product: String
        public var keyName: String
        public var keyID: String
        public var keyThumbprint: String
        public var issuer: String
        public var scope: String
        public var origin: String?
        public var issuedAt: UnixTime
        public var expiresAt: UnixTime
        public var hasFixedExpiry: Bool
        public var token: String
    }

    /// The file name, in the output folder.
    public static let stateFileName = ".tokenbatch-state.json"

    /// The version of the state file's layout.
    static let formatVersion = 1

    public var tokens: [String: Token] = [:]
    /// Paths relative to the output folder, in the order they were written.
    public var files: [String] = []

    /// An empty history: nothing was applied to this folder before.
    public init() {}

    /// Reads the state file in `directory`.
    ///
    /// - Returns: an empty history when there is no state file.
    /// - Throws: `ValueProblem` when the file exists but cannot be used; the caller decides
    ///   whether to go on as if it were absent.
    public static func read(from directory: String) throws(ValueProblem) -> PreviousRun {
        let path = "\(directory)/\(stateFileName)"
        let bytes: [UInt8]
        do {
            bytes = try SystemCalls.readFile(path, limit: 1 << 30, followingLinks: false)
        } catch {
            if error.isMissing { return PreviousRun() }
            throw ValueProblem("\(error)")
        }
        do {
            // Token entries are read one at a time as the parser meets them.
            let entries = TokenEntries()
            let document = try JSONParser.parse(bytes, streamingElementsOf: "tokens") { entries.add($0) }
            return try parse(document, entries: entries)
        } catch let failure as JSONParser.Failure {
            throw ValueProblem("\(path) is not JSON: \(failure.message) at byte \(failure.offset)")
        } catch {
            throw ValueProblem("\(path): \((error as? ValueProblem)?.message ?? "\(error)")")
        }
    }

    /// The `tokens` of a state file, read entry by entry; the first problem stops the reading.
    private final class TokenEntries {
        var tokens: [String: Token] = [:]
        var problem: ValueProblem?

        func add(_ entry: JSONValue) {
            guard problem == nil else { return }
            do {
                let token = try PreviousRun.token(from: entry)
                tokens[token.product] = token
            } catch {
                problem = error
            }
        }
    }

    private static func parse(_ document: JSONValue, entries: TokenEntries) throws -> PreviousRun {
        guard document["format"]?.stringValue == "tokenbatch.state" else {
            throw ValueProblem("not a tokenbatch state file")
        }
        guard document["version"]?.integerValue == Int64(formatVersion) else {
            throw ValueProblem(
                "state file version \(document["version"].map { "\($0)" } ?? "missing") is not \(formatVersion)")
        }
        // tokenbatch never repeats a member; a repeated `tokens` would have been read twice.
        if let repeated = document.repeatedNames.first {
            throw ValueProblem("the state file has `\(repeated)` more than once")
        }
        guard case .array? = document["tokens"], case .array(let files)? = document["files"] else {
            throw ValueProblem("the state file has no `tokens` or `files` list")
        }
        if let problem = entries.problem { throw problem }

        var run = PreviousRun()
        run.tokens = entries.tokens
        run.files = files.compactMap(\.stringValue)
        return run
    }

    private static func token(from entry: JSONValue) throws(ValueProblem) -> Token {
        guard let product = entry["product"]?.stringValue, let keyName = entry["key"]?.stringValue,
            let keyID = entry["kid"]?.stringValue, let thumbprint = entry["key_thumbprint"]?.stringValue,
            let issuer = entry["iss"]?.stringValue, let scope = entry["scope"]?.stringValue,
            let issuedAt = entry["issued_at"]?.integerValue, let expiresAt = entry["expires_at"]?.integerValue,
            case .bool(let fixed)? = entry["fixed_expiry"], let token = entry["token"]?.stringValue
        else {
            throw ValueProblem("a token entry of the state file is incomplete")
        }
        let validTimes = 0...UnixTime.latest.seconds
        guard validTimes.contains(issuedAt), validTimes.contains(expiresAt), expiresAt > issuedAt else {
            throw ValueProblem("the times of product `\(product)` in the state file are impossible")
        }
        return Token(
            product: product, keyName: keyName, keyID: keyID, keyThumbprint: thumbprint, issuer: issuer,
            scope: scope, origin: entry["origin"]?.stringValue, issuedAt: UnixTime(seconds: issuedAt),
            expiresAt: UnixTime(seconds: expiresAt), hasFixedExpiry: fixed, token: token)
    }
}
