extension Planner {
    /// The longest file or folder name an output may have: 255 bytes, less the room a
    /// temporary name beside it needs.
    static let maximumNameLength = 200

    /// Expands every output for every token and checks that no two of them collide.
    ///
    /// - Returns: the files to write, or `nil` when an output is unusable.
    mutating func planFiles(for tokens: [TokenSpec]) -> [PlannedFile]? {
        var files: [PlannedFile] = []
        // Every path once, with its file and the output that writes it: one hashed lookup per
        // product and output, which at 100,000 products is most of the cost of planning files.
        var fileByPath: [String: (index: Int, writer: SourceLocation)] = [:]
        if manifest.outputs.contains(where: { $0.path?.value.contains(Self.productPlaceholder) ?? false }) {
            fileByPath.reserveCapacity(tokens.count * manifest.outputs.count)
        }
        // The variables of each file that several products share, made when a second one joins.
        var variablesByFile: [Int: Set<String>] = [:]
        var valid = true

        for output in manifest.outputs {
            // The path is checked even when the format is wrong, so that both are reported.
            let pathIsUsable = output.path.map { checkPath($0) } ?? false
            guard let format = output.format, let path = output.path, pathIsUsable else {
                valid = false
                continue
            }
            guard let variable = checkVariable(output, format: format.value, path: path) else {
                valid = false
                continue
            }
            let mode = output.mode?.value ?? Self.defaultFileMode

            // Without a placeholder every token goes to the same path, checked once.
            let pathVaries = path.value.contains(Self.productPlaceholder)
            for (index, token) in tokens.enumerated() {
                let filePath = pathVaries ? path.value.replacingPlaceholder(with: token.product) : path.value
                let variableName =
                    format.value == .env
                    ? variable.value.replacingPlaceholder(with: Identifiers.variableFragment(of: token.product)) : ""

                if format.value == .env, !Identifiers.isVariableName(variableName) {
                    report(
                        .variableName, at: variable.location,
                        "for product `\(token.product)` the variable would be `\(variableName)`, which is not a valid name",
                        hint: "put a letter or `_` before `{product}`, such as `MAPS_{product}`")
                    valid = false
                    break
                }
                if pathVaries || index == 0,
                    filePath.utf8.split(separator: UInt8(ascii: "/")).contains(where: {
                        $0.count > Self.maximumNameLength
                    })
                {
                    report(
                        .outputPath, at: path.location,
                        "for product `\(token.product)` the path `\(filePath)` has a name longer than "
                            + "\(Self.maximumNameLength) bytes",
                        hint: "file systems allow 255 bytes, and tokenbatch needs some for its temporary name")
                    valid = false
                    break
                }
                if let (fileIndex, writer) = fileByPath[filePath] {
                    if writer != output.start {
                        report(
                            .outputCollision, at: path.location,
                            "this output writes `\(filePath)`, which the output at line \(writer.line) writes too",
                            hint: "give each output its own path")
                        valid = false
                        break
                    }
                    if format.value == .env,
                        !variablesByFile[fileIndex, default: Set(files[fileIndex].variables)].insert(variableName)
                            .inserted
                    {
                        report(
                            .outputCollision, at: variable.location,
                            "products share the file `\(filePath)` and would all set `\(variableName)`",
                            hint: "put `{product}` in the path or in the variable name")
                        valid = false
                        break
                    }
                    files[fileIndex].tokenIndices.append(index)
                    files[fileIndex].variables.append(variableName)
                } else {
                    fileByPath[filePath] = (files.count, output.start)
                    files.append(
                        PlannedFile(
                            path: filePath, format: format.value, mode: mode, tokenIndices: [index],
                            variables: format.value == .env ? [variableName] : [], location: path.location))
                }
            }
        }

        // A file cannot also be a folder another file is written into.
        for file in files {
            var folder = Substring(file.path)
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                if let writer = fileByPath[String(folder)]?.writer {
                    report(
                        .outputCollision, at: writer,
                        "`\(folder)` is written as a file and used as a folder for `\(file.path)`",
                        hint: "rename one of the two outputs")
                    valid = false
                }
            }
        }
        return valid ? files : nil
    }

    /// A path must stay inside the output folder and name only `{product}` as a placeholder.
    private mutating func checkPath(_ path: Located<String>) -> Bool {
        let text = path.value
        let components = text.split(separator: "/", omittingEmptySubsequences: false)
        let problem: ValueProblem? =
            if text.hasPrefix("/") {
                ValueProblem(
                    "output path `\(text)` is absolute",
                    hint: "paths are relative to --out-dir; write `\(text.drop { $0 == "/" })`")
            } else if components.contains(where: { $0 == ".." }) {
                ValueProblem(
                    "output path `\(text)` leaves the output folder",
                    hint: "remove the `..`; paths are relative to --out-dir")
            } else if components.contains(where: { $0.hasPrefix(".tokenbatch") }) {
                ValueProblem(
                    "output path `\(text)` uses a name reserved for tokenbatch's own files",
                    hint: "names starting with `.tokenbatch` hold the state and temporary files; choose another")
            } else if components.contains(where: { $0.isEmpty || $0 == "." }) {
                ValueProblem("output path `\(text)` has an empty or `.` part", hint: "write it as `folder/file.json`")
            } else if text.contains("\\")
                || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            {
                ValueProblem(
                    "output path `\(text)` has a backslash or a control character", hint: "use `/` between folders")
            } else if text.replacingOccurrences(of: Self.productPlaceholder, with: "").contains(where: {
                $0 == "{" || $0 == "}"
            }) {
                ValueProblem(
                    "output path `\(text)` has a placeholder other than `{product}`",
                    hint: "`{product}` is the only placeholder")
            } else {
                nil
            }
        if let problem {
            report(.outputPath, at: path.location, problem.message, hint: problem.hint)
            return false
        }
        return true
    }

    /// The variable template of an output, defaulted for `env` and refused for `json`.
    private mutating func checkVariable(_ output: OutputDefinition, format: OutputFormat, path: Located<String>)
        -> Located<String>?
    {
        switch (format, output.variable) {
        case (.json, let variable?):
            report(
                .variableName, at: variable.location, "`variable` applies only to `env` outputs",
                hint: "remove it, or change `format` to `env`")
            return nil
        case (.json, nil):
            return Located("", at: path.location)
        case (.env, nil):
            return Located(Self.defaultVariable, at: path.location)
        case (.env, let variable?):
            let example = variable.value.replacingPlaceholder(with: "PRODUCT")
            guard Identifiers.isVariableName(example) else {
                report(
                    .variableName, at: variable.location, "`\(variable.value)` is not a valid variable name",
                    hint: "use letters, digits and `_`, not starting with a digit; `{product}` may appear in it")
                return nil
            }
            return variable
        }
    }
}

extension String {
    /// The text with every `{product}` replaced.
    func replacingPlaceholder(with value: String) -> String {
        guard utf8.contains(UInt8(ascii: "{")) else { return self }
        return replacingOccurrences(of: Planner.productPlaceholder, with: value)
    }

    /// Every occurrence of `target` replaced; written here so the library needs no Foundation.
    ///
    /// Compares UTF-8 bytes, which for these texts (paths and names, matched against ASCII
    /// placeholders) finds the same places as comparing characters, at a fraction of the cost:
    /// this runs twice per product and output.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        let text = Array(utf8)
        let pattern = Array(target.utf8)
        guard !pattern.isEmpty, text.count >= pattern.count else { return self }

        var result: [UInt8] = []
        result.reserveCapacity(text.count + replacement.utf8.count)
        var position = 0
        while position < text.count {
            if text[position] == pattern[0], position + pattern.count <= text.count,
                text[position..<position + pattern.count].elementsEqual(pattern)
            {
                result += replacement.utf8
                position += pattern.count
            } else {
                result.append(text[position])
                position += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
