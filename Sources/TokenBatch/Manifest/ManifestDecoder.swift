/// Maps a YAML tree onto a `Manifest`, checking structure and types and collecting every
/// problem rather than stopping at the first.
///
/// Plain scalars are read as YAML 1.2's core schema reads them for the type a field expects:
/// where text is expected, `no`, `on` and `0600` stay text; where a number is expected, only
/// plain decimal digits are a number.
struct ManifestDecoder {
    private(set) var diagnostics: [Diagnostic] = []

    static let topLevelFields = ["version", "team_id", "policy", "keys", "defaults", "products", "outputs"]
    static let policyFields = ["max_lifetime", "backdate_iat"]
    static let keyFields = ["kid", "file", "env", "retire_on"]
    static let outputFields = ["format", "path", "variable", "mode"]

    /// The most products one manifest may list. A run of a million takes about half a minute
    /// and a few gigabytes here; a bound keeps a generated manifest from taking the machine.
    static let maximumProducts = 1_000_000

    /// Decodes `root`, the document of the manifest at `file`.
    static func decode(_ root: YAMLNode?, file: String, directory: String) -> (Manifest, [Diagnostic]) {
        var decoder = ManifestDecoder()
        let start = root?.location ?? SourceLocation(file: file, line: 1, column: 1)
        var manifest = Manifest(file: file, directory: directory, start: start)

        guard let root, !root.isNull else {
            decoder.report(
                .yamlEmpty, at: start, "the manifest is empty",
                hint: "start from manifests/example.yml, which shows every setting")
            return (manifest, decoder.diagnostics)
        }
        guard let fields = decoder.fields(of: root, describedAs: "the manifest", known: topLevelFields) else {
            return (manifest, decoder.diagnostics)
        }

        if let version = decoder.requiredNode("version", in: fields, at: start, of: "the manifest") {
            manifest.version = decoder.integer(version)
        }
        if let teamID = decoder.requiredNode("team_id", in: fields, at: start, of: "the manifest") {
            manifest.teamID = decoder.text(teamID)
        }
        if let keys = decoder.requiredNode("keys", in: fields, at: start, of: "the manifest") {
            manifest.keys = decoder.keys(keys)
        }
        if let policy = fields["policy"]?.value,
            let policyFields = decoder.fields(of: policy, describedAs: "`policy`", known: policyFields)
        {
            manifest.maximumLifetime = policyFields["max_lifetime"].flatMap { decoder.duration($0.value) }
            manifest.backdate = policyFields["backdate_iat"].flatMap { decoder.duration($0.value) }
        }
        if let defaults = fields["defaults"]?.value {
            manifest.defaults = decoder.settings(defaults, describedAs: "`defaults`")
        }
        if let products = decoder.requiredNode("products", in: fields, at: start, of: "the manifest") {
            // `products:` with nothing after it is reported as "no products" by the planner.
            if !products.isNull { manifest.products = decoder.products(products) }
            if case .mapping(let pairs) = products.content, pairs.isEmpty { manifest.listsNoProducts = true }
            if products.isNull { manifest.listsNoProducts = true }
        }
        if let outputs = decoder.requiredNode("outputs", in: fields, at: start, of: "the manifest") {
            manifest.outputs = decoder.outputs(outputs)
        }
        return (manifest, decoder.diagnostics)
    }

    // MARK: - Sections

