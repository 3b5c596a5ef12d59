/// The state file a run leaves for the next one; read back by `PreviousRun`.
///
/// Written straight into bytes rather than through a tree of `JSONValue`s: at 100,000 tokens
/// the tree cost more memory than the text itself and a fifth of the run's serial time.
enum StateFile {
    /// Each token with the settings and key it was signed with, and every file written.
    /// - Parameter files: every file the run wrote or still has to delete.
    /// - Parameter deliver: takes the bytes in pieces, as `OutputRenderer`'s renderers give them.
    static func render(
        plan: Plan, tokens: [String], thumbprints: [String], files: [String],
        into deliver: (ArraySlice<UInt8>) -> Void
    ) {
        var json = JSONWriter(reservingCapacity: OutputRenderer.pieceSize + 4096)
        json.raw("{\n  \"format\": \"tokenbatch.state\",\n  \"version\": ")
        json.integer(Int64(PreviousRun.formatVersion))
        json.raw(",\n  \"tokens\": ")

        json.list(plan.tokens.indices) { json, index in
            let spec = plan.tokens[index]
            json.raw("{\n      \"product\": ")
            json.string(spec.product)
            json.raw(",\n      \"key\": ")
            json.string(plan.keys[spec.keyIndex].name)
            json.raw(",\n      \"kid\": ")
            json.string(spec.keyID)
            json.raw(",\n      \"key_thumbprint\": ")
            json.string(thumbprints[spec.keyIndex])
            json.raw(",\n      \"iss\": ")
            json.string(spec.issuer)
            json.raw(",\n      \"scope\": ")
            json.string(joining: spec.scopes, separator: " ")
            json.raw(",\n      \"origin\": ")
            json.origin(of: spec)
            json.raw(",\n      \"issued_at\": ")
            json.integer(spec.issuedAt.seconds)
            json.raw(",\n      \"expires_at\": ")
            json.integer(spec.expiresAt.seconds)
            json.raw(",\n      \"fixed_expiry\": ")
            json.raw(spec.hasFixedExpiry ? "true" : "false")
            json.raw(",\n      \"token\": ")
            json.string(tokens[index])
            json.raw("\n    }")
            json.handOver(beyond: OutputRenderer.pieceSize, to: deliver)
        }

        json.raw(",\n  \"files\": ")
        json.list(files.indices) { json, index in json.string(files[index]) }
        json.raw("\n}\n")
        json.handOver(beyond: 0, to: deliver)
    }
}
