import Foundation
import Testing

@testable import TokenBatch

struct JSONParserTests {
    @Test("Objects keep every member in order, repeated names included")
    func repeatedMembersAreKept() throws {
        let value = try JSONParser.parse(Array(#"{"alg":"ES256","kid":"A","kid":"B"}"#.utf8))

        #expect(value.repeatedNames == ["kid"])
        #expect(value["kid"] == .string("A"))
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.name) == ["alg", "kid", "kid"])
    }

    @Test("Strings with escapes decode as Foundation decodes them")
    func escapesMatchFoundation() throws {
        let json = #"{"text":"a\/b \"q\" \\ \n \t \u00e9 \ud83d\ude00 é"}"#
        let ours = try JSONParser.parse(Array(json.utf8))["text"]?.stringValue
        let theirs = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]

        #expect(ours == theirs?["text"])
    }

    @Test("Numbers keep their spelling, so milliseconds and fractions can be told apart")
    func numbersKeepSpelling() throws {
        let value = try JSONParser.parse(Array(#"[1437179036, 1437179036000, 1.5, -0, 2e3]"#.utf8))

        #expect(
            value
                == .array([
                    .number("1437179036"), .number("1437179036000"), .number("1.5"), .number("-0"), .number("2e3"),
                ]))
        #expect(JSONValue.number("1.5").integerValue == nil)
    }

    @Test(
        "Malformed JSON is refused",
        arguments: [
            "", "{", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "01", "1.", "\"\u{01}\"", "\"\\x\"", "\"\\ud800\"", "{} {}",
            "nul", "[1]x",
        ])
    func malformedIsRefused(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("A streamed array hands over its elements in order and is left empty; deeper namesakes are not streamed")
    func streamedArray() throws {
        let json = #"{"tokens":[{"p":"a","tokens":[1]},{"p":"b"},3],"files":["x"],"inner":{"tokens":[2]}}"#
        var streamed: [JSONValue] = []
        let document = try JSONParser.parse(Array(json.utf8), streamingElementsOf: "tokens") { streamed.append($0) }

        #expect(streamed.count == 3)
        #expect(streamed[0]["p"] == .string("a"))
        #expect(streamed[0]["tokens"] == .array([.number("1")]))
        #expect(streamed[2] == .number("3"))
        #expect(document["tokens"] == .array([]))
        #expect(document["files"] == .array([.string("x")]))
        #expect(document["inner"]?["tokens"] == .array([.number("2")]))
    }

    @Test(
        "Streaming refuses malformed JSON as the whole parse does",
        arguments: [#"{"tokens":[1,]}"#, #"{"tokens":[1] x"#])
    func streamedMalformed(text: String) {
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(Array(text.utf8), streamingElementsOf: "tokens") { _ in }
        }
    }

    @Test("Nesting beyond the limit is refused without exhausting the stack")
    func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
    }
}

struct JSONWriterTests {
    @Test("Strings written by the writer read back the same with Foundation, / left unescaped")
    func roundTrip() throws {
        let samples = ["plain", "a/b", "quote \" and \\ backslash", "line\nbreak\ttab\r", "\u{01}\u{1F}", "é ☃ 😀", ""]
        for sample in samples {
            var json = JSONWriter()
            json.raw("[")
            json.string(sample)
            json.raw("]")
            let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]

            #expect(decoded == [sample])
            #expect(!String(decoding: json.bytes, as: UTF8.self).contains("\\/"))
        }
    }

    @Test("A joined string is written as the joined text would be, escapes included")
    func joinedStrings() throws {
        let lists = [["server_api"], ["mapkit_js", "embed_api"], ["a\"b", "c\\d\n"], [], ["", ""]]
        for parts in lists {
            var joined = JSONWriter()
            joined.string(joining: parts, separator: ",")
            var whole = JSONWriter()
            whole.string(parts.joined(separator: ","))

            #expect(joined.bytes == whole.bytes)
            let decoded = try JSONSerialization.jsonObject(with: Data(joined.bytes), options: .fragmentsAllowed)
            #expect(decoded as? String == parts.joined(separator: ","))
        }
    }
}
