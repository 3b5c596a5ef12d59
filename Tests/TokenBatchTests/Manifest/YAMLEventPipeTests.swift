import Testing

@testable import TokenBatch

/// The parser's second thread must change nothing a caller can see: the same events in the
/// same order, failures after the events before them, and an early stop that ends the parse.
struct YAMLEventPipeTests {
    /// A manifest-like document well above the size parsed on a second thread.
    static func largeDocument(products: Int = 20_000, ending: String = "") -> [UInt8] {
        var text = "version: 1\nproducts:\n"
        for index in 0..<products {
            text += "  p\(index):\n    scopes: [server_api]\n    origins: [\"p\(index).example\"]\n"
        }
        text += ending
        return Array(text.utf8)
    }

    /// What the pipe hands over, written so that two runs can be compared.
    static func events(through pipe: Bool, of bytes: [UInt8]) -> (events: [String], failure: String?) {
        var seen: [String] = []
        do {
            let record = { (event: YAMLEvent) in
                seen.append("\(event.kind) \(event.anchor ?? "") \(event.tag ?? "") \(event.start.offset)")
            }
            if pipe {
                try YAMLEventPipe.forEachEvent(in: bytes, record)
            } else {
                try LibYAML.forEachEvent(in: bytes, record)
            }
            return (seen, nil)
        } catch {
            return (seen, "\(error)")
        }
    }

    @Test("a large document gives exactly the events of the parser on the caller's thread")
    func sameEvents() {
        let bytes = Self.largeDocument()
        #expect(bytes.count > YAMLEventPipe.threadedSize)

        let piped = Self.events(through: true, of: bytes)
        let direct = Self.events(through: false, of: bytes)

        #expect(piped.failure == nil)
        #expect(piped.events.count > 100_000)
        #expect(piped.events == direct.events)
    }

    @Test("a syntax error near the end comes after every event before it")
    func lateFailure() {
        let bytes = Self.largeDocument(ending: "outputs: [unclosed\n")

        let piped = Self.events(through: true, of: bytes)
        let direct = Self.events(through: false, of: bytes)

        #expect(piped.failure != nil)
        #expect(piped.failure == direct.failure)
        #expect(piped.events == direct.events)
    }

    @Test("a handler that stops early ends the parse with its error, and again and again")
    func earlyStop() {
        struct Stop: Error {}
        let bytes = Self.largeDocument()
        for limit in [1, 2_047, 2_048, 9_000] {
            var handled = 0
            #expect(throws: Stop.self) {
                try YAMLEventPipe.forEachEvent(in: bytes) { _ in
                    handled += 1
                    if handled == limit { throw Stop() }
                }
            }
            #expect(handled == limit)
        }
    }
}
