import Synchronization

/// Replaces a set of output files so that a failure never leaves any of them half written,
/// and never writes outside the output folder.
///
/// Every new file is first written in full under a temporary name beside its destination.
/// Only when all of them exist, and every destination is known to be replaceable, are they
/// renamed into place, each rename atomic. A failure before that removes the temporary files
/// and leaves every previous output untouched.
///
/// Files are made and renamed on several threads: a run with one `.env` file per product
/// spends most of its time in the file system, not in the processor.
enum OutputWriter {
    struct File: Sendable {
        /// Relative to the output folder.
        var path: String
        var mode: UInt16
        /// Makes the content when the file is about to be written, handing it over in pieces,
        /// so that no large file is ever held whole in memory.
        var render: @Sendable (_ deliver: (ArraySlice<UInt8>) -> Void) -> Void

        init(path: String, mode: UInt16, render: @escaping @Sendable (_ deliver: (ArraySlice<UInt8>) -> Void) -> Void) {
            self.path = path
            self.mode = mode
            self.render = render
        }

        init(path: String, bytes: [UInt8], mode: UInt16) {
            self.init(path: path, mode: mode, render: { deliver in deliver(bytes[...]) })
        }
    }

    /// Why a `replace` stopped, and whether it had replaced some files by then.
    struct Failure: Error {
        var reason: SystemError
        /// True when the failure came after some files were renamed into place.
        var partlyReplaced: Bool
    }

    /// What a `replace` did.
    struct Outcome: Equatable {
        var written: [String] = []
        var unchanged: [String] = []
        var removed: [String] = []
    }

    /// Writes `files` under `directory`, creating the folders they need, skipping every file
    /// whose content and mode are already right, and then removing `stale` files.
    ///
    /// The last file is renamed into place after all the others, so that a caller can make it
    /// the record of the whole set.
    ///
    /// - Parameter stale: paths relative to `directory` that earlier runs wrote and this one
    ///   does not; removed only after every new file is in place.
    /// - Throws: `SystemError` for the first file or folder that could not be written, or
    ///   for a destination that is a folder or a link inside the output folder.
    @discardableResult
    static func replace(
        _ files: [File], in directory: String, removing stale: [String] = [],
        protecting protected: Set<FileIdentity> = []
    ) throws(Failure) -> Outcome {
        do {
            return try replaceFiles(files, in: directory, removing: stale, protecting: protected)
        } catch let failure as Failure {
            throw failure
        } catch let error as SystemError {
            throw Failure(reason: error, partlyReplaced: false)
        } catch {
            throw Failure(
                reason: SystemError(operation: "write", path: directory, code: 0, explanation: "\(error)"),
                partlyReplaced: false)
        }
    }

    private static func replaceFiles(
        _ files: [File], in directory: String, removing stale: [String], protecting protected: Set<FileIdentity>
    ) throws -> Outcome {
        var outcome = Outcome()
        try SystemCalls.createDirectories(directory)
        try createSubfolders(for: files, in: directory, replacing: Set(stale))
        removeLeftoverTemporaries(for: files, in: directory)

        // A destination that is a folder would fail its rename after others succeeded; found
        // before any temporary file exists, it leaves even the folders' times unchanged.
        let jobs = SystemCalls.processorCount()
        let existing = ParallelLoop.map(files.count, jobs: jobs) {
            SystemCalls.status(of: "\(directory)/\(files[$0].path)")
        }
        if let blocked = files.indices.first(where: { existing[$0]?.kind == .directory }) {
            throw SystemError.folderInTheWay("\(directory)/\(files[blocked].path)")
        }

        // Make every file under a temporary name; a failure anywhere removes them all. Paths are
        // worked out again where needed rather than kept: a run can have 100,000 files.
        let processID = SystemCalls.processID()
        let temporary: @Sendable (Int) -> String = { number in
            temporaryPath(for: files[number].path, number: number, in: directory, processID: processID)
        }
        let changed: [Bool]
        do {
            changed = try ParallelLoop.map(files.count, jobs: jobs) { number throws(SystemError) in
                let file = files[number]
                var output = StagedOutput(
                    destination: "\(directory)/\(file.path)", temporary: temporary(number), mode: file.mode,
                    existing: existing[number])
                file.render { output.append($0) }
                return try output.finish()
            }
        } catch {
            for number in files.indices { SystemCalls.removeFile(temporary(number)) }  // Most do not exist.
            throw error
        }

        // Rename them into place, the last file after all the others.
        let renames = files.indices.filter { changed[$0] }
        let renamed = Atomic<Int>(0)
        let rename: @Sendable (Int) throws(SystemError) -> Void = { number throws(SystemError) in
            try SystemCalls.rename(temporary(number), to: "\(directory)/\(files[number].path)")
        }
        do {
            let allButLast = renames.dropLast()
            _ = try ParallelLoop.map(allButLast.count, jobs: jobs) { offset throws(SystemError) in
                try rename(allButLast[allButLast.startIndex + offset])
                renamed.add(1, ordering: .relaxed)
            }
            if let last = renames.last { try rename(last) }
        } catch {
            // FIXME: Files renamed before the failure are already new. Every cause known to
            // make a rename fail here is checked above; a journal would let the next run
            // finish or undo the set if an unknown one appears.
            for number in renames { SystemCalls.removeFile(temporary(number)) }  // Renamed ones are gone already.
            throw Failure(reason: error, partlyReplaced: renamed.load(ordering: .relaxed) > 0)
        }
        for (file, isChanged) in zip(files, changed) {
            if isChanged { outcome.written.append(file.path) } else { outcome.unchanged.append(file.path) }
        }

        for path in stale where isRemovable(path, in: directory, protecting: protected) {
            SystemCalls.removeFile("\(directory)/\(path)")
            outcome.removed.append(path)
        }
        return outcome
    }

