import Foundation
import Testing

/// Repeated `apply` runs on one output folder, through the built binary: unchanged tokens stay
/// byte for byte, due ones are renewed, changed and removed products are handled, and a
/// killed or concurrent run never leaves a broken folder.
@Suite struct LifecycleEndToEndTests {
    static let day: Int64 = 86_400

    static func manifest(products: String) -> String {
        """
        version: 1
        team_id: TESTTEAM01
        keys:
          main:
            kid: TESTKEY001
            file: test-key.p8
        defaults:
          lifetime: 30d
          renew_before: 7d
        products:
        \(products)
        outputs:
          - format: json
            path: tokens.json
          - format: env
            path: "env/{product}.env"

        """
    }

    static let products = """
          web:
            scopes: [mapkit_js]
            origins: [example.com]
          api:
            scopes: [server_api]
            lifetime: 10d
          maps:
            scopes: [server_api]
            lifetime: 60d
        """

    /// Every regular file under the folder with its inode and modification time, to tell a
    /// rewritten file from an untouched one.
    static func fileIdentities(_ folder: URL) throws -> [String: String] {
        var identities: [String: String] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let inode = attributes[.systemFileNumber] ?? ""
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            identities[String(url.path.dropFirst(folder.path.count))] = "\(inode)@\(modified)"
        }
        return identities
    }

    static func tokens(in folder: URL) throws -> [String: String] {
        let data = try Data(contentsOf: folder.appendingPathComponent("tokens.json"))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        var tokens: [String: String] = [:]
        for entry in document?["tokens"] as? [[String: Any]] ?? [] {
            tokens[entry["product"] as? String ?? ""] = entry["token"] as? String
        }
        return tokens
    }

    func workspace(products: String = Self.products) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try makeTestKey(at: directory.url.appendingPathComponent("test-key.p8"))
        try directory.write(Self.manifest(products: products), to: "m.yml")
        return directory
    }

    func apply(_ directory: TemporaryDirectory, at now: String, _ extra: [String] = []) throws -> ProcessResult {
        try tokenbatch(["apply", "m.yml", "--now", now, "--out-dir", "out"] + extra, in: directory.url)
    }

    @Test("a second apply at the same time keeps every token byte for byte and rewrites no file")
    func idempotent() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let out = directory.url.appendingPathComponent("out")
        let before = try Self.fileIdentities(out)
        let contents = try snapshot(of: out)

        let again = try apply(directory, at: "2026-12-03T12:00:00Z")

        #expect(again.status == 0)
        #expect(again.standardError.contains("create 0, keep 3, renew 0, update 0, remove 0"))
        #expect(again.standardError.contains("0 written, 5 unchanged, 0 removed"))
        #expect(try Self.fileIdentities(out) == before)
        #expect(try snapshot(of: out) == contents)
    }

    @Test("outputs over a megabyte, written as they are rendered, are left alone when unchanged and rewritten whole")
    func largeOutputs() throws {
        let many = (0..<2_000).map { "  p\($0):\n    scopes: [server_api]\n" }.joined()
        let directory = try workspace(products: many)
        let out = directory.url.appendingPathComponent("out")
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("tokens.json").path)[
            .size]
        #expect((size as? Int ?? 0) > 1 << 20)
        let before = try Self.fileIdentities(out)
        let first = try Self.tokens(in: out)

        let again = try apply(directory, at: "2026-12-03T12:00:00Z")
        #expect(again.standardError.contains("0 written, 2002 unchanged, 0 removed"))
        #expect(try Self.fileIdentities(out) == before)

        // Renewed: same length, different bytes, so the comparison must read to the end.
        let forced = try apply(directory, at: "2026-12-03T12:00:00Z", ["--force"])
        #expect(forced.standardError.contains("2002 written, 0 unchanged"))
        let renewed = try Self.tokens(in: out)
        #expect(renewed.count == 2_000 && renewed.keys.allSatisfy { renewed[$0] != first[$0] })

        // Half the products gone: the new file is shorter than the old one.
        try directory.write(
            Self.manifest(products: (0..<1_000).map { "  p\($0):\n    scopes: [server_api]\n" }.joined()), to: "m.yml")
        let shrunk = try apply(directory, at: "2026-12-03T12:00:00Z")
        #expect(shrunk.status == 0)
        #expect(try Self.tokens(in: out) == renewed.filter { Int($0.key.dropFirst())! < 1_000 })
        let state = try Data(contentsOf: out.appendingPathComponent(".tokenbatch-state.json"))
        #expect((try JSONSerialization.jsonObject(with: state) as? [String: Any])?["tokens"] as? [Any] != nil)
    }

    @Test("moving the clock into a renewal window renews exactly the tokens that are due")
    func renewal() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let out = directory.url.appendingPathComponent("out")
        let first = try Self.tokens(in: out)

        // Day 4: `api` (10 days) has 6 left, inside its 7-day window; `web` and `maps` do not.
        let result = try apply(directory, at: "2026-12-07T12:00:00Z")
        let second = try Self.tokens(in: out)

        #expect(result.status == 0)
        #expect(result.standardError.contains("create 0, keep 2, renew 1, update 0, remove 0"))
        #expect(second["web"] == first["web"] && second["maps"] == first["maps"])
        #expect(second["api"] != first["api"])
        #expect(try directory.read("out/env/web.env").contains(first["web"] ?? "?"))
        #expect(try directory.read("out/env/api.env").contains(second["api"] ?? "?"))

        let planned = try tokenbatch(
            ["plan", "m.yml", "--now", "2026-12-07T12:00:00Z", "--out-dir", "out", "--detailed-exitcode"],
            in: directory.url)
        #expect(planned.status == 0, "nothing is due right after the renewal")
        let later = try tokenbatch(
            ["plan", "m.yml", "--now", "2026-12-30T12:00:00Z", "--out-dir", "out", "--detailed-exitcode"],
            in: directory.url)
        #expect(later.status == 4)
    }

    @Test("changing one product and removing another changes only those, and removes the removed one's file")
    func changeAndRemove() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let out = directory.url.appendingPathComponent("out")
        let first = try Self.tokens(in: out)
        let mapsFile = try Self.fileIdentities(out)["/env/maps.env"]

        let changed = Self.products
            .replacingOccurrences(of: "origins: [example.com]", with: "origins: [example.org]")
            .replacingOccurrences(of: "  api:\n    scopes: [server_api]\n    lifetime: 10d\n", with: "")
        try directory.write(Self.manifest(products: changed), to: "m.yml")
        let result = try apply(directory, at: "2026-12-03T12:00:00Z")
        let second = try Self.tokens(in: out)

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("create 0, keep 1, renew 0, update 1, remove 1"))
        #expect(result.standardError.contains("origin example.com → example.org"))
        #expect(second["maps"] == first["maps"] && second["web"] != first["web"] && second["api"] == nil)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("env/api.env").path))
        #expect(try Self.fileIdentities(out)["/env/maps.env"] == mapsFile)
    }

    @Test("the summary lists what changed before what was kept, however far down the manifest it is")
    func summaryListsChangesFirst() throws {
        let many = (1...30).map { "      p\($0):\n        scopes: [server_api]" }.joined(separator: "\n")
        let directory = try workspace(products: many)
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)

        let edited = many.replacingOccurrences(
            of: "      p25:\n        scopes: [server_api]",
            with: "      p25:\n        scopes: [server_api]\n        lifetime: 20d")
        try directory.write(Self.manifest(products: edited), to: "m.yml")
        let result = try apply(directory, at: "2026-12-03T12:00:00Z")

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        let listed = result.standardError.split(separator: "\n").filter { $0.hasPrefix("  ") }
        #expect(listed.count == 21)
        #expect(listed.first?.hasPrefix("  update  p25 ") == true, "stderr:\n\(result.standardError)")
        #expect(listed.dropFirst().prefix(19).allSatisfy { $0.hasPrefix("  keep  ") })
        #expect(listed.last == "  … and 10 more, all kept")
    }

    @Test("--force signs every token anew")
    func force() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let first = try Self.tokens(in: directory.url.appendingPathComponent("out"))

        let result = try apply(directory, at: "2026-12-03T12:00:00Z", ["--force"])

        #expect(result.standardError.contains("create 0, keep 0, renew 3, update 0, remove 0"))
        let second = try Self.tokens(in: directory.url.appendingPathComponent("out"))
        #expect(second.allSatisfy { first[$0.key] != $0.value })
    }

    @Test("a second apply while one holds the folder fails clearly and changes nothing")
    func concurrentRuns() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let out = directory.url.appendingPathComponent("out")
        let before = try snapshot(of: out)

        // Another process holds the folder's lock, as a running apply does.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import fcntl,os,sys,time; d=os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(d, fcntl.LOCK_EX); "
                + "print('locked', flush=True); time.sleep(30)",
            out.path,
        ]
        let ready = Pipe()
        holder.standardOutput = ready
        try holder.run()
        defer { holder.terminate() }
        _ = ready.fileHandleForReading.availableData

        let result = try apply(directory, at: "2026-12-20T12:00:00Z")

        #expect(result.status == 3)
        #expect(result.standardError.contains("another tokenbatch apply is writing to this folder"))
        #expect(try snapshot(of: out) == before)
    }

    @Test("an apply killed at any moment leaves files that parse, and the next run converges")
    func killedRuns() throws {
        let names = (0..<400).map { "p\($0)" }
        let products = names.map { "  \($0):\n    scopes: [server_api]" }.joined(separator: "\n")
        let directory = try workspace(products: products)
        let out = directory.url.appendingPathComponent("out")
        let binary = try tokenbatchBinary

        for attempt in 0..<12 {
            // Each attempt changes every token (a later clock with --force) and is killed
            // after a different delay, from before the first rename to after the last.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "apply", "m.yml", "--now", "\(1_800_000_000 + attempt * 60)", "--out-dir", "out", "--force",
            ]
            process.currentDirectoryURL = directory.url
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(2_000 + attempt * 4_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            try Self.expectEveryFileParses(out)
        }

        let final = try apply(directory, at: "1800001000")
        #expect(final.status == 0, "stderr:\n\(final.standardError)")
        try Self.expectEveryFileParses(out)
        let tokens = try Self.tokens(in: out)
        #expect(tokens.count == names.count)
        for name in names.prefix(50) {
            #expect(try directory.read("out/env/\(name).env").contains("MAPS_TOKEN=\(tokens[name] ?? "?")"))
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("a hand-edited state file can neither delete the inputs nor get a wrong token copied")
    func editedState() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let statePath = directory.url.appendingPathComponent("out/.tokenbatch-state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: statePath)) as? [String: Any] ?? [:]
        state["files"] = (state["files"] as? [String] ?? []) + ["../m.yml", "../test-key.p8", "unrelated.txt"]
        var tokens = state["tokens"] as? [[String: Any]] ?? []
        tokens[0]["token"] = "garbage"
        state["tokens"] = tokens
        try JSONSerialization.data(withJSONObject: state).write(to: statePath)
        try directory.write("not ours\n", to: "out/unrelated.txt")

        let result = try apply(directory, at: "2026-12-03T12:00:00Z")

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("the previous token is wrong"))
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("m.yml").path))
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("test-key.p8").path))
        #expect(try directory.read("out/unrelated.txt") == "not ours\n")
        #expect(!(try directory.read("out/env/web.env")).contains("garbage"))
    }

    @Test("a state file that lists the manifest cannot get it removed to make room for a folder")
    func stateCannotClearTheManifestAway() throws {
        let directory = try workspace()
        // A manifest that starts as tokenbatch's own `.env` files do, in the output folder.
        let manifest = "# Written by tokenbatch from m.yml; do not edit.\n" + Self.manifest(products: Self.products)
        try directory.write(manifest, to: "m.yml")
        #expect(
            try tokenbatch(["apply", "m.yml", "--now", "2026-12-03T12:00:00Z", "--out-dir", "."], in: directory.url)
                .status == 0)
        let statePath = directory.url.appendingPathComponent(".tokenbatch-state.json")
        var state = try JSONSerialization.jsonObject(with: Data(contentsOf: statePath)) as? [String: Any] ?? [:]
        state["files"] = (state["files"] as? [String] ?? []) + ["m.yml"]
        try JSONSerialization.data(withJSONObject: state).write(to: statePath)
        let intoTheManifest = manifest.replacingOccurrences(of: "env/{product}.env", with: "m.yml/{product}.env")
        try directory.write(intoTheManifest, to: "m.yml")

        let result = try tokenbatch(
            ["apply", "m.yml", "--now", "2026-12-03T12:00:00Z", "--out-dir", "."], in: directory.url)

        #expect(result.status == 3, "stderr:\n\(result.standardError)")
        #expect(result.standardError.contains("m.yml"))
        #expect(try directory.read("m.yml") == intoTheManifest)
    }

    @Test("plan --detailed-exitcode counts a deleted output file as a pending change")
    func fileOnlyChange() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("out/env/web.env"))

        let planned = try tokenbatch(
            ["plan", "m.yml", "--now", "2026-12-03T12:00:00Z", "--out-dir", "out", "--detailed-exitcode"],
            in: directory.url)

        #expect(planned.status == 4)
    }

    @Test("an output can change from a file into a folder between runs")
    func fileBecomesFolder() throws {
        let directory = try workspace()
        let asFile = Self.manifest(products: Self.products).replacingOccurrences(
            of: "path: \"env/{product}.env\"", with: "path: env\n    variable: \"T_{product}\"")
        try directory.write(asFile, to: "m.yml")
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)

        try directory.write(Self.manifest(products: Self.products), to: "m.yml")
        let result = try apply(directory, at: "2026-12-03T12:00:00Z")

        #expect(result.status == 0, "stderr:\n\(result.standardError)")
        #expect(try directory.read("out/env/api.env").contains("MAPS_TOKEN=eyJ"))
    }

    @Test("verify refuses output files a reader could take differently")
    func malformedOutputs() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        try directory.write(try directory.read("out/env/web.env") + "rm -rf ~\n", to: "out/env/web.env")

        let result = try tokenbatch(
            ["verify", "m.yml", "--now", "2026-12-03T12:00:00Z", "--out-dir", "out"], in: directory.url)

        #expect(result.status == 1)
        #expect(result.standardOutput.contains("is not `NAME=token`"))
    }

    @Test("verify reports an impossible time as a failure, not a crash")
    func impossibleTimes() throws {
        let directory = try workspace()
        #expect(try apply(directory, at: "2026-12-03T12:00:00Z").status == 0)
        let text = try directory.read("out/env/api.env")
        let token = String(text.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".")
        let payload = Data(#"{"iss":"TESTTEAM01","iat":-1,"exp":9223372036854775807,"scope":"server_api"}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        try directory.write(
            text.replacingOccurrences(of: token, with: "\(parts[0]).\(payload).\(parts[2])"), to: "out/env/api.env")

        let result = try tokenbatch(
            ["verify", "m.yml", "--now", "2026-12-03T12:00:00Z", "--out-dir", "out"], in: directory.url)

        #expect(result.status == 1)
        #expect(result.standardOutput.contains("between 1970 and 9999"))
    }

    /// Every JSON file is a whole document and every `.env` file ends with a complete line.
    static func expectEveryFileParses(_ out: URL) throws {
        guard FileManager.default.fileExists(atPath: out.path) else { return }
        // A killed run's temporary files, and whatever lies inside its temporary folders, are
        // leftovers that no reader sees and the next run removes.
        let paths = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { path in
            !path.split(separator: "/").contains { $0.hasSuffix(".tmp") }
        }
        for path in paths {
            let url = out.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            if path.hasSuffix(".json") {
                #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(path) is not whole JSON")
            } else if path.hasSuffix(".env") {
                let text = String(decoding: data, as: UTF8.self)
                #expect(text.hasSuffix("\n") && text.contains("MAPS_TOKEN=eyJ"), "\(path) is not a whole .env file")
            }
        }
    }
}
