/// Finds the private key in PEM text however it was damaged on its way into a file or a
/// variable, and recognises what is not a usable private key before OpenSSL gives a less
/// helpful answer.
///
/// Works on bytes only, so that no copy of the key ends up in a `String` that cannot be erased.
enum PEMText {
    /// The forms accepted, for messages.
    static let acceptedForms =
        "PEM with `\(armour("BEGIN", "PRIVATE KEY"))` (Apple's .p8) or `\(armour("BEGIN", "EC PRIVATE KEY"))`"

    /// A PEM armour line, such as the one that opens Apple's keys.
    static func armour(_ edge: String, _ label: String) -> String {
        "-----\(edge) \(label)-----"
    }

    /// One `-----BEGIN label-----` … `-----END label-----` block.
    private struct Block {
        var label: [UInt8]
        var body: [UInt8]
    }

    /// The private key block of `text`, rebuilt in canonical form: the BEGIN line, the body
    /// without whitespace wrapped at 64 columns, the END line.
    ///
    /// Repairs a byte-order mark, Windows line endings, trailing whitespace, a missing final
    /// newline, a body joined onto one line or wrapped at another width, and `\n` written out
    /// as two characters (a PEM pasted into an environment variable).
    static func privateKeyBlock(in text: [UInt8]) throws(KeyProblem) -> [UInt8] {
        var bytes = text
        defer { bytes.eraseSecret() }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.contains(UInt8(ascii: "\\")) { bytes = replacingEscapedLineBreaks(in: bytes) }

        var blocks = self.blocks(in: bytes)
        defer { for index in blocks.indices { blocks[index].body.eraseSecret() } }
        let privateBlocks = blocks.filter { $0.label.ends(with: Array("PRIVATE KEY".utf8)) }
        guard let block = privateBlocks.first else {
            throw problemWithoutPrivateKey(bytes, blocks: blocks)
        }
        guard privateBlocks.count == 1 else { throw .severalKeys(privateBlocks.count) }

        switch String(decoding: block.label, as: UTF8.self) {
        case "PRIVATE KEY", "EC PRIVATE KEY": break
        case "ENCRYPTED PRIVATE KEY": throw .encrypted
        case "RSA PRIVATE KEY": throw .wrongAlgorithm("RSA")
        case "DSA PRIVATE KEY": throw .wrongAlgorithm("DSA")
        case "OPENSSH PRIVATE KEY": throw .openSSHFormat
        case let label: throw .notAPrivateKey("PEM block labelled \(label)")
        }
        // Legacy SEC1 encryption puts headers such as `Proc-Type: 4,ENCRYPTED` in the body.
        if block.body.contains(UInt8(ascii: ":")) { throw .encrypted }

        return canonical(block)
    }

    private static func problemWithoutPrivateKey(_ bytes: [UInt8], blocks: [Block]) -> KeyProblem {
        if bytes.allSatisfy(isWhitespace) { return .empty }
        let labels = blocks.map { String(decoding: $0.label, as: UTF8.self) }
        if labels.contains(where: { $0.hasSuffix("PUBLIC KEY") }) { return .notAPrivateKey("public key") }
        if labels.contains("CERTIFICATE") { return .notAPrivateKey("certificate") }
        if labels.contains("EC PARAMETERS") { return .notAPrivateKey("set of EC parameters but no key") }
        if let label = labels.first { return .notAPrivateKey("PEM block labelled \(label)") }
        if bytes.firstRange(of: Array("-----BEGIN ".utf8)) != nil { return .truncated }
        // DER keys start with a SEQUENCE (0x30), which base64 writes as `M`.
        let compact = bytes.filter { !isWhitespace($0) }
        if compact.count >= 64, compact.first == UInt8(ascii: "M"), compact.allSatisfy(isBase64) { return .bareBase64 }
        return .notPEM
    }

    private static func blocks(in bytes: [UInt8]) -> [Block] {
        let dashes = Array("-----".utf8)
        let begin = Array("-----BEGIN ".utf8)
        var blocks: [Block] = []
        var searchFrom = bytes.startIndex
        while let start = bytes[searchFrom...].firstRange(of: begin) {
            guard let labelEnd = bytes[start.upperBound...].firstRange(of: dashes) else { break }
            let label = Array(bytes[start.upperBound..<labelEnd.lowerBound])
            let end = dashes + Array("END ".utf8) + label + dashes
            guard let endRange = bytes[labelEnd.upperBound...].firstRange(of: end) else { break }

            let body = bytes[labelEnd.upperBound..<endRange.lowerBound].filter { !isWhitespace($0) }
            blocks.append(Block(label: label, body: body))
            searchFrom = endRange.upperBound
        }
        return blocks
    }

    private static func canonical(_ block: Block) -> [UInt8] {
        var pem = Array("-----BEGIN ".utf8) + block.label + Array("-----\n".utf8)
        var offset = 0
        while offset < block.body.count {
            pem += block.body[offset..<min(offset + 64, block.body.count)]
            pem.append(UInt8(ascii: "\n"))
            offset += 64
        }
        pem += Array("-----END ".utf8) + block.label + Array("-----\n".utf8)
        return pem
    }

    /// `\n` and `\r` written as backslash and letter become line breaks; base64 and PEM
    /// armour never contain a backslash, so nothing else can be meant.
    private static func replacingEscapedLineBreaks(in bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let next = index + 1 < bytes.endIndex ? bytes[index + 1] : 0
            if bytes[index] == UInt8(ascii: "\\"), next == UInt8(ascii: "n") || next == UInt8(ascii: "r") {
                result.append(UInt8(ascii: "\n"))
                index += 2
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
        }
    }
}

extension [UInt8] {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
