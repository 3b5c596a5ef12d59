/// The bytes of each output file, made from the plan and its signed tokens.
///
/// Each renderer hands its bytes to `deliver` in pieces of about `pieceSize`, so that an
/// output of 100,000 tokens is never held whole in memory.
enum OutputRenderer {
    /// Bytes gathered before they are handed on.
    static let pieceSize = 1 << 16

    /// How every JSON output and every `.env` output begins; a file that does not is not one
    /// tokenbatch wrote, and a later run never deletes it.
    static let jsonStart = "{\n  \"format\": \"tokenbatch.tokens\""
    static let envStart = "# Written by tokenbatch from "

    /// The version of the JSON output's layout; raised on any change a reader could notice.
    static let jsonFormatVersion = 1

    /// - Parameter thumbprints: each key's RFC 7638 thumbprint, parallel to `plan.keys`.
    static func render(
        _ file: PlannedFile, plan: Plan, tokens: [String], thumbprints: [String],
        into deliver: (ArraySlice<UInt8>) -> Void
    ) {
        switch file.format {
        case .json: json(file, plan: plan, tokens: tokens, thumbprints: thumbprints, into: deliver)
        case .env: env(file, plan: plan, tokens: tokens, into: deliver)
        }
    }

    /// Every token of the file with what it was made from; documented in `docs/outputs.md`.
    private static func json(
        _ file: PlannedFile, plan: Plan, tokens: [String], thumbprints: [String],
        into deliver: (ArraySlice<UInt8>) -> Void
    ) {
        var json = JSONWriter(reservingCapacity: pieceSize + 4096)
        json.raw("{\n  ")
        json.key("format")
        json.raw(" ")
        json.string("tokenbatch.tokens")
        json.raw(",\n  ")
        json.key("version")
        json.raw(" ")
        json.integer(Int64(jsonFormatVersion))
        json.raw(",\n  ")
        json.key("manifest")
        json.raw(" ")
        json.string(plan.manifestFile)
        json.raw(",\n  ")
        json.key("tokens")
        json.raw(" ")

        // Most tokens of a run share their two times; format each distinct one once.
        var times = RFC3339Cache()
        json.list(file.tokenIndices) { json, index in
            let spec = plan.tokens[index]
            json.raw("{\n      ")
            field(&json, "product", spec.product)
            field(&json, "key", plan.keys[spec.keyIndex].name)
            field(&json, "key_thumbprint", thumbprints[spec.keyIndex])
            field(&json, "kid", spec.keyID)
            field(&json, "iss", spec.issuer)
            json.key("scope")
            json.raw(" ")
            json.string(joining: spec.scopes, separator: " ")
            json.raw(",\n      ")
            json.key("origin")
            json.raw(" ")
            json.origin(of: spec)
            json.raw(",\n      ")
            field(&json, "issued_at", spec.issuedAt.seconds)
            field(&json, "issued_at_rfc3339", times.text(of: spec.issuedAt))
            field(&json, "expires_at", spec.expiresAt.seconds)
            field(&json, "expires_at_rfc3339", times.text(of: spec.expiresAt))
            json.key("token")
            json.raw(" ")
            json.string(tokens[index])
            json.raw("\n    }")
            json.handOver(beyond: pieceSize, to: deliver)
        }
        json.raw("\n}\n")
        json.handOver(beyond: 0, to: deliver)
    }

    private static func field(_ json: inout JSONWriter, _ name: StaticString, _ value: String) {
        json.key(name)
        json.raw(" ")
        json.string(value)
        json.raw(",\n      ")
    }

    private static func field(_ json: inout JSONWriter, _ name: StaticString, _ value: Int64) {
        json.key(name)
        json.raw(" ")
        json.integer(value)
        json.raw(",\n      ")
    }

    /// `NAME=token` lines, each after a comment naming the product and its expiry.
    ///
    /// Tokens are `[A-Za-z0-9._-]` and names `[A-Z0-9_]`, so the lines need no quoting and read
    /// the same in POSIX sh, docker's `--env-file`, systemd's `EnvironmentFile` and dotenv.
    private static func env(
        _ file: PlannedFile, plan: Plan, tokens: [String], into deliver: (ArraySlice<UInt8>) -> Void
    ) {
        var text: [UInt8] = []
        text.reserveCapacity(pieceSize + 4096)
        text += envStart.utf8
        text += plan.manifestFile.utf8.lazy.filter { $0 != UInt8(ascii: "\n") }
        text += "; do not edit.\n".utf8

        var times = RFC3339Cache()
        for (index, variable) in zip(file.tokenIndices, file.variables) {
            let spec = plan.tokens[index]
            text += "# ".utf8
            text += spec.product.utf8
            text += ": ".utf8
            text += spec.scope.utf8
            text += ", expires ".utf8
            text += times.text(of: spec.expiresAt).utf8
            text.append(UInt8(ascii: "\n"))
            text += variable.utf8
            text.append(UInt8(ascii: "="))
            text += tokens[index].utf8
            text.append(UInt8(ascii: "\n"))
            if text.count >= pieceSize {
                deliver(text[...])
                text.removeAll(keepingCapacity: true)
            }
        }
        deliver(text[...])
    }
}

/// The RFC 3339 text of the times met so far; a run's tokens mostly share two or three.
private struct RFC3339Cache {
    private var texts: [Int64: String] = [:]
    /// The two texts an output asks for in turn, issue and expiry, found without hashing.
    private var recent: [(seconds: Int64, text: String)] = []

    mutating func text(of time: UnixTime) -> String {
        if let hit = recent.first(where: { $0.seconds == time.seconds }) { return hit.text }
        let text = texts[time.seconds] ?? time.rfc3339
        if texts.count < 64 { texts[time.seconds] = text }
        if recent.count == 2 { recent.removeFirst() }
        recent.append((time.seconds, text))
        return text
    }
}

extension JSONWriter {
    /// A token's `origin` claim as written in outputs: its origins joined by commas, or `null`.
    mutating func origin(of spec: TokenSpec) {
        if spec.origins.isEmpty {
            raw("null")
        } else {
            string(joining: spec.origins, separator: ",")
        }
    }
}
