extension P256PublicKey {
    /// The DER that precedes the point in every P-256 SubjectPublicKeyInfo: the algorithm
    /// (id-ecPublicKey), the curve (prime256v1) and the header of the 65-byte bit string.
    private static let subjectPublicKeyInfoPrefix: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A,
        0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ]

    /// A key from the coordinates of an uncompressed point, each 32 bytes big-endian, as a
    /// JWK's `x` and `y` carry them. OpenSSL checks that the point is on the curve.
    convenience init(x: [UInt8], y: [UInt8]) throws(KeyProblem) {
        guard x.count == 32, y.count == 32 else { throw KeyProblem.unreadable("coordinates must be 32 bytes each") }
        try self.init(der: Self.subjectPublicKeyInfoPrefix + [0x04] + x + y)
    }
}
