/// Every file one run leaves in the output folder: the outputs the manifest lists, then the
/// state file.
enum OutputSet {
    /// - Parameters:
    ///   - plan: the plan whose tokens carry their final times (kept ones their old times).
    ///   - tokens: the final token of every product, parallel to `plan.tokens`.
    ///   - thumbprints: each key's thumbprint, parallel to `plan.keys`.
    ///   - pendingRemovals: files of earlier runs not yet deleted; the state lists them, so
    ///     that a run killed before deleting them leaves the next run to do it.
    static func files(plan: Plan, tokens: [String], thumbprints: [String], pendingRemovals: [String])
        -> [OutputWriter.File]
    {
        var files = plan.files.map { file in
            OutputWriter.File(path: file.path, mode: file.mode) { deliver in
                OutputRenderer.render(file, plan: plan, tokens: tokens, thumbprints: thumbprints, into: deliver)
            }
        }
        // The state goes last, so that a run killed before it leaves the previous state, which
        // still describes tokens the next run can keep or replace.
        files.append(state(plan: plan, tokens: tokens, thumbprints: thumbprints, pendingRemovals: pendingRemovals))
        return files
    }

    static func state(plan: Plan, tokens: [String], thumbprints: [String], pendingRemovals: [String])
        -> OutputWriter.File
    {
        OutputWriter.File(path: PreviousRun.stateFileName, mode: 0o600) { deliver in
            StateFile.render(
                plan: plan, tokens: tokens, thumbprints: thumbprints, files: plan.files.map(\.path) + pendingRemovals,
                into: deliver)
        }
    }
}
