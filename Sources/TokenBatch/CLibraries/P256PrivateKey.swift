internal import CCrypto

/// An EC P-256 private key held by OpenSSL.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never changed after loading, and OpenSSL allows
/// one key to be used for signing from several threads at once as long as nothing mutates it
/// (openssl-threads(7)). Each thread makes its own `ES256Signer`.
final class P256PrivateKey: @unchecked Sendable {
    fileprivate let key: OpaquePointer

    /// Reads a PEM private key (PKCS#8 or SEC1) and insists that it is EC on P-256.
    ///
    /// - Throws: `KeyProblem` saying what the bytes are instead, in words for the user.
    init(pem: [UInt8]) throws(KeyProblem) {
        let bio = pem.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        guard let bio else { throw KeyProblem.unreadable("OpenSSL could not allocate a buffer") }
        defer { BIO_free(bio) }

        // Without a callback OpenSSL would prompt on the terminal for an encrypted key's
        // password; answering "no password" turns that into an ordinary error.
        guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
            let error = OpenSSLError.drain("reading the PEM private key")
            throw KeyProblem.unreadable(error.details.last ?? "OpenSSL found no private key")
        }

        guard EVP_PKEY_is_a(key, "EC") == 1 else {
            let name = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
            EVP_PKEY_free(key)
            throw KeyProblem.wrongAlgorithm(name)
        }
        var groupName = [CChar](repeating: 0, count: 80)
        var length = 0
        let group: String =
            EVP_PKEY_get_group_name(key, &groupName, groupName.count, &length) == 1
            ? String(decoding: groupName.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
        guard group == "prime256v1" else {
            EVP_PKEY_free(key)
            throw KeyProblem.wrongCurve(group)
        }

        // OpenSSL loads a private value of zero or beyond the curve's order without complaint,
        // and would sign with it; a full check also proves the public half matches.
        let checker = EVP_PKEY_CTX_new_from_pkey(nil, key, nil)
        let valid = checker.map { EVP_PKEY_check($0) == 1 } ?? false
        EVP_PKEY_CTX_free(checker)
        guard valid else {
            EVP_PKEY_free(key)
            ERR_clear_error()
            throw KeyProblem.invalidKey
        }
        ERR_clear_error()
        self.key = key
    }

    /// A new random key, from OpenSSL's generator.
    init() throws {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw OpenSSLError.drain("creating a key generator")
        }
        defer { EVP_PKEY_CTX_free(context) }

        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_keygen(context, &generated) == 1, let generated
        else {
            throw OpenSSLError.drain("generating a P-256 key")
        }
        key = generated
    }

    deinit {
        // For EC keys EVP_PKEY_free clears the private scalar before releasing it.
        EVP_PKEY_free(key)
    }

    /// The key as Apple delivers it: unencrypted PKCS#8 in PEM, labelled `PRIVATE KEY`.
    ///
    /// The caller owns secret bytes and should erase them when done.
    func pkcs8PEM() throws -> [UInt8] {
        guard let pem = bytesWritten(secret: true, by: { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) })
        else { throw OpenSSLError.drain("writing the private key") }
        return pem
    }

    /// The public half.
    func publicKey() throws(KeyProblem) -> P256PublicKey {
        try P256PublicKey(der: publicKeyDER())
    }

    /// The public half in SubjectPublicKeyInfo DER, as `openssl pkey -pubout -outform DER` gives.
    func publicKeyDER() -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { return [] }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_PUBKEY(key, &cursor)
        }
        return der
    }

    /// A signer for this key, to be used on one thread only.
    func makeSigner() throws -> ES256Signer {
        try ES256Signer(key: self)
    }
}

/// Makes ES256 signatures with one key on one thread.
///
/// The message is hashed on a digest context of the signer's own and the digest signed on a
/// context set up once, the way `openssl speed` measures the signature: copying a
/// digest-and-sign context per token, as `EVP_DigestSign` needs, cost a tenth of the signing
/// time on top, and OpenSSL 3's one-shot `SHA256` looks the algorithm up again, under a lock
/// that every thread shares, for each token.
///
/// Each signer signs with its own copy of the key. Threads sharing one `EVP_PKEY` is allowed,
/// but they then take turns at the lock inside it on every signature.
final class ES256Signer {
    /// This thread's copy of the key; the context points to it.
    private let key: OpaquePointer
    private let context: OpaquePointer
    private let sha256: OpaquePointer
    private let digestContext: OpaquePointer
    private var digest = [UInt8](repeating: 0, count: 32)
    private var derBuffer = [UInt8](repeating: 0, count: 80)

    fileprivate init(key: P256PrivateKey) throws {
        // What is made so far is released again if a later step fails.
        var releases: [() -> Void] = []
        var madeAll = false
        defer { if !madeAll { releases.reversed().forEach { $0() } } }

        guard let copy = EVP_PKEY_dup(key.key) else { throw OpenSSLError.drain("copying the key for a thread") }
        releases.append { EVP_PKEY_free(copy) }
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else { throw OpenSSLError.drain("finding SHA-256") }
        releases.append { EVP_MD_free(sha256) }
        guard let digestContext = EVP_MD_CTX_new() else { throw OpenSSLError.drain("allocating a digest context") }
        releases.append { EVP_MD_CTX_free(digestContext) }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, copy, nil) else {
            throw OpenSSLError.drain("allocating a signing context")
        }
        releases.append { EVP_PKEY_CTX_free(context) }
        // With the digest named, OpenSSL refuses any input that is not a SHA-256 digest.
        guard EVP_PKEY_sign_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, EVP_sha256()) == 1 else {
            throw OpenSSLError.drain("preparing to sign with ES256")
        }

        madeAll = true
        self.key = copy
        self.context = context
        self.sha256 = sha256
        self.digestContext = digestContext
    }

    deinit {
        EVP_PKEY_CTX_free(context)
        EVP_MD_CTX_free(digestContext)
        EVP_MD_free(sha256)
        // For EC keys EVP_PKEY_free clears the private scalar before releasing it.
        EVP_PKEY_free(key)
    }

    /// Signs `message` and returns the JWS form of the signature: R and S, each 32 bytes,
    /// big-endian and left-padded with zeros.
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        var digestLength: UInt32 = 0
        let hashed = message.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_DigestInit_ex2(digestContext, sha256, nil) == 1
                    && EVP_DigestUpdate(digestContext, input.baseAddress, input.count) == 1
                    && EVP_DigestFinal_ex(digestContext, output.baseAddress, &digestLength) == 1
            }
        }
        guard hashed, digestLength == 32 else { throw OpenSSLError.drain("hashing the token with SHA-256") }

        var derLength = derBuffer.count
        let signed = digest.withUnsafeBufferPointer { input in
            derBuffer.withUnsafeMutableBufferPointer { output in
                EVP_PKEY_sign(context, output.baseAddress, &derLength, input.baseAddress, input.count)
            }
        }
        guard signed == 1 else { throw OpenSSLError.drain("signing") }
        return try ECDSASignatureFormat.rawFromDER(derBuffer[0..<derLength])
    }
}
