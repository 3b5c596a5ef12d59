/// What `tokenbatch inspect` learnt about one compact token: its decoded parts, its times,
/// every finding, and, once checked against a key, whether the signature is valid.
struct TokenInspection {
    /// Whether the text is a compact JWS: three base64url parts and a header that is a JSON
    /// object. When it is not, only that was checked, and the findings say what is wrong.
    var isWellFormed = false
    /// The header's bytes, when its part is base64url.
    var headerBytes: [UInt8]?
    /// The header as written, every member kept, when it is JSON.
    var header: JSONValue?
    /// The payload's bytes, when its part is base64url.
    var payloadBytes: [UInt8]?
    /// The claims as written, every member kept, when the payload is a JSON object.
    var payload: JSONValue?
    /// The signature's bytes, when its part is base64url.
    var signature: [UInt8]?
    /// `header.payload` as the token carries it: the bytes the signature covers.
    var signingInput: [UInt8] = []
    /// The clock `iat` and `exp` were judged against.
    var now: UnixTime
    /// `iat` as seconds when it reads as such (a fraction left out); `nil` when it is missing,
    /// malformed or in milliseconds.
    var issuedAt: UnixTime?
    /// `exp`, read as `issuedAt` is.
    var expiresAt: UnixTime?
    /// In the order the checks ran: structure, header, claims, signature.
    var findings: [TokenFinding] = []
    /// `nil` until `verify(with:keyID:keyDescription:)` is called.
    var signatureVerdict: SignatureVerdict?

    /// Whether the signature is valid under the key given, and why not.
    struct SignatureVerdict: Equatable {
        var valid: Bool
        /// A sentence for people, starting "valid", "invalid" or "not checked".
        var explanation: String
    }

    var errorCount: Int { findings.filter { $0.severity == .error }.count }

    /// A token with no error and, when a key was given, a valid signature: exit status 0.
    var passes: Bool { isWellFormed && errorCount == 0 && signatureVerdict?.valid != false }

    /// Checks the signature with `key`, recording the verdict and the findings it leads to.
    ///
    /// The signature is checked as ES256 only, and only when every `alg` of the header says
    /// ES256: the token does not get to choose how it is verified.
    ///
    /// - Parameters:
    ///   - keyID: the `kid` the key carries (a JWK's), compared with the header's.
    ///   - keyDescription: the key as the verdict names it, such as "the JWK in key.json".
    mutating func verify(with key: P256PublicKey, keyID: String?, keyDescription: String) {
        defer {
            if let keyID, let kid = header?["kid"]?.stringValue, kid != keyID {
                findings.append(
                    TokenFinding(
                        .keyKidMismatch, "the key's `kid` is `\(keyID)`, but the header's is `\(kid)`",
                        hint: "Apple finds the key by the header's kid; sign with the key it names, or correct kid"))
            }
        }
        guard isWellFormed, let signature else {
            signatureVerdict = SignatureVerdict(valid: false, explanation: "not checked: the text is not a token")
            return
        }
        guard case .object(let members) = header, members.contains(where: { $0.name == "alg" }),
            members.allSatisfy({ $0.name != "alg" || $0.value == .string("ES256") })
        else {
            signatureVerdict = SignatureVerdict(
                valid: false, explanation: "not checked: the header does not say ES256, the only algorithm checked")
            return
        }
        guard signature.count == 64 else {
            signatureVerdict = SignatureVerdict(
                valid: false,
                explanation: "not checked: a signature of \(signature.count) bytes is not an ES256 signature of a JWS")
            return
        }

        guard key.isValidSignature(signature, of: signingInput) else {
            signatureVerdict = SignatureVerdict(
                valid: false, explanation: "invalid: the signature does not verify with \(keyDescription)")
            findings.append(
                TokenFinding(
                    .signatureInvalid, "the signature does not verify with \(keyDescription)",
                    hint: "the token was signed with another key, or changed after it was signed"))
            return
        }
        signatureVerdict = SignatureVerdict(valid: true, explanation: "valid: verified with \(keyDescription)")
    }
}

