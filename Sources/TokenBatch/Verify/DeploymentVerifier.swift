/// Checks the tokens found in the output files against what the manifest asks for: the
/// signature under the key's public part, the header and claims, and the time left.
struct DeploymentVerifier {
    /// One token in one file, judged.
    struct Result: Sendable {
        var product: String
        var file: String
        /// Empty when the token is right.
        var problems: [String]
        var expiresAt: UnixTime?
    }

    /// How far in the future an `iat` may lie before it counts as wrong: clocks differ.
    static let toleratedClockSkew: Int64 = 300

    var plan: Plan
    /// Each planned key's public part, parallel to `plan.keys`; `nil` where only the claims
    /// can be checked.
    var keys: [P256PublicKey?]
    var now: UnixTime
    /// Tokens expiring within this window fail too.
    var within: Duration?

    /// Judges the token that `file` holds for each product, and any product it should not hold.
    ///
    /// - Parameter found: product (or variable) to token, as read from the file; `nil` when
    ///   the file could not be read, with the reason in `unreadable`.
    func check(_ file: PlannedFile, found: [String: String]?, unreadable: String?) -> [Result] {
        let expected = Array(
            zip(
                file.tokenIndices,
                file.format == .env ? file.variables : file.tokenIndices.map { plan.tokens[$0].product }))
        // A JSON output holds every token: verifying a signature costs three times making one,
        // so a large file is checked on every core.
        let verifier = self
        var results = ParallelLoop.map(expected.count, jobs: SystemCalls.processorCount()) { position in
            let (index, name) = expected[position]
            let spec = verifier.plan.tokens[index]
            guard let found else {
                return Result(product: spec.product, file: file.path, problems: [unreadable ?? "unreadable"])
            }
            guard let token = found[name] else {
                return Result(product: spec.product, file: file.path, problems: ["no token for `\(name)`"])
            }
            return verifier.check(token, against: spec, in: file.path)
        }

        let names = Set(expected.map(\.1))
        for name in (found ?? [:]).keys.sorted() where !names.contains(name) {
            results.append(
                Result(product: name, file: file.path, problems: ["a token that the manifest does not ask for"]))
        }
        return results
    }

    /// What is wrong with `token` as the token of `spec`; empty when nothing is.
    func problems(of token: String, against spec: TokenSpec) -> [String] {
        check(token, against: spec, in: "").problems
    }

    private func check(_ token: String, against spec: TokenSpec, in file: String) -> Result {
        var result = Result(product: spec.product, file: file, problems: [])
        let decoded: DecodedToken
        do {
            decoded = try DecodedToken(token)
        } catch {
            result.problems.append("not a token: \(error.message)")
            return result
        }

        let header = Base64URL.decode(TokenEncoder.headerSegment(keyID: spec.keyID)) ?? []
        let headerSegment = decoded.signingInput.prefix { $0 != UInt8(ascii: ".") }
        if Base64URL.decode(headerSegment) != header {
            result.problems.append(
                "the header is not exactly {\"alg\":\"ES256\",\"kid\":\"\(spec.keyID)\",\"typ\":\"JWT\"}")
        }
        guard let claims = decoded.payload else {
            result.problems.append("the payload is not a JSON object")
            return result
        }
        if !claims.repeatedNames.isEmpty {
            result.problems.append("the payload repeats \(claims.repeatedNames.joined(separator: ", "))")
        }
        compare(claims["iss"]?.stringValue, spec.issuer, "iss", into: &result)
        compare(claims["scope"]?.stringValue, spec.scope, "scope", into: &result)
        compare(claims["origin"]?.stringValue, spec.origin, "origin", into: &result)

        let validTimes = 0...UnixTime.latest.seconds
        guard let issuedAt = claims["iat"]?.integerValue, let expiresAt = claims["exp"]?.integerValue,
            validTimes.contains(issuedAt), validTimes.contains(expiresAt)
        else {
            result.problems.append("`iat` or `exp` is not a whole number of seconds between 1970 and 9999")
            return result
        }
        if issuedAt > now.seconds + Self.toleratedClockSkew {
            result.problems.append("issued \(UnixTime(seconds: issuedAt).relative(to: now)), in the future")
        }
        result.expiresAt = UnixTime(seconds: expiresAt)
        if spec.hasFixedExpiry, expiresAt != spec.expiresAt.seconds {
            result.problems.append("`exp` is \(UnixTime(seconds: expiresAt)), but the manifest says \(spec.expiresAt)")
        } else if !spec.hasFixedExpiry, expiresAt - issuedAt != spec.lifetime.seconds {
            let lifetime = Duration(seconds: max(1, expiresAt - issuedAt))
            result.problems.append("the token lives \(lifetime), but the manifest says \(spec.lifetime)")
        }
        if expiresAt <= now.seconds {
            result.problems.append("expired \(UnixTime(seconds: expiresAt).relative(to: now))")
        } else if let within, expiresAt - now.seconds <= within.seconds {
            result.problems.append("expires \(UnixTime(seconds: expiresAt).relative(to: now)), within \(within)")
        }

        if let key = keys[spec.keyIndex], !key.isValidSignature(decoded.signature, of: decoded.signingInput) {
            result.problems.append("the signature is not valid under key `\(plan.keys[spec.keyIndex].name)`")
        }
        return result
    }

    private func compare(_ found: String?, _ expected: String?, _ claim: String, into result: inout Result) {
        guard found != expected else { return }
        result.problems.append(
            "`\(claim)` is \(found.map { "`\($0)`" } ?? "missing"), but the manifest says "
                + (expected.map { "`\($0)`" } ?? "none"))
    }
}
