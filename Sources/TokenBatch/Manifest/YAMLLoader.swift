/// Turns manifest bytes into a `YAMLNode` tree, refusing what a manifest never needs and what
/// could make a small file cost unbounded time: a second document, recursive or exploding
/// aliases, deep nesting, tags, merge keys and duplicate keys.
struct YAMLLoader {
    /// Bounds that keep a hostile manifest from costing more than an ordinary one.
    enum Limits {
        /// Collections nested deeper than this are refused; a manifest needs four levels.
        static let nestingDepth = 64

        /// Aliases may add at most this many nodes beyond the number written in the file.
        static let aliasExpansion = 100_000

        /// The longest scalar, in bytes; a manifest's longest value is an origin.
        static let scalarLength = 65_536

        /// The longest anchor, alias or tag name, in bytes. Messages quote these names, so a
        /// bound on them is a bound on the messages too.
        static let nameLength = 1_024
    }

    private let file: String
    private let bytes: [UInt8]

    private var stack: [OpenCollection] = []
    private var anchors: [String: YAMLNode] = [:]
    private var openAnchors: Set<String> = []
    private var writtenNodes = 0
    private var aliasedNodes = 0
    private var documents = 0
    private var root: YAMLNode?
    private var diagnostics: [Diagnostic] = []

    /// Loads the single document in `bytes`.
    ///
    /// - Returns: the root node (`nil` for an empty file) and any problems that did not stop
    ///   the load, such as duplicate keys.
    /// - Throws: `DiagnosticsError` for a problem after which the tree cannot be trusted.
    static func load(_ bytes: [UInt8], file: String) throws(DiagnosticsError) -> (
        root: YAMLNode?, diagnostics: [Diagnostic]
    ) {
        var loader = YAMLLoader(file: file, bytes: bytes)
        do {
            try YAMLEventPipe.forEachEvent(in: bytes) { event in try loader.accept(event) }
        } catch let failure as YAMLParseFailure {
            throw DiagnosticsError(loader.diagnostics + [loader.diagnostic(for: failure)])
        } catch let error as DiagnosticsError {
            throw DiagnosticsError(loader.diagnostics + error.diagnostics)
        } catch {
            throw DiagnosticsError([Diagnostic(.yamlSyntax, at: nil, "\(error)")])
        }
        return (loader.root, loader.diagnostics)
    }

    private init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    // MARK: - Events

    /// A list or mapping whose end has not been reached yet.
    ///
    /// A struct mutated in place on the stack: rebuilding it for every child would copy its
    /// arrays each time, which made a manifest of 100,000 products take minutes.
    private struct OpenCollection {
        var isMapping: Bool
        var start: SourceLocation
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        /// A mapping's key whose value has not arrived yet.
        var pendingKey: Located<String>?
        /// Whether the pending key is a merge key.
        var pendingKeyIsMerge = false
        /// Whether the pending key repeats an earlier one, so that its value is dropped and
        /// only the first is read (the duplicate is reported once, not again downstream).
        var pendingKeyIsDuplicate = false
        /// Where each key of a large mapping was first written, to report duplicates; a small
        /// mapping (a product's settings) is searched instead, which saves hashing each key.
        var seen: [String: SourceLocation] = [:]

        /// Mappings with more keys than this index them in `seen`.
        static let searchedKeys = 12

        /// Where `key` was first written in this mapping, if it was.
        mutating func firstLocation(of key: String) -> SourceLocation? {
            if pairs.count < Self.searchedKeys {
                return pairs.first { !$0.isMergeKey && $0.key.value == key }?.key.location
            }
            if seen.isEmpty {
                for pair in pairs where !pair.isMergeKey { seen[pair.key.value] = pair.key.location }
            }
            return seen[key]
        }

        mutating func noteKey(_ key: String, at location: SourceLocation) {
            if !seen.isEmpty || pairs.count >= Self.searchedKeys { seen[key] = location }
        }
    }

