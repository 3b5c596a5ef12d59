internal import CCrypto

/// SHA-256 through libcrypto.
enum SHA256 {
    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        // SHA-256 of bytes in memory fails only when OpenSSL cannot allocate, and then
        // nothing else would work either.
        precondition(succeeded == 1 && length == 32, "\(OpenSSLError.drain("SHA-256"))")
        return digest
    }
}

/// The bytes `write` puts into a memory BIO; shared by the PEM writers of this folder.
///
/// - Parameter secret: use OpenSSL's clearing memory BIO, for private key material.
func bytesWritten(secret: Bool = false, by write: (OpaquePointer) -> Int32) -> [UInt8]? {
    guard let bio = BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()) else { return nil }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else {
        ERR_clear_error()
        return nil
    }
    var data: UnsafeMutablePointer<CChar>?
    let length = tokenbatch_bio_get_mem_data(bio, &data)
    guard length > 0, let data else { return nil }
    return data.withMemoryRebound(to: UInt8.self, capacity: length) {
        Array(UnsafeBufferPointer(start: $0, count: length))
    }
}