    /// Whether a path an earlier run wrote may be deleted: inside the output folder, reached
    /// without links, not an input of this run, and recognisably a file tokenbatch wrote (a
    /// hand-edited state file must not be able to delete anything else).
    private static func isRemovable(_ path: String, in directory: String, protecting protected: Set<FileIdentity>)
        -> Bool
    {
        let fullPath = "\(directory)/\(path)"
        guard isInside(path), hasOnlyRealFolders(path, in: directory), SystemCalls.kind(of: fullPath) == .regular,
            let identity = SystemCalls.identity(of: fullPath, followingLinks: false), !protected.contains(identity)
        else { return false }
        return isWrittenByTokenbatch(fullPath)
    }

    /// Whether the file starts as tokenbatch's JSON output or `.env` output does.
    static func isWrittenByTokenbatch(_ path: String) -> Bool {
        guard let start = try? SystemCalls.readStart(of: path, count: 64) else { return false }
        return start.starts(with: Array(OutputRenderer.jsonStart.utf8))
            || start.starts(with: Array(OutputRenderer.envStart.utf8))
    }

    /// Whether the file at the destination already has exactly this content and mode.
    static func isAlreadyWritten(_ file: File, in directory: String) -> Bool {
        let path = "\(directory)/\(file.path)"
        guard let existing = SystemCalls.status(of: path), existing.kind == .regular, existing.permissions == file.mode,
            let reader = FileReader(path: path)
        else { return false }

        var same = true
        var size = 0
        file.render { piece in
            size += piece.count
            same = same && size <= existing.size && reader.continues(with: piece)
        }
        return same && size == existing.size
    }

    /// Where a file is made before it is renamed into place. A leading dot keeps half-made
    /// files out of `*.env` globs; the process ID and number keep concurrent runs from
    /// choosing the same name.
    private static func temporaryPath(for path: String, number: Int, in directory: String, processID: Int32) -> String {
        let destination = "\(directory)/\(path)"
        let slash = destination.lastIndex(of: "/")!  // `directory/` is always in front.
        let folder = destination[..<slash]
        let name = destination[destination.index(after: slash)...]
        return "\(folder)/.\(name).tokenbatch-\(processID)-\(number).tmp"
    }

    /// Removes temporary files that a killed run left beside the destinations of this one.
    private static func removeLeftoverTemporaries(for files: [File], in directory: String) {
        var folders = Set<String>()
        for file in files {
            let relative = file.path.split(separator: "/").dropLast().joined(separator: "/")
            folders.insert(relative.isEmpty ? directory : "\(directory)/\(relative)")
        }
        for folder in folders {
            for name in SystemCalls.directoryEntries(folder)
            where name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".tokenbatch-") {
                SystemCalls.removeFile("\(folder)/\(name)")
            }
        }
    }

    /// Whether every folder on the way to `path` is a real folder, not a link that would make
    /// the removal reach outside the output folder.
    private static func hasOnlyRealFolders(_ path: String, in directory: String) -> Bool {
        var folder = directory
        for component in path.split(separator: "/").dropLast() {
            folder += "/\(component)"
            guard SystemCalls.kind(of: folder) == .directory else { return false }
        }
        return true
    }

    /// Whether a path read from the state file stays inside the output folder.
    private static func isInside(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/")
            && !path.split(separator: "/", omittingEmptySubsequences: false).contains {
                $0.isEmpty || $0 == "." || $0 == ".."
            }
    }

    /// Creates the folders inside the output folder that the files need, refusing any that is
    /// a symbolic link: following one could write anywhere on the machine.
    /// A regular file in the way that an earlier run wrote (`replacing`) is removed first, so
    /// that an output can change from a file into a folder.
    private static func createSubfolders(for files: [File], in directory: String, replacing stale: Set<String>)
        throws(SystemError)
    {
        var checked = Set<String>()
        for file in files {
            var folder = directory
            for component in file.path.split(separator: "/").dropLast() {
                folder += "/\(component)"
                guard checked.insert(folder).inserted else { continue }
                let relative = String(folder.dropFirst(directory.count + 1))
                if stale.contains(relative), SystemCalls.kind(of: folder) == .regular, isWrittenByTokenbatch(folder) {
                    SystemCalls.removeFile(folder)
                }

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
