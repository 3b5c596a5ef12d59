import Synchronization

/// Shows signing progress on a terminal: tokens signed, rate and time left, on one line of
/// standard error that rewrites itself. Silent for the first second, so that small runs print
/// nothing, and silent when standard error is not a terminal.
final class ProgressReporter: Sendable {
    private struct State {
        var done = 0
        var lastShown = 0.0
        var shown = false
    }

    private let total: Int
    private let started: Double
    private let delay: Double
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// Seconds between two lines.
    static let interval = 0.2

    /// - Parameter delay: seconds before the first line.
    init(total: Int, delay: Double = 1.0, write: @escaping @Sendable (String) -> Void) {
        self.total = total
        self.started = SystemCalls.monotonicSeconds()
        self.delay = delay
        self.write = write
    }

    /// Counts `count` more tokens signed; called from the signing workers.
    func advance(by count: Int) {
        let now = SystemCalls.monotonicSeconds()
        let line: String? = state.withLock { state in
            state.done += count
            guard now - started >= delay, now - state.lastShown >= Self.interval || state.done == total else {
                return nil
            }
            state.lastShown = now
            state.shown = true
            let rate = Double(state.done) / (now - started)
            let left = rate > 0 ? Double(total - state.done) / rate : 0
            return
                "\rsigned \(state.done) of \(total) tokens, \(Int(rate)) a second, \(Int(left.rounded(.up))) s left  "
        }
        if let line { write(line) }
    }

    /// Ends the progress line, if one was shown, so that the summary starts on its own line.
    func finish() {
        if state.withLock({ $0.shown }) { write("\n") }
    }
}
