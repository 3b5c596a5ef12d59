import Dispatch
import Synchronization

/// Runs libyaml's parser on a thread of its own and hands its events to the caller's thread
/// in batches, so that parsing a large manifest overlaps with building its tree: at 100,000
/// products the parser and the tree each take about a third of a second.
///
/// Small manifests are parsed on the caller's thread: starting a thread would cost more than
/// it saves.
enum YAMLEventPipe {
    /// Manifests smaller than this are parsed without a second thread.
    static let threadedSize = 256 * 1024

    /// Events handed over at a time.
    static let batchSize = 2048

    /// Batches that may wait between the two threads; the parser stops when they are full.
    static let slotCount = 4

    /// Calls `handle` with every event of `bytes`, in order, on the calling thread.
    ///
    /// - Throws: `YAMLParseFailure` once the events before the failure are handled, or the
    ///   first error `handle` throws, after which the parser stops.
    static func forEachEvent(in bytes: [UInt8], _ handle: (YAMLEvent) throws -> Void) throws {
        guard bytes.count >= threadedSize else {
            return try LibYAML.forEachEvent(in: bytes, handle)
        }

        let pipe = Pipe()
        DispatchQueue.global().async { pipe.produce(from: bytes) }

        // However this ends, the parser's thread finishes before the function returns.
        var stopped = false
        defer {
            if !stopped { pipe.cancel() }
        }
        while true {
            switch pipe.receive() {
            case .events(let events):
                for event in events { try handle(event) }
            case .failed(let failure):
                stopped = true
                throw failure
            case .finished:
                stopped = true
                return
            }
        }
    }

    /// What one slot carries from the parser to the caller.
    private enum Item: Sendable {
        case events([YAMLEvent])
        case failed(YAMLParseFailure)
        case finished
    }

    /// A ring of slots between two threads. Each slot is written by the parser and then read by
    /// the caller, and the semaphores between those two steps order them, for the threads and
    /// for ThreadSanitizer alike.
    private final class Pipe: @unchecked Sendable {
        private final class Slot: @unchecked Sendable {
            var item: Item = .finished
        }

        private let slots = (0..<YAMLEventPipe.slotCount).map { _ in Slot() }
        private let free = DispatchSemaphore(value: YAMLEventPipe.slotCount)
        private let filled = DispatchSemaphore(value: 0)
        private let cancelled = Atomic<Bool>(false)
        // Each index is touched by one thread only.
        private var sent = 0
        private var received = 0

        /// Parses on the current thread, sending batches until the end, a failure or a cancel.
        func produce(from bytes: [UInt8]) {
            var batch: [YAMLEvent] = []
            batch.reserveCapacity(YAMLEventPipe.batchSize)
            do {
                try LibYAML.forEachEvent(in: bytes) { event in
                    batch.append(event)
                    if batch.count == YAMLEventPipe.batchSize {
                        guard !cancelled.load(ordering: .relaxed) else { throw CancellationError() }
                        send(.events(batch))
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                send(.events(batch))
                send(.finished)
            } catch let failure as YAMLParseFailure {
                send(.events(batch))
                send(.failed(failure))
            } catch {
                send(.finished)
            }
        }

        func receive() -> Item {
            filled.wait()
            let item = slots[received % slots.count].item
            received += 1
            free.signal()
            return item
        }

        /// Stops the parser and waits for its last item, so that its thread is done.
        func cancel() {
            cancelled.store(true, ordering: .relaxed)
            while true {
                if case .events = receive() { continue }
                return
            }
        }

        private func send(_ item: Item) {
            free.wait()
            slots[sent % slots.count].item = item
            sent += 1
            filled.signal()
        }
    }

    private struct CancellationError: Error {}
}
