internal import Glibc

/// A failed call into the operating system, with the path it concerned and the system's reason.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    /// Said instead of the system's wording when the system's would mislead.
    public var explanation: String?

    public var reason: String { explanation ?? String(cString: strerror(code)) }

    init(operation: String, path: String, code: Int32, explanation: String? = nil) {
        self.operation = operation
        self.path = path
        self.code = code
        self.explanation = explanation
    }

    public var description: String { "cannot \(operation) \(path): \(reason)" }

    /// True when the file or folder does not exist, as opposed to existing and being unusable.
    public var isMissing: Bool { code == ENOENT }

    /// A folder stands where a file is to be written.
    static func folderInTheWay(_ path: String) -> SystemError {
        SystemError(operation: "replace", path: path, code: EISDIR, explanation: "a folder is in the way")
    }

    /// A file is larger than tokenbatch reads for its purpose.
    static func tooLarge(_ path: String, limit: Int) -> SystemError {
        let size =
            limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : limit % 1024 == 0 ? "\(limit >> 10) KiB" : "\(limit) bytes"
        return SystemError(
            operation: "read", path: path, code: EFBIG, explanation: "it is larger than the \(size) allowed")
    }

    /// A link stands where tokenbatch must not follow one.
    static func symbolicLink(_ path: String) -> SystemError {
        SystemError(
            operation: "write into", path: path, code: ELOOP,
            explanation: "it is a symbolic link, and tokenbatch never follows a link inside the output folder")
    }

    /// The output folder is a symbolic link, which tokenbatch does not follow.
    static func outputFolderIsLink(_ path: String) -> SystemError {
        SystemError(
            operation: "write into", path: path, code: ELOOP,
            explanation: "it is a symbolic link; give the folder it points to as --out-dir if that is meant")
    }

    /// Something other than a folder stands where a folder is needed.
    static func notAFolder(_ path: String) -> SystemError {
        SystemError(operation: "write into", path: path, code: ENOTDIR, explanation: "it is not a folder")
    }

    /// True when a file that had to be new already exists.
    public var isExisting: Bool { code == EEXIST }
}

enum FileKind: Equatable {
    case regular, directory, symbolicLink, other
}

/// What `lstat` says about a path.
struct FileStatus {
    var kind: FileKind
    /// The permission bits.
    var permissions: UInt16
    var size: Int
}

/// One file, whatever name it is reached by.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}

/// An exclusive lock on a file, held until this object is released.
final class FileLock {
    private let descriptor: Int32

    fileprivate init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the lock; the lock file itself stays.
        close(descriptor)
    }
}

/// A file being created and written piece by piece, with exactly the mode asked for whatever
/// the umask. Anything that fails removes it; so does dropping it before `close`.
///
/// Not flushed with `fsync`: a killed process cannot leave it half written once it is renamed
/// into place, and a flush per file would cost more than signing the token.
/// TODO: Flush the folder once per run, so that a power loss keeps the new set of files too.
final class NewFile {
    let path: String
    private var descriptor: Int32

    /// Creates `path`, refusing to reuse an existing file or to follow a link.
    init(creating path: String, mode: UInt16) throws(SystemError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        guard descriptor >= 0 else { throw SystemError(operation: "create", path: path, code: errno) }
        self.path = path
        self.descriptor = descriptor
        // The umask can only take bits away, so the mode needs setting only when it took some;
        // with the usual 022 and 077 it takes none from 0600, which saves a call per file.
        guard mode_t(mode) & SystemCalls.fileCreationMask != 0 else { return }
        guard fchmod(descriptor, mode_t(mode)) == 0 else {
            let failure = SystemError(operation: "set the permissions of", path: path, code: errno)
            discard()
            throw failure
        }
    }

    deinit {
        if descriptor >= 0 { discard() }
    }

