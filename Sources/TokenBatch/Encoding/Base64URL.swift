/// Base64url without padding (RFC 4648 §5), the alphabet of every JWT segment.
///
/// Written here rather than taken from Foundation: Foundation's encoder plus the character
/// replacement it needs is slower than signing the token itself.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// For each byte, its value in the alphabet, or 0xFF if it is not in it.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// The number of characters that encode `count` bytes.
    public static func encodedCount(_ count: Int) -> Int {
        (count * 4 + 2) / 3
    }

    /// Appends the encoding of `bytes` to `output`.
    public static func encode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { encode($0, into: &output) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { encode($0, into: &output) } }
    }

    /// Every token is encoded here three times, so the output grows once and each group of
    /// three bytes is written as four characters in place.
    private static func encode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: encodedCount(input.count)))
        alphabet.withUnsafeBufferPointer { alphabet in
            output.withUnsafeMutableBufferPointer { output in
                var written = start
                var read = 0
                while read + 3 <= input.count {
                    let group = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                    output[written] = alphabet[Int(group >> 18)]
                    output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    output[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                    output[written + 3] = alphabet[Int(group & 0x3F)]
                    read += 3
                    written += 4
                }

                // One or two bytes left: two or three characters, and no padding.
                let left = input.count - read
                guard left > 0 else { return }
                let second = left == 2 ? UInt32(input[read + 1]) : 0
                let group = UInt32(input[read]) << 16 | second << 8
                output[written] = alphabet[Int(group >> 18)]
                output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                if left == 2 { output[written + 2] = alphabet[Int(group >> 6 & 0x3F)] }
            }
        }
    }

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        encode(bytes, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url, or returns `nil` for anything else: padding, the `+` and
    /// `/` of ordinary base64, a length no encoder produces, or stray bits in the last
    /// character (which would let two spellings mean the same bytes).
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)

        var accumulator: UInt32 = 0
        var bits = 0
        for character in text {
            let value = values[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
