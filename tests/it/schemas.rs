//! `schemas/<table>.json` is generated from the code's Arrow schemas; this fails when they
//! drift apart. Regenerate with `cargo run -- schema --write schemas`.

use govtext::schema;

#[test]
fn checked_in_schemas_match_the_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for t in schema::all_tables() {
        let path = dir.join(format!("{t}.json"));
        let on_disk =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            on_disk,
            schema::schema_json(t),
            "{} is stale: run `cargo run -- schema --write schemas`",
            path.display()
        );
    }
}

/// The README's text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn readme_between(name: &str) -> String {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let open = format!("<!-- {name}:begin -->\n");
    let begin = readme
        .find(&open)
        .unwrap_or_else(|| panic!("{name}:begin marker"))
        + open.len();
    let end = readme
        .find(&format!("<!-- {name}:end -->"))
        .unwrap_or_else(|| panic!("{name}:end marker"));
    readme[begin..end].to_string()
}

#[test]
fn readme_column_table_matches_the_code() {
    assert_eq!(
        readme_between("schema"),
        schema::schema_markdown(),
        "README's column table is stale: paste `govtext schema --format markdown`"
    );
}

#[test]
fn readme_indicator_table_matches_the_code() {
    assert_eq!(
        readme_between("indicators"),
        govtext::extract::indicators::markdown(),
        "README's indicator table is stale"
    );
}