    func write(_ bytes: ArraySlice<UInt8>) throws(SystemError) {
        let written = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        guard written else {
            let failure = SystemError(operation: "write", path: path, code: errno)
            discard()
            throw failure
        }
    }

    /// Finishes the file; it stays only if everything reached it.
    func close() throws(SystemError) {
        let closed = Glibc.close(descriptor) == 0
        let code = errno
        descriptor = -1
        guard closed else {
            unlink(path)
            throw SystemError(operation: "write", path: path, code: code)
        }
    }

    /// Closes and removes the file.
    func discard() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
        unlink(path)
    }
}

/// An existing regular file read piece by piece from its start, without following a final
/// link; used to compare a file with the content that would replace it.
final class FileReader {
    private let descriptor: Int32

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Whether the next `bytes.count` bytes of the file are exactly `bytes`; `false` when the
    /// file ends sooner or cannot be read.
    func continues(with bytes: ArraySlice<UInt8>) -> Bool {
        var buffer = [UInt8](repeating: 0, count: bytes.count)
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            filled += count
        }
        return buffer[...] == bytes
    }
}

/// The thin layer over the C library's files, clock and environment. It is the only Swift
/// code besides the libyaml and libcrypto wrappers that handles C pointers.
enum SystemCalls {
    /// The whole content of a regular file, refusing anything larger than `limit` bytes.
    ///
    /// - Parameter followingLinks: `false` refuses a file that is a symbolic link, as files
    ///   inside the output folder are never read or written through one.
    static func readFile(_ path: String, limit: Int, followingLinks: Bool = true) throws(SystemError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let code = errno
            throw SystemError(
                operation: "open", path: path, code: code,
                explanation: code == ELOOP && !followingLinks
                    ? "it is a symbolic link, which tokenbatch does not follow inside the output folder" : nil)
        }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SystemError(operation: "read", path: path, code: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SystemError(
                operation: "read", path: path, code: EINVAL,
                explanation: "it is \(fileKind(status.st_mode)), not a regular file")
        }
        guard status.st_size <= limit else { throw SystemError.tooLarge(path, limit: limit) }