    private mutating func keys(_ node: YAMLNode) -> [KeyDefinition] {
        guard let pairs = mapping(node, describedAs: "`keys`", example: "keys:\n  maps-prod:\n    kid: ABC123DEFG")
        else { return [] }
        if pairs.isEmpty {
            report(
                .missingKey, at: node.location, "`keys` lists no key",
                hint: "add a key with its `kid` and `file` or `env`")
        }

        return pairs.compactMap { pair in
            let name = pair.key
            guard let fields = fields(of: pair.value, describedAs: "key `\(name.value)`", known: Self.keyFields)
            else { return nil }

            var key = KeyDefinition(name: name)
            if let kid = requiredNode("kid", in: fields, at: name.location, of: "key `\(name.value)`") {
                key.kid = text(kid)
            }
            key.retireOn = fields["retire_on"].flatMap { time($0.value, dateAllowed: true) }

            let file = fields["file"].flatMap { text($0.value) }
            let environment = fields["env"].flatMap { text($0.value) }
            switch (file, environment) {
            case (let file?, nil):
                key.source = Located(.file(file.value), at: file.location)
            case (nil, let variable?):
                key.source = Located(.environment(variable.value), at: variable.location)
            case (let file?, _?):
                report(
                    .keySource, at: file.location, "key `\(name.value)` sets both `file` and `env`",
                    hint: "keep one: `file` for a PEM file, `env` for an environment variable holding the PEM")
            case (nil, nil) where fields["file"] == nil && fields["env"] == nil:
                report(
                    .keySource, at: name.location, "key `\(name.value)` says neither `file` nor `env`",
                    hint: "add `file: keys/AuthKey_\(key.kid?.value ?? "KEYID").p8` or `env: VARIABLE_NAME`")
            case (nil, nil):
                break
            }
            return key
        }
    }

    private mutating func products(_ node: YAMLNode) -> [ProductDefinition] {
        guard
            let pairs = mapping(node, describedAs: "`products`", example: "products:\n  web:\n    scopes: [mapkit_js]")
        else { return [] }
        guard pairs.count <= Self.maximumProducts else {
            report(
                .yamlLimit, at: node.location,
                "the manifest lists \(pairs.count) products, more than the \(Self.maximumProducts) one run handles",
                hint: "split the products over several manifests, each with its own output folder")
            return []
        }

        // Products are independent of each other: a large manifest decodes them on every
        // core, each chunk with a decoder of its own, joined again in manifest order.
        let chunks = ParallelLoop.chunks(pairs.count, minimumChunk: Self.productsPerChunk) { range in
            var decoder = ManifestDecoder()
            let products = pairs[range].compactMap { decoder.product($0) }
            return (products, decoder.diagnostics)
        }
        for (_, diagnostics) in chunks { self.diagnostics += diagnostics }
        return ParallelLoop.joined(chunks.map(\.0))
    }

    /// Below twice this many products, decoding stays on one thread.
    static let productsPerChunk = 2_000

    private mutating func product(_ pair: YAMLNode.Pair) -> ProductDefinition? {
        if pair.value.isNull {
            report(
                .missingKey, at: pair.key.location, "product `\(pair.key.value)` has no settings",
                hint: "give it at least `scopes:`, such as `scopes: [server_api]`")
            return nil
        }
        let settings = settings(pair.value, describedAs: "product `\(pair.key.value)`")
        return ProductDefinition(name: pair.key, settings: settings)
    }

    private mutating func settings(_ node: YAMLNode, describedAs context: @autoclosure () -> String) -> ProductSettings
    {
        var settings = ProductSettings()
        guard let fields = fields(of: node, describedAs: context(), known: ProductSettings.fieldNames) else {
            return settings
        }
        settings.key = fields["key"].flatMap { text($0.value) }
        settings.scopes = fields["scopes"].flatMap { textList($0.value, example: "scopes: [mapkit_js]") }
        settings.origins = fields["origins"].flatMap { textList($0.value, example: "origins: [example.com]") }
        settings.lifetime = fields["lifetime"].flatMap { duration($0.value) }
        settings.expires = fields["expires"].flatMap { time($0.value, dateAllowed: false) }
        settings.renewBefore = fields["renew_before"].flatMap { duration($0.value) }

        let unread = [
            ("key", settings.key == nil), ("scopes", settings.scopes == nil), ("origins", settings.origins == nil),
            ("lifetime", settings.lifetime == nil), ("expires", settings.expires == nil),
            ("renew_before", settings.renewBefore == nil),
        ]
        for (name, isUnread) in unread where isUnread && fields[name] != nil {
            settings.unreadable.insert(name)
        }
        return settings
    }

