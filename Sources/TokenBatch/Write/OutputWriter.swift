/// Replaces a set of output files so that a failure never leaves any of them half written,
/// and never writes outside the output folder.
///
/// Every new file is first written in full under a temporary name beside its destination.
/// Only when all of them exist, and every destination is known to be replaceable, are they
/// renamed into place, each rename atomic. A failure before that removes the temporary files
/// and leaves every previous output untouched.
enum OutputWriter {
    struct File {
        /// Relative to the output folder.
        var path: String
        var bytes: [UInt8]
        var mode: UInt16
    }

    /// Writes `files` under `directory`, creating the folders they need.
    ///
    /// - Throws: `SystemError` for the first file or folder that could not be written, or
    ///   for a destination that is a folder or a link inside the output folder.
    static func replace(_ files: [File], in directory: String) throws(SystemError) {
        try SystemCalls.createDirectories(directory)
        try createSubfolders(for: files, in: directory)

        // A destination that is a folder would fail its rename after others succeeded.
        for file in files where SystemCalls.kind(of: "\(directory)/\(file.path)") == .directory {
            throw SystemError.folderInTheWay("\(directory)/\(file.path)")
        }

        let processID = SystemCalls.processID()
        var staged: [(temporary: String, destination: String)] = []
        staged.reserveCapacity(files.count)
        do {
            for (number, file) in files.enumerated() {
                let destination = "\(directory)/\(file.path)"
                let slash = destination.lastIndex(of: "/")!  // `directory/` is always in front.
                let folder = destination[..<slash]
                let name = destination[destination.index(after: slash)...]

                // A leading dot keeps half-made files out of `*.env` globs; the process ID and
                // number keep concurrent runs from choosing the same name.
                let temporary = "\(folder)/.\(name).tokenbatch-\(processID)-\(number).tmp"
                try SystemCalls.writeNewFile(temporary, file.bytes, mode: file.mode)
                staged.append((temporary, destination))
            }
        } catch {
            for file in staged { SystemCalls.removeFile(file.temporary) }
            throw error
        }

        for (index, file) in staged.enumerated() {
            do {
                try SystemCalls.rename(file.temporary, to: file.destination)
            } catch {
                // FIXME: Files renamed before this one are already new. Every cause known to
                // make a rename fail here is checked above; a journal would let the next run
                // finish or undo the set if an unknown one appears.
                for remaining in staged[index...] { SystemCalls.removeFile(remaining.temporary) }
                throw error
            }
        }
    }

    /// Creates the folders inside the output folder that the files need, refusing any that is
    /// a symbolic link: following one could write anywhere on the machine.
    private static func createSubfolders(for files: [File], in directory: String) throws(SystemError) {
        var checked = Set<String>()
        for file in files {
            var folder = directory
            for component in file.path.split(separator: "/").dropLast() {
                folder += "/\(component)"
                guard checked.insert(folder).inserted else { continue }

                try SystemCalls.createDirectory(folder)
                switch SystemCalls.kind(of: folder) {
                case .directory:
                    continue
                case .symbolicLink:
                    throw SystemError.symbolicLink(folder)
                default:
                    throw SystemError.notAFolder(folder)
                }
            }
        }
    }
}
