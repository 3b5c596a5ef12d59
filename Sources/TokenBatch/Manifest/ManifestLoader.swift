/// Reads a manifest file and decodes it, collecting every problem found on the way.
public enum ManifestLoader {
    /// Larger manifests are refused before parsing; 100,000 products take about 10 MB.
    public static let maximumSize = 64 * 1024 * 1024

    /// A manifest as loaded, with the bytes it came from, for quoting lines in messages.
    public struct Loaded: Sendable {
        public var manifest: Manifest
        public var problems: [Diagnostic]
        public var source: [UInt8]
    }

    /// The bytes of the manifest at `path`.
    ///
    /// - Throws: `DiagnosticsError` when the file cannot be read.
    public static func read(path: String) throws(DiagnosticsError) -> [UInt8] {
        do {
            return try SystemCalls.readFile(path, limit: maximumSize)
        } catch {
            let hint = error.isMissing ? "check the path; it is relative to the current folder" : nil
            throw DiagnosticsError([Diagnostic(.manifestUnreadable, at: nil, "\(error)", hint: hint)])
        }
    }

    /// Loads a manifest from `bytes`, reporting positions in `file`.
    ///
    /// - Throws: `DiagnosticsError` when the bytes are not YAML at all; smaller problems are
    ///   returned in `problems` so that planning can add its own.
    public static func load(bytes: [UInt8], file: String) throws(DiagnosticsError) -> Loaded {
        let (root, yamlProblems) = try YAMLLoader.load(bytes, file: file)
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let (manifest, problems) = ManifestDecoder.decode(
            root, file: file, directory: directory.isEmpty ? "/" : directory)
        return Loaded(manifest: manifest, problems: yamlProblems + problems, source: bytes)
    }
}