    private mutating func outputs(_ node: YAMLNode) -> [OutputDefinition] {
        guard case .sequence(let items) = node.content else {
            report(
                .wrongType, at: node.location, "`outputs` must be a list, but it is \(node.kindDescription)",
                hint: "write each output as a list item:\n  - format: json\n    path: tokens.json")
            return []
        }
        if items.isEmpty {
            report(
                .missingKey, at: node.location, "`outputs` lists nothing to write",
                hint: "add `- format: json` with a `path`")
        }

        return items.compactMap { item in
            guard let fields = fields(of: item, describedAs: "an output", known: Self.outputFields) else { return nil }
            var output = OutputDefinition(start: item.location)
            if let node = requiredNode("format", in: fields, at: item.location, of: "this output"),
                let name = text(node)
            {
                if let format = OutputFormat(rawValue: name.value) {
                    output.format = Located(format, at: name.location)
                } else {
                    report(
                        .outputFormat, at: name.location, "`\(name.value)` is not an output format",
                        hint: "use `json` or `env`")
                }
            }
            if let path = requiredNode("path", in: fields, at: item.location, of: "this output") {
                output.path = text(path)
            }
            output.variable = fields["variable"].flatMap { text($0.value) }
            output.mode = fields["mode"].flatMap { fileMode($0.value) }
            return output
        }
    }

    // MARK: - Structure

    /// The pairs of a mapping, or `nil` after reporting that the node is something else.
    /// `context` and `example` are only built for the message: this runs for every product.
    private mutating func mapping(
        _ node: YAMLNode, describedAs context: @autoclosure () -> String, example: @autoclosure () -> String
    ) -> [YAMLNode.Pair]? {
        guard case .mapping(let pairs) = node.content else {
            report(
                .wrongType, at: node.location, "\(context()) must be a mapping, but it is \(node.kindDescription)",
                hint: "write it as `name: value` lines, for example:\n\(example())")
            return nil
        }
        return pairs
    }

    /// The fields of a mapping by key, after reporting every key that is not in `known`.
    private mutating func fields(
        of node: YAMLNode, describedAs context: @autoclosure () -> String, known: [String]
    ) -> KnownFields? {
        guard let pairs = mapping(node, describedAs: context(), example: "\(known[0]): …") else { return nil }

        var fields = KnownFields()
        for pair in pairs {
            let key = pair.key.value
            if known.contains(key) {
                if fields[key] == nil { fields.pairs.append(pair) }
            } else if !pair.isMergeKey {
                let hint =
                    NearestName.suggestion(for: key, among: known).map { "did you mean `\($0)`?" }
                    ?? "the keys allowed here are " + known.map { "`\($0)`" }.joined(separator: ", ")
                report(.unknownKey, at: pair.key.location, "unknown key `\(key)` in \(context())", hint: hint)
            }
        }
        return fields
    }

    private mutating func requiredNode(
        _ name: String, in fields: KnownFields, at location: SourceLocation, of context: String
    ) -> YAMLNode? {
        guard let pair = fields[name] else {
            report(.missingKey, at: location, "\(context) has no `\(name)`", hint: "add `\(name):`")
            return nil
        }
        return pair.value
    }

    // MARK: - Values

    /// Any non-null scalar, as text.
    private mutating func text(_ node: YAMLNode) -> Located<String>? {
        guard case .scalar(let value, _) = node.content, !node.isNull else {
            report(
                .wrongType, at: node.location, "expected text here, but found \(node.kindDescription)",
                hint: node.isNull ? "write a value after the `:`" : "write a single value")
            return nil
        }
        return Located(value, at: node.location)
    }

