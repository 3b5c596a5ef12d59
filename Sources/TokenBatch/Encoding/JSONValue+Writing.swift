extension JSONValue {
    /// Writes the value as indented JSON, two spaces a level, objects' members in the order
    /// they were written and numbers spelt as they were written.
    ///
    /// - Parameters:
    ///   - indent: the indentation of the line the value starts on; nested lines get more.
    ///   - keepingRepeatedMembers: `true` writes every member of a repeated name, as the token
    ///     has them; `false` writes the first only (the one tokenbatch's checks read), so that
    ///     every JSON reader takes the result the same way.
    func write(into json: inout JSONWriter, indent: String, keepingRepeatedMembers: Bool) {
        switch self {
        case .null: json.raw("null")
        case .bool(let value): json.raw(value ? "true" : "false")
        case .number(let text): json.verbatim(text)
        case .string(let text): json.string(text)
        case .array(let items):
            guard !items.isEmpty else { return json.raw("[]") }
            json.raw("[")
            for (index, item) in items.enumerated() {
                json.verbatim((index == 0 ? "\n" : ",\n") + indent + "  ")
                item.write(into: &json, indent: indent + "  ", keepingRepeatedMembers: keepingRepeatedMembers)
            }
            json.verbatim("\n" + indent + "]")
        case .object(let members):
            var seen = Set<String>()
            let shown = members.filter { keepingRepeatedMembers || seen.insert($0.name).inserted }
            guard !shown.isEmpty else { return json.raw("{}") }
            json.raw("{")
            for (index, member) in shown.enumerated() {
                json.verbatim((index == 0 ? "\n" : ",\n") + indent + "  ")
                json.string(member.name)
                json.raw(": ")
                member.value.write(into: &json, indent: indent + "  ", keepingRepeatedMembers: keepingRepeatedMembers)
            }
            json.verbatim("\n" + indent + "}")
        }
    }

    /// The value as indented JSON text; see `write(into:indent:keepingRepeatedMembers:)`.
    func indentedText(indent: String = "", keepingRepeatedMembers: Bool) -> String {
        var json = JSONWriter()
        write(into: &json, indent: indent, keepingRepeatedMembers: keepingRepeatedMembers)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}

extension JSONValue {
    /// A JSON integer.
    static func integer(_ value: Int64) -> JSONValue {
        .number(String(value))
    }

    /// A string, or `null` when there is none.
    static func optional(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    /// The document as text: indented, members in order, ending with a newline.
    var document: String {
        indentedText(keepingRepeatedMembers: true) + "\n"
    }
}
