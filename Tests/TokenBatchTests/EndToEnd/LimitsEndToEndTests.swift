import Foundation
import Testing

/// Every bound on hostile input and every hostile-file case, through the built binary: each
/// gives its clear error, and nothing outside the output folder changes.
@Suite struct LimitsEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"

    /// Runs `plan` on `manifest` and returns the result.
    func plan(_ manifest: String, named name: String = "m.yml", in directory: TemporaryDirectory) throws
        -> ProcessResult
    {
        try directory.write(manifest, to: name)
        return try tokenbatch(["plan", name, "--now", Self.now], in: directory.url)
    }

    @Test("a manifest larger than 64 MiB is refused before it is read")
    func manifestSize() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("huge.yml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 64 * 1024 * 1024 + 1)
        try handle.close()

        let result = try tokenbatch(["plan", "huge.yml", "--now", Self.now], in: directory.url)

        #expect(result.status == 1)
        #expect(result.standardError.contains("error[TB015]: cannot read huge.yml: it is larger than the 64 MiB allowed"))
    }

    @Test("nesting deeper than 64 levels is refused at its place")
    func nesting() throws {
        let directory = try TemporaryDirectory()
        let deep = "x: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"

        let result = try plan(validManifest + deep, in: directory)

        #expect(result.status == 1)
        #expect(result.standardError.contains("m.yml:21:67: error[TB007]: lists and mappings are nested more than 64"))
    }

    @Test("aliases that would expand beyond the bound are refused")
    func aliases() throws {
        let directory = try TemporaryDirectory()
        var bomb = "bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            bomb +=
                "  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }

        let result = try plan(validManifest + bomb, in: directory)

        #expect(result.status == 1)
        #expect(result.standardError.contains("error[TB007]: aliases expand to more than 100000 nodes"))
    }

    @Test("a value longer than 64 KiB is refused at its place")
    func longValue() throws {
        let directory = try TemporaryDirectory()
        let long = validManifest.replacingOccurrences(
            of: "team_id: DEF123GHIJ", with: "team_id: " + String(repeating: "A", count: 70_000))

        let result = try plan(long, in: directory)

        #expect(result.status == 1)
        #expect(result.standardError.contains("m.yml:2:10: error[TB007]: a value is longer than 65536 bytes"))
    }

    @Test("more than a million products are refused at `products`, before any is decoded")
    func productCount() throws {
        let directory = try TemporaryDirectory()
        // Flow style keeps the file small: one million and one products in about 10 MB.
        var manifest = validManifest.components(separatedBy: "products:\n")[0] + "products: {"
        manifest.reserveCapacity(11_000_000)
        for index in 0...1_000_000 { manifest += "p\(index): x, " }
        manifest += "}\noutputs: [{format: json, path: tokens.json}]\n"

        let result = try plan(manifest, in: directory)

        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "m.yml:10:11: error[TB007]: the manifest lists 1000001 products, more than the 1000000 one run handles")
        )
        #expect(!result.standardError.contains("has no settings"))
    }

    @Test("an output folder that is a symbolic link is not followed")
    func linkedOutputFolder() throws {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("keys/test-key.p8"))
        try directory.write(validManifest, to: "m.yml")
        let elsewhere = directory.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: directory.url.appendingPathComponent("out"), withDestinationURL: elsewhere)

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        #expect(result.status == 3)
        #expect(result.standardError.contains("it is a symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }

    @Test("written files and folders get exactly their mode whatever the umask", arguments: ["000", "077", "022", "277"])
    func umask(_ mask: String) throws {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("keys/test-key.p8"))
        try directory.write(validManifest, to: "m.yml")
        let binary = try tokenbatchBinary

        let result = try runProcess(
            "/bin/sh", ["-c", "umask \(mask) && exec \"$0\" apply m.yml --now \(Self.now) --out-dir out", binary],
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        for file in ["tokens.json", "web.env", "api.env", ".tokenbatch-state.json"] {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: directory.url.appendingPathComponent("out/\(file)").path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file) with umask \(mask)")
        }
        // 0700 exactly: a umask of 0277 must not leave the owner unable to write into the folder.
        let folder = try FileManager.default.attributesOfItem(atPath: directory.url.appendingPathComponent("out").path)
        #expect((folder[.posixPermissions] as? Int) == 0o700, "the output folder with umask \(mask)")
    }

    @Test("a key file that is a symbolic link is read through the link, deliberately")
    func linkedKeyFile() throws {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("vault/real-test-key.p8"))
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: directory.url.appendingPathComponent("keys/test-key.p8"),
            withDestinationURL: directory.url.appendingPathComponent("vault/real-test-key.p8"))
        try directory.write(validManifest, to: "m.yml")

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
    }
}
