/// What an entry of `origins` may be: a lower-case host name (`example.com`) or a wildcard over
/// its subdomains (`*.example.com`), with no scheme, port, path or whitespace.
///
/// These are the forms Apple's servers were measured to accept reliably: a bare domain matches
/// the page's `https://` origin, a wildcard does not cover its apex, and a trailing slash or
/// a path never matches. The README's manifest section states the rules for users.
enum OriginRule {
    /// `nil` when `origin` is acceptable, else what is wrong with it and how to fix it.
    static func check(_ origin: String) -> ValueProblem? {
        // Manifests may list a hundred thousand origins; the common, valid ones are recognised
        // from their bytes alone, and only the rest pay for a detailed diagnosis.
        if isPlainHost(origin) { return nil }

        if origin.isEmpty {
            return ValueProblem("an origin is empty", hint: "write a domain such as `example.com`, or remove the entry")
        }
        if origin.contains(",") {
            return ValueProblem(
                "origin `\(origin)` contains a comma",
                hint: "list each domain as its own item: tokenbatch joins them with commas itself")
        }
        if origin.hasPrefix("[") {
            return ValueProblem(
                "origin `\(origin)` is an IPv6 address", hint: "use a host name; IPv6 addresses are not supported")
        }
        if origin.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            let trimmed = String(origin.unicodeScalars.filter { !$0.properties.isWhitespace })
            return ValueProblem("origin `\(origin)` contains whitespace", hint: "write `\(trimmed)`")
        }
        if let schemeEnd = origin.firstRange(of: "://") {
            let host = origin[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != ":" }
            return ValueProblem(
                "origin `\(origin)` has a scheme",
                hint: "write the domain alone, `\(host)`; Apple matches it against the page's origin whatever "
                    + "the scheme and port")
        }
        if let slash = origin.firstIndex(of: "/") {
            return ValueProblem(
                "origin `\(origin)` has a path or a trailing slash, so it would never match",
                hint: "write `\(origin[..<slash])`")
        }
        if let colon = origin.firstIndex(of: ":") {
            return ValueProblem(
                "origin `\(origin)` has a port", hint: "write `\(origin[..<colon])`; the port is not part of the claim")
        }
        if !origin.unicodeScalars.allSatisfy(\.isASCII) {
            return ValueProblem(
                "origin `\(origin)` has non-ASCII characters",
                hint: "write the domain in its punycode form, which starts `xn--`")
        }
        if origin != origin.lowercased() {
            return ValueProblem("origin `\(origin)` has upper-case letters", hint: "write `\(origin.lowercased())`")
        }

        var host = Substring(origin)
        if host.hasPrefix("*.") {
            host = host.dropFirst(2)
            if !host.contains(".") {
                return ValueProblem(
                    "wildcard origin `\(origin)` covers a whole top-level domain",
                    hint: "put the wildcard in front of your own domain, such as `*.example.com`")
            }
        }
        if host.contains("*") {
            return ValueProblem(
                "origin `\(origin)` has a wildcard that is not a leading `*.`",
                hint: "a wildcard may only stand for the subdomains, as in `*.example.com`")
        }
        return checkHost(host, origin: origin)
    }

    /// Whether `origin` is an acceptable host or `*.` wildcard, judged byte by byte.
    private static func isPlainHost(_ origin: String) -> Bool {
        var bytes = origin.utf8[...]
        if bytes.starts(with: "*.".utf8) { bytes = bytes.dropFirst(2) }
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }

        var labels = 0
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                labelLength += 1
            case UInt8(ascii: "-") where previous != UInt8(ascii: "."):
                labelLength += 1
            case UInt8(ascii: ".") where previous != UInt8(ascii: ".") && previous != UInt8(ascii: "-"):
                labels += 1
                labelLength = 0
            default:
                return false
            }
            guard labelLength <= 63 else { return false }
            previous = byte
        }
        guard previous != UInt8(ascii: "."), previous != UInt8(ascii: "-") else { return false }
        // A wildcard needs a domain of at least two labels under it.
        guard !origin.hasPrefix("*.") || labels >= 1 else { return false }
        return !looksNumeric(bytes) || isIPv4Address(bytes)
    }

    /// Whether the last label is all digits, which only an IPv4 address may have.
    private static func looksNumeric(_ host: Substring.UTF8View) -> Bool {
        // Read from the end, without splitting: this runs for every origin of every product.
        host.reversed().prefix { $0 != UInt8(ascii: ".") }.allSatisfy {
            $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")
        }
    }

    private static func isIPv4Address(_ host: Substring.UTF8View) -> Bool {
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3
                    && part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                    && (Int(String(decoding: part, as: UTF8.self)) ?? 256) <= 255
                    && !(part.count > 1 && part.first == UInt8(ascii: "0"))
            }
    }

    private static func checkHost(_ host: Substring, origin: String) -> ValueProblem? {
        if looksNumeric(host.utf8), !isIPv4Address(host.utf8) {
            return ValueProblem(
                "origin `\(origin)` is neither a domain name nor an IPv4 address",
                hint: "a domain ends in letters; an IPv4 address has four numbers from 0 to 255")
        }
        guard host.utf8.count <= 253 else {
            return ValueProblem(
                "origin `\(origin)` is longer than a domain can be", hint: "domains have at most 253 characters")
        }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else {
                return ValueProblem(
                    "origin `\(origin)` has an empty label (two dots, or a dot at an end)", hint: "remove the extra dot"
                )
            }
            let valid =
                label.utf8.count <= 63
                && label.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                }
                && !label.hasPrefix("-") && !label.hasSuffix("-")
            guard valid else {
                return ValueProblem(
                    "origin `\(origin)` is not a valid domain name",
                    hint: "each part between dots has 1 to 63 letters, digits and inner hyphens")
            }
        }
        return nil
    }
}
