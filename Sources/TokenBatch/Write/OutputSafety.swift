/// Checks, before anything is written, that no output would replace a file the run reads.
///
/// A `.p8` key can be downloaded from Apple only once: an output path that lands on it (say
/// `path: keys/AuthKey.p8` with `--out-dir .`) would destroy it for good.
enum OutputSafety {
    /// `path` without empty and `.` components or a trailing slash: `out/`, `out/.` and
    /// `out//` name the folder `out`, and the check for a link in its place must see that.
    static func plainSpelling(ofFolder path: String) -> String {
        let components = path.split(separator: "/").filter { $0 != "." }
        let joined = components.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The symbolic link through which `directory` would be reached, if there is one: the
    /// output folder itself, or any folder before a `..` in its spelling (`link/x/..` is
    /// inside the link's target, not beside the link). Folders above the output folder are
    /// the caller's choice and may be links.
    static func linkReachingOutputFolder(_ directory: String) -> String? {
        if SystemCalls.kind(of: directory) == .symbolicLink { return directory }
        let components = directory.split(separator: "/")
        guard let lastClimb = components.lastIndex(of: "..") else { return nil }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in components[..<lastClimb] {
            prefix += prefix.isEmpty || prefix == "/" ? component : "/" + component
            if component != "..", SystemCalls.kind(of: prefix) == .symbolicLink { return prefix }
        }
        return nil
    }

    /// The manifest and the key files of `plan`, which no output may replace or delete.
    static func inputs(of plan: Plan) -> Set<FileIdentity> {
        Set(describedInputs(of: plan).keys)
    }

    private static func describedInputs(of plan: Plan) -> [FileIdentity: String] {
        var protected: [FileIdentity: String] = [:]
        if let identity = SystemCalls.identity(of: plan.manifestFile, followingLinks: true) {
            protected[identity] = "the manifest"
        }
        for key in plan.keys {
            if let path = key.resolvedPath, let identity = SystemCalls.identity(of: path, followingLinks: true) {
                protected[identity] = "the file of key `\(key.name)`"
            }
        }
        return protected
    }

    /// An error for each planned file whose destination is the manifest or a key file.
    static func overwrites(in plan: Plan, outputDirectory: String) -> [Diagnostic] {
        let protected = describedInputs(of: plan)
        guard !protected.isEmpty else { return [] }

        var problems: [Diagnostic] = []
        // Files of one output mostly share a folder; when it does not exist, neither do they.
        var lastFolder: (path: Substring, exists: Bool) = ("", true)
        for file in plan.files {
            let folder = file.path[..<(file.path.lastIndex(of: "/") ?? file.path.startIndex)]
            if folder != lastFolder.path {
                lastFolder = (folder, SystemCalls.kind(of: "\(outputDirectory)/\(folder)") != nil)
            }
            guard lastFolder.exists else { continue }

            // Not following a final link: a rename replaces the link itself, never its target.
            let destination = "\(outputDirectory)/\(file.path)"
            guard let identity = SystemCalls.identity(of: destination, followingLinks: false),
                let what = protected[identity]
            else { continue }
            problems.append(
                Diagnostic(
                    .outputOverwritesInput, at: file.location, "writing `\(destination)` would replace \(what)",
                    hint: "choose another `path` or `--out-dir`; the output folder is for generated files only"))
        }
        return problems
    }
}
