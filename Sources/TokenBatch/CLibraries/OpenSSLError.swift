internal import CCrypto

/// A failure inside libcrypto, with every entry OpenSSL queued for this thread.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var details: [String]

    public var description: String {
        details.isEmpty ? "\(operation) failed" : "\(operation) failed: \(details.joined(separator: "; "))"
    }

    /// Empties this thread's OpenSSL error queue into an error, so that no stale entry is
    /// blamed on a later call.
    static func drain(_ operation: String) -> OpenSSLError {
        var details: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(operation: operation, details: details)
    }
}