    private mutating func accept(_ event: YAMLEvent) throws(DiagnosticsError) {
        let location = self.location(event.start)
        if (event.anchor?.utf8.count ?? 0) > Limits.nameLength || (event.tag?.utf8.count ?? 0) > Limits.nameLength {
            throw DiagnosticsError([
                Diagnostic(
                    .yamlLimit, at: location, "an anchor, alias or tag is longer than \(Limits.nameLength) bytes",
                    hint: "give it a short name, such as `&web` and `*web`")
            ])
        }
        switch event.kind {
        case .streamStart, .streamEnd, .documentEnd:
            return

        case .documentStart:
            documents += 1
            if documents > 1 {
                throw DiagnosticsError([
                    Diagnostic(
                        .yamlSecondDocument, at: location,
                        "a manifest holds one YAML document, and a second one starts here",
                        hint: "remove the `---` and everything after it, or merge the documents")
                ])
            }

        case .scalar(let text, var style):
            if text.utf8.count > Limits.scalarLength {
                throw DiagnosticsError([
                    Diagnostic(
                        .yamlLimit, at: location, "a value is longer than \(Limits.scalarLength) bytes",
                        hint: "no manifest value needs to be that long; check for a missing line break or quote")
                ])
            }
            checkTag(event.tag, at: location, allowed: "tag:yaml.org,2002:str")
            // An explicit string tag makes a plain scalar mean text, as quoting does.
            if event.tag != nil { style = .doubleQuoted }
            let node = YAMLNode(content: .scalar(text, style), location: location, expandedSize: 1)
            writtenNodes += 1
            try complete(node, anchor: event.anchor)

        case .sequenceStart:
            checkTag(event.tag, at: location, allowed: "tag:yaml.org,2002:seq")
            try open(OpenCollection(isMapping: false, start: location, anchor: event.anchor), at: location)

        case .mappingStart:
            checkTag(event.tag, at: location, allowed: "tag:yaml.org,2002:map")
            try open(OpenCollection(isMapping: true, start: location, anchor: event.anchor), at: location)

        case .sequenceEnd, .mappingEnd:
            guard let collection = stack.popLast() else { return }
            let node: YAMLNode
            if collection.isMapping {
                let size = collection.pairs.reduce(1) { $0.addingSaturating(1).addingSaturating($1.value.expandedSize) }
                node = YAMLNode(content: .mapping(collection.pairs), location: collection.start, expandedSize: size)
            } else {
                let size = collection.items.reduce(1) { $0.addingSaturating($1.expandedSize) }
                node = YAMLNode(content: .sequence(collection.items), location: collection.start, expandedSize: size)
            }
            if let anchor = collection.anchor { openAnchors.remove(anchor) }
            try complete(node, anchor: collection.anchor)

        case .alias:
            let name = event.anchor ?? ""
            if openAnchors.contains(name) {
                throw DiagnosticsError([
                    Diagnostic(
                        .yamlAlias, at: location,
                        "alias `*\(name)` refers to a node that contains it, which would never end",
                        hint: "copy the values instead of referring to the enclosing node")
                ])
            }
            guard var node = anchors[name] else {
                throw DiagnosticsError([
                    Diagnostic(
                        .yamlAlias, at: location, "alias `*\(name)` refers to no anchor defined before it",
                        hint: "define `&\(name)` earlier in the file; if `*` begins a value, such as "
                            + "`*.example.com`, put the value in quotes")
                ])
            }
            aliasedNodes = aliasedNodes.addingSaturating(node.expandedSize)
            if aliasedNodes > Limits.aliasExpansion.addingSaturating(writtenNodes) {
                throw DiagnosticsError([
                    Diagnostic(
                        .yamlLimit, at: location,
                        "aliases expand to more than \(Limits.aliasExpansion) nodes beyond those written "
                            + "in the file",
                        hint: "write the values out; a manifest never needs aliases that multiply")
                ])
            }
            node.location = location
            try complete(node, anchor: nil)
        }
    }

    private mutating func open(_ collection: OpenCollection, at location: SourceLocation)
        throws(DiagnosticsError)
    {
        if stack.count >= Limits.nestingDepth {
            throw DiagnosticsError([
                Diagnostic(
                    .yamlLimit, at: location,
                    "lists and mappings are nested more than \(Limits.nestingDepth) levels deep",
                    hint: "a manifest needs at most four levels; check the indentation")
            ])
        }
        if let anchor = collection.anchor { openAnchors.insert(anchor) }
        writtenNodes += 1
        stack.append(collection)
    }

    /// Puts a finished node where it belongs: the root, a list item, a key or a value.
    private mutating func complete(_ node: YAMLNode, anchor: String?) throws(DiagnosticsError) {
        if let anchor { anchors[anchor] = node }

        guard let top = stack.indices.last else {
            root = node
            return
        }
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            if !stack[top].pendingKeyIsDuplicate {
                stack[top].pairs.append(YAMLNode.Pair(key: key, value: node, isMergeKey: stack[top].pendingKeyIsMerge))
            }
            stack[top].pendingKey = nil
            return
        }

