import Foundation
import Testing

@testable import TokenBatch

struct SignatureTests {
    @Test("2,000 tokens from one key: each signature is 64 bytes and valid, here and in Python's cryptography")
    func signingLoop() throws {
        let directory = try TemporaryDirectory()
        let keyFile = directory.url.appendingPathComponent("test-key.p8")
        try makeTestKey(at: keyFile)
        let privateKey = try P256PrivateKey(pem: Array(try Data(contentsOf: keyFile)))
        let publicKey = try P256PublicKey(der: privateKey.publicKeyDER())
        let signer = try privateKey.makeSigner()
        let header = TokenEncoder.headerSegment(keyID: "TESTKEY001")

        var tokens: [String] = []
        var shortHalves = 0
        for index in 0..<2_000 {
            let spec = TokenSpec(
                product: "p\(index)", keyIndex: 0, keyID: "TESTKEY001", issuer: "TESTTEAM01",
                issuedAt: UnixTime(seconds: 1_800_000_000),
                expiresAt: UnixTime(seconds: 1_800_000_000 + Int64(index) + 1),
                scopes: ["server_api"], origins: [])
            let input = TokenEncoder.signingInput(headerSegment: header, spec: spec)
            let signature = try signer.sign(input)

            #expect(signature.count == 64)
            #expect(publicKey.isValidSignature(signature, of: input))
            // A half whose top byte is zero is the case an unpadded conversion gets wrong.
            if signature[0] == 0 || signature[32] == 0 { shortHalves += 1 }
            tokens.append(TokenEncoder.token(signingInput: input, signature: signature))
        }

        // At about 1 in 128 per signature, 2,000 signatures without one would be a 1 in 10^6 event.
        #expect(shortHalves > 0)
        let verdicts = try IndependentVerifier.checkWithPython(
            tokens, publicKeyPEM: try IndependentVerifier.publicKeyPEM(ofPrivateKey: keyFile))
        #expect(verdicts.count == tokens.count)
        #expect(verdicts.allSatisfy { $0.valid && $0.signatureLength == 64 })
    }

    @Test("The DER-to-R||S conversion pads short halves and round-trips")
    func derConversionPads() throws {
        // r = 1 and s = 0x80 (which needs a leading zero in DER): both far shorter than 32 bytes.
        let der: [UInt8] = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]
        let raw = try ECDSASignatureFormat.rawFromDER(der)

        #expect(raw.count == 64)
        #expect(raw[0..<31].allSatisfy { $0 == 0 } && raw[31] == 1)
        #expect(raw[32..<63].allSatisfy { $0 == 0 } && raw[63] == 0x80)
        #expect(ECDSASignatureFormat.derFromRaw(raw) == der)
        #expect(IndependentVerifier.derSignature(fromRaw: Data(raw)) == Data(der))
    }

    @Test("The header is exactly alg, kid, typ and the payload has the fixed claim order")
    func tokenLayout() throws {
        let spec = TokenSpec(
            product: "web", keyIndex: 0, keyID: "ABC123DEFG", issuer: "DEF123GHIJ",
            issuedAt: UnixTime(seconds: 1_437_179_036), expiresAt: UnixTime(seconds: 1_493_298_100),
            scopes: ["server_api"], origins: ["*.example.com"])

        let header = Base64URL.decode(TokenEncoder.headerSegment(keyID: "ABC123DEFG"))
        #expect(header == Array(#"{"alg":"ES256","kid":"ABC123DEFG","typ":"JWT"}"#.utf8))
        // Apple's own decoded example, byte for byte.
        #expect(
            TokenEncoder.payload(of: spec)
                == Array(
                    #"{"iss":"DEF123GHIJ","iat":1437179036,"exp":1493298100,"scope":"server_api","origin":"*.example.com"}"#
                        .utf8))
    }

    @Test(
        "Keys that are not EC P-256 are refused with the curve or algorithm named",
        arguments: [
            (["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp384r1"], "secp384r1"),
            (["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "secp256k1"),
            (["genpkey", "-algorithm", "ED25519"], "ED25519"),
            (["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], "RSA"),
        ])
    func wrongKeysAreRefused(arguments: [String], name: String) throws {
        let directory = try TemporaryDirectory()
        let keyFile = directory.url.appendingPathComponent("test-key.pem")
        #expect(try runProcess("/usr/bin/openssl", arguments + ["-out", keyFile.path]).status == 0)

        #expect {
            try P256PrivateKey(pem: try PEMText.privateKeyBlock(in: Array(try Data(contentsOf: keyFile))))
        } throws: { error in
            (error as? KeyProblem)?.explanation.contains(name) == true
        }
    }

    @Test("A PEM cut off after its BEGIN line is called cut off, not missing its BEGIN line")
    func truncatedPEM() {
        let text = Array("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n".utf8)
        #expect(throws: KeyProblem.truncated) { try PEMText.privateKeyBlock(in: text) }
        #expect(KeyProblem.wrongAlgorithm("RSA").explanation.hasPrefix("it is an RSA key"))
        #expect(KeyProblem.wrongAlgorithm("DSA").explanation.hasPrefix("it is a DSA key"))
    }
}