        return try readAll(descriptor, limit: limit, naming: path)
    }

    /// The first `count` bytes of a regular file, or all of it if it is shorter.
    static func readStart(of path: String, count: Int) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard descriptor >= 0 else { throw SystemError(operation: "open", path: path, code: errno) }
        defer { close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw SystemError(operation: "read", path: path, code: EINVAL, explanation: "it is not a regular file")
        }
        var start = [UInt8](repeating: 0, count: count)
        let length = start.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard length >= 0 else { throw SystemError(operation: "read", path: path, code: errno) }
        return Array(start.prefix(length))
    }

    /// Everything on standard input up to its end, refusing more than `limit` bytes.
    static func readStandardInput(limit: Int) throws(SystemError) -> [UInt8] {
        try readAll(0, limit: limit, naming: "standard input")
    }

    /// Reads `descriptor` to its end, refusing more than `limit` bytes.
    private static func readAll(_ descriptor: Int32, limit: Int, naming path: String) throws(SystemError) -> [UInt8] {
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(operation: "read", path: path, code: errno)
            }
            if count == 0 { return content }
            content.append(contentsOf: chunk[0..<count])
            if content.count > limit { throw SystemError.tooLarge(path, limit: limit) }
        }
    }

    /// The permission bits of the file at `path`, following links; `nil` if it cannot be read.
    static func permissions(of path: String) -> UInt16? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt16(status.st_mode & 0o7777)
    }

    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    static func environmentVariable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static func currentTime() -> UnixTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UnixTime(seconds: Int64(now.tv_sec))
    }

    /// Monotonic seconds, for measuring how long something took.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The process's umask, read once. Reading it means setting it, so it is set back at once;
    /// a file made in that instant gets exactly the mode it asks for, which is what tokenbatch
    /// wants of every file anyway, and its own files wait for this value before they are made.
    static let fileCreationMask: mode_t = {
        let mask = umask(0)
        umask(mask)
        return mask
    }()

    static func processorCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    static func writeStandardOutput(_ text: String) -> Bool {
        writeAll(1, Array(text.utf8))
    }

    static func writeStandardError(_ text: String) {
        writeAll(2, Array(text.utf8))
    }

    // MARK: - Output files

    /// What a path names, without following a final link; `nil` if nothing is there.
    static func kind(of path: String) -> FileKind? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// The kind, permissions and size of what `path` names, without following a final link;
    /// `nil` if nothing is there.
    static func status(of path: String) -> FileStatus? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        let kind: FileKind =
            switch status.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            default: .other
            }
        return FileStatus(kind: kind, permissions: UInt16(status.st_mode & 0o7777), size: Int(status.st_size))
    }

    /// The device and inode of a file, to recognise one file under two names.
    static func identity(of path: String, followingLinks: Bool) -> FileIdentity? {
        var status = stat()
        let result = followingLinks ? stat(path, &status) : lstat(path, &status)
        guard result == 0 else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// Whether `path` is a folder, following links.
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Creates one folder readable by the owner only; an existing folder is fine.
    static func createDirectory(_ path: String, mustBeNew: Bool = false) throws(SystemError) {
        if mkdir(path, 0o700) == 0 {
            try ownerOnly(path)
        } else if mustBeNew || errno != EEXIST {
            throw SystemError(operation: "create the folder", path: path, code: errno)
        }
    }

    /// Gives a folder just made exactly mode 0700: a umask such as 0277 would otherwise leave
    /// the owner unable to write into it.
    private static func ownerOnly(_ path: String) throws(SystemError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(operation: "open the folder", path: path, code: errno) }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o700) == 0 else {
            throw SystemError(operation: "set the permissions of", path: path, code: errno)
        }
    }

    /// Creates `path` and any missing parents, each readable by the owner only.
    static func createDirectories(_ path: String) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            try createDirectory(prefix)
            guard isDirectory(prefix) else {
                throw SystemError(operation: "create the folder", path: prefix, code: ENOTDIR)
            }
            prefix += "/"
        }
    }

    /// Writes `bytes` to a new file at `path` with exactly `mode`; see `NewFile`.
    static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: UInt16) throws(SystemError) {
        let file = try NewFile(creating: path, mode: mode)
        try file.write(bytes[...])
        try file.close()
    }

    /// Replaces `destination` with `source` in one step: a reader sees the old file or the new.
    static func rename(_ source: String, to destination: String) throws(SystemError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw SystemError(operation: "replace", path: destination, code: errno)
        }
    }

    static func removeFile(_ path: String) {
        unlink(path)
    }

    /// Removes `path` and, if it is a folder, everything in it; a link is removed itself,
    /// never followed. For tokenbatch's own temporary folders, a few levels deep at most.
    static func removeTree(_ path: String) {
        guard kind(of: path) == .directory else { return removeFile(path) }
        for name in directoryEntries(path) { removeTree("\(path)/\(name)") }
        rmdir(path)
    }

    /// Locks the folder at `path` itself, so that no lock file is left behind, or fails at once
    /// if another process holds the lock. The lock ends when the process does, however it ends.
    static func lockDirectory(_ path: String) throws(SystemError) -> FileLock {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(operation: "lock", path: path, code: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            throw SystemError(
                operation: "lock", path: path, code: code,
                explanation: code == EWOULDBLOCK ? "another tokenbatch apply is writing to this folder" : nil)
        }
        return FileLock(descriptor: descriptor)
    }

    /// The names in a folder, without `.` and `..`; empty if it cannot be read.
    static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        // `readdir` returns records only as long as their names: copying the whole `dirent`
        // would read past the last one in its buffer, so the name is read where it lies.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    static func processID() -> Int32 {
        getpid()
    }

    @discardableResult
    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
