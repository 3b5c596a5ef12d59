/// Writes JSON byte by byte, in exactly the order the caller gives.
///
/// Tokens need what general encoders do not promise: a fixed key order, integers written as
/// integers, and `/` left unescaped. The writer escapes only what RFC 8259 requires.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        append(escaping: value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// One string made of `parts` with `separator` between them, without building it first:
    /// a token's `scope` and `origin` are written this way once per output for every token.
    mutating func string(joining parts: [String], separator: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        for (position, part) in parts.enumerated() {
            if position > 0 { separator.withUTF8Buffer { append(escaping: $0) } }
            append(escaping: part)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func append(escaping value: String) {
        // Native strings are contiguous UTF-8; working on that buffer rather than iterating the
        // view matters, as output files hold a few hundred bytes of strings per token.
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { append(escaping: $0) }
        if done == nil { append(escaping: Array(value.utf8)) }
    }

    private mutating func append(escaping text: UnsafeBufferPointer<UInt8>) {
        // Tokens, names and times never need escaping. Looking at every byte without stopping
        // early lets the compiler test many at once, and the clean text is then copied whole.
        var escapes: UInt8 = 0
        for byte in text {
            escapes |=
                (byte < 0x20 ? 1 : 0) | (byte == UInt8(ascii: "\"") ? 1 : 0) | (byte == UInt8(ascii: "\\") ? 1 : 0)
        }
        if escapes != 0 {
            for byte in text { appendEscaped(byte) }
        } else {
            bytes.append(contentsOf: text)
        }
    }

    private mutating func append(escaping text: [UInt8]) {
        text.withUnsafeBufferPointer { append(escaping: $0) }
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        case 0x00..<0x20:
            raw("\\u00")
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        default:
            bytes.append(byte)
        }
    }

    /// Appends text that is already valid JSON in this place, such as indentation.
    mutating func verbatim(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Hands the bytes written so far to `deliver` and starts again with an empty buffer, once
    /// there are more than `size` of them; a large document goes out in pieces.
    mutating func handOver(beyond size: Int, to deliver: (ArraySlice<UInt8>) -> Void) {
        guard bytes.count > size else { return }
        deliver(bytes[...])
        bytes.removeAll(keepingCapacity: true)
    }

    /// A string, or `null` when there is none.
    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// Writes `items` as an array inside an object at the top level: each item on a line of its
    /// own indented by four spaces, the closing bracket by two; `[]` when there are none.
    mutating func list<Items: Collection>(_ items: Items, item write: (inout JSONWriter, Items.Element) -> Void) {
        guard !items.isEmpty else { return raw("[]") }
        var first = true
        for element in items {
            raw(first ? "[\n    " : ",\n    ")
            first = false
            write(&self, element)
        }
        raw("\n  ]")
    }

    /// Writes `"name":` ; the name is trusted to need no escaping.
    mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
