import Dispatch
import Synchronization

/// Signs a plan's tokens on several threads and returns them in the plan's order.
///
/// Workers take batches of tokens from a shared cursor, so a slow thread never holds up the
/// rest; each worker has its own signing context per key, and the keys themselves are shared.
public enum SigningPool {
    /// Tokens a worker claims at a time: large enough that the shared cursor is rarely
    /// contended, small enough that the last batches spread over every worker.
    static let batchSize = 64

    /// Signs every token of `specs`.
    ///
    /// - Parameters:
    ///   - keys: the loaded keys, indexed by `TokenSpec.keyIndex`.
    ///   - jobs: how many threads sign at once.
    ///   - progress: called from the workers with the number of tokens just finished.
    /// - Returns: the compact tokens, `result[i]` for `specs[i]`.
    /// - Throws: the first signing failure; no partial result is returned.
    static func sign(
        _ specs: [TokenSpec], keys: [SigningKey], jobs: Int,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> [String] {
        let headers = keys.map { TokenEncoder.headerSegment(keyID: $0.keyID) }
        let cursor = Atomic<Int>(0)
        let finished = Mutex<[[(index: Int, token: String)]]>([])
        let failure = Mutex<(any Error)?>(nil)
        let workers = max(1, min(jobs, (specs.count + batchSize - 1) / batchSize))

        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var signed: [(index: Int, token: String)] = []
            signed.reserveCapacity(specs.count / workers + batchSize)
            do {
                var signers: [Int: ES256Signer] = [:]
                while failure.withLock({ $0 == nil }) {
                    let start = cursor.wrappingAdd(batchSize, ordering: .relaxed).oldValue
                    guard start < specs.count else { break }

                    for index in start..<min(start + batchSize, specs.count) {
                        let spec = specs[index]
                        let signer = try signers[spec.keyIndex] ?? keys[spec.keyIndex].privateKey.makeSigner()
                        signers[spec.keyIndex] = signer

                        let input = TokenEncoder.signingInput(headerSegment: headers[spec.keyIndex], spec: spec)
                        let signature = try signer.sign(input)
                        signed.append((index, TokenEncoder.token(signingInput: input, signature: signature)))
                    }
                    progress?(min(batchSize, specs.count - start))
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
            finished.withLock { $0.append(signed) }
        }

        if let error = failure.withLock({ $0 }) { throw error }

        // Put every token back in the manifest's order.
        var tokens = [String](repeating: "", count: specs.count)
        for batch in finished.withLock({ $0 }) {
            for (index, token) in batch { tokens[index] = token }
        }
        return tokens
    }
}
