import Foundation
import Testing

@testable import TokenBatch

/// Google's Wycheproof vectors, from `../shared/vectors/wycheproof/` beside the repository
/// (`Tests/vectors/` in it holds a copy, so the tests also run from a lone clone).
struct WycheproofTests {
    static func vectors(_ name: String) throws -> [String: Any] {
        let file = packageRoot.appendingPathComponent("Tests/vectors/wycheproof/\(name)")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: file))
        return try #require(object as? [String: Any])
    }

    @Test("ECDSA P-256 SHA-256 P1363: every valid signature accepted, every invalid one rejected")
    func ecdsaP1363() throws {
        let document = try Self.vectors("ecdsa_secp256r1_sha256_p1363_test.json")
        var checked = 0
        for case let group as [String: Any] in try #require(document["testGroups"] as? [Any]) {
            let der = try #require(hexBytes(group["publicKeyDer"] as? String))
            let key = try P256PublicKey(der: der)
            for case let test as [String: Any] in try #require(group["tests"] as? [Any]) {
                let message = try #require(hexBytes(test["msg"] as? String))
                let signature = try #require(hexBytes(test["sig"] as? String))
                let result = try #require(test["result"] as? String)
                let accepted = key.isValidSignature(signature, of: message)

                // "acceptable" cases are allowed either way; there are none in this file.
                if result == "valid" { #expect(accepted, "tcId \(test["tcId"] ?? "?")") }
                if result == "invalid" { #expect(!accepted, "tcId \(test["tcId"] ?? "?")") }
                checked += 1
            }
        }
        #expect(checked == document["numberOfTests"] as? Int)
    }

    @Test("JWS ES256: the token verifier accepts the valid token and rejects every tampered one")
    func jwsES256() throws {
        let document = try Self.vectors("jws_es256_test.json")
        var checked = 0
        for case let group as [String: Any] in try #require(document["testGroups"] as? [Any]) {
            let jwk = try #require(group["public"] as? [String: String])
            let x = try #require(jwk["x"].flatMap { Data(base64URL: $0) })
            let y = try #require(jwk["y"].flatMap { Data(base64URL: $0) })
            let key = try P256PublicKey(x: Array(x), y: Array(y))
            for case let test as [String: Any] in try #require(group["tests"] as? [Any]) {
                let token = try #require(test["jws"] as? String)
                let accepted = TokenVerifier.isValid(token, key: key)
                #expect(accepted == (test["result"] as? String == "valid"), "tcId \(test["tcId"] ?? "?")")
                checked += 1
            }
        }
        #expect(checked == document["numberOfTests"] as? Int)
    }
}

private func hexBytes(_ text: String?) -> [UInt8]? {
    guard let text, text.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
        bytes.append(byte)
        index = next
    }
    return bytes
}