/// Checks one token against Apple's rules for Maps tokens (the README's summary, and
/// `docs/inspect.md` for each finding), without a key and without printing anything.
struct TokenInspector {
    /// Times beyond this many seconds (the year 5138) are taken for milliseconds, which have
    /// been over 10^12 since 2001.
    static let millisecondThreshold: Int64 = 100_000_000_000

    /// The header members Apple documents, each required exactly once.
    static let headerMembers = ["alg", "kid", "typ"]

    private var inspection: TokenInspection

    /// Decodes `token` and checks everything that can be checked without a key, judging `iat`
    /// and `exp` against `now`.
    static func inspect(_ token: String, now: UnixTime) -> TokenInspection {
        var inspector = TokenInspector(inspection: TokenInspection(now: now))
        inspector.decode(token)
        guard inspector.inspection.isWellFormed, let header = inspector.inspection.header else {
            return inspector.inspection
        }

        inspector.checkHeader(header)
        inspector.checkClaims()
        inspector.checkSignatureForm()
        return inspector.inspection
    }

    private mutating func report(_ check: TokenFinding.Check, _ message: String, hint: String? = nil) {
        inspection.findings.append(TokenFinding(check, message, hint: hint))
    }

    // MARK: - Structure

    private mutating func decode(_ token: String) {
        let bytes = Array(token.utf8)
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            let hint =
                parts.count == 5
                ? "five parts make a JWE, an encrypted token; Apple's tokens are signed, not encrypted"
                : "a token is base64url(header).base64url(payload).base64url(signature)"
            report(.notThreeParts, "a token has three parts separated by dots, but this has \(parts.count)", hint: hint)
            return
        }

        let names = ["header", "payload", "signature"]
        let decoded = parts.map { Base64URL.decode($0) }
        for (index, part) in parts.enumerated() where decoded[index] == nil {
            report(.notBase64URL, "the \(names[index]) is not unpadded base64url: \(Self.base64Mistake(in: part))")
        }
        inspection.headerBytes = decoded[0]
        inspection.payloadBytes = decoded[1]
        inspection.signature = decoded[2]
        inspection.signingInput = Array(bytes[0..<(parts[0].count + 1 + parts[1].count)])

