/// What `inspect` prints: a report for people, or a JSON document for programs
/// (`docs/inspect.md`). Neither contains the token's signature or any key material.
struct InspectReport {
    var inspection: TokenInspection
    var source: InspectCommand.Source
    /// The key the signature was checked with; `nil` without `--key`.
    var key: VerificationKey?

    /// The version of the JSON document's layout, documented in `docs/inspect.md`.
    static let jsonFormatVersion = 1

    // MARK: - Text

    func text() -> String {
        var text = "Token from \(sourceDescription), inspected at \(inspection.now.rfc3339)\n"
        if let bytes = inspection.headerBytes {
            text += "\nHeader:\n" + Self.shown(bytes, parsed: inspection.header)
        }
        if let bytes = inspection.payloadBytes {
            text += "\nPayload:\n" + Self.shown(bytes, parsed: inspection.payload)
        }
        if inspection.isWellFormed {
            if let claims = inspection.payload {
                text += "\nTimes:\n"
                text += timeLine("iat", claims["iat"], inspection.issuedAt)
                text += timeLine("exp", claims["exp"], inspection.expiresAt)
            }
            text += "\nSignature: \(inspection.signature?.count ?? 0) bytes; "
            if let verdict = inspection.signatureVerdict {
                text += verdict.explanation + (key.map { " (thumbprint \($0.thumbprint))" } ?? "") + "\n"
            } else {
                text += "not checked (give --key to check it)\n"
            }
        }

        if !inspection.findings.isEmpty {
            text += "\nFindings:\n"
            for finding in inspection.findings {
                text += "  \(finding.severity.rawValue)[\(finding.name)]: \(finding.message)\n"
                if let hint = finding.hint { text += "    hint: \(hint)\n" }
            }
        }
        text += "\n" + conclusion() + "\n"
        // The token's own text may hold escape sequences meant for a terminal.
        return DiagnosticRenderer.visible(text)
    }

    private var sourceDescription: String {
        switch source {
        case .standardInput: "standard input"
        case .file(let path): path
        // The operand was taken for the token because no file has its name; a typing mistake
        // in a file name is the likelier story when it is not a token.
        case .argument: inspection.isWellFormed ? "the command line" : "the command line (no file has that name)"
        }
    }

