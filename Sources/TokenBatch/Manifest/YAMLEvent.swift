/// A position as libyaml reports it: counted from 0, plus the byte offset into the input.
struct YAMLMark: Sendable, Equatable {
    var offset: Int
    var line: Int
    var column: Int
}

/// How a scalar was written; only a plain scalar can mean anything but text.
enum YAMLScalarStyle: Sendable, Equatable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// One step of libyaml's event stream, copied out of C memory.
struct YAMLEvent: Sendable {
    enum Kind: Sendable, Equatable {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case mappingStart
        case mappingEnd
        case sequenceStart
        case sequenceEnd
        case scalar(String, YAMLScalarStyle)
        case alias
    }

    var kind: Kind
    var anchor: String?
    var tag: String?
    var start: YAMLMark
}

/// libyaml's own account of why it stopped.
struct YAMLParseFailure: Error, Sendable {
    /// True when the reader failed (bad encoding, a NUL byte): libyaml then knows only
    /// the byte offset, not the line and column.
    var isReaderError: Bool
    var problem: String
    var problemMark: YAMLMark
    var context: String?
    var contextMark: YAMLMark?
}
