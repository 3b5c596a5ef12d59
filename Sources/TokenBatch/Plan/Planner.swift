/// Applies defaults and checks every rule Apple documents, turning a manifest into a `Plan`.
///
/// The planner never stops at the first problem: it checks everything that is present and
/// fails once, with every error and warning it found.
public struct Planner: Sendable {
    /// The four values Apple's `scope` claim accepts.
    public static let scopes = ["embed_api", "mapkit_js", "server_api", "web_snapshots"]

    /// Scopes whose tokens only work with an `origin` claim.
    public static let scopesNeedingOrigin: Set<String> = ["embed_api", "mapkit_js", "web_snapshots"]

    static let defaultVariable = "MAPS_TOKEN"
    static let maximumBackdate = Duration(seconds: 3_600)
    static let defaultFileMode: UInt16 = 0o600
    static let productPlaceholder = "{product}"

    let manifest: Manifest
    private let now: UnixTime

    /// The `iat` of every new token: the time of signing, moved back by the manifest's
    /// `policy.backdate_iat` so that a signer whose clock runs ahead is not rejected.
    private var issuedAt: UnixTime {
        UnixTime(seconds: now.seconds - (manifest.backdate?.value.seconds ?? 0))
    }
    private(set) var diagnostics: [Diagnostic]

    /// Plans `manifest` at `now`.
    ///
    /// - Parameter problems: what loading the manifest already found; reported with the rest.
    /// - Throws: `DiagnosticsError` with every problem, errors and warnings, if any is an error.
    public static func plan(_ manifest: Manifest, at now: UnixTime, problems: [Diagnostic] = [])
        throws(DiagnosticsError) -> Plan
    {
        var planner = Planner(manifest: manifest, now: now, diagnostics: problems)
        let plan = planner.makePlan()
        // A mistake in `defaults` is found once per product that inherits it; say it once.
        var seen = Set<String>()
        let diagnostics = planner.diagnostics.filter { diagnostic in
            seen.insert("\(diagnostic.rule.code) \(diagnostic.location?.description ?? "") \(diagnostic.message)")
                .inserted
        }.sortedForReport()
        guard !diagnostics.hasErrors, let plan else { throw DiagnosticsError(diagnostics) }
        return Plan(
            manifestFile: manifest.file, now: now, tokens: plan.tokens, keys: plan.keys, files: plan.files,
            warnings: diagnostics)
    }

