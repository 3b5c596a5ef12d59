/// What `--help` and `--version` print.
enum HelpText {
    static let version = "tokenbatch 0.1.0"

    static func text(for command: Invocation.Command?) -> String {
        switch command {
        case nil: overview
        case .apply: apply
        case .plan: plan
        case .keygen: keygen
        case .publicKey: publicKey
        case .schema: schema
        case .inspect: inspect
        case .verify: verify
        }
    }

    private static let overview = """
        tokenbatch: sign Apple Maps tokens (ES256 JWTs) from a YAML manifest.

        Usage:
          tokenbatch apply MANIFEST [--out-dir DIR] [--now TIME] [--jobs N] [--force] [--dry-run] [--strict]
          tokenbatch plan MANIFEST [--now TIME] [--out-dir DIR] [--format F] [--force] [--strict] [--detailed-exitcode]
          tokenbatch verify MANIFEST [--out-dir DIR] [--now TIME] [--within DURATION] [--format text|json]
          tokenbatch public-key MANIFEST [--key NAME] [--format jwks|pem]
          tokenbatch keygen FILE
          tokenbatch schema
          tokenbatch inspect TOKEN|FILE|- [--key FILE] [--now TIME] [--format text|json]
          tokenbatch help [COMMAND]

        Commands:
          apply       Check the manifest, sign every token and write the outputs.
          plan        Check the manifest and show what apply would do; needs no key, writes nothing.
          verify      Check the tokens in the outputs against the manifest, the keys and the clock.
          public-key  Print the public part of the manifest's keys, for verifiers.
          keygen      Make a P-256 key in Apple's .p8 form, to try tokenbatch without an Apple key.
          schema      Print the manifest's JSON Schema, for editors and linters.
          inspect     Decode one token, check it against Apple's rules and, with a key, its signature.

        Options:
          --out-dir DIR   Folder the outputs are written to (default: ./output).
          --now TIME      The clock for iat and expiry: RFC 3339 or Unix seconds (default: now).
          --jobs N        Signing workers (default: one per core).
          -h, --help      Show help.
          --version       Show the version.

        Exit status: 0 success; 1 the manifest, a key or a token is wrong; 2 the command line
        is wrong; 3 the run failed for another reason, such as a file that could not be written;
        4 (plan --detailed-exitcode only) apply would change something.

        """

    private static let apply = """
        Usage: tokenbatch apply MANIFEST [--out-dir DIR] [--now TIME] [--jobs N] [--force] [--dry-run] [--strict]

        Checks MANIFEST, loads the keys its products use, signs one token per product on all
        cores and writes the outputs the manifest lists under DIR. Nothing is written unless
        every token was signed, and each file is replaced in one step. Tokens of the previous
        run that are still valid and not due for renewal are kept as they were.

        Options:
          --out-dir DIR   Folder the outputs are written to (default: ./output).
          --now TIME      The clock for iat and expiry: RFC 3339 or Unix seconds (default: now).
          --jobs N        Signing workers, 1 to 1024 (default: one per core).
          --force         Sign every token anew, even those that could be kept.
          --dry-run       Do what `plan` does instead.
          --strict        Warnings fail the run as errors do, before anything is written.

        """

    private static let plan = """
        Usage: tokenbatch plan MANIFEST [--now TIME] [--out-dir DIR] [--format F] [--force] [--strict]
                               [--detailed-exitcode]

        Checks MANIFEST as apply would and prints each product's token and files. Checks a
        key only when it is present, and only warns when it is not; writes nothing, so it can
        run on pull requests.

        Options:
          --now TIME        The clock for iat and expiry: RFC 3339 or Unix seconds (default: now).
          --out-dir DIR     The folder apply would write to (default: ./output).
          --format text     Diagnostics on stderr, a table on stdout (default).
          --format json     One JSON document on stdout (docs/plan-format.md).
          --format github   GitHub Actions annotations on stdout, then the table.
          --format markdown A summary for a pull-request comment.
          --force           Show the plan of `apply --force`: every token signed anew.
          --strict          Warnings fail the run as errors do.
          --detailed-exitcode
                            Exit 4 when apply would change a token or a file, 0 when not.

        """

    private static let keygen = """
        Usage: tokenbatch keygen FILE

        Makes a new EC P-256 private key and writes it to FILE as unencrypted PKCS#8 PEM, the
        form of Apple's .p8 downloads, readable by the owner only. FILE must not exist.
        Apple does not know the key: its tokens are well formed, and Apple rejects them.

        """

    private static let publicKey = """
        Usage: tokenbatch public-key MANIFEST [--key NAME] [--format jwks|pem]

        Loads the keys the manifest's products use and prints their public parts, so that
        anyone can check tokens without the private key.

        Options:
          --key NAME        Only the key with this name in the manifest.
          --format jwks     A JSON Web Key Set, each key with its kid (default).
          --format pem      SubjectPublicKeyInfo PEM, each after a comment line.

        """

    private static let inspect = """
        Usage: tokenbatch inspect TOKEN|FILE|- [--key FILE] [--now TIME] [--format text|json]

        Decodes one token and prints its header, claims and times, then every way it breaks
        Apple's rules for Maps tokens, each with a stable name (docs/inspect.md). The token is
        the operand itself, the content of the file it names (a token, or one NAME=token line
        as in the .env files apply writes), or standard input for `-`, which keeps it out of
        the process list. Exits 0 when nothing is wrong, 1 when something is.

        Options:
          --key FILE      Check the signature with this key: a PEM private or public key, a
                          JWK, or a JWK Set (the key whose kid is the token's, else its only key).
          --now TIME      The clock for iat and exp: RFC 3339 or Unix seconds (default: now).
          --format text   A report for people (default).
          --format json   One JSON document on stdout (docs/inspect.md).

        """

    private static let schema = """
        Usage: tokenbatch schema

        Prints the JSON Schema (draft 2020-12) of the manifest. Save it beside your manifests
        and point your editor at it; docs/editor-support.md shows how.

        """

    private static let verify = """
        Usage: tokenbatch verify MANIFEST [--out-dir DIR] [--now TIME] [--within DURATION] [--format text|json]

        Reads every token the manifest's outputs hold under DIR and checks each: the signature
        under its key's public part, the header and claims the manifest asks for, and that it
        has not expired at TIME. Exits 1 if any token fails.

        Options:
          --out-dir DIR      The folder apply wrote to (default: ./output).
          --now TIME         The clock: RFC 3339 or Unix seconds (default: now).
          --within DURATION  Also fail tokens that expire within DURATION, such as 7d.
          --format json      A JSON report on standard output.

        """
}
