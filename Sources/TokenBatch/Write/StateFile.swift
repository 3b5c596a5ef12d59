/// The state file a run leaves for the next one; read back by `PreviousRun`.
enum StateFile {
    /// Each token with the settings and key it was signed with, and every file written.
    static func render(specs: [TokenSpec], tokens: [String], plan: Plan, thumbprints: [String]) -> [UInt8] {
        var json = JSONWriter(reservingCapacity: 256 + specs.count * 700)
        json.raw("{\n  ")
        json.key("format")
        json.raw(" ")
        json.string("tokenbatch.state")
        json.raw(",\n  ")
        json.key("version")
        json.raw(" ")
        json.integer(Int64(PreviousRun.formatVersion))
        json.raw(",\n  ")
        json.key("tokens")
        json.raw(" [")
        for (index, spec) in specs.enumerated() {
            json.raw(index == 0 ? "\n    {" : ",\n    {")
            json.key("product")
            json.string(spec.product)
            json.raw(", ")
            json.key("key")
            json.string(plan.keys[spec.keyIndex].name)
            json.raw(", ")
            json.key("kid")
            json.string(spec.keyID)
            json.raw(", ")
            json.key("key_thumbprint")
            json.string(thumbprints[spec.keyIndex])
            json.raw(", ")
            json.key("iss")
            json.string(spec.issuer)
            json.raw(", ")
            json.key("scope")
            json.string(spec.scope)
            json.raw(", ")
            json.key("origin")
            if let origin = spec.origin { json.string(origin) } else { json.raw("null") }
            json.raw(", ")
            json.key("issued_at")
            json.integer(spec.issuedAt.seconds)
            json.raw(", ")
            json.key("expires_at")
            json.integer(spec.expiresAt.seconds)
            json.raw(", ")
            json.key("fixed_expiry")
            json.raw(spec.hasFixedExpiry ? "true" : "false")
            json.raw(", ")
            json.key("token")
            json.string(tokens[index])
            json.raw("}")
        }
        json.raw(specs.isEmpty ? "],\n  " : "\n  ],\n  ")
        json.key("files")
        json.raw(" [")
        for (index, file) in plan.files.enumerated() {
            json.raw(index == 0 ? "\n    " : ",\n    ")
            json.string(file.path)
        }
        json.raw(plan.files.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return json.bytes
    }
}
