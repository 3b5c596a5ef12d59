/// Replaces a set of output files so that a failure never leaves any of them half written.
///
/// Every new file is first written in full under a temporary name beside its destination;
/// only when all of them exist are they renamed into place, each rename atomic. A failure
/// while writing removes the temporary files and leaves every previous output untouched.
enum OutputWriter {
    struct File {
        /// Relative to the output folder.
        var path: String
        var bytes: [UInt8]
        var mode: UInt16
    }

    /// Writes `files` under `directory`, creating the folders they need.
    ///
    /// - Throws: `SystemError` for the first file or folder that could not be written.
    static func replace(_ files: [File], in directory: String) throws(SystemError) {
        let processID = SystemCalls.processID()
        var staged: [(temporary: String, destination: String)] = []
        staged.reserveCapacity(files.count)

        do {
            var createdFolders = Set<String>()
            for (number, file) in files.enumerated() {
                let destination = "\(directory)/\(file.path)"
                let slash = destination.lastIndex(of: "/")!
                let folder = String(destination[..<slash])
                if createdFolders.insert(folder).inserted {
                    try SystemCalls.createDirectories(folder)
                }

                // A leading dot keeps half-made files out of `*.env` globs; the process ID and
                // number keep concurrent runs from choosing the same name.
                let name = destination[destination.index(after: slash)...]
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
                // FIXME: Files renamed before this one are already new; a journal would let the
                // next run finish or undo the set. Renames within one folder almost never fail.
                for remaining in staged[index...] { SystemCalls.removeFile(remaining.temporary) }
                throw error
            }
        }
    }
}
