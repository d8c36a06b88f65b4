//! The fuzzer's corpus replayed in the normal suite: every input it kept (archives our writer
//! made, hostile ones, and what half an hour of coverage-guided mutation reached) goes through
//! the same checks as the fuzz target, so a change that breaks one of them fails here without
//! the fuzzing tools.

mod exercise;

use std::fs;
use std::path::Path;

#[test]
fn every_corpus_input_is_scanned_without_a_broken_promise() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scan");
    let mut inputs = 0;
    for entry in fs::read_dir(&dir).expect("the committed corpus") {
        let path = entry.expect("a corpus entry").path();
        let data = fs::read(&path).expect("a readable corpus input");
        exercise::exercise(&data);
        inputs += 1;
    }
    assert!(inputs >= 100, "only {inputs} corpus inputs under {}", dir.display());
}
