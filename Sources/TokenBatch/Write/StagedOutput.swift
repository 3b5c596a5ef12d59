/// One output file on its way to a temporary name beside its destination.
///
/// The renderer hands over the content in pieces. A small file is held whole and compared
/// with the destination at the end; once the content passes `spillSize` it goes to the
/// temporary file as it comes, compared on the way with the destination, so that a 70 MB
/// output never sits whole in memory.
struct StagedOutput {
    /// Content held in memory before it is written out.
    static let spillSize = 1 << 20

    let destination: String
    let temporary: String
    let mode: UInt16

    private var held: [UInt8] = []
    private var written = 0
    private var file: NewFile?
    private var failure: SystemError?

    /// The destination as it was, while everything so far matches it; `nil` once the new
    /// content differs or when the destination cannot be the same file.
    private var previous: Previous?

    private struct Previous {
        var size: Int
        var reader: FileReader?
    }

    /// - Parameter existing: what is at the destination now; only a regular file with the
    ///   same mode can turn out unchanged.
    init(destination: String, temporary: String, mode: UInt16, existing: FileStatus?) {
        self.destination = destination
        self.temporary = temporary
        self.mode = mode
        if let existing, existing.kind == .regular, existing.permissions == mode {
            previous = Previous(size: existing.size)
        }
    }

    /// Takes the next piece of the content.
    mutating func append(_ piece: ArraySlice<UInt8>) {
        guard failure == nil else { return }
        held.append(contentsOf: piece)
        if held.count >= Self.spillSize { spill() }
    }

    /// Ends the content.
    ///
    /// - Returns: `true` when the temporary file holds new content for the destination,
    ///   `false` when the destination already had exactly this content and mode (and no
    ///   temporary file is left).
    /// - Throws: the first failure to create or write the temporary file, which is removed.
    mutating func finish() throws(SystemError) -> Bool {
        if file == nil, failure == nil {
            // Small enough to have stayed in memory: compare it whole, before making any file.
            if let previous, previous.size == held.count,
                FileReader(path: destination)?.continues(with: held[...]) == true
            {
                return false
            }
            try SystemCalls.writeNewFile(temporary, held, mode: mode)
            return true
        }

        spill()
        if let failure { throw failure }
        try file?.close()
        if let previous, previous.size == written {
            SystemCalls.removeFile(temporary)
            return false
        }
        return true
    }

    /// Writes what is held to the temporary file, comparing it with the destination first.
    private mutating func spill() {
        guard failure == nil else { return }
        do {
            if file == nil {
                file = try NewFile(creating: temporary, mode: mode)
                previous?.reader = FileReader(path: destination)
            }
            let stillSame = previous.map {
                written + held.count <= $0.size && $0.reader?.continues(with: held[...]) == true
            }
            if stillSame != true { previous = nil }
            try file?.write(held[...])
            written += held.count
            held.removeAll(keepingCapacity: true)
        } catch {
            failure = error
            file?.discard()
        }
    }
}
