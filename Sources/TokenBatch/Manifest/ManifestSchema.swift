/// The manifest's JSON Schema (draft 2020-12), for editors and linters.
///
/// It states the structure, types and forms the planner checks; rules that need more than
/// one value at a time (collisions, expiry after the time of signing, keys that exist) are
/// the planner's alone. Editors that read YAML 1.2 see a plain `0600` or `1234567890` as a
/// number, so the schema accepts those where tokenbatch reads text.
/// `Tests/TokenBatchTests/EndToEnd/SchemaAgreementTests.swift` checks that schema and planner agree.
enum ManifestSchema {
    static let text = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://github.com/tokenbatch/tokenbatch/manifest-v1.schema.json",
          "title": "tokenbatch manifest, version 1",
          "description": "Apple Maps tokens to sign: keys, products and the files to write.",
          "type": "object",
          "additionalProperties": false,
          "required": ["version", "team_id", "keys", "products", "outputs"],
          "properties": {
            "version": { "const": 1, "description": "The manifest format's version." },
            "team_id": { "$ref": "#/$defs/appleID", "description": "The iss claim: the Apple Developer Team ID." },
            "policy": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "max_lifetime": { "$ref": "#/$defs/duration", "description": "No token may live longer." },
                "backdate_iat": { "$ref": "#/$defs/duration", "description": "Move iat back by this much, at most 1h." }
              }
            },
            "keys": {
              "type": "object",
              "minProperties": 1,
              "propertyNames": { "$ref": "#/$defs/name" },
              "additionalProperties": { "$ref": "#/$defs/key" }
            },
            "defaults": { "$ref": "#/$defs/settings" },
            "products": {
              "type": "object",
              "minProperties": 1,
              "propertyNames": { "$ref": "#/$defs/name" },
              "additionalProperties": { "$ref": "#/$defs/settings" }
            },
            "outputs": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/output" } }
          },
          "$defs": {
            "appleID": {
              "anyOf": [
                { "type": "string", "pattern": "^[A-Z0-9]{10}$" },
                { "type": "integer", "minimum": 1000000000, "maximum": 9999999999 }
              ]
            },
            "name": {
              "type": "string",
              "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
              "description": "Lower-case letters, digits and inner hyphens, 1 to 63 characters."
            },
            "duration": {
              "type": "string",
              "pattern": "^[1-9][0-9]*[smhdw]$",
              "description": "A whole number and a unit: s, m (minutes), h, d or w."
            },
            "time": {
              "type": "string",
              "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([Zz]|[+-][0-9]{2}:[0-9]{2})$",
              "description": "RFC 3339 with Z or an offset, whole seconds."
            },
            "date": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
            "key": {
              "type": "object",
              "additionalProperties": false,
              "required": ["kid"],
              "properties": {
                "kid": { "$ref": "#/$defs/appleID", "description": "The Key ID: the header's kid." },
                "file": { "type": "string", "minLength": 1, "description": "A PEM file, relative to the manifest." },
                "env": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "A variable holding the PEM." },
                "retire_on": { "anyOf": [{ "$ref": "#/$defs/date" }, { "$ref": "#/$defs/time" }] }
              },
              "oneOf": [{ "required": ["file"] }, { "required": ["env"] }]
            },
            "settings": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "key": { "type": "string", "description": "The name of a key under keys." },
                "scopes": {
                  "type": "array",
                  "minItems": 1,
                  "uniqueItems": true,
                  "items": { "enum": ["embed_api", "mapkit_js", "server_api", "web_snapshots"] }
                },
                "origins": {
                  "type": "array",
                  "uniqueItems": true,
                  "items": {
                    "type": "string",
                    "pattern": "^(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
                  }
                },
                "lifetime": { "$ref": "#/$defs/duration" },
                "expires": { "$ref": "#/$defs/time" },
                "renew_before": { "$ref": "#/$defs/duration" }
              },
              "not": { "required": ["lifetime", "expires"] }
            },
            "output": {
              "type": "object",
              "additionalProperties": false,
              "required": ["format", "path"],
              "properties": {
                "format": { "enum": ["json", "env"] },
                "path": {
                  "type": "string",
                  "minLength": 1,
                  "not": { "pattern": "(^/|(^|/)\\.\\.?(/|$)|//|\\\\)" }
                },
                "variable": { "type": "string", "pattern": "^([A-Za-z_]|\\{product\\})([A-Za-z0-9_]|\\{product\\})*$" },
                "mode": {
                  "anyOf": [
                    { "type": "string", "pattern": "^(0o|0)?6[04]0$" },
                    { "enum": [600, 640] }
                  ]
                }
              }
            }
          }
        }

        """#
}
