import TokenBatch

/// libFuzzer's entry point: every input goes to `FuzzingEntryPoints.token`, which must return.
///
/// The raw pointer is libFuzzer's calling convention; it is copied into an array at once.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    FuzzingEntryPoints.token(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
