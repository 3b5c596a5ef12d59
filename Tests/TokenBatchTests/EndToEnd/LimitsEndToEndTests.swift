import Foundation
import Testing

/// Every bound on hostile input and every hostile-file case, through the built binary: each
/// gives its clear error, and nothing outside the output folder changes.
@Suite struct LimitsEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"

    /// A workspace where `apply` would sign if the manifest were fine: a test key where
    /// `validManifest` looks for it and `manifest` at `name`, so that only the manifest can stop
    /// a run.
    func workspace(manifest: String, named name: String = "m.yml") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("keys/test-key.p8"))
        try directory.write(manifest, to: name)
        return directory
    }

    /// Runs `plan` and then `apply` on `name`, both with `--out-dir out`, as a pipeline would:
    /// a bound must hold where the tokens are written, not only where they are planned.
    func planAndApply(_ name: String = "m.yml", in directory: TemporaryDirectory) throws -> [ProcessResult] {
        try ["plan", "apply"].map { command in
            try tokenbatch([command, name, "--now", Self.now, "--out-dir", "out"], in: directory.url)
        }
    }

    /// Plans and applies `manifest` and expects both to refuse it with `message` on standard
    /// error, leaving the workspace exactly as it was and making no output folder.
    @discardableResult
    func expectRefused(_ manifest: String, with message: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [ProcessResult]
    {
        let directory = try workspace(manifest: manifest)
        let before = try snapshot(of: directory.url)

        let results = try planAndApply(in: directory)

        for result in results {
            #expect(result.status == 1, "stderr:\n\(result.standardError)", sourceLocation: sourceLocation)
            #expect(
                result.standardError.contains(message), "stderr:\n\(result.standardError)",
                sourceLocation: sourceLocation)
        }
        #expect(try snapshot(of: directory.url) == before, sourceLocation: sourceLocation)
        #expect(!outputFolderExists(in: directory), sourceLocation: sourceLocation)
        return results
    }

    /// Whether the output folder `out` exists: a refused run must not even create it.
    func outputFolderExists(in directory: TemporaryDirectory) -> Bool {
        FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("out").path)
    }

    @Test("a manifest larger than 64 MiB is refused before it is read")
    func manifestSize() throws {
        let directory = try workspace(manifest: validManifest)
        let file = directory.url.appendingPathComponent("huge.yml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 64 * 1024 * 1024 + 1)
        try handle.close()
        let before = try snapshot(of: directory.url)

        let results = try planAndApply("huge.yml", in: directory)

        for result in results {
            #expect(result.status == 1, "stderr:\n\(result.standardError)")
            #expect(
                result.standardError.contains(
                    "error[TB015]: cannot read huge.yml: it is larger than the 64 MiB allowed"))
        }
        #expect(try snapshot(of: directory.url) == before)
        #expect(!outputFolderExists(in: directory))
    }

    @Test("nesting deeper than 64 levels is refused at its place")
    func nesting() throws {
        let deep = "x: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        try expectRefused(
            validManifest + deep, with: "m.yml:21:67: error[TB007]: lists and mappings are nested more than 64")
    }

    @Test("aliases that would expand beyond the bound are refused")
    func aliases() throws {
        var bomb = "bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            bomb +=
                "  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }
        try expectRefused(validManifest + bomb, with: "error[TB007]: aliases expand to more than 100000 nodes")
    }

    @Test("a value longer than 64 KiB is refused at its place")
    func longValue() throws {
        let long = validManifest.replacingOccurrences(
            of: "team_id: DEF123GHIJ", with: "team_id: " + String(repeating: "A", count: 70_000))
        try expectRefused(long, with: "m.yml:2:10: error[TB007]: a value is longer than 65536 bytes")
    }

    @Test("an anchor name longer than 1,024 bytes is refused at its place")
    func longAnchorName() throws {
        let name = String(repeating: "n", count: 1_025)
        let anchored = validManifest.replacingOccurrences(of: "lifetime: 30d", with: "lifetime: &\(name) 30d")
        try expectRefused(anchored, with: "m.yml:9:13: error[TB007]: an anchor, alias or tag is longer than 1024 bytes")
    }

    @Test("a product with more than 1,000 origins is refused at its `origins`")
    func originCount() throws {
        let origins = (0...1_000).map { "o\($0).example.com" }.joined(separator: ", ")
        let crowded = validManifest.replacingOccurrences(
            of: "origins: [example.com, \"*.example.com\"]", with: "origins: [\(origins)]")
        try expectRefused(
            crowded,
            with: "m.yml:13:14: error[TB007]: product `web` lists 1001 origins, more than the 1000 one token carries")
    }

    @Test("more than a million products are refused at `products`, before any is decoded")
    func productCount() throws {
        // Flow style keeps the file small: one million and one products in about 10 MB.
        var manifest = validManifest.components(separatedBy: "products:\n")[0] + "products: {"
        manifest.reserveCapacity(11_000_000)
        for index in 0...1_000_000 { manifest += "p\(index): x, " }
        manifest += "}\noutputs: [{format: json, path: tokens.json}]\n"

        let results = try expectRefused(
            manifest,
            with:
                "m.yml:10:11: error[TB007]: the manifest lists 1000001 products, more than the 1000000 one run handles")
        for result in results {
            #expect(!result.standardError.contains("has no settings"))
        }
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

    @Test(
        "written files and folders get exactly their mode whatever the umask", arguments: ["000", "077", "022", "277"])
    func umask(_ mask: String) throws {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("keys/test-key.p8"))
        // The .env files are 0640, which a umask of 077 would narrow and one of 022 would not.
        let manifest = validManifest.replacingOccurrences(
            of: "    path: \"{product}.env\"\n", with: "    path: \"{product}.env\"\n    mode: \"0640\"\n")
        try directory.write(manifest, to: "m.yml")
        let binary = try tokenbatchBinary

        let result = try runProcess(
            "/bin/sh", ["-c", "umask \(mask) && exec \"$0\" apply m.yml --now \(Self.now) --out-dir out", binary],
            environment: ["PATH": "/usr/bin:/bin"], currentDirectory: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let modes = ["tokens.json": 0o600, "web.env": 0o640, "api.env": 0o640, ".tokenbatch-state.json": 0o600]
        for (file, mode) in modes {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: directory.url.appendingPathComponent("out/\(file)").path)
            #expect((attributes[.posixPermissions] as? Int) == mode, "\(file) with umask \(mask)")
        }
        // 0700 exactly: a umask of 0277 must not leave the owner unable to write into the folder.
        let folder = try FileManager.default.attributesOfItem(atPath: directory.url.appendingPathComponent("out").path)
        #expect((folder[.posixPermissions] as? Int) == 0o700, "the output folder with umask \(mask)")
    }

    @Test("a key file that is a symbolic link is read through the link, deliberately")
    func linkedKeyFile() throws {
        let directory = try TemporaryDirectory()
        let realKey = directory.url.appendingPathComponent("vault/real-test-key.p8")
        try makeTestKey(at: realKey)
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        let link = directory.url.appendingPathComponent("keys/test-key.p8")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: realKey)
        try directory.write(validManifest, to: "m.yml")
        let before = try snapshot(of: directory.url)

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")

        // Signed with the key the link leads to, checked by a verifier that shares no code.
        let document = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.url.appendingPathComponent("out/tokens.json")))
        let entries = (document as? [String: Any])?["tokens"] as? [[String: Any]] ?? []
        let verdicts = try IndependentVerifier.checkWithPython(
            entries.map { $0["token"] as? String ?? "" },
            publicKeyPEM: try IndependentVerifier.publicKeyPEM(ofPrivateKey: realKey))
        #expect(verdicts.count == 2 && verdicts.allSatisfy(\.valid))

        // The link and what it leads to are as they were; only `out/` is new.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == realKey.path)
        #expect(try snapshot(of: directory.url, excluding: "out") == before)
    }

    /// The test key in `validManifest`'s place, padded with the newlines a PEM file may end
    /// with to exactly `size` bytes: still a good key, so only its size can refuse it.
    func paddedKey(size: Int, in directory: TemporaryDirectory) throws {
        let key = directory.url.appendingPathComponent("keys/test-key.p8")
        try makeTestKey(at: key)
        var text = try Data(contentsOf: key)
        text.append(Data(repeating: UInt8(ascii: "\n"), count: size - text.count))
        try text.write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
    }

    @Test("a key file of exactly 64 KiB is still read")
    func keyAtItsBound() throws {
        let directory = try TemporaryDirectory()
        try paddedKey(size: 64 * 1024, in: directory)
        try directory.write(validManifest, to: "m.yml")

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(try directory.read("out/api.env").contains("MAPS_TOKEN=eyJ"))
    }

    @Test("a key file one byte over 64 KiB is refused, naming the key, and nothing is written")
    func keyOverItsBound() throws {
        let directory = try TemporaryDirectory()
        try paddedKey(size: 64 * 1024 + 1, in: directory)
        try directory.write(validManifest, to: "m.yml")
        let before = try snapshot(of: directory.url)

        let result = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "m.yml:4:3: error[TB060]: key `prod`: cannot read ./keys/test-key.p8: it is larger than the 64 KiB allowed"
            ),
            "stderr:\n\(result.standardError)")
        #expect(try snapshot(of: directory.url) == before)
        #expect(!outputFolderExists(in: directory))
    }

    /// A file that is not a regular file, standing where a key file is expected.
    enum SpecialKeyFile: String, CaseIterable, Sendable {
        /// Opening one for reading waits for a writer, unless asked not to.
        case fifo
        /// Reading one never ends.
        case linkToDevZero
        /// Reads as empty, which would otherwise be reported as an empty key.
        case devNull

        /// What the refusal says the file is.
        var explanation: String {
            switch self {
            case .fifo: "it is a FIFO, not a regular file"
            case .linkToDevZero, .devNull: "it is a device, not a regular file"
            }
        }

        /// Its type as `lstat` gives it.
        var fileType: mode_t {
            switch self {
            case .fifo: S_IFIFO
            case .linkToDevZero: S_IFLNK
            case .devNull: S_IFCHR
            }
        }

        /// Makes the file in `folder` (unless it is a system file) and returns its path.
        func make(in folder: TemporaryDirectory) throws -> String {
            let path = folder.url.appendingPathComponent("test-key.p8").path
            switch self {
            case .fifo:
                guard mkfifo(path, 0o600) == 0 else { throw TestFailure("mkfifo failed: errno \(errno)") }
                return path
            case .linkToDevZero:
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
                return path
            case .devNull:
                return "/dev/null"
            }
        }
    }

    /// Runs the built binary as `tokenbatch(_:in:)` does, under `timeout`, which kills it after
    /// 10 seconds (status 9, the signal): a run that waited for a FIFO's writer, or read
    /// /dev/zero to its end, would otherwise hang the whole suite instead of failing one test.
    /// SIGKILL, because processes started from the test's threads inherit a signal mask that
    /// blocks SIGTERM.
    func tokenbatchWithin10Seconds(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        try runProcess(
            "/usr/bin/timeout", ["--signal=KILL", "10", try tokenbatchBinary] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"], currentDirectory: directory)
    }

    @Test("a key file that is a FIFO or a device is refused at once, never read", arguments: SpecialKeyFile.allCases)
    func specialKeyFile(_ kind: SpecialKeyFile) throws {
        // The special file lives outside the workspace, so that `snapshot(of:)`, which reads
        // every file, never opens it.
        let elsewhere = try TemporaryDirectory()
        let path = try kind.make(in: elsewhere)
        let directory = try TemporaryDirectory()
        try directory.write(validManifest.replacingOccurrences(of: "keys/test-key.p8", with: path), to: "m.yml")
        let before = try snapshot(of: directory.url)

        let planned = try tokenbatchWithin10Seconds(
            ["plan", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)
        let applied = try tokenbatchWithin10Seconds(
            ["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)

        // `plan` only warns about a key it cannot read (TB060), as it is meant to run where
        // the key is not; `apply` refuses.
        let message = "key `prod`: cannot read \(path): \(kind.explanation)"
        #expect(planned.status == 0, "stderr:\n\(planned.standardError)")
        #expect(planned.standardError.contains("m.yml:4:3: warning[TB060]: \(message)"))
        #expect(applied.status == 1, "stderr:\n\(applied.standardError)")
        #expect(
            applied.standardError.contains("m.yml:4:3: error[TB060]: \(message)"), "stderr:\n\(applied.standardError)")
        #expect(try snapshot(of: directory.url) == before)
        #expect(!outputFolderExists(in: directory))
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == kind.fileType, "the special file is still what it was")
    }

    @Test("inspect reads a file of exactly 1 MiB")
    func inspectAtItsBound() throws {
        let directory = try workspace(manifest: validManifest)
        let applied = try tokenbatch(["apply", "m.yml", "--now", Self.now, "--out-dir", "out"], in: directory.url)
        #expect(applied.status == 0, "stderr:\n\(applied.standardError)")
        var padded = Data(try directory.read("out/api.env").utf8)
        padded.append(Data(repeating: UInt8(ascii: "\n"), count: (1 << 20) - padded.count))
        try padded.write(to: directory.url.appendingPathComponent("padded.env"))

        let result = try tokenbatch(["inspect", "padded.env", "--now", Self.now], in: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardOutput.contains("server_api"), "stdout:\n\(result.standardOutput)")
    }

    @Test("inspect refuses a file or standard input over 1 MiB with exit 1, in text and in JSON")
    func inspectOverItsBound() throws {
        let directory = try TemporaryDirectory()
        let tooLarge = Data(repeating: UInt8(ascii: "A"), count: (1 << 20) + 1)
        try tooLarge.write(to: directory.url.appendingPathComponent("big-token.txt"))
        let before = try snapshot(of: directory.url)

        let arguments = ["inspect", "big-token.txt", "--now", Self.now]
        let text = try tokenbatch(arguments, in: directory.url)
        let json = try tokenbatch(arguments + ["--format", "json"], in: directory.url)
        let piped = try runProcess(
            try tokenbatchBinary, ["inspect", "-", "--now", Self.now],
            environment: ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"], currentDirectory: directory.url, input: tooLarge)

        #expect(text.status == 1)
        #expect(
            text.standardError == "tokenbatch: error: cannot read big-token.txt: it is larger than the 1 MiB allowed\n")
        #expect(text.standardOutput.isEmpty)

        // With `--format json` the refusal is a document on standard output, and standard
        // error stays empty (docs/inspect.md).
        #expect(json.status == 1)
        #expect(json.standardError.isEmpty, "stderr:\n\(json.standardError)")
        let report = try JSONSerialization.jsonObject(with: json.standardOutputData) as? [String: Any]
        #expect(report?["error"] as? String == "cannot read big-token.txt: it is larger than the 1 MiB allowed")
        #expect(report?["input"] as? String == "big-token.txt")

        #expect(piped.status == 1)
        #expect(piped.standardError.contains("cannot read standard input: it is larger than the 1 MiB allowed"))

        #expect(try snapshot(of: directory.url) == before)
    }
}
