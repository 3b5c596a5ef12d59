/// The state file a run leaves for the next one; read back by `PreviousRun`.
enum StateFile {
    /// Each token with the settings and key it was signed with, and every file written.
    /// - Parameter files: every file the run wrote or still has to delete.
    static func render(plan: Plan, tokens: [String], thumbprints: [String], files: [String]) -> [UInt8] {
        let entries: [JSONValue] = plan.tokens.enumerated().map { index, spec in
            .object([
                ("product", .string(spec.product)),
                ("key", .string(plan.keys[spec.keyIndex].name)),
                ("kid", .string(spec.keyID)),
                ("key_thumbprint", .string(thumbprints[spec.keyIndex])),
                ("iss", .string(spec.issuer)),
                ("scope", .string(spec.scope)),
                ("origin", .optional(spec.origin)),
                ("issued_at", .integer(spec.issuedAt.seconds)),
                ("expires_at", .integer(spec.expiresAt.seconds)),
                ("fixed_expiry", .bool(spec.hasFixedExpiry)),
                ("token", .string(tokens[index])),
            ])
        }
        let document = JSONValue.object([
            ("format", .string("tokenbatch.state")),
            ("version", .integer(Int64(PreviousRun.formatVersion))),
            ("tokens", .array(entries)),
            ("files", .array(files.map { .string($0) })),
        ])
        return Array(document.document.utf8)
    }
}
