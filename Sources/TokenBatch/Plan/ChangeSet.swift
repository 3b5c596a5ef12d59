/// What `apply` must do to each product, decided by comparing the plan with the previous run.
///
/// ECDSA signatures are randomised, so "unchanged" is decided on the claims and the key,
/// never on the token's bytes.
public struct ChangeSet: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        /// A product with no token yet.
        case create
        /// The previous token is still right and far from expiry: it is copied unchanged.
        case keep
        /// The previous token is right but expires within `renew_before`, or `--force`.
        case renew
        /// A claim, the key or its thumbprint changed.
        case update
        /// The product is gone from the manifest; its token and files go too.
        case remove
    }

    public struct Change: Sendable {
        public var product: String
        public var action: Action
        /// Why, in a few words for the plan's table.
        public var reason: String
    }

    /// One change per product of the plan, in order, then the removals.
    public var changes: [Change]

    /// The tokens the run ends with, parallel to `Plan.tokens`: a kept product's spec carries
    /// the previous token's `iat` and `exp`.
    public var specs: [TokenSpec]

    /// The previous token of each kept product, parallel to `specs`; `nil` where a new one
    /// must be signed.
    public var keptTokens: [String?]

    /// How many products each action applies to.
    public func count(_ action: Action) -> Int {
        changes.reduce(0) { $0 + ($1.action == action ? 1 : 0) }
    }

    /// Whether the run changes anything at all.
    public var hasChanges: Bool {
        changes.contains { $0.action != .keep }
    }

    /// Compares `plan` with `previous`.
    ///
    /// - Parameters:
    ///   - thumbprints: each planned key's thumbprint, parallel to `plan.keys`; `nil` where
    ///     the key is not available (in `plan` without secrets), and then only its Key ID is
    ///     compared.
    ///   - force: renew every token that would be kept.
    ///   - check: what is wrong with a previous token that would be kept, if anything; a
    ///     state file edited by hand must not get a wrong token copied into the outputs.
    init(
        plan: Plan, previous: PreviousRun, thumbprints: [String?], force: Bool,
        check: @escaping @Sendable (TokenSpec, String) -> [String] = { _, _ in [] }
    ) {
        specs = plan.tokens
        keptTokens = Array(repeating: nil, count: plan.tokens.count)

        // Decide from the settings first; the tokens that would be kept are then checked on
        // every core, since checking one means verifying its signature.
        var decided: [Change?] = []
        decided.reserveCapacity(plan.tokens.count)
        var candidates: [(index: Int, spec: TokenSpec, token: String)] = []
        for (index, spec) in plan.tokens.enumerated() {
            guard let before = previous.tokens[spec.product] else {
                decided.append(Change(product: spec.product, action: .create, reason: "new product"))
                continue
            }
            if let difference = Self.difference(spec, before, plan: plan, thumbprint: thumbprints[spec.keyIndex]) {
                decided.append(Change(product: spec.product, action: .update, reason: difference))
                continue
            }
            if let reason = Self.renewalReason(spec, before, now: plan.now, force: force) {
                decided.append(Change(product: spec.product, action: .renew, reason: reason))
                continue
            }
            var kept = spec
            (kept.issuedAt, kept.expiresAt) = (before.issuedAt, before.expiresAt)
            candidates.append((index, kept, before.token))
            decided.append(nil)
        }

        let checked = candidates
        let problems = ParallelLoop.map(checked.count, jobs: SystemCalls.processorCount()) { position in
            check(checked[position].spec, checked[position].token).first
        }
        for (candidate, problem) in zip(candidates, problems) {
            let product = candidate.spec.product
            if let problem {
                decided[candidate.index] = Change(
                    product: product, action: .renew, reason: "the previous token is wrong: \(problem)")
                continue
            }
            decided[candidate.index] = Change(
                product: product, action: .keep,
                reason: "unchanged, expires \(candidate.spec.expiresAt.relative(to: plan.now))")
            specs[candidate.index] = candidate.spec
            keptTokens[candidate.index] = candidate.token
        }
        changes = decided.map { $0! }  // Every product was decided above.

        let planned = Set(plan.tokens.map(\.product))
        for product in previous.tokens.keys.sorted() where !planned.contains(product) {
            changes.append(Change(product: product, action: .remove, reason: "no longer in the manifest"))
        }
    }

    /// What changed between the token the manifest asks for and the previous one, if anything.
    private static func difference(_ spec: TokenSpec, _ before: PreviousRun.Token, plan: Plan, thumbprint: String?)
        -> String?
    {
        let keyName = plan.keys[spec.keyIndex].name
        if before.keyName != keyName { return "key \(before.keyName) → \(keyName)" }
        if before.keyID != spec.keyID { return "kid \(before.keyID) → \(spec.keyID)" }
        if let thumbprint, thumbprint != before.keyThumbprint { return "the key's thumbprint changed" }
        if before.issuer != spec.issuer { return "iss \(before.issuer) → \(spec.issuer)" }
        if before.scope != spec.scope { return "scope \(before.scope) → \(spec.scope)" }
        if before.origin != spec.origin { return "origin \(before.origin ?? "none") → \(spec.origin ?? "none")" }

        if spec.hasFixedExpiry != before.hasFixedExpiry {
            return spec.hasFixedExpiry ? "lifetime → fixed expiry" : "fixed expiry → lifetime"
        }
        if spec.hasFixedExpiry, spec.expiresAt != before.expiresAt {
            return "expires \(before.expiresAt) → \(spec.expiresAt)"
        }
        let lifetime = spec.expiresAt.seconds - spec.issuedAt.seconds
        let previousLifetime = before.expiresAt.seconds - before.issuedAt.seconds
        if !spec.hasFixedExpiry, lifetime != previousLifetime {
            return "lifetime \(Duration(seconds: max(1, previousLifetime))) → \(Duration(seconds: lifetime))"
        }
        return nil
    }

    /// Why an otherwise unchanged token must be signed again, if it must.
    private static func renewalReason(_ spec: TokenSpec, _ before: PreviousRun.Token, now: UnixTime, force: Bool)
        -> String?
    {
        if force { return "--force" }
        if before.expiresAt <= now { return "expired \(before.expiresAt.relative(to: now))" }
        if before.issuedAt.seconds > now.seconds + 300 { return "issued in the future; the clock moved back" }
        // A fixed expiry cannot move, so signing again would change nothing a reader sees.
        if spec.hasFixedExpiry { return nil }

        let window = spec.renewBefore ?? Self.defaultRenewal(lifetime: spec.expiresAt.seconds - spec.issuedAt.seconds)
        if before.expiresAt.seconds - now.seconds <= window.seconds {
            return "expires \(before.expiresAt.relative(to: now)), within renew_before \(window)"
        }
        return nil
    }

    /// Without `renew_before`, a token is renewed in the last third of its lifetime.
    static func defaultRenewal(lifetime seconds: Int64) -> Duration {
        Duration(seconds: max(1, seconds / 3))
    }
}
