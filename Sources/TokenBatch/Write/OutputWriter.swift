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
        removeLeftoverTemporaries(for: files, in: directory)
        let processID = SystemCalls.processID()
        let newFolders = try createSubfolders(
            for: files, in: directory, replacing: Set(stale), protecting: protected, processID: processID)
        // Every failure from here on removes what this run made, new folders included.
        let discardNewFolders = {
            for folder in newFolders.values { SystemCalls.removeTree(folder) }
        }

        // A destination that is a folder would fail its rename after others succeeded; found
        // before any temporary file exists, it leaves even the folders' times unchanged.
        let jobs = SystemCalls.processorCount()
        let existing = ParallelLoop.map(files.count, jobs: jobs) { number in
            newFolders.staged(files[number].path) == nil
                ? SystemCalls.status(of: "\(directory)/\(files[number].path)") : nil
        }
        if let blocked = files.indices.first(where: { existing[$0]?.kind == .directory }) {
            discardNewFolders()
            throw SystemError.folderInTheWay("\(directory)/\(files[blocked].path)")
        }

        // Make every file under a temporary name, or at its own name inside a new folder that
        // is still hidden; a failure anywhere removes them all. Paths are worked out again
        // where needed rather than kept: a run can have 100,000 files.
        let staging: @Sendable (Int) -> String = { number in
            newFolders.staged(files[number].path)
                ?? temporaryPath(for: files[number].path, number: number, in: directory, processID: processID)
        }
        let changed: [Bool]
        do {
            changed = try ParallelLoop.map(files.count, jobs: jobs) { number throws(SystemError) in
                let file = files[number]
                var output = StagedOutput(
                    destination: "\(directory)/\(file.path)", temporary: staging(number), mode: file.mode,
                    existing: existing[number])
                file.render { output.append($0) }
                return try output.finish()
            }
        } catch {
            for number in files.indices { SystemCalls.removeFile(staging(number)) }  // Most do not exist.
            discardNewFolders()
            throw error
        }

        // Rename them into place: each new folder once, with everything in it, and every other
        // changed file on its own, the last file after all the others.
        let renames = files.indices.filter { changed[$0] && newFolders.staged(files[$0].path) == nil }
        let folderRenames = Array(newFolders)
        let renamed = Atomic<Int>(0)
        do {
            for (folder, staged) in folderRenames {
                try SystemCalls.rename(staged, to: "\(directory)/\(folder)")
                renamed.add(1, ordering: .relaxed)
            }
            let allButLast = renames.dropLast()
            _ = try ParallelLoop.map(allButLast.count, jobs: jobs) { offset throws(SystemError) in
                let number = allButLast[allButLast.startIndex + offset]
                try SystemCalls.rename(staging(number), to: "\(directory)/\(files[number].path)")
                renamed.add(1, ordering: .relaxed)
            }
            if let last = renames.last { try SystemCalls.rename(staging(last), to: "\(directory)/\(files[last].path)") }
        } catch {
            // FIXME: Files renamed before the failure are already new. Every cause known to
            // make a rename fail here is checked above; a journal would let the next run
            // finish or undo the set if an unknown one appears.
            for number in renames { SystemCalls.removeFile(staging(number)) }  // Renamed ones are gone already.
            discardNewFolders()  // Likewise.
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

    /// Where a folder that does not exist yet is made, filled and then renamed into place.
    private static func temporaryFolderPath(for folder: String, processID: Int32) -> String {
        let slash = folder.lastIndex(of: "/")!  // `directory/` is always in front.
        return "\(folder[..<slash])/.\(folder[folder.index(after: slash)...]).tokenbatch-\(processID)-folder.tmp"
    }

    /// Removes the temporary files and folders that a killed run left on the way to the
    /// destinations of this one.
    private static func removeLeftoverTemporaries(for files: [File], in directory: String) {
        var folders: Set<String> = [directory]
        for file in files {
            var folder = directory
            for component in file.path.split(separator: "/").dropLast() {
                folder += "/\(component)"
                folders.insert(folder)
            }
        }
        for folder in folders {
            for name in SystemCalls.directoryEntries(folder)
            where name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".tokenbatch-") {
                SystemCalls.removeTree("\(folder)/\(name)")
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
    /// A file in the way that an earlier run wrote (`replacing`) is removed first, so that an
    /// output can change from a file into a folder; only if it may be removed at all (see
    /// `isRemovable`), so that a hand-edited state file cannot turn the manifest into a folder.
    ///
    /// A folder that does not exist yet is made under a temporary name, where its files are
    /// written under their own names: a new folder of 100,000 `.env` files then appears whole
    /// with one rename, instead of one rename per file.
    ///
    /// - Returns: the new folders, relative to `directory`, with where each is made.
    private static func createSubfolders(
        for files: [File], in directory: String, replacing stale: Set<String>, protecting protected: Set<FileIdentity>,
        processID: Int32
    ) throws(SystemError) -> NewFolders {
        var newFolders = NewFolders()
        var checked = Set<String>()
        do throws(SystemError) {
            for file in files {
                var relative = ""
                for component in file.path.split(separator: "/").dropLast() {
                    relative += relative.isEmpty ? "\(component)" : "/\(component)"
                    guard checked.insert(relative).inserted else { continue }

                    // Inside a new folder, nothing exists yet and nobody else can reach it.
                    if let staged = newFolders.staged(relative) {
                        try SystemCalls.createDirectory(staged, mustBeNew: true)
                        continue
                    }

                    let folder = "\(directory)/\(relative)"
                    if stale.contains(relative), isRemovable(relative, in: directory, protecting: protected) {
                        SystemCalls.removeFile(folder)
                    }
                    switch SystemCalls.kind(of: folder) {
                    case nil:
                        let staged = temporaryFolderPath(for: folder, processID: processID)
                        try SystemCalls.createDirectory(staged, mustBeNew: true)
                        newFolders.add(relative, stagedAt: staged)
                    case .directory:
                        continue
                    case .symbolicLink:
                        throw SystemError.symbolicLink(folder)
                    default:
                        throw SystemError.notAFolder(folder)
                    }
                }
            }
        } catch {
            for folder in newFolders.values { SystemCalls.removeTree(folder) }
            throw error
        }
        return newFolders
    }
}

/// The folders a run creates, each made under a temporary name until every file in it is
/// written; keyed by the path relative to the output folder.
private struct NewFolders: Sequence, Sendable {
    private var stagedPaths: [String: String] = [:]

    mutating func add(_ folder: String, stagedAt staged: String) {
        stagedPaths[folder] = staged
    }

    /// Where `path` (relative to the output folder) is made when it lies in a new folder.
    func staged(_ path: String) -> String? {
        guard !stagedPaths.isEmpty else { return nil }
        // The outermost new folder on the way holds everything below it.
        var end = path.startIndex
        while let slash = path[end...].firstIndex(of: "/") {
            if let staged = stagedPaths[String(path[..<slash])] { return staged + path[slash...] }
            end = path.index(after: slash)
        }
        return stagedPaths[path]
    }

    var values: Dictionary<String, String>.Values { stagedPaths.values }

    func makeIterator() -> Dictionary<String, String>.Iterator { stagedPaths.makeIterator() }
}
