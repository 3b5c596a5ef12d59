import Dispatch
import Synchronization

/// Runs one piece of work per index on several threads and gathers the results in order.
///
/// Threads take batches of indices from a shared cursor, so a slow thread never holds up the
/// rest; each thread keeps its own state (a signing context, say), made once when it starts.
enum ParallelLoop {
    /// The most indices a thread claims at a time: enough that the shared cursor is rarely
    /// contended when the work per index is small (one signature).
    static let largestBatch = 64

    /// Indices a thread claims at a time: up to `largestBatch`, but small enough that every
    /// thread gets several batches, so that two large output files go to two threads.
    static func batchSize(count: Int, threads: Int) -> Int {
        max(1, min(largestBatch, count / (threads * 4)))
    }

    /// `transform(&state, index)` for every index of `0..<count`.
    ///
    /// - Parameters:
    ///   - jobs: how many threads work at once; fewer when there are fewer indices.
    ///   - makeState: called once on each thread before its first index.
    ///   - finishedBatch: called from the threads with the number of indices just done.
    /// - Returns: `result[i]` for index `i`.
    /// - Throws: the first error any call threw; the threads stop claiming work after it, and
    ///   no partial result is returned.
    static func map<State, Result: Sendable, Failure: Error>(
        _ count: Int, jobs: Int,
        makeState: @Sendable () throws(Failure) -> State,
        finishedBatch: (@Sendable (Int) -> Void)? = nil,
        _ transform: @Sendable (inout State, Int) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        let cursor = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        let threads = max(1, min(jobs, count))
        let batchSize = batchSize(count: count, threads: threads)

        // Each thread fills its own box, and the boxes are read only after every thread has
        // finished: no lock is needed, and ThreadSanitizer sees the order through Dispatch
        // (it cannot see the futex inside `Mutex`).
        let boxes = (0..<threads).map { _ in ThreadResults<Result, Failure>() }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let box = boxes[thread]
            box.done.reserveCapacity(count / threads + batchSize)
            do throws(Failure) {
                var state = try makeState()
                while !stopped.load(ordering: .relaxed) {
                    let start = cursor.wrappingAdd(batchSize, ordering: .relaxed).oldValue
                    guard start < count else { break }
                    let end = min(start + batchSize, count)
                    for index in start..<end {
                        box.done.append((index, try transform(&state, index)))
                    }
                    finishedBatch?(end - start)
                }
            } catch {
                box.failure = error
                stopped.store(true, ordering: .relaxed)
            }
        }

        if let error = boxes.lazy.compactMap(\.failure).first { throw error }

        // Put every result back at its index.
        var results: [Result?] = Array(repeating: nil, count: count)
        for box in boxes {
            for (index, result) in box.done { results[index] = result }
        }
        return results.map { $0! }  // Every index below `count` was claimed by exactly one thread.
    }

    /// `transform(index)` for every index of `0..<count`; see the variant with thread state.
    static func map<Result: Sendable, Failure: Error>(
        _ count: Int, jobs: Int, _ transform: @Sendable (Int) throws(Failure) -> Result
    ) throws(Failure) -> [Result] {
        try map(
            count, jobs: jobs, makeState: { () throws(Failure) in },
            { (_: inout Void, index: Int) throws(Failure) -> Result in try transform(index) })
    }
}

extension ParallelLoop {
    /// `transform(range)` for contiguous ranges that together cover `0..<count`, in order.
    ///
    /// For work that is cheap per index but keeps state along the way (a list of problems,
    /// say): each range gets a fresh state in `transform`, and the caller joins the results.
    /// Below `2 * minimumChunk` indices, or with one core, it is one call on this thread.
    static func chunks<Result: Sendable>(
        _ count: Int, minimumChunk: Int, _ transform: @Sendable (Range<Int>) -> Result
    ) -> [Result] {
        let threads = SystemCalls.processorCount()
        guard threads > 1, count >= 2 * minimumChunk else { return [transform(0..<count)] }

        // A few chunks per thread, so that a thread slowed by the other work of the machine
        // does not hold the rest up.
        let chunkCount = min(threads * 4, count / minimumChunk)
        let ranges = (0..<chunkCount).map { chunk in
            (count * chunk / chunkCount)..<(count * (chunk + 1) / chunkCount)
        }
        return map(chunkCount, jobs: threads) { chunk in transform(ranges[chunk]) }
    }

    /// The chunks' elements in one array, each chunk freed as soon as it is copied, so that
    /// the peak is one copy and a chunk rather than two copies.
    static func joined<Element>(_ chunks: consuming [[Element]]) -> [Element] {
        if chunks.count == 1 { return chunks[0] }
        var all: [Element] = []
        all.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for index in chunks.indices {
            all += chunks[index]
            chunks[index] = []
        }
        return all
    }
}

/// What one thread of a `ParallelLoop` made: touched by that thread only until the loop ends,
/// then read by the caller.
private final class ThreadResults<Result, Failure: Error>: @unchecked Sendable {
    var done: [(index: Int, result: Result)] = []
    var failure: Failure?
}
