/// A JSON value as written, objects keeping every member in order, repeated names included.
///
/// Ordinary decoders keep one member of a repeated name; Apple rejects a token whose header
/// repeats a field, so tokenbatch reads JSON with its own strict parser and sees all of them.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text as written, so that `1e3`, `1000.0` and `1000` stay distinguishable.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(name: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        default: false
        }
    }

    /// The first member named `name`, for objects.
    public subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// The member names that appear more than once, for objects.
    public var repeatedNames: [String] {
        guard case .object(let members) = self else { return [] }
        var seen = Set<String>()
        var reported = Set<String>()
        var repeated: [String] = []
        for member in members where !seen.insert(member.name).inserted && reported.insert(member.name).inserted {
            repeated.append(member.name)
        }
        return repeated
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of a number written as a plain integer (no fraction, no exponent).
    public var integerValue: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }
}

/// A strict RFC 8259 parser: one value, no trailing text, no comments, valid UTF-8 only.
enum JSONParser {
    struct Failure: Error, Equatable {
        var message: String
        var offset: Int
    }

    /// Nesting deeper than this is refused; a token needs two levels.
    static let maximumDepth = 64

    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try parse(bytes, streaming: nil)
    }

    /// Parses `bytes` like `parse(_:)`, but hands each element of the array `member` of the
    /// outermost object to `visit` as soon as it is read, and leaves that array empty in the
    /// result: a state file of 100,000 tokens never exists as one tree of values.
    static func parse(
        _ bytes: [UInt8], streamingElementsOf member: String, to visit: @escaping (JSONValue) -> Void
    ) throws(Failure) -> JSONValue {
        try parse(bytes, streaming: Streaming(member: member, visit: visit))
    }

    private struct Streaming {
        var member: String
        var visit: (JSONValue) -> Void
    }

    private static func parse(_ bytes: [UInt8], streaming: Streaming?) throws(Failure) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw Failure(message: "not UTF-8", offset: 0) }
        var cursor = Cursor(bytes: bytes, streaming: streaming)
        let value = try cursor.value(depth: 0)
        cursor.skipWhitespace()
        guard cursor.index == bytes.count else { throw cursor.failure("text after the JSON value") }
        return value
    }

    private struct Cursor {
        let bytes: [UInt8]
        let streaming: Streaming?
        var index = 0

        func failure(_ message: String) -> Failure { Failure(message: message, offset: index) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ literal: StaticString) throws(Failure) {
            let expected = literal.withUTF8Buffer { Array($0) }
            guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw failure("expected \(literal)")
            }
            index += expected.count
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < JSONParser.maximumDepth else { throw failure("nested too deeply") }
            skipWhitespace()
            guard let byte = current else { throw failure("unexpected end") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw failure("unexpected character")
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var members: [(name: String, value: JSONValue)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                let name = try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw failure("expected `:`") }
                index += 1
                skipWhitespace()
                if depth == 0, let streaming, name == streaming.member, current == UInt8(ascii: "[") {
                    members.append((name, try array(depth: depth + 1, visit: streaming.visit)))
                } else {
                    members.append((name, try value(depth: depth + 1)))
                }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: throw failure("expected `,` or `}`")
                }
            }
        }

        /// An array; with `visit`, its elements go there one by one and the result is empty.
        mutating func array(depth: Int, visit: ((JSONValue) -> Void)? = nil) throws(Failure) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                let item = try value(depth: depth + 1)
                if let visit { visit(item) } else { items.append(item) }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: throw failure("expected `,` or `]`")
                }
            }
        }

        mutating func number() throws(Failure) -> String {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, isDigit(first) else { throw failure("malformed number") }
            index += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let digit = current, isDigit(digit) else { throw failure("malformed fraction") }
                skipDigits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let digit = current, isDigit(digit) else { throw failure("malformed exponent") }
                skipDigits()
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func skipDigits() {
            while let byte = current, isDigit(byte) { index += 1 }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func string() throws(Failure) -> String {
            index += 1
            var text = ""
            var run = index  // The first byte not yet copied into `text`.
            while true {
                guard let byte = current else { throw failure("unterminated string") }
                if byte == UInt8(ascii: "\"") {
                    text += String(decoding: bytes[run..<index], as: UTF8.self)
                    index += 1
                    return text
                }
                if byte < 0x20 { throw failure("control character in a string") }
                if byte != UInt8(ascii: "\\") {
                    index += 1
                    continue
                }

                text += String(decoding: bytes[run..<index], as: UTF8.self)
                index += 1
                guard let escaped = current else { throw failure("unterminated escape") }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): text += "\""
                case UInt8(ascii: "\\"): text += "\\"
                case UInt8(ascii: "/"): text += "/"
                case UInt8(ascii: "b"): text += "\u{8}"
                case UInt8(ascii: "f"): text += "\u{C}"
                case UInt8(ascii: "n"): text += "\n"
                case UInt8(ascii: "r"): text += "\r"
                case UInt8(ascii: "t"): text += "\t"
                case UInt8(ascii: "u"): text.unicodeScalars.append(try unicodeEscape())
                default: throw failure("unknown escape")
                }
                run = index
            }
        }

        /// The scalar of `\uXXXX`, joining a surrogate pair into one.
        mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
            let high = try hexQuad()
            if (0xD800..<0xDC00).contains(high) {
                guard current == UInt8(ascii: "\\") else { throw failure("lone surrogate") }
                index += 1
                guard current == UInt8(ascii: "u") else { throw failure("lone surrogate") }
                index += 1
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                else { throw failure("invalid surrogate pair") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("lone surrogate") }
            return scalar
        }

        mutating func hexQuad() throws(Failure) -> UInt32 {
            guard bytes.count - index >= 4 else { throw failure("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = current, let nibble = hexValue(digit) else { throw failure("bad \\u escape") }
                value = value << 4 | nibble
                index += 1
            }
            return value
        }

        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
    }
}
