/// Signs a plan's tokens on several threads and returns them in the plan's order.
///
/// Each thread has its own signing context per key, set up once; the keys themselves are
/// shared.
public enum SigningPool {
    /// Signs every token of `specs`.
    ///
    /// - Parameters:
    ///   - keys: the loaded keys, indexed by `TokenSpec.keyIndex`.
    ///   - jobs: how many threads sign at once.
    ///   - progress: called from the threads with the number of tokens just finished.
    /// - Returns: the compact tokens, `result[i]` for `specs[i]`.
    /// - Throws: the first signing failure; no partial result is returned.
    static func sign(
        _ specs: [TokenSpec], keys: [SigningKey], jobs: Int,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> [String] {
        let headers = keys.map { TokenEncoder.headerSegment(keyID: $0.keyID) }
        return try ParallelLoop.map(
            specs.count, jobs: jobs, makeState: { [ES256Signer?](repeating: nil, count: keys.count) },
            finishedBatch: progress
        ) { signers, index in
            let spec = specs[index]
            let signer = try signers[spec.keyIndex] ?? keys[spec.keyIndex].privateKey.makeSigner()
            signers[spec.keyIndex] = signer

            let input = TokenEncoder.signingInput(headerSegment: headers[spec.keyIndex], spec: spec)
            let signature = try signer.sign(input)
            return TokenEncoder.token(signingInput: input, signature: signature)
        }
    }
}
