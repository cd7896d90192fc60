//! Arbitrary bytes as an export: reading never panics, and every data row read is
//! loaded or counted as a guest or invalid row.
//!
//! The first byte chooses the block size (so records cross block ends) and whether
//! invalid rows are skipped; the rest is the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rebuy::input::{self, read::ReadOptions, read::Source, schema::ValueOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, file)) = data.split_first() else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("export.csv");
    std::fs::write(&path, file).expect("writing the input");
    let read = ReadOptions {
        block_bytes: usize::from(knobs & 0x3f) + 1,
        ..ReadOptions::default()
    };
    let values = ValueOptions {
        skip_invalid: knobs & 0x40 != 0,
        ..ValueOptions::default()
    };
    let sources = [Source::Path(path)];
    let inputs = if knobs & 0x80 != 0 {
        input::load_with_products(&sources, &read, &values, &|_| {}).map(|(inputs, _, _)| inputs)
    } else {
        input::load(&sources, &read, &values, &|_| {}).map(|(inputs, _)| inputs)
    };
    if let Ok(inputs) = inputs {
        for file in &inputs.files {
            assert_eq!(
                file.rows,
                file.loaded_rows + file.guest_rows + file.invalid_rows,
                "rows read = loaded + guest + invalid"
            );
        }
    }
});
