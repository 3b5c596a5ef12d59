import Foundation
import Testing

@testable import TokenBatch

struct Base64URLTests {
    @Test("Encoding matches Foundation's base64 with the URL alphabet and no padding, for every length up to 300")
    func encodingMatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")

            #expect(Base64URL.encode(bytes) == expected, "length \(length)")
            #expect(Base64URL.decode(Array(expected.utf8)) == bytes, "length \(length)")
        }
    }

    @Test(
        "RFC 4648 test vectors, unpadded",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ])
    func rfcVectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
    }

    @Test(
        "Decoding refuses padding, the standard alphabet, impossible lengths and stray bits",
        arguments: [
            "Zg==", "Zm9v+A", "Zm9v/A", "Z", "Zm9vY", "Zh", "Zm9=", "Zm 9v",
        ])
    func decodingRefuses(text: String) {
        #expect(Base64URL.decode(Array(text.utf8)) == nil)
    }
}
