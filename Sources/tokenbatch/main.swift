import TokenBatch

#if canImport(Glibc)
    import Glibc
#endif

// Everything lives in the library; this file only connects it to the process.
let status = TokenBatchTool.standard().run(Array(CommandLine.arguments.dropFirst()))
exit(status.rawValue)
