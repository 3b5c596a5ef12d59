import Foundation
import Testing

/// Colour in diagnostics: only when standard error is a terminal, never with `NO_COLOR`.
/// The terminal is a pseudo-terminal from util-linux's `script`.
@Suite struct ColourEndToEndTests {
    static let escape = "\u{1B}["

    func plan(onTerminal: Bool, noColour: Bool) throws -> String {
        let directory = try TemporaryDirectory()
        let manifest = validManifest.replacingOccurrences(
            of: "    scopes: [server_api]", with: "    scopes: [server-api]")
        try directory.write(manifest, to: "m.yml")
        let command = "\(try tokenbatchBinary) plan m.yml --now 2026-12-03T12:00:00Z"
        var environment = ["PATH": "/usr/bin:/bin", "TERM": "xterm"]
        if noColour { environment["NO_COLOR"] = "1" }
        if onTerminal {
            return try runProcess(
                "/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment,
                currentDirectory: directory.url
            ).standardOutput
        }
        return try runProcess(
            try tokenbatchBinary, ["plan", "m.yml", "--now", "2026-12-03T12:00:00Z"],
            environment: environment, currentDirectory: directory.url
        ).standardError
    }

    @Test("a terminal gets colour")
    func terminal() throws {
        let output = try plan(onTerminal: true, noColour: false)
        #expect(output.contains("error[TB030]"))
        #expect(output.contains(Self.escape))
    }

    @Test("NO_COLOR turns colour off, even on a terminal")
    func noColour() throws {
        let output = try plan(onTerminal: true, noColour: true)
        #expect(output.contains("error[TB030]"))
        #expect(!output.contains(Self.escape))
    }

    @Test("a pipe gets no colour")
    func pipe() throws {
        let output = try plan(onTerminal: false, noColour: false)
        #expect(output.contains("error[TB030]"))
        #expect(!output.contains(Self.escape))
    }
}
