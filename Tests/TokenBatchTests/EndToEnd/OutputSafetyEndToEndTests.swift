import Foundation
import Testing

/// The output folder through the built binary: a run that cannot replace every file replaces
/// none, nothing is written through a link or outside the folder, and no output may land on
/// the manifest or a key.
@Suite struct OutputSafetyEndToEndTests {
    static let now = "2026-12-03T12:00:00Z"

    static let manifest = """
        version: 1
        team_id: TESTTEAM01
        keys:
          main:
            kid: TESTKEY001
            file: keys/test-key.p8
        products:
          web:
            scopes: [server_api]
            lifetime: 1d
        outputs:
          - format: json
            path: a/tokens.json
          - format: env
            path: b/web.env

        """

    func workspace(manifest: String = Self.manifest) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try makeTestKey(at: directory.url.appendingPathComponent("keys/test-key.p8"))
        try directory.write(manifest, to: "m.yml")
        return directory
    }

    func apply(in directory: TemporaryDirectory, outDir: String = "out", now: String = Self.now) throws -> ProcessResult
    {
        try tokenbatch(["apply", "m.yml", "--now", now, "--out-dir", outDir], in: directory.url)
    }

    @Test("a folder where a file belongs stops the run before any file is replaced")
    func folderInTheWay() throws {
        let directory = try workspace()
        #expect(try apply(in: directory).status == 0)
        let env = directory.url.appendingPathComponent("out/b/web.env")
        try FileManager.default.removeItem(at: env)
        try FileManager.default.createDirectory(at: env, withIntermediateDirectories: true)
        let before = try snapshot(of: directory.url.appendingPathComponent("out"))

        let result = try apply(in: directory, now: "2026-12-04T12:00:00Z")

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("a folder is in the way"))
        #expect(try snapshot(of: directory.url.appendingPathComponent("out")) == before)
    }

    @Test("a symbolic link to a folder inside the output folder is never followed")
    func linkedSubfolder() throws {
        let directory = try workspace()
        let elsewhere = directory.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("out"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: directory.url.appendingPathComponent("out/b"), withDestinationURL: elsewhere)

        let result = try apply(in: directory)

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("out/a/tokens.json").path))
    }

    @Test(
        "an output folder that is a link is refused however it is spelled",
        arguments: ["out", "out/", "out/.", "out//", "./out/", "out/sub/..", "real/../out"])
    func linkedOutputFolderSpellings(_ spelling: String) throws {
        let directory = try workspace()
        let elsewhere = directory.url.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(
            at: elsewhere.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: directory.url.appendingPathComponent("out"), withDestinationURL: elsewhere)
        let before = try snapshot(of: directory.url)

        let result = try apply(in: directory, outDir: spelling)

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("it is a symbolic link"))
        #expect(try snapshot(of: directory.url) == before)
    }

    @Test("new folders of outputs appear whole, and a run that fails leaves no trace of them")
    func newFoldersAppearWhole() throws {
        let directory = try workspace()
        let out = directory.url.appendingPathComponent("out")
        // `a/` is new to this run; `b/web.env` is a folder in the way, found after `a/` is made.
        try FileManager.default.createDirectory(
            at: out.appendingPathComponent("b/web.env"), withIntermediateDirectories: true)
        let before = try snapshot(of: out)

        let failed = try apply(in: directory)

        #expect(failed.status == 3, "stderr:\n\(failed.standardError)")
        #expect(try snapshot(of: out) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["b"])

        try FileManager.default.removeItem(at: out.appendingPathComponent("b"))
        let applied = try apply(in: directory)

        #expect(applied.status == 0, "stderr:\n\(applied.standardError)")
        #expect(try directory.read("out/a/tokens.json").contains("\"product\": \"web\""))
        #expect(try directory.read("out/b/web.env").contains("MAPS_TOKEN=eyJ"))
        #expect(try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.contains(".tmp") }.isEmpty)
    }

    @Test("temporary folders a killed run left are removed, and a link named like one is never followed")
    func leftoverTemporaryFolders() throws {
        let directory = try workspace()
        let out = directory.url.appendingPathComponent("out")
        let leftover = out.appendingPathComponent(".b.tokenbatch-99999-folder.tmp")
        try FileManager.default.createDirectory(
            at: leftover.appendingPathComponent("deeper"), withIntermediateDirectories: true)
        try "MAPS_TOKEN=stale\n".write(
            to: leftover.appendingPathComponent("web.env"), atomically: false, encoding: .utf8)
        try directory.write("precious\n", to: "elsewhere/precious.txt")
        try FileManager.default.createSymbolicLink(
            at: out.appendingPathComponent(".a.tokenbatch-99998-folder.tmp"),
            withDestinationURL: directory.url.appendingPathComponent("elsewhere"))

        let result = try apply(in: directory)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == [
                ".tokenbatch-state.json", "a", "b",
            ])
        #expect(try directory.read("elsewhere/precious.txt") == "precious\n")
        #expect(try directory.read("out/b/web.env").contains("MAPS_TOKEN=eyJ"))
    }

    @Test("a link planted at a file's place is replaced, and its target left alone")
    func linkedFile() throws {
        let directory = try workspace()
        #expect(try apply(in: directory).status == 0)
        try directory.write("precious\n", to: "precious.txt")
        let env = directory.url.appendingPathComponent("out/b/web.env")
        try FileManager.default.removeItem(at: env)
        try FileManager.default.createSymbolicLink(
            at: env, withDestinationURL: directory.url.appendingPathComponent("precious.txt"))

        #expect(try apply(in: directory).status == 0)

        #expect(try directory.read("precious.txt") == "precious\n")
        #expect(try directory.read("out/b/web.env").contains("MAPS_TOKEN=eyJ"))
    }

    @Test("a state file that is a link to a file elsewhere is not read, but replaced, and its target left alone")
    func linkedStateFile() throws {
        let directory = try workspace()
        #expect(try apply(in: directory).status == 0)
        // What the link leads to is a valid state: it must not be used all the same.
        let state = directory.url.appendingPathComponent("out/.tokenbatch-state.json")
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: state, to: directory.url.appendingPathComponent("elsewhere/precious.txt"))
        try FileManager.default.createSymbolicLink(
            at: state, withDestinationURL: directory.url.appendingPathComponent("elsewhere/precious.txt"))
        let before = try snapshot(of: directory.url, excluding: "out")
        let precious = try directory.read("elsewhere/precious.txt")

        let result = try apply(in: directory, now: "2026-12-04T12:00:00Z")

        // Files inside the output folder are never read through a link; without a state, the
        // run warns and signs every token anew, as after a damaged state file.
        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(
            result.standardError.contains(
                "warning[TB070]: the state of the previous run cannot be used: cannot open out/.tokenbatch-state.json: "
                    + "it is a symbolic link"),
            "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("create 1, keep 0"), "stderr:\n\(result.standardError)")

        // The new state replaced the link itself; the file it led to is byte for byte as it was.
        let stateType = try FileManager.default.attributesOfItem(atPath: state.path)[.type] as? FileAttributeType
        #expect(stateType == .typeRegular)
        #expect(try directory.read("out/.tokenbatch-state.json").contains("\"format\": \"tokenbatch.state\""))
        #expect(try directory.read("elsewhere/precious.txt") == precious)
        #expect(try snapshot(of: directory.url, excluding: "out") == before)
    }

    @Test("links planted at the temporary names of a run are removed as leftovers, never followed")
    func plantedTemporaryNames() throws {
        let directory = try workspace()
        #expect(try apply(in: directory).status == 0)
        try directory.write("precious\n", to: "elsewhere/precious.txt")
        let target = directory.url.appendingPathComponent("elsewhere/precious.txt")
        // A run makes `a/tokens.json` as `a/.tokens.json.tokenbatch-PID-N.tmp`, N being the
        // file's place in the run (0 to 2 here), and likewise the others. Its PID cannot be
        // known beforehand, so the links carry PIDs of no live run: leftovers of a killed one.
        let destinations = [("out/a", "tokens.json"), ("out/b", "web.env"), ("out", ".tokenbatch-state.json")]
        var planted: [URL] = []
        for processID in 99_990...99_992 {
            for number in 0...2 {
                for (folder, name) in destinations {
                    let link = directory.url.appendingPathComponent(
                        "\(folder)/.\(name).tokenbatch-\(processID)-\(number).tmp")
                    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
                    planted.append(link)
                }
            }
        }
        let before = try snapshot(of: directory.url, excluding: "out")

        let result = try tokenbatch(
            ["apply", "m.yml", "--now", "2026-12-04T12:00:00Z", "--out-dir", "out", "--force"], in: directory.url)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("3 written"), "stderr:\n\(result.standardError)")
        for link in planted {
            #expect(
                (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil,
                "\(link.lastPathComponent) is still there")
        }
        #expect(try directory.read("elsewhere/precious.txt") == "precious\n")
        #expect(try snapshot(of: directory.url, excluding: "out") == before)
        #expect(try directory.read("out/a/tokens.json").contains("\"product\": \"web\""))
        let out = directory.url.appendingPathComponent("out")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.contains(".tmp") }.isEmpty)
    }

    @Test("an output that would replace the key file or the manifest is refused, in plan and in apply")
    func outputOnInputs() throws {
        let onKey = Self.manifest.replacingOccurrences(of: "path: b/web.env", with: "path: keys/test-key.p8")
        let directory = try workspace(manifest: onKey)
        let key = try directory.read("keys/test-key.p8")

        let planned = try tokenbatch(["plan", "m.yml", "--now", Self.now, "--out-dir", "."], in: directory.url)
        let applied = try apply(in: directory, outDir: ".")

        for result in [planned, applied] {
            #expect(result.status == 1, "stderr:\n\(result.standardError)")
            #expect(result.standardError.contains("m.yml:15:11: error[TB056]"), "stderr:\n\(result.standardError)")
        }
        #expect(try directory.read("keys/test-key.p8") == key)
    }

    @Test("a folder the run may not write to stops it with exit 3 and the previous outputs intact")
    func folderWithoutPermission() throws {
        let directory = try workspace()
        #expect(try apply(in: directory).status == 0)
        let out = directory.url.appendingPathComponent("out")
        let before = try snapshot(of: out)

        // As root, permissions do not stop writes: run as `nobody`, who may read the
        // manifest and key but not write to the folder. Otherwise take the write bit away.
        var arguments = ["apply", "m.yml", "--now", "2026-12-04T12:00:00Z", "--out-dir", "out", "--force"]
        let result: ProcessResult
        if getuid() == 0 {
            for path in [directory.url.path, out.path, directory.url.appendingPathComponent("keys").path] {
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            }
            for path in ["m.yml", "keys/test-key.p8"] {
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o644], ofItemAtPath: directory.url.appendingPathComponent(path).path)
            }
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", try tokenbatchBinary] + arguments
            result = try runProcess(
                "/usr/bin/setpriv", arguments, environment: ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"],
                currentDirectory: directory.url)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: out.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: out.path) }
            result = try tokenbatch(arguments, in: directory.url)
        }

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("Permission denied; the previous outputs are unchanged"))
        #expect(try snapshot(of: out) == before)
    }

    @Test(
        "the command line refuses what it cannot mean",
        arguments: [
            (["apply", "m.yml", "--out-dir", "a", "--out-dir", "b"], "given twice"),
            (["apply", "m.yml", "--out-dir", "--now"], "needs a value"),
            (["help", "aply"], "no command"),
            (["keygen", "k.p8", "--jobs", "2"], "does not apply"),
            ([], "Usage"),
        ])
    func commandLine(arguments: [String], says: String) throws {
        let directory = try TemporaryDirectory()
        let result = try tokenbatch(arguments, in: directory.url)

        #expect(result.status == 2)
        #expect(result.standardError.contains(says), "stderr:\n\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
