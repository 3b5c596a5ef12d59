/// The bytes of each output file, made from the plan and its signed tokens.
enum OutputRenderer {
    /// How every JSON output and every `.env` output begins; a file that does not is not one
    /// tokenbatch wrote, and a later run never deletes it.
    static let jsonStart = "{\n  \"format\": \"tokenbatch.tokens\""
    static let envStart = "# Written by tokenbatch from "

    /// The version of the JSON output's layout; raised on any change a reader could notice.
    static let jsonFormatVersion = 1

    /// - Parameter thumbprints: each key's RFC 7638 thumbprint, parallel to `plan.keys`.
    static func render(_ file: PlannedFile, plan: Plan, tokens: [String], thumbprints: [String]) -> [UInt8] {
        switch file.format {
        case .json: json(file, plan: plan, tokens: tokens, thumbprints: thumbprints)
        case .env: env(file, plan: plan, tokens: tokens)
        }
    }

    /// Every token of the file with what it was made from; documented in `docs/outputs.md`.
    private static func json(_ file: PlannedFile, plan: Plan, tokens: [String], thumbprints: [String]) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 200 + file.tokenIndices.count * 700)
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
        json.raw(" [")

        for (position, index) in file.tokenIndices.enumerated() {
            let spec = plan.tokens[index]
            json.raw(position == 0 ? "\n    {\n      " : ",\n    {\n      ")
            field(&json, "product", spec.product)
            field(&json, "key", plan.keys[spec.keyIndex].name)
            field(&json, "key_thumbprint", thumbprints[spec.keyIndex])
            field(&json, "kid", spec.keyID)
            field(&json, "iss", spec.issuer)
            field(&json, "scope", spec.scope)
            json.key("origin")
            json.raw(" ")
            if let origin = spec.origin { json.string(origin) } else { json.raw("null") }
            json.raw(",\n      ")
            field(&json, "issued_at", spec.issuedAt.seconds)
            field(&json, "issued_at_rfc3339", spec.issuedAt.rfc3339)
            field(&json, "expires_at", spec.expiresAt.seconds)
            field(&json, "expires_at_rfc3339", spec.expiresAt.rfc3339)
            json.key("token")
            json.raw(" ")
            json.string(tokens[index])
            json.raw("\n    }")
        }
        json.raw(file.tokenIndices.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return json.bytes
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
    private static func env(_ file: PlannedFile, plan: Plan, tokens: [String]) -> [UInt8] {
        var text = "\(envStart)\(plan.manifestFile.filter { $0 != "\n" }); do not edit.\n"
        for (index, variable) in zip(file.tokenIndices, file.variables) {
            let spec = plan.tokens[index]
            text += "# \(spec.product): \(spec.scope), expires \(spec.expiresAt.rfc3339)\n"
            text += "\(variable)=\(tokens[index])\n"
        }
        return Array(text.utf8)
    }
}
