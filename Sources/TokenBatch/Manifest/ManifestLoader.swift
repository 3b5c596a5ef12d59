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

    /// Loads the manifest at `path`.
    ///
    /// - Throws: `DiagnosticsError` when the file cannot be read or is not YAML at all; smaller
    ///   problems are returned in `problems` so that planning can add its own.
    public static func load(path: String) throws(DiagnosticsError) -> Loaded {
        let bytes: [UInt8]
        do {
            bytes = try SystemCalls.readFile(path, limit: maximumSize)
        } catch {
            let hint = error.isMissing ? "check the path; it is relative to the current folder" : nil
            throw DiagnosticsError([Diagnostic(.yamlSyntax, at: nil, "\(error)", hint: hint)])
        }
        return try load(bytes: bytes, file: path)
    }

    /// Loads a manifest from `bytes`, reporting positions in `file`.
    public static func load(bytes: [UInt8], file: String) throws(DiagnosticsError) -> Loaded {
        let (root, yamlProblems) = try YAMLLoader.load(bytes, file: file)
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let (manifest, problems) = ManifestDecoder.decode(
            root, file: file, directory: directory.isEmpty ? "/" : directory)
        return Loaded(manifest: manifest, problems: yamlProblems + problems, source: bytes)
    }
}
