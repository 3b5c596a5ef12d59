/// One thing `tokenbatch inspect` noticed about a token: which check, how much it matters, and
/// a sentence about this token.
struct TokenFinding: Sendable, Equatable {
    /// Every check `inspect` makes, by the name `docs/inspect.md` lists. A name never changes
    /// meaning; scripts may match on it.
    enum Check: String, Sendable, CaseIterable {
        // The compact form: without these, the text is not a token and nothing else is checked.
        case notThreeParts = "not-three-parts"
        case notBase64URL = "not-base64url"
        case headerNotObject = "header-not-object"

        // The header.
        case repeatedHeaderMember = "repeated-header-member"
        case missingHeaderMember = "missing-header-member"
        case algNotES256 = "alg-not-es256"
        case kidMalformed = "kid-malformed"
        case typNotJWT = "typ-not-jwt"
        case extraHeaderMember = "extra-header-member"

        // The claims.
        case payloadNotObject = "payload-not-object"
        case repeatedClaim = "repeated-claim"
        case missingClaim = "missing-claim"
        case issMalformed = "iss-malformed"
        case kidEqualsIss = "kid-equals-iss"
        case timeMalformed = "time-malformed"
        case timeFraction = "time-fraction"
        case timeInMilliseconds = "time-in-milliseconds"
        case expNotAfterIat = "exp-not-after-iat"
        case expired = "expired"
        case issuedInFuture = "issued-in-future"
        case scopeMalformed = "scope-malformed"
        case unknownScope = "unknown-scope"
        case severalScopes = "several-scopes"
        case originMissing = "origin-missing"
        case originMalformed = "origin-malformed"

        // The signature.
        case signatureMissing = "signature-missing"
        case signatureDER = "signature-der"
        case signatureLength = "signature-length"
        case signatureInvalid = "signature-invalid"
        case keyKidMismatch = "key-kid-mismatch"

        /// Errors are what Apple rejects; warnings are allowed but suspicious.
        var severity: Severity {
            switch self {
            case .extraHeaderMember, .severalScopes, .keyKidMismatch: .warning
            default: .error
            }
        }
    }

    var check: Check
    var severity: Severity
    /// What is wrong with this token, in one sentence without a final full stop. It may quote
    /// the token's own values, never key material.
    var message: String
    /// How to fix it, when there is more to say than the message.
    var hint: String?

    init(_ check: Check, _ message: String, hint: String? = nil) {
        self.check = check
        self.severity = check.severity
        self.message = message
        self.hint = hint
    }

    /// The stable name, such as `kid-malformed`.
    var name: String { check.rawValue }
}