        guard case .scalar(let key, let style) = node.content else {
            throw DiagnosticsError([
                Diagnostic(
                    .wrongType, at: node.location, "a key must be text, but this key is \(node.kindDescription)",
                    hint: "write the key as a plain word followed by `:`")
            ])
        }
        let isMerge = key == "<<" && style == .plain
        var isDuplicate = false
        if isMerge {
            diagnostics.append(
                Diagnostic(
                    .yamlMergeKey, at: node.location, "merge keys (`<<`) are not supported",
                    hint: "list the settings in full, or put shared settings under `defaults:`"))
        } else if let first = stack[top].firstLocation(of: key) {
            isDuplicate = true
            diagnostics.append(
                Diagnostic(
                    .yamlDuplicateKey, at: node.location,
                    "key `\(key)` appears twice in the same mapping; it was first set at line \(first.line)",
                    hint: "remove one of the two; YAML keeps only one of them"))
        } else {
            stack[top].noteKey(key, at: node.location)
        }
        stack[top].pendingKeyIsMerge = isMerge
        stack[top].pendingKeyIsDuplicate = isDuplicate
        stack[top].pendingKey = Located(key, at: node.location)
    }

    // MARK: - Checks

    /// Reports any tag but the node's own standard one and the non-specific `!`. The node is
    /// read as if it had no tag, so that the rest of the manifest is still checked.
    private mutating func checkTag(_ tag: String?, at location: SourceLocation, allowed: StaticString) {
        // Most nodes have no tag; this runs for every node of the file.
        guard let tag, tag != "!", tag != allowed.description else { return }
        // libyaml hands over `!!int` resolved to its full name; show it as it was written.
        let written = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : tag
        diagnostics.append(
            Diagnostic(
                .yamlTag, at: location, "YAML tags such as `\(written)` are not supported in a manifest",
                hint: "remove the tag; quote the value if it must be read as text"))
    }

    // MARK: - Positions

    private func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
    }

    /// libyaml's reader reports only a byte offset; count lines and columns up to it.
    private func location(ofByte offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        for byte in bytes.prefix(min(offset, bytes.count)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The offset of the leading byte of the UTF-8 sequence that ends before `offset`.
    private func startOfCharacter(before offset: Int) -> Int {
        var start = min(offset, bytes.count)
        while start > 0, offset - start < 4 {
            let previous = bytes[start - 1]
            if previous & 0xC0 == 0xC0 { return start - 1 }
            guard previous & 0xC0 == 0x80 else { break }
            start -= 1
        }
        return offset
    }

    private func diagnostic(for failure: YAMLParseFailure) -> Diagnostic {
        if failure.isReaderError {
            // For a bad continuation byte libyaml reports the offset of that byte; the person
            // sees the wrong character where its first byte is.
            let offset =
                failure.problem.contains("trailing") || failure.problem.contains("incomplete")
                ? startOfCharacter(before: failure.problemMark.offset) : failure.problemMark.offset
            let place = location(ofByte: offset)
            return Diagnostic(
                .yamlEncoding, at: place, "the manifest cannot be read as text: \(failure.problem)",
                hint: "save the file as UTF-8 without NUL bytes or other control characters")
        }

        let problemAt = location(failure.problemMark)
        let offending = failure.problemMark.offset < bytes.count ? bytes[failure.problemMark.offset] : 0
        var message = failure.problem
        if let context = failure.context { message = "\(context): \(failure.problem)" }

        if failure.context == "while scanning an alias", let contextMark = failure.contextMark {
            return Diagnostic(
                .yamlSyntax, at: location(contextMark),
                "a value starting with `*` is read as a YAML alias",
                hint: "put the value in quotes, for example \"*.example.com\"")
        }
        if offending == UInt8(ascii: "\t") {
            return Diagnostic(
                .yamlSyntax, at: problemAt, "a tab is used for indentation, which YAML forbids",
                hint: "indent with spaces")
        }
        return Diagnostic(
            .yamlSyntax, at: problemAt, "the manifest is not valid YAML: \(message)",
            hint: "check the indentation and quoting near this line")
    }
}

extension Int {
    /// Addition that stops at `Int.max` instead of trapping.
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