    /// A decoded part as indented JSON, with every member as written, or as text if it is not JSON.
    private static func shown(_ bytes: [UInt8], parsed: JSONValue?) -> String {
        if let parsed { return "  " + parsed.indentedText(indent: "  ", keepingRepeatedMembers: true) + "\n" }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return "  (\(bytes.count) bytes that are not UTF-8 text)\n"
        }
        if text.isEmpty { return "  (empty)\n" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    private func timeLine(_ name: String, _ value: JSONValue?, _ time: UnixTime?) -> String {
        guard let value else { return "  \(name)  (missing)\n" }
        guard let time else { return "  \(name)  \(TokenInspector.describe(value)), not a time in seconds\n" }
        return "  \(name)  \(time.rfc3339)  \(relative(time))\n"
    }

    private func relative(_ time: UnixTime) -> String {
        TokenInspector.relative(time, to: inspection.now)
    }

    private func conclusion() -> String {
        let errors = inspection.errorCount
        let warnings = inspection.findings.count - errors
        let counts = "\(Self.count(errors, "error")), \(Self.count(warnings, "warning"))"
        if !inspection.isWellFormed { return "\(counts): this is not a token." }
        if errors > 0 { return "\(counts): Apple would reject this token." }
        let checked = inspection.signatureVerdict == nil ? "; its signature was not checked" : ""
        return warnings > 0
            ? "\(counts): the token meets Apple's rules, but see the warnings\(checked)."
            : "No problems found: the token meets Apple's rules for Maps tokens\(checked)."
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    // MARK: - JSON

    /// One document with the decoded parts, the times, the verdict and every finding.
    func json() -> String {
        var json = JSONWriter(reservingCapacity: 4_096)
        let errors = inspection.errorCount
        Self.writeStart(source, into: &json)
        json.raw(",\n  ")
        json.key("error")
        json.raw(" null,\n  ")
        json.key("now")
        json.raw(" ")
        json.integer(inspection.now.seconds)
        json.raw(",\n  ")
        json.key("well_formed")
        json.raw(inspection.isWellFormed ? " true" : " false")
        json.raw(",\n  ")
        json.key("valid")
        json.raw(inspection.passes ? " true" : " false")
        json.raw(",\n  ")
        json.key("errors")
        json.raw(" ")
        json.integer(Int64(errors))
        json.raw(",\n  ")
        json.key("warnings")
        json.raw(" ")
        json.integer(Int64(inspection.findings.count - errors))
        json.raw(",\n  ")

        json.key("header_raw")
        json.raw(" ")
        Self.writeText(inspection.headerBytes, into: &json)
        json.raw(",\n  ")
        json.key("header")
        json.raw(" ")
        Self.writeParsed(inspection.header, into: &json)
        json.raw(",\n  ")
        json.key("payload_raw")
        json.raw(" ")
        Self.writeText(inspection.payloadBytes, into: &json)
        json.raw(",\n  ")
        json.key("payload")
        json.raw(" ")
        Self.writeParsed(inspection.payload, into: &json)
        json.raw(",\n  ")

        json.key("times")
        json.raw(" {\n    ")
        json.key("iat")
        json.raw(" ")
        writeTime(inspection.issuedAt, into: &json)
        json.raw(",\n    ")
        json.key("exp")
        json.raw(" ")
        writeTime(inspection.expiresAt, into: &json)
        json.raw("\n  },\n  ")

        json.key("signature_length")
        json.raw(" ")
        if let signature = inspection.signature { json.integer(Int64(signature.count)) } else { json.raw("null") }
        json.raw(",\n  ")
        json.key("verified")
        json.raw(" ")
        switch inspection.signatureVerdict?.valid {
        case true?: json.raw("true")
        case false?: json.raw("false")
        case nil: json.raw("null")
        }
        json.raw(",\n  ")
        json.key("verification")
        json.raw(" ")
        if let verdict = inspection.signatureVerdict { json.string(verdict.explanation) } else { json.raw("null") }
        json.raw(",\n  ")
        json.key("key")
        json.raw(" ")
        writeKey(into: &json)
        json.raw(",\n  ")

        json.key("findings")
        json.raw(" [")
        for (index, finding) in inspection.findings.enumerated() {
            json.raw(index == 0 ? "\n    {" : ",\n    {")
            json.key("name")
            json.string(finding.name)
            json.raw(", ")
            json.key("severity")
            json.string(finding.severity.rawValue)
            json.raw(", ")
            json.key("message")
            json.string(finding.message)
            json.raw(", ")
            json.key("hint")
            if let hint = finding.hint { json.string(hint) } else { json.raw("null") }
            json.raw("}")
        }
        json.raw(inspection.findings.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        return Self.escapingC1Controls(String(decoding: json.bytes, as: UTF8.self))
    }

    /// The document when there is nothing to inspect: no token could be read, or the `--key`
    /// file gives no key.
    static func refusal(_ message: String, source: InspectCommand.Source) -> String {
        var json = JSONWriter()
        writeStart(source, into: &json)
        json.raw(",\n  ")
        json.key("error")
        json.raw(" ")
        json.string(message)
        json.raw("\n}\n")
        return escapingC1Controls(String(decoding: json.bytes, as: UTF8.self))
    }

    /// `-`, the file's path, or `null` for the operand itself (never quoted back).
    /// The members every inspect document begins with: format, version and the input.
    private static func writeStart(_ source: InspectCommand.Source, into json: inout JSONWriter) {
        json.raw("{\n  ")
        json.key("format")
        json.raw(" ")
        json.string("tokenbatch.inspect")
        json.raw(",\n  ")
        json.key("version")
        json.raw(" ")
        json.integer(Int64(jsonFormatVersion))
        json.raw(",\n  ")
        json.key("input")
        json.raw(" ")
        writeInput(source, into: &json)
    }

    private static func writeInput(_ source: InspectCommand.Source, into json: inout JSONWriter) {
        switch source {
        case .standardInput: json.string("-")
        case .file(let path): json.string(path)
        case .argument: json.raw("null")
        }
    }

    /// Decoded bytes as a JSON string, or `null` when absent or not UTF-8.
    private static func writeText(_ bytes: [UInt8]?, into json: inout JSONWriter) {
        guard let bytes, let text = String(validating: bytes, as: UTF8.self) else { return json.raw("null") }
        json.string(text)
    }

    /// A parsed part with the first member of each repeated name only, so that every JSON
    /// reader takes it the same way; `header_raw` and `payload_raw` keep the rest.
    private static func writeParsed(_ value: JSONValue?, into json: inout JSONWriter) {
        guard let value else { return json.raw("null") }
        value.write(into: &json, indent: "  ", keepingRepeatedMembers: false)
    }

    private func writeTime(_ time: UnixTime?, into json: inout JSONWriter) {
        guard let time else { return json.raw("null") }
        json.raw("{")
        json.key("seconds")
        json.integer(time.seconds)
        json.raw(", ")
        json.key("rfc3339")
        json.string(time.rfc3339)
        json.raw(", ")
        json.key("relative")
        json.string(relative(time))
        json.raw("}")
    }

    private func writeKey(into json: inout JSONWriter) {
        guard let key else { return json.raw("null") }
        json.raw("{")
        json.key("form")
        json.string(key.form)
        json.raw(", ")
        json.key("kid")
        if let keyID = key.keyID { json.string(keyID) } else { json.raw("null") }
        json.raw(", ")
        json.key("thumbprint")
        json.string(key.thumbprint)
        json.raw("}")
    }

    /// `JSONWriter` escapes what RFC 8259 requires; the C1 controls it leaves as they are could
    /// still drive a terminal, so they are escaped too. They can only occur inside strings.
    private static func escapingC1Controls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { (0x7F...0x9F).contains($0.value) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                result += "\\u00" + (hex.count == 1 ? "0" : "") + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