    /// A plain decimal integer; quoted digits, signs and other bases are refused.
    private mutating func integer(_ node: YAMLNode) -> Located<Int>? {
        if case .scalar(let value, .plain) = node.content, value.count > 9,
            value.allSatisfy({ $0.isASCII && $0.isNumber })
        {
            report(
                .wrongType, at: node.location, "`\(value)` is too large here",
                hint: "write a small whole number, such as `1`")
            return nil
        }
        if case .scalar(let value, let style) = node.content, style != .plain, Int(value) != nil {
            report(
                .wrongType, at: node.location, "expected a number here, but found the quoted text \"\(value)\"",
                hint: "remove the quotes: `\(value)`")
            return nil
        }
        guard case .scalar(let value, let style) = node.content, style == .plain,
            !value.isEmpty, value.count <= 9, value.allSatisfy({ $0.isASCII && $0.isNumber }),
            !(value.count > 1 && value.hasPrefix("0")), let number = Int(value)
        else {
            report(
                .wrongType, at: node.location, "expected a whole number here, but found \(describe(node))",
                hint: "write plain digits without quotes, such as `1`")
            return nil
        }
        return Located(number, at: node.location)
    }

    private mutating func textList(_ node: YAMLNode, example: String) -> Located<[Located<String>]>? {
        guard case .sequence(let items) = node.content else {
            report(
                .wrongType, at: node.location, "expected a list here, but found \(describe(node))",
                hint: "write a list in brackets, such as `\(example)`")
            return nil
        }
        let values = items.compactMap { text($0) }
        return values.count == items.count ? Located(values, at: node.location) : nil
    }

    private mutating func duration(_ node: YAMLNode) -> Located<Duration>? {
        guard let text = text(node) else { return nil }
        do {
            return Located(try Duration(parsing: text.value), at: text.location)
        } catch {
            report(.durationSyntax, at: text.location, error.message, hint: error.hint)
            return nil
        }
    }

    private mutating func time(_ node: YAMLNode, dateAllowed: Bool) -> Located<UnixTime>? {
        guard let text = text(node) else { return nil }
        do {
            let time = dateAllowed ? try UnixTime(dateOrRFC3339: text.value) : try UnixTime(rfc3339: text.value)
            return Located(time, at: text.location)
        } catch {
            report(.timeSyntax, at: text.location, error.message, hint: error.hint)
            return nil
        }
    }

    /// Octal permission bits such as `0640` or `"600"`: owner read and write at least, never
    /// anything for others to write or execute.
    private mutating func fileMode(_ node: YAMLNode) -> Located<UInt16>? {
        guard let text = text(node) else { return nil }
        let digits = text.value.hasPrefix("0o") ? String(text.value.dropFirst(2)) : text.value
        guard (3...4).contains(digits.count), let mode = UInt16(digits, radix: 8) else {
            report(
                .fileMode, at: text.location, "`\(text.value)` is not an octal file mode",
                hint: "write it as `0600` or `0640`")
            return nil
        }
        guard mode & 0o600 == 0o600, mode & 0o7137 == 0 else {
            report(
                .fileMode, at: text.location,
                "file mode `\(text.value)` must let the owner read and write, may let the group read, "
                    + "and must give others nothing",
                hint: "token files are secrets: use `0600`, or `0640` to let a group read them")
            return nil
        }
        return Located(mode, at: text.location)
    }

    private func describe(_ node: YAMLNode) -> String {
        if case .scalar(let value, _) = node.content, !node.isNull { return "`\(value)`" }
        return node.kindDescription
    }

    private mutating func report(_ rule: Rule, at location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(rule, at: location, message, hint: hint))
    }
}

/// The keys of a mapping that a decoder knows, in the order written, first of each name only.
///
/// A manifest's mappings hold a handful of keys, one mapping per product: looking through an
/// array costs less than hashing every key into a dictionary.
private struct KnownFields {
    var pairs: [YAMLNode.Pair] = []

    subscript(name: String) -> YAMLNode.Pair? {
        pairs.first { $0.key.value == name }
    }
}