    private mutating func makePlan() -> (tokens: [TokenSpec], keys: [PlannedKey], files: [PlannedFile])? {
        if let version = manifest.version, version.value != 1 {
            report(
                .unsupportedVersion, at: version.location, "manifest version \(version.value) is not supported",
                hint: "this tokenbatch reads `version: 1`")
        }
        if let teamID = manifest.teamID, let problem = Identifiers.checkAppleID(teamID.value, what: "Team ID") {
            report(.teamID, at: teamID.location, problem)
        }

        if let backdate = manifest.backdate, backdate.value.seconds > Self.maximumBackdate.seconds {
            report(
                .backdateTooLong, at: backdate.location,
                "`backdate_iat` of \(backdate.value) is longer than \(Self.maximumBackdate)",
                hint: "a few seconds to a minute covers clock skew; more hides a wrong clock")
        }
        if manifest.defaults.lifetime != nil, let expires = manifest.defaults.expires {
            report(
                .lifetimeAndExpires, at: expires.location, "`defaults` sets both `lifetime` and `expires`",
                hint: "keep one of the two")
        }
        let keys = checkKeys()
        checkDefaults()
        if manifest.listsNoProducts {
            report(
                .noProducts, at: manifest.start, "the manifest lists no products",
                hint: "add a product under `products:`")
        }
        var tokens = resolveProducts(keys: keys)
        let usedKeys = Set(tokens.map(\.keyIndex))
        reportUnusedKeys(keys, used: usedKeys)
        let files = planFiles(for: tokens)

        guard !diagnostics.hasErrors, let files else { return nil }

        // Keep only the keys in use, renumbered in manifest order.
        let kept = keys.indices.filter { usedKeys.contains($0) }
        let newIndex = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($0.element, $0.offset) })
        for index in tokens.indices {
            // Every token's key is in `kept`: `usedKeys` was collected from these very tokens.
            tokens[index].keyIndex = newIndex[tokens[index].keyIndex]!
        }
        return (tokens, kept.map { keys[$0].planned }, files)
    }

    // MARK: - Keys

    /// A key with everything the products need from it, or what is missing.
    private struct CheckedKey: Sendable {
        var definition: KeyDefinition
        var planned: PlannedKey
    }

    private mutating func checkKeys() -> [CheckedKey] {
        var checked: [CheckedKey] = []
        var keyIDs: [String: String] = [:]
        for key in manifest.keys {
            if let problem = Identifiers.checkName(key.name.value, what: "key") {
                report(.keyName, at: key.name.location, problem)
            }
            if let kid = key.kid?.value, let other = keyIDs.updateValue(key.name.value, forKey: kid) {
                report(
                    .keyID, at: key.kid?.location,
                    "keys `\(other)` and `\(key.name.value)` have the same Key ID `\(kid)`",
                    hint: "Apple gives each key its own ID; one of the two is wrong")
            }

            if let kid = key.kid {
                if let problem = Identifiers.checkAppleID(kid.value, what: "Key ID") {
                    report(.keyID, at: kid.location, problem)
                } else if kid.value == manifest.teamID?.value {
                    report(
                        .keyIDEqualsTeamID, at: kid.location,
                        "Key ID of key `\(key.name.value)` is the same as the Team ID",
                        hint: "the Key ID belongs to the key (in its file name, AuthKey_KEYID.p8); "
                            + "the Team ID is the account's, shown under Membership")
                }
            }
            if let source = key.source {
                switch source.value {
                case .file(let path) where path.isEmpty || path.unicodeScalars.contains(where: { $0.value < 0x20 }):
                    report(
                        .keySource, at: source.location,
                        "key `\(key.name.value)` has an empty file path or one with control characters")
                case .file(let path):
                    // Apple names its downloads AuthKey_KEYID.p8: a mismatch is a likely mix-up.
                    let fileName = path.split(separator: "/").last.map(String.init) ?? path
                    if fileName.hasPrefix("AuthKey_"), fileName.hasSuffix(".p8"), let kid = key.kid?.value,
                        fileName.dropFirst(8).dropLast(3) != kid
                    {
                        report(
                            .keyFileName, at: source.location,
                            "the file name `\(fileName)` suggests Key ID `\(fileName.dropFirst(8).dropLast(3))`, "
                                + "but key `\(key.name.value)` says `\(kid)`",
                            hint: "check that `kid` and `file` belong to the same key")
                    }
                case .environment(let name) where !Identifiers.isVariableName(name):
                    report(
                        .keySource, at: source.location, "`\(name)` is not an environment variable name",
                        hint: "use letters, digits and `_`, such as `MAPS_PRIVATE_KEY`")
                default:
                    break
                }
            }

            guard let kid = key.kid, let source = key.source else { continue }
            var resolvedPath: String?
            if case .file(let path) = source.value {
                resolvedPath =
                    path.hasPrefix("/") || manifest.directory.isEmpty ? path : "\(manifest.directory)/\(path)"
            }
            let planned = PlannedKey(
                name: key.name.value, keyID: kid.value, source: source.value, resolvedPath: resolvedPath,
                location: key.name.location)
            checked.append(CheckedKey(definition: key, planned: planned))
        }
        return checked
    }

    private mutating func reportUnusedKeys(_ keys: [CheckedKey], used: Set<Int>) {
        guard !diagnostics.hasErrors else { return }
        for (index, key) in keys.enumerated() where !used.contains(index) {
            report(
                .unusedKey, at: key.definition.name.location,
                "key `\(key.definition.name.value)` is used by no product",
                hint: "remove it, or name it in a product's `key:`")
        }
    }

    /// Checks the settings of `defaults` once on their own, so that a mistake there is found
    /// even while every product overrides it, before a new product inherits it. A product that
    /// inherits the setting reports the same problem in the same words, which is said once.
    private mutating func checkDefaults() {
        let defaults = manifest.defaults
        let owner = Owner(product: Located("defaults", at: manifest.start), isDefaults: true)
        if let scopes = defaults.scopes, !defaults.unreadable.contains("scopes") {
            _ = checkScopes(scopes, owner: owner)
        }
        if let origins = defaults.origins, !defaults.unreadable.contains("origins") {
            _ = checkOrigins(origins, owner: owner)
        }

        guard defaults.lifetime == nil || defaults.expires == nil else { return }  // Reported already.
        // Measured as for a product: from the time of signing to `exp`, `iat` backdated or not.
        let lifetime =
            defaults.lifetime.map { Located(issuedAt.seconds + $0.value.seconds - now.seconds, at: $0.location) }
            ?? defaults.expires.map { Located($0.value.seconds - now.seconds, at: $0.location) }
        guard let lifetime, lifetime.value > 0 else { return }
        if let maximum = manifest.maximumLifetime, lifetime.value > maximum.value.seconds {
            report(
                .lifetimeOverPolicy, at: lifetime.location,
                "tokens with the lifetime in `defaults` would live \(Duration(seconds: lifetime.value)), longer than "
                    + "the policy's `max_lifetime` of \(maximum.value)",
                hint: "shorten the lifetime, or raise `max_lifetime` at line \(maximum.location.line)")
        }
        if let renewBefore = defaults.renewBefore, renewBefore.value.seconds >= lifetime.value {
            report(
                .renewalWindow, at: renewBefore.location,
                "`renew_before` (\(renewBefore.value)) is not shorter than the lifetime in `defaults`",
                hint: "every apply would renew this token; shorten `renew_before` or lengthen the lifetime")
        }
    }

    // MARK: - Products

    /// Below twice this many products, planning stays on one thread.
    static let productsPerChunk = 2_000

    /// The token of every product that has one, in manifest order.
    ///
    /// Products are independent of each other: a large manifest is planned on every core, each
    /// chunk by a copy of this planner that collects its own problems.
    private mutating func resolveProducts(keys: [CheckedKey]) -> [TokenSpec] {
        let products = manifest.products
        let planner = self
        let chunks = ParallelLoop.chunks(products.count, minimumChunk: Self.productsPerChunk) { range in
            var chunkPlanner = planner
            chunkPlanner.diagnostics = []
            var tokens: [TokenSpec] = []
            tokens.reserveCapacity(range.count)
            for product in products[range] {
                if let problem = Identifiers.checkName(product.name.value, what: "product") {
                    chunkPlanner.report(.productName, at: product.name.location, problem)
                }
                if let token = chunkPlanner.resolve(product, keys: keys) { tokens.append(token) }
            }
            return (tokens, chunkPlanner.diagnostics)
        }
        for (_, problems) in chunks { diagnostics += problems }
        return ParallelLoop.joined(chunks.map(\.0))
    }

    /// The product's token, with defaults applied, or `nil` after reporting why it has none.
    private mutating func resolve(_ product: ProductDefinition, keys: [CheckedKey]) -> TokenSpec? {
        let own = product.settings
        let defaults = manifest.defaults
        let name = product.name.value
        var complete = true

        // Key.
        var keyIndex: Int?
        let unreadable = own.unreadable.union(defaults.unreadable)
        if unreadable.contains("key") {
            complete = false
        } else if let reference = own.key ?? defaults.key {
            keyIndex = keys.firstIndex { $0.definition.name.value == reference.value }
            if keyIndex == nil, manifest.keys.contains(where: { $0.name.value == reference.value }) {
                complete = false  // The key exists but is broken; that is reported already.
            } else if keyIndex == nil {
                let suggestion = NearestName.suggestion(for: reference.value, among: manifest.keys.map(\.name.value))
                report(
                    .unknownKeyReference, at: reference.location, "no key is named `\(reference.value)`",
                    hint: suggestion.map { "did you mean `\($0)`?" } ?? "define it under `keys:`")
            }
        } else if manifest.keys.count == 1 {
            keyIndex = keys.isEmpty ? nil : 0
            complete = !keys.isEmpty
        } else if !manifest.keys.isEmpty {
            report(
                .unknownKeyReference, at: product.name.location, "product `\(name)` does not say which key signs it",
                hint: "add `key:` to the product or to `defaults`")
        }

        // Scopes and origins.
        let scopes =
            unreadable.contains("scopes")
            ? nil : checkScopes(own.scopes ?? defaults.scopes, owner: owner(own.scopes, product.name))
        let originsSetting = own.origins ?? defaults.origins
        let origins =
            unreadable.contains("origins") ? nil : checkOrigins(originsSetting, owner: owner(own.origins, product.name))
        if let scopes, let origins, origins.isEmpty,
            let needing = scopes.first(where: { Self.scopesNeedingOrigin.contains($0) })
        {
            report(
                .originRequired, at: originsSetting?.location ?? product.name.location,
                "product `\(name)` has scope `\(needing)`, which needs at least one origin",
                hint: "add the domains of the pages that use the token, such as `origins: [example.com]`")
        }

        // Lifetime.
        let expiryUnreadable = unreadable.contains("lifetime") || unreadable.contains("expires")
        let expiresAt = expiryUnreadable ? nil : checkExpiry(own: own, defaults: defaults, product: product.name)
        // An expiry or renewal window inherited from `defaults` was checked by `checkDefaults`.
        let expiryFromDefaults = own.lifetime == nil && own.expires == nil
        if let expiresAt, let maximum = manifest.maximumLifetime, !expiryFromDefaults,
            expiresAt.seconds - now.seconds > maximum.value.seconds
        {
            let lifetime = Duration(seconds: expiresAt.seconds - now.seconds)
            report(
                .lifetimeOverPolicy, at: own.lifetime?.location ?? own.expires?.location ?? product.name.location,
                "the token of product `\(name)` would live \(lifetime), longer than the policy's `max_lifetime` of "
                    + "\(maximum.value)",
                hint: "shorten the lifetime, or raise `max_lifetime` at line \(maximum.location.line)")
        }
        let renewBefore = own.renewBefore ?? defaults.renewBefore
        if let expiresAt, let renewBefore, !(expiryFromDefaults && own.renewBefore == nil),
            renewBefore.value.seconds >= expiresAt.seconds - now.seconds
        {
            report(
                .renewalWindow, at: renewBefore.location,
                "`renew_before` (\(renewBefore.value)) is not shorter than the lifetime of product `\(name)`",
                hint: "every apply would renew this token; shorten `renew_before` or lengthen the lifetime")
        }
        if let expiresAt, let keyIndex, let retireOn = keys[keyIndex].definition.retireOn, expiresAt > retireOn.value {
            if retireOn.value <= now {
                report(
                    .outlivesKey, at: keys[keyIndex].definition.name.location,
                    "key `\(keys[keyIndex].planned.name)` retired on \(retireOn.value), but product `\(name)` still uses it",
                    hint: "move the product to the key that replaced it")
            } else {
                report(
                    .outlivesKey, at: own.lifetime?.location ?? own.expires?.location ?? product.name.location,
                    "the token of product `\(name)` expires at \(expiresAt), after its key retires on \(retireOn.value)",
                    hint: "shorten the lifetime, or move the product to the key that replaces it")
            }
        }

        guard complete, let keyIndex, let teamID = manifest.teamID?.value, let scopes, let origins, let expiresAt else {
            return nil
        }
        return TokenSpec(
            product: name, keyIndex: keyIndex, keyID: keys[keyIndex].planned.keyID, issuer: teamID,
            issuedAt: issuedAt, expiresAt: expiresAt, scopes: scopes, origins: origins, renewBefore: renewBefore?.value,
            hasFixedExpiry: own.expires != nil || (own.lifetime == nil && defaults.expires != nil))
    }

    private mutating func checkScopes(_ setting: Located<[Located<String>]>?, owner: Owner) -> [String]? {
        guard let setting else {
            report(
                .missingKey, at: owner.product.location, "product `\(owner.product.value)` has no `scopes`",
                hint: "add `scopes: [server_api]` or another of "
                    + Self.scopes.map { "`\($0)`" }.joined(separator: ", "))
            return nil
        }
        if setting.value.isEmpty {
            report(.scopeList, at: setting.location, "`scopes` is empty", hint: "name at least one scope")
            return nil
        }

        var scopes: [String] = []
        var valid = true
        for scope in setting.value {
            if !Self.scopes.contains(scope.value) {
                let suggestion = NearestName.suggestion(for: scope.value, among: Self.scopes)
                report(
                    .unknownScope, at: scope.location, "`\(scope.value)` is not an Apple Maps scope",
                    hint: suggestion.map { "did you mean `\($0)`?" }
                        ?? "use one of " + Self.scopes.map { "`\($0)`" }.joined(separator: ", "))
                valid = false
            } else if scopes.contains(scope.value) {
                report(.scopeList, at: scope.location, "scope `\(scope.value)` is listed twice", hint: "remove one")
            } else {
                scopes.append(scope.value)
            }
        }
        if valid, scopes.count > 1 {
            report(
                .severalScopes, at: setting.location,
                "\(owner.description) has \(scopes.count) scopes in one token",
                hint: "Apple advises one scope per token, so that a leaked token exposes less; "
                    + "consider one product per scope")
        }
        return valid ? scopes : nil
    }

    /// Where a product's setting was written: in the product, or in `defaults`. A mistake in
    /// `defaults` is worded without the product, so that it is reported once, not once for
    /// every product that inherits it.
    private struct Owner {
        var product: Located<String>
        var isDefaults: Bool

        var description: String { isDefaults ? "`defaults`" : "product `\(product.value)`" }
    }

    private func owner<Value>(_ ownSetting: Value?, _ product: Located<String>) -> Owner {
        Owner(product: product, isDefaults: ownSetting == nil)
    }

    /// The most origins one token may carry: its `origin` claim travels in every request's
    /// header, and a list this long already makes a token of tens of kilobytes.
    static let maximumOrigins = 1_000

    private mutating func checkOrigins(_ setting: Located<[Located<String>]>?, owner: Owner) -> [String]? {
        guard let setting else { return [] }
        guard setting.value.count <= Self.maximumOrigins else {
            report(
                .yamlLimit, at: setting.location,
                "\(owner.description) lists \(setting.value.count) origins, more than the \(Self.maximumOrigins) one token carries",
                hint: "split the origins over several products, each with a token of its own")
            return nil
        }
        var origins: [String] = []
        var seen = Set<String>()
        var valid = true
        for origin in setting.value {
            if let problem = OriginRule.check(origin.value) {
                report(.originSyntax, at: origin.location, problem)
                valid = false
            } else if !seen.insert(origin.value).inserted {
                report(
                    .duplicateOrigin, at: origin.location, "origin `\(origin.value)` is listed twice",
                    hint: "remove one")
            } else {
                origins.append(origin.value)
            }
        }
        for origin in setting.value where origin.value.hasPrefix("*.") && valid {
            let apex = String(origin.value.dropFirst(2))
            if !seen.contains(apex) {
                report(
                    .wildcardWithoutApex, at: origin.location,
                    "`\(origin.value)` does not cover `\(apex)` itself, which is not listed",
                    hint: "add `\(apex)` if pages are served from it; Apple matches a wildcard to subdomains only")
            }
        }
        return valid ? origins : nil
    }

    /// The `exp` claim: the product's own `lifetime` or `expires` wins over either default.
    private mutating func checkExpiry(own: ProductSettings, defaults: ProductSettings, product: Located<String>)
        -> UnixTime?
    {
        if own.lifetime != nil, let expires = own.expires {
            report(
                .lifetimeAndExpires, at: expires.location,
                "product `\(product.value)` sets both `lifetime` and `expires`",
                hint: "keep one: `lifetime` for a token renewed on a schedule, `expires` for a fixed date")
            return nil
        }
        if own.lifetime == nil, own.expires == nil, defaults.lifetime != nil, defaults.expires != nil {
            return nil  // Reported once for `defaults`, in `makePlan`.
        }

        if let lifetime = own.lifetime ?? (own.expires == nil ? defaults.lifetime : nil) {
            guard (issuedAt + lifetime.value) <= UnixTime.latest else {
                report(
                    .durationSyntax, at: lifetime.location,
                    "lifetime \(lifetime.value) from \(now) ends after the year 9999, which RFC 3339 cannot write",
                    hint: "choose a lifetime of years, not millennia")
                return nil
            }
            return issuedAt + lifetime.value
        }
        guard let expires = own.expires ?? defaults.expires else {
            report(
                .noLifetime, at: product.location, "product `\(product.value)` has no `lifetime` or `expires`",
                hint: "add `lifetime: 30d` to the product or to `defaults`")
            return nil
        }
        guard expires.value > now else {
            report(
                .expiryNotAfterNow, at: expires.location,
                "`expires` (\(expires.value)) is not after the time of signing (\(now))",
                hint: "choose a later date, or use `lifetime`")
            return nil
        }
        return expires.value
    }

    // MARK: - Report

    private mutating func report(_ rule: Rule, at location: SourceLocation?, _ problem: ValueProblem) {
        report(rule, at: location, problem.message, hint: problem.hint)
    }

    mutating func report(
        _ rule: Rule, at location: SourceLocation?, _ message: String, hint: String? = nil, severity: Severity? = nil
    ) {
        diagnostics.append(Diagnostic(rule, at: location, message, hint: hint, severity: severity))
    }
}
