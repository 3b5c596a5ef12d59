import Foundation
import Testing

@testable import TokenBatch

/// Reading the state file, whose token entries are read one by one as the parser meets them.
struct PreviousRunTests {
    /// One entry of the `tokens` list, as `apply` writes it; `token` stands in for a real one.
    static func entry(_ product: String, dropping dropped: String? = nil) -> String {
        let members = [
            ("product", "\"\(product)\""), ("key", "\"prod\""), ("kid", "\"ABC123DEFG\""),
            ("key_thumbprint", "\"AucMTDDiD9Fv33Yil5C3DFS_HOZgBErCDG5OHxcAy6I\""), ("iss", "\"DEF123GHIJ\""),
            ("scope", "\"server_api\""), ("origin", "\"\(product).example.com\""), ("issued_at", "1796363472"),
            ("expires_at", "1798955472"), ("fixed_expiry", "false"), ("token", "\"token-of-\(product)\""),
        ]
        return "{" + members.filter { $0.0 != dropped }.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func state(tokens: [String], extra: String = "") -> String {
        """
        {"format": "tokenbatch.state", "version": 1, "tokens": [\(tokens.joined(separator: ", "))],\(extra)
         "files": ["tokens.json", "env/web.env"]}
        """
    }

    /// Reads `text` as the state file of a fresh folder; the problem's message, if any.
    func read(_ text: String) throws -> Result<PreviousRun, ValueProblem> {
        let directory = try TemporaryDirectory()
        try directory.write(text, to: PreviousRun.stateFileName)
        return Result { () throws(ValueProblem) in try PreviousRun.read(from: directory.url.path) }
    }

    @Test("every entry of the streamed list is read, with the files")
    func readsEveryEntry() throws {
        let run = try read(Self.state(tokens: ["web", "api", "maps"].map { Self.entry($0) })).get()

        #expect(run.tokens.keys.sorted() == ["api", "maps", "web"])
        #expect(run.tokens["api"]?.token == "token-of-api")
        #expect(run.tokens["maps"]?.origin == "maps.example.com")
        #expect(run.tokens["web"]?.expiresAt == UnixTime(seconds: 1_798_955_472))
        #expect(run.files == ["tokens.json", "env/web.env"])
    }

    @Test("an incomplete entry anywhere in the list makes the state unusable")
    func incompleteEntry() throws {
        let text = Self.state(tokens: [Self.entry("web"), Self.entry("api", dropping: "token"), Self.entry("maps")])

        #expect(try read(text).problem?.hasSuffix("a token entry of the state file is incomplete") == true)
    }

    @Test("a state file that lists `tokens` twice is refused rather than read twice")
    func repeatedTokens() throws {
        let text = Self.state(tokens: [Self.entry("web")], extra: #" "tokens": [],"#)

        #expect(try read(text).problem?.hasSuffix("the state file has `tokens` more than once") == true)
    }

    @Test("no state file is an empty history")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let run = try PreviousRun.read(from: directory.url.path)

        #expect(run.tokens.isEmpty)
        #expect(run.files.isEmpty)
    }
}

extension Result where Failure == ValueProblem {
    fileprivate var problem: String? {
        if case .failure(let problem) = self { problem.message } else { nil }
    }
}
