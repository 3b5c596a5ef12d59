import Foundation
import Testing

/// The package's root folder, found from this file's place in it.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// What a finished process said and how it ended.
struct ProcessResult {
    var status: Int32
    var standardOutputData: Data
    var standardError: String

    var standardOutput: String { String(decoding: standardOutputData, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, feeding `input` on standard input, and waits for it.
@discardableResult
func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    currentDirectory: URL? = nil, input: Data? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }

    let output = Pipe()
    let error = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = inputPipe
    try process.run()

    // Read both pipes while the process runs, so that neither fills up and blocks it.
    let errorData = LockedData()
    let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    if let input { inputPipe.fileHandleForWriting.write(input) }
    try inputPipe.fileHandleForWriting.close()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorData.isSet { usleep(1_000) }

    return ProcessResult(
        status: process.terminationStatus,
        standardOutputData: outputData,
        standardError: String(decoding: errorData.value, as: UTF8.self))
}

private final class LockedData: @unchecked Sendable {
    // Guarded by `lock`; read only after `isSet` turns true.
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}

/// The `tokenbatch` executable built beside the tests.
var tokenbatchBinary: String {
    get throws {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "tokenbatch"),
            Bundle.main.bundleURL.appendingPathComponent("tokenbatch"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tokenbatch"),
            packageRoot.appendingPathComponent(".build/debug/tokenbatch"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("the tokenbatch executable was not found beside the test bundle")
        }
        return found.path
    }
}

/// Runs the built `tokenbatch` in `directory` with a clean environment plus `environment`.
func tokenbatch(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> ProcessResult {
    var base = ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
    base.merge(environment) { $1 }
    return try runProcess(try tokenbatchBinary, arguments, environment: base, currentDirectory: directory)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fresh folder under the system's temporary folder, removed when the test is done with it.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenbatch-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func write(_ text: String, to path: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
    }
}

/// Makes a P-256 key in PKCS#8 PEM with the `openssl` command line, for tests only.
func makeTestKey(at path: URL, curve: String = "P-256") throws {
    try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
    let result = try runProcess(
        "/usr/bin/openssl",
        ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-out", path.path])
    guard result.status == 0 else { throw TestFailure("openssl genpkey failed: \(result.standardError)") }
}

/// A snapshot of every file under a folder: path, bytes, permissions and modification time.
func snapshot(of directory: URL) throws -> [String: String] {
    var files: [String: String] = [:]
    guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
        return files
    }
    for case let url as URL in walker {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let relative = String(url.path.dropFirst(directory.path.count))
        let content = (try? Data(contentsOf: url)).map { $0.base64EncodedString() } ?? "folder"
        files[relative] = "\(attributes[.posixPermissions] ?? "")|\(attributes[.modificationDate] ?? "")|\(content)"
    }
    return files
}

/// `snapshot(of:)` without `excluded`, a folder relative to `directory` that a run may change,
/// to check that everything outside it is as it was.
func snapshot(of directory: URL, excluding excluded: String) throws -> [String: String] {
    try snapshot(of: directory).filter { path, _ in path != "/\(excluded)" && !path.hasPrefix("/\(excluded)/") }
}
