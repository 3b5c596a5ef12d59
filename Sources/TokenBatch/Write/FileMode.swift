/// Permission bits as people write them.
enum FileMode {
    /// Four octal digits, such as `0600`.
    static func text(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
