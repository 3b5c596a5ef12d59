/// The forms of the names and identifiers a manifest holds.
enum Identifiers {
    /// A Team ID or Key ID: ten upper-case letters and digits, as Apple issues them.
    static func checkAppleID(_ text: String, what: String) -> ValueProblem? {
        if text.count == 10, text.utf8.allSatisfy(isUpperOrDigit) { return nil }
        if text.count == 10, text.uppercased().utf8.allSatisfy(isUpperOrDigit) {
            return ValueProblem("\(what) `\(text)` has lower-case letters", hint: "write it as `\(text.uppercased())`")
        }
        return ValueProblem(
            "\(what) `\(text)` is not 10 upper-case letters and digits",
            hint: "copy it from the Apple Developer account, such as `ABC123DEFG`")
    }

    /// A product or key name: 1 to 63 lower-case letters, digits and inner hyphens, so that it
    /// is safe in every file system and turns into a distinct variable name.
    static func checkName(_ text: String, what: String) -> ValueProblem? {
        let bytes = Array(text.utf8)
        let allowed = bytes.allSatisfy { isLowerOrDigit($0) || $0 == UInt8(ascii: "-") }
        if !bytes.isEmpty, bytes.count <= 63, allowed, bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        {
            return nil
        }
        let suggestion = suggestedName(for: text)
        return ValueProblem(
            "\(what) name `\(text)` must be 1 to 63 lower-case letters, digits and hyphens, "
                + "starting and ending with a letter or digit",
            hint: suggestion.map { "rename it, for example to `\($0)`" } ?? "rename it")
    }

    /// A shell-safe environment variable name: letters, digits and `_`, not starting with a digit.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first < UInt8(ascii: "0") || first > UInt8(ascii: "9") else { return false }
        return text.utf8.allSatisfy { isUpperOrDigit($0) || isLowerOrDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// The product's part of a variable name: `storefront-web` becomes `STOREFRONT_WEB`.
    static func variableFragment(of product: String) -> String {
        guard product.utf8.allSatisfy({ $0 < 0x80 }) else {
            return String(product.uppercased().map { $0 == "-" ? "_" : $0 })
        }
        // ASCII, the usual case, byte by byte: this runs once per product and `.env` output.
        let bytes = product.utf8.map { byte -> UInt8 in
            if byte == UInt8(ascii: "-") { return UInt8(ascii: "_") }
            return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func suggestedName(for text: String) -> String? {
        var result = ""
        for character in text.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                result.append(character)
            } else if !result.hasSuffix("-") {
                result.append("-")
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        while result.hasPrefix("-") { result.removeFirst() }
        return result.isEmpty || result.count > 63 ? nil : result
    }

    private static func isUpperOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
