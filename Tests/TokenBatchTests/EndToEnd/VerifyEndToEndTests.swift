import Foundation
import Testing

/// `tokenbatch verify` through the built binary: it passes what `apply` wrote and catches a
/// tampered signature, a changed claim, an expired or soon-expiring token and another key.
@Suite struct VerifyEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"

    func appliedWorkspace() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("test-key.p8"))
        try directory.write(LifecycleEndToEndTests.manifest(products: LifecycleEndToEndTests.products), to: "m.yml")
        let applied = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)
        #expect(applied.status == 0)
        return directory
    }

    func verify(_ directory: TemporaryDirectory, at now: String = Self.now, _ extra: [String] = []) throws
        -> ProcessResult
    {
        try tokenbatch(["verify", "m.yml", "--now", now, "--out-dir", "out"] + extra, in: directory.url)
    }

    @Test("what apply wrote verifies, in text and in JSON")
    func clean() throws {
        let directory = try appliedWorkspace()

        let text = try verify(directory)
        let json = try verify(directory, ["--format", "json"])

        #expect(text.status == 0, "stdout:\n\(text.standardOutput)")
        #expect(text.standardOutput.contains("6 of 6 tokens verified."))
        let document = try JSONSerialization.jsonObject(with: json.standardOutputData) as? [String: Any]
        #expect(document?["valid"] as? Bool == true)
        #expect(json.standardError.isEmpty)
    }

    @Test("a tampered signature fails")
    func tamperedSignature() throws {
        let directory = try appliedWorkspace()
        let file = "out/env/web.env"
        var text = try directory.read(file)
        let last = text.index(text.endIndex, offsetBy: -3)
        text.replaceSubrange(last...last, with: text[last] == "A" ? "B" : "A")
        try directory.write(text, to: file)

        let result = try verify(directory)

        #expect(result.status == 1)
        #expect(result.standardOutput.contains("FAILED  env/web.env  web: the signature is not valid"))
        #expect(result.standardOutput.contains("5 of 6 tokens verified; 1 failed."))
    }

    @Test("a claim the manifest no longer asks for fails")
    func changedClaim() throws {
        let directory = try appliedWorkspace()
        let changed = LifecycleEndToEndTests.products.replacingOccurrences(
            of: "origins: [example.com]", with: "origins: [example.org]")
        try directory.write(LifecycleEndToEndTests.manifest(products: changed), to: "m.yml")

        let result = try verify(directory)

        #expect(result.status == 1)
        #expect(result.standardOutput.contains("`origin` is `example.com`, but the manifest says `example.org`"))
    }

    @Test("expired tokens fail, and --within fails those about to expire")
    func expiry() throws {
        let directory = try appliedWorkspace()

        let soon = try verify(directory, at: "2026-12-08T12:00:00Z", ["--within", "7d"])
        let later = try verify(directory, at: "2026-12-20T12:00:00Z")

        #expect(soon.status == 1)
        #expect(soon.standardOutput.contains("api: expires in 5 days, within 7d"))
        #expect(!soon.standardOutput.contains("FAILED  tokens.json  web"))
        #expect(later.status == 1)
        #expect(later.standardOutput.contains("api: expired 7 days ago"))
    }

    @Test("tokens signed by another key than the manifest's fail")
    func otherKey() throws {
        let directory = try appliedWorkspace()
        let key = directory.url.appendingPathComponent("test-key.p8")
        try FileManager.default.removeItem(at: key)
        try makeTestKey(at: key)

        let result = try verify(directory)

        #expect(result.status == 1)
        #expect(result.standardOutput.contains("0 of 6 tokens verified; 6 failed."))
    }
}
