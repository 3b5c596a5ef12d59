internal import CYAML

/// The only code that talks to libyaml: it runs the event parser over a byte buffer and
/// hands each event to Swift as a value, so no libyaml pointer outlives a call.
enum LibYAML {
    /// Parses `bytes` and calls `handle` for every event in order.
    ///
    /// - Throws: `YAMLParseFailure` when libyaml rejects the input, or whatever `handle`
    ///   throws, which stops the parse at once.
    static func forEachEvent(
        in bytes: [UInt8],
        _ handle: (YAMLEvent) throws -> Void
    ) throws {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLParseFailure(
                isReaderError: false, problem: "libyaml could not allocate its parser",
                problemMark: YAMLMark(offset: 0, line: 0, column: 0))
        }
        defer { yaml_parser_delete(parser) }

        // libyaml reads the buffer lazily, so it must stay alive until the last event.
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)

            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) != 0 else {
                    throw failure(of: parser.pointee)
                }
                let copied = copy(event)
                yaml_event_delete(&event)

                try handle(copied)
                if copied.kind == .streamEnd { return }
            }
        }
    }

    private static func copy(_ event: yaml_event_t) -> YAMLEvent {
        let start = mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return YAMLEvent(kind: .streamStart, start: start)
        case YAML_DOCUMENT_START_EVENT:
            return YAMLEvent(kind: .documentStart, start: start)
        case YAML_DOCUMENT_END_EVENT:
            return YAMLEvent(kind: .documentEnd, start: start)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return YAMLEvent(
                kind: .mappingStart, anchor: text(data.anchor), tag: text(data.tag), start: start)
        case YAML_MAPPING_END_EVENT:
            return YAMLEvent(kind: .mappingEnd, start: start)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return YAMLEvent(
                kind: .sequenceStart, anchor: text(data.anchor), tag: text(data.tag), start: start)
        case YAML_SEQUENCE_END_EVENT:
            return YAMLEvent(kind: .sequenceEnd, start: start)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = String(
                decoding: UnsafeBufferPointer(start: data.value, count: data.length),
                as: UTF8.self)
            return YAMLEvent(
                kind: .scalar(value, style(data.style)),
                anchor: text(data.anchor), tag: text(data.tag), start: start)
        case YAML_ALIAS_EVENT:
            return YAMLEvent(kind: .alias, anchor: text(event.data.alias.anchor), start: start)
        default:
            return YAMLEvent(kind: .streamEnd, start: start)
        }
    }

    private static func failure(of parser: yaml_parser_t) -> YAMLParseFailure {
        let problem = parser.problem.map { String(cString: $0) } ?? "libyaml gave no reason"
        if parser.error == YAML_READER_ERROR {
            let offset = Int(parser.problem_offset)
            return YAMLParseFailure(
                isReaderError: true, problem: problem,
                problemMark: YAMLMark(offset: offset, line: 0, column: 0))
        }
        return YAMLParseFailure(
            isReaderError: false,
            problem: problem,
            problemMark: mark(parser.problem_mark),
            context: parser.context.map { String(cString: $0) },
            contextMark: parser.context == nil ? nil : mark(parser.context_mark))
    }

    private static func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(offset: Int(mark.index), line: Int(mark.line), column: Int(mark.column))
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }
}
