import Synchronization
import Testing

@testable import TokenBatch

struct ProgressReporterTests {
    @Test("Progress shows the count, a rate and the time left, then ends its line")
    func showsProgress() {
        let lines = Mutex<[String]>([])
        let reporter = ProgressReporter(total: 10, delay: 0) { text in lines.withLock { $0.append(text) } }

        reporter.advance(by: 10)
        reporter.finish()

        let written = lines.withLock { $0 }
        #expect(written.count == 2)
        #expect(written.first?.hasPrefix("\rsigned 10 of 10 tokens, ") == true)
        #expect(written.first?.contains(" a second, 0 s left") == true)
        #expect(written.last == "\n")
    }

    @Test("A run shorter than the delay prints nothing at all")
    func quietForShortRuns() {
        let lines = Mutex<[String]>([])
        let reporter = ProgressReporter(total: 10, delay: 3_600) { text in lines.withLock { $0.append(text) } }

        reporter.advance(by: 10)
        reporter.finish()

        #expect(lines.withLock { $0 }.isEmpty)
    }
}