        if let headerBytes = decoded[0] {
            do {
                let header = try JSONParser.parse(headerBytes)
                inspection.header = header
                if case .object = header {} else { report(.headerNotObject, "the header is JSON, but not an object") }
            } catch {
                report(
                    .headerNotObject,
                    headerBytes.isEmpty
                        ? "the header is empty" : "the header is not JSON: \(error.message) at byte \(error.offset)")
            }
        }
        if let payloadBytes = decoded[1], let claims = try? JSONParser.parse(payloadBytes), case .object = claims {
            inspection.payload = claims
        }
        inspection.isWellFormed = inspection.findings.isEmpty
    }

    private static func base64Mistake(in part: ArraySlice<UInt8>) -> String {
        if part.contains(UInt8(ascii: "=")) { return "it has `=` padding, which JWS leaves out" }
        if part.contains(UInt8(ascii: "+")) || part.contains(UInt8(ascii: "/")) {
            return "it has `+` or `/` from ordinary base64 where base64url has `-` and `_`"
        }
        if part.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return "it contains whitespace"
        }
        if part.count % 4 == 1 { return "no base64 text has its length (\(part.count) characters)" }
        return "it has characters outside A-Z, a-z, 0-9, `-` and `_`, or stray bits at its end"
    }

    // MARK: - Header

    private mutating func checkHeader(_ header: JSONValue) {
        for name in header.repeatedNames.prefix(Self.reportedExtrasLimit) {
            report(
                .repeatedHeaderMember, "the header has `\(name)` \(Self.count(of: name, in: header)) times",
                hint: "Apple rejects a header that repeats a member; write each of alg, kid and typ once")
        }

        switch header["alg"] {
        case nil: report(.missingHeaderMember, "the header has no `alg`", hint: "add \"alg\": \"ES256\"")
        case .string("ES256")?: break
        case let value?:
            report(
                .algNotES256, "`alg` is \(Self.describe(value)), not `ES256`",
                hint: "Apple Maps tokens are signed with ES256: ECDSA on P-256 with SHA-256")
        }

        switch header["kid"] {
        case nil:
            report(
                .missingHeaderMember, "the header has no `kid`",
                hint: "add the Key ID of the signing key: the 10 characters in its file name, AuthKey_KEYID.p8")
        case .string(let kid)? where Self.isAppleID(kid): break
        case .string(let kid)?:
            report(.kidMalformed, "`kid` \(Self.appleIDProblem(kid))", hint: Self.appleIDHint(kid, what: "Key ID"))
        case let value?:
            report(
                .kidMalformed, "`kid` is \(Self.describe(value)), not a string", hint: "write the Key ID as a string")
        }

        switch header["typ"] {
        case nil: report(.missingHeaderMember, "the header has no `typ`", hint: "add \"typ\": \"JWT\"")
        case .string("JWT")?: break
        case let value?:
            report(.typNotJWT, "`typ` is \(Self.describe(value)), not `JWT`", hint: "write \"typ\": \"JWT\"")
        }

        guard case .object(let members) = header else { return }
        var extras = Set<String>()
        for member in members where !Self.headerMembers.contains(member.name) && extras.insert(member.name).inserted {
            // A hostile header may have thousands; the first few say enough.
            guard extras.count <= Self.reportedExtrasLimit else { continue }
            report(
                .extraHeaderMember,
                "the header has `\(Self.shortened(member.name))`, which Apple's tokens do not carry",
                hint: "Apple documents alg, kid and typ only")
        }
    }

    // MARK: - Claims

    private mutating func checkClaims() {
        guard let claims = inspection.payload else {
            let bytes = inspection.payloadBytes ?? []
            let reason: String
            do {
                _ = try JSONParser.parse(bytes)
                reason = "the payload is JSON, but not an object"
            } catch {
                reason =
                    bytes.isEmpty
                    ? "the payload is empty" : "the payload is not JSON: \(error.message) at byte \(error.offset)"
            }
            report(
                .payloadNotObject, reason,
                hint: "a Maps token's payload is a JSON object of claims: iss, iat, exp, scope and origin")
            return
        }

        for name in claims.repeatedNames.prefix(Self.reportedExtrasLimit) {
            report(
                .repeatedClaim, "the payload has `\(name)` \(Self.count(of: name, in: claims)) times",
                hint: "claim names must be unique (RFC 7519), and readers disagree on which one counts")
        }
        checkIssuer(claims)
        checkTimes(claims)
        checkScopeAndOrigin(claims)
    }

    private mutating func checkIssuer(_ claims: JSONValue) {
        switch claims["iss"] {
        case nil:
            report(
                .missingClaim, "the payload has no `iss`",
                hint: "add your Team ID, the 10 characters shown under Membership in the Apple Developer account")
        case .string(let issuer)? where Self.isAppleID(issuer):
            if let kid = inspection.header?["kid"]?.stringValue, kid == issuer {
                report(
                    .kidEqualsIss, "`kid` and `iss` are both `\(issuer)`",
                    hint: "kid is the Key ID of the signing key and iss the Team ID of the account; "
                        + "one of them is wrong (the two are easily swapped)")
            }
        case .string(let issuer)?:
            report(
                .issMalformed, "`iss` \(Self.appleIDProblem(issuer))", hint: Self.appleIDHint(issuer, what: "Team ID"))
        case let value?:
            report(
                .issMalformed, "`iss` is \(Self.describe(value)), not a string", hint: "write the Team ID as a string")
        }
    }

    private mutating func checkTimes(_ claims: JSONValue) {
        let issued = readTime("iat", claims["iat"])
        let expires = readTime("exp", claims["exp"])
        inspection.issuedAt = issued
        inspection.expiresAt = expires
        let now = inspection.now

        if let issued, let expires, expires <= issued {
            report(
                .expNotAfterIat, "`exp` (\(expires.rfc3339)) is not after `iat` (\(issued.rfc3339))",
                hint: "exp is the issue time plus the token's lifetime")
        }
        if let expires, expires <= now {
            report(
                .expired, "the token expired at \(expires.rfc3339) (\(Self.relative(expires, to: now)))",
                hint: "sign a new token (`tokenbatch apply`), or give --now to judge it at another time")
        }
        if let issued, issued > now {
            report(
                .issuedInFuture,
                "`iat` is \(issued.rfc3339) (\(Self.relative(issued, to: now))): the token is not issued yet",
                hint: "the signer's clock runs ahead, or --now is wrong; Apple rejects a token issued in the future")
        }
    }

    /// `iat` or `exp` as seconds, after reporting whatever keeps it from being a JSON integer
    /// of seconds. A fraction is reported and left out; milliseconds give no time at all.
    private mutating func readTime(_ name: String, _ value: JSONValue?) -> UnixTime? {
        let integerHint = "write \(name) as a JSON integer: whole seconds since 1970-01-01T00:00:00Z"
        guard let value else {
            report(.missingClaim, "the payload has no `\(name)`", hint: integerHint)
            return nil
        }
        guard case .number(let text) = value else {
            report(.timeMalformed, "`\(name)` is \(Self.describe(value)), not a number", hint: integerHint)
            return nil
        }
        if text.hasPrefix("-") {
            report(.timeMalformed, "`\(name)` is negative: \(text)", hint: integerHint)
            return nil
        }
        if text.contains("e") || text.contains("E") {
            report(.timeMalformed, "`\(name)` is written with an exponent: \(text)", hint: integerHint)
            return nil
        }

        let wholePart = text.prefix { $0 != "." }
        guard let whole = Int64(wholePart) else {
            report(.timeMalformed, "`\(name)` is \(text), too large to be a time", hint: integerHint)
            return nil
        }
        guard whole <= Self.millisecondThreshold else {
            let asSeconds =
                whole / 1000 <= Self.millisecondThreshold ? " (\(UnixTime(seconds: whole / 1000)) if so)" : ""
            report(
                .timeInMilliseconds, "`\(name)` is \(text), which looks like milliseconds\(asSeconds)",
                hint: "divide by 1000: JWT times count whole seconds (JavaScript's Date.now() gives milliseconds)")
            return nil
        }
        if wholePart.count < text.count {
            report(
                .timeFraction, "`\(name)` has a fraction: \(text)",
                hint: "write whole seconds, such as \(whole); Apple's tokens carry JSON integers")
        }
        return UnixTime(seconds: whole)
    }

    private mutating func checkScopeAndOrigin(_ claims: JSONValue) {
        var scopes: [String] = []
        let scopeList = Planner.scopes.map { "`\($0)`" }.joined(separator: ", ")
        switch claims["scope"] {
        case nil:
            report(.missingClaim, "the payload has no `scope`", hint: "add one of \(scopeList)")
        case .string(let text)?:
            let entries = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            if entries.contains("") {
                report(
                    .scopeMalformed, "`scope` \(Self.describe(.string(text))) is not scopes separated by single spaces",
                    hint: "write one of \(scopeList), or several separated by one space")
            }
            for entry in entries where !entry.isEmpty {
                if !Planner.scopes.contains(entry) {
                    let suggestion = NearestName.suggestion(for: entry, among: Planner.scopes)
                    report(
                        .unknownScope, "\(Self.describe(.string(entry))) is not an Apple Maps scope",
                        hint: suggestion.map { "did you mean `\($0)`?" } ?? "use one of \(scopeList)")
                } else if scopes.contains(entry) {
                    report(.scopeMalformed, "scope `\(entry)` is listed twice", hint: "write it once")
                } else {
                    scopes.append(entry)
                }
            }
            if scopes.count > 1 {
                report(
                    .severalScopes, "the token has \(scopes.count) scopes",
                    hint: "Apple advises one scope per token, so that a leaked token exposes less")
            }
        case let value?:
            report(
                .scopeMalformed, "`scope` is \(Self.describe(value)), not a string",
                hint: "Maps tokens carry their scopes as one string, separated by spaces")
        }

        let needing = scopes.first { Planner.scopesNeedingOrigin.contains($0) }
        switch claims["origin"] {
        case nil:
            if let needing {
                report(
                    .originMissing, "scope `\(needing)` needs an `origin` claim, and the token has none",
                    hint: "add the domains of the pages that use the token, such as \"origin\": \"example.com\"")
            }
        case .string(let text)?:
            for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
                if let problem = OriginRule.check(String(entry)) {
                    report(.originMalformed, problem.message, hint: problem.hint)
                }
            }
        case let value?:
            report(
                .originMalformed, "`origin` is \(Self.describe(value)), not a string",
                hint: "Maps tokens carry their origins as one string of domains separated by commas")
        }
    }

    // MARK: - Signature

    private mutating func checkSignatureForm() {
        let length = inspection.signature?.count ?? 0
        switch length {
        case 64:
            break
        case 0:
            report(
                .signatureMissing, "the token has no signature",
                hint: "sign header.payload with the private key; ES256 gives 64 bytes")
        case 70...72 where inspection.signature?.first == 0x30:
            report(
                .signatureDER,
                "the signature is \(length) bytes of DER (an ASN.1 sequence of R and S), as OpenSSL returns it",
                hint: "convert it to the JWS form: R and S, each 32 bytes big-endian, left-padded with zeros")
        case 60..<64:
            report(
                .signatureLength, "the signature is \(length) bytes, not 64",
                hint: "R or S lost its leading zero bytes; pad each half to 32 bytes")
        default:
            report(
                .signatureLength, "the signature is \(length) bytes, not 64",
                hint: "an ES256 signature in a JWS is R and S, 32 bytes each")
        }
    }

    // MARK: - Wording

    /// Ten upper-case letters and digits: the form of Apple's Key IDs and Team IDs.
    static func isAppleID(_ text: String) -> Bool {
        text.utf8.count == 10
            && text.utf8.allSatisfy {
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            }
    }

    private static func appleIDProblem(_ text: String) -> String {
        if isAppleID(text.uppercased()) { return "\(describe(.string(text))) has lower-case letters" }
        return "\(describe(.string(text))) is not 10 upper-case letters and digits"
    }

    private static func appleIDHint(_ text: String, what: String) -> String {
        isAppleID(text.uppercased())
            ? "Apple's IDs are upper case: `\(text.uppercased())`"
            : "copy the \(what) from the Apple Developer account, such as `ABC123DEFG`"
    }

    /// "3 days ago", "in 5 minutes", or "now" for the very second of `now`.
    static func relative(_ time: UnixTime, to now: UnixTime) -> String {
        time == now ? "now" : time.relative(to: now)
    }

    /// A value as a message quotes it: strings in backticks, shortened; other kinds by name.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "`\(shortened(text))`"
        case .number(let text): "the number \(shortened(text))"
        case .bool(let flag): "`\(flag)`"
        case .null: "`null`"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private static func shortened(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(60)) + "…" : text
    }

    /// Extra header members named one by one; beyond this, they are passed over.
    static let reportedExtrasLimit = 20

    private static func count(of name: String, in object: JSONValue) -> Int {
        guard case .object(let members) = object else { return 0 }
        return members.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }
}
